"""Read-only queries behind the team's web page: a page of the queue, of the stories waiting
for review, of the post history and of the audit trail; a month of the calendar; the live
posts a withdrawal deletes.

Each query reads one page, never the whole table, so the pages stay fast on a queue of
many thousands of stories.
"""

from __future__ import annotations

import calendar as monthcal
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from infobot.clock import local_today
from infobot.domain.story import StoryStatus
from infobot.service.editorial import _live_ids
from infobot.service.manual import ADVICE
from infobot.service.schedule import Planner
from infobot.service.stories import (
    QUEUE_ORDER,
    CheckResult,
    check_story,
    get_story,
    queue_filter,
    queue_position,
    to_input,
)
from infobot.store.models import Blackout, Delivery, Event, Slot, Story

if TYPE_CHECKING:
    from infobot.app import App

#: Months ahead of today the calendar plans (each planned day reads at most one story).
PLAN_MONTHS_AHEAD = 24


@dataclass
class Paged:
    """One page of rows: ``page`` counts from 1."""

    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """Number of the first row on this page (1-based)."""
        return (self.page - 1) * self.per_page + 1


def _page(page: int, per_page: int, total: int) -> int:
    last = max(1, -(-total // per_page))
    return min(max(1, page), last)


@dataclass
class QueueRow:
    position: int | None
    story: Story


@dataclass
class QueueOverview:
    queue: Paged  # rows: QueueRow
    pinned: list[Story]  # approved stories pinned to a date, soonest first
    drafts: int  # stories waiting for review


def queue_overview(app: App, page: int = 1, per_page: int = 50) -> QueueOverview:
    with app.db.read() as session:
        total = int(
            session.scalar(
                select(func.count()).select_from(Story).where(queue_filter(app.campaign_id))
            )
            or 0
        )
        page = _page(page, per_page, total)
        offset = (page - 1) * per_page
        stories = session.scalars(
            select(Story)
            .where(queue_filter(app.campaign_id))
            .order_by(*QUEUE_ORDER)
            .offset(offset)
            .limit(per_page)
        ).all()
        rows = [QueueRow(offset + n, s) for n, s in enumerate(stories, start=1)]
        pinned = list(
            session.scalars(
                select(Story)
                .where(
                    Story.campaign_id == app.campaign_id,
                    Story.status == StoryStatus.APPROVED.value,
                    Story.pin_date.is_not(None),
                )
                .order_by(Story.pin_date)
            )
        )
        drafts = int(
            session.scalar(
                select(func.count())
                .select_from(Story)
                .where(
                    Story.campaign_id == app.campaign_id,
                    Story.status == StoryStatus.DRAFT.value,
                )
            )
            or 0
        )
    return QueueOverview(Paged(rows, total, page, per_page), pinned, drafts)


def position_of(app: App, story_id: int) -> int | None:
    """The story's place in the queue (1 = next), or None when it is not in the queue."""
    with app.db.read() as session:
        return queue_position(session, get_story(session, story_id, app.campaign_id))


@dataclass
class ReviewItem:
    story: Story
    check: CheckResult


def review_page(app: App, page: int = 1, per_page: int = 20) -> Paged:
    """Drafts waiting for review, oldest first, each checked against every platform."""
    where = (Story.campaign_id == app.campaign_id, Story.status == StoryStatus.DRAFT.value)
    with app.db.read() as session:
        total = int(session.scalar(select(func.count()).select_from(Story).where(*where)) or 0)
        page = _page(page, per_page, total)
        stories = session.scalars(
            select(Story)
            .where(*where)
            .order_by(Story.sort_key, Story.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    rules, options = app.rules(), app.render_options
    items = [ReviewItem(s, check_story(to_input(s), rules, options)) for s in stories]
    return Paged(list(items), total, page, per_page)


# -- the calendar ------------------------------------------------------------------------
@dataclass
class CalendarDay:
    day: date
    in_month: bool
    today: bool = False
    state: str = ""  # as in the preview: scheduled, pinned, done, off, empty, missed; or past
    reason: str = ""
    story_id: int | None = None
    title: str = ""
    pinned: bool = False
    blackout: str | None = None  # the blackout's reason when the day is one
    paused: bool = False
    runs_dry: bool = False


@dataclass
class MonthView:
    year: int
    month: int
    today: date
    weeks: list[list[CalendarDay]] = field(default_factory=list)
    runs_dry_on: date | None = None
    paused: bool = False
    planned_to: date | None = None  # last day the plan covers

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def month_view(app: App, year: int, month: int) -> MonthView:
    """Which story posts on which day of a month, with pins, pauses, blackouts and the day
    the queue runs dry. Past days show what happened; coming days what is planned."""
    today = local_today(app.clock, app.settings.tz)
    first = date(year, month, 1)
    last = date(year, month, monthcal.monthrange(year, month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    view = MonthView(year, month, today)
    planner = Planner(app)
    horizon = today + timedelta(days=PLAN_MONTHS_AHEAD * 31)
    with app.db.read() as session:
        campaign, cal = planner.load(session)
        view.paused = campaign.paused
        blackouts = {
            b.day: b.reason
            for b in session.scalars(
                select(Blackout).where(
                    Blackout.campaign_id == app.campaign_id,
                    Blackout.day >= grid_start,
                    Blackout.day <= grid_end,
                )
            )
        }
        slots = {
            s.local_date: s
            for s in session.scalars(
                select(Slot).where(
                    Slot.campaign_id == app.campaign_id,
                    Slot.local_date >= grid_start,
                    Slot.local_date < min(today, grid_end + timedelta(days=1)),
                )
            )
        }
        # Before the first day infobot ever recorded, an empty day is not a gap.
        first_record = session.scalar(
            select(func.min(Slot.local_date)).where(Slot.campaign_id == app.campaign_id)
        )
        titles = {
            sid: title
            for sid, title in session.execute(
                select(Story.id, Story.title).where(
                    Story.id.in_([s.story_id for s in slots.values() if s.story_id])
                )
            )
        }
        plan = {}
        plan_end = min(grid_end, horizon)
        if plan_end >= today:
            days = (plan_end - today).days + 1
            plan = {entry.day: entry for entry in planner.plan(session, days)}
            view.planned_to = plan_end
        run, _ = planner.runway(session)
        view.runs_dry_on = run.runs_dry_on
    day = grid_start
    week: list[CalendarDay] = []
    while day <= grid_end:
        cell = CalendarDay(day, day.month == month, today=day == today)
        cell.blackout = blackouts.get(day) if day in blackouts else None
        if day in plan:
            entry = plan[day]
            cell.state, cell.reason = entry.state, entry.reason
            if entry.story is not None:
                cell.story_id, cell.title = entry.story.id, entry.story.title
                cell.pinned = entry.story.pin_date == day
        elif day in slots:
            slot = slots[day]
            cell.state, cell.reason = "done", slot.status
            if slot.story_id is not None:
                cell.story_id, cell.title = slot.story_id, titles.get(slot.story_id, "")
            else:
                cell.reason = f"{slot.status}: {slot.reason}" if slot.reason else slot.status
        elif day < today:
            cell.state = "past"
            recorded = first_record is not None and day >= first_record
            cell.reason = cal.off_reason(day) or ("no post recorded" if recorded else "")
        else:
            cell.state = "unplanned"
            cell.reason = "too far ahead to plan"
        cell.paused = (cell.reason or "").startswith("campaign paused")
        cell.runs_dry = view.runs_dry_on == day
        week.append(cell)
        if len(week) == 7:
            view.weeks.append(week)
            week = []
        day += timedelta(days=1)
    return view


# -- history and audit -------------------------------------------------------------------
@dataclass
class HistoryRow:
    delivery: Delivery
    day: date | None
    title: str
    advice: str


def history_page(app: App, page: int = 1, per_page: int = 50) -> Paged:
    """Every delivery, newest first, with what to do about the ones that did not go out."""
    with app.db.read() as session:
        where = Story.campaign_id == app.campaign_id
        joined = select(func.count()).select_from(Delivery).join(Story)
        total = int(session.scalar(joined.where(where)) or 0)
        page = _page(page, per_page, total)
        found = session.execute(
            select(Delivery, Story.title, Slot.local_date)
            .join(Story, Story.id == Delivery.story_id)
            .outerjoin(Slot, Slot.id == Delivery.slot_id)
            .where(where)
            .order_by(Delivery.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    rows = [
        HistoryRow(
            d, day, title, "" if d.status in ("sent", "deleted") else ADVICE.get(d.status, "")
        )
        for d, title, day in found
    ]
    return Paged(list(rows), total, page, per_page)


def days_without_post(app: App, limit: int = 30) -> list[Slot]:
    """The latest days recorded with no post (missed, skipped, failed), newest first."""
    with app.db.read() as session:
        return list(
            session.scalars(
                select(Slot)
                .where(
                    Slot.campaign_id == app.campaign_id,
                    Slot.status.in_(("missed", "skipped", "failed", "partly_posted", "empty")),
                )
                .order_by(Slot.local_date.desc())
                .limit(limit)
            )
        )


@dataclass
class AuditRow:
    event: Event
    changes: list[tuple[str, str, str]]  # field, before, after


def _short(value: Any, width: int = 80) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _changes(event: Event) -> list[tuple[str, str, str]]:
    try:
        before = json.loads(event.before) if event.before else {}
        after = json.loads(event.after) if event.after else {}
    except ValueError:
        return []
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, _short(before.get(k)), _short(after.get(k))) for k in keys]


def audit_page(app: App, page: int = 1, per_page: int = 50, story_id: int | None = None) -> Paged:
    """The audit trail, newest first (optionally one story's)."""
    with app.db.read() as session:
        stmt = select(Event)
        count = select(func.count()).select_from(Event)
        if story_id is not None:
            stmt = stmt.where(Event.story_id == story_id)
            count = count.where(Event.story_id == story_id)
        total = int(session.scalar(count) or 0)
        page = _page(page, per_page, total)
        events = session.scalars(
            stmt.order_by(Event.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
    return Paged([AuditRow(e, _changes(e)) for e in events], total, page, per_page)


# -- withdrawal --------------------------------------------------------------------------
@dataclass
class LivePost:
    platform: str
    remote_id: str
    url: str
    sent_at: datetime | None


def live_posts(app: App, story_id: int) -> list[LivePost]:
    """The posts a withdrawal of this story deletes, platform by platform."""
    with app.db.read() as session:
        get_story(session, story_id, app.campaign_id)
        posts = []
        for d in session.scalars(
            select(Delivery).where(Delivery.story_id == story_id).order_by(Delivery.platform)
        ):
            for remote_id in _live_ids(d):
                url = d.remote_url if remote_id == d.remote_id else ""
                posts.append(LivePost(d.platform, remote_id, url, d.sent_at))
    return posts


# -- the story preview ----------------------------------------------------------------------
def preview_story(app: App, story_id: int, changes: dict[str, str]) -> dict[str, Any]:
    """How the story looks on each platform with ``changes`` applied (nothing is saved).

    Returns ``platforms`` (as ``infobot stories show --json``), ``problems`` and
    ``warnings`` (personal data).
    """
    from infobot.domain.validate import validate_record
    from infobot.service.media import local_pictures
    from infobot.service.views import _rendered_json

    with app.db.read() as session:
        story = get_story(session, story_id, app.campaign_id)
    current = to_input(story)
    values: dict[str, object] = {k: v for k, v in current.__dict__.items() if v not in (None, "")}
    values.update(changes)
    story_input, problems = validate_record(
        values,
        file=f"story #{story_id}",
        line=None,
        require_consent=app.settings.require_consent,
        images=local_pictures(),
    )
    if story_input is None:
        return {
            "platforms": {},
            "problems": [f"{p.field}: {p.message}" for p in problems],
            "warnings": [],
        }
    check = check_story(story_input, app.rules(), app.render_options)
    return {
        "platforms": {name: _rendered_json(r) for name, r in check.rendered.items()},
        "problems": check.problems,
        "warnings": check.warnings,
    }
