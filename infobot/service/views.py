"""Read-only views for the team: preview, status, story listings and exports."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import func, select

from infobot.domain.cells import EXPORT_HEAD, EXPORT_TAIL, protect
from infobot.domain.story import STORY_FIELDS, StoryStatus
from infobot.service.schedule import Planner, due_at
from infobot.service.stories import (
    QUEUE_ORDER,
    check_story,
    get_story,
    queue_filter,
    queue_position,
    to_input,
)
from infobot.store.models import Campaign, Delivery, Event, Slot, Story

if TYPE_CHECKING:
    from infobot.app import App

ATTENTION_DELIVERY = ("failed", "in_doubt")
STORY_EXPORT = (*EXPORT_HEAD, *STORY_FIELDS, *EXPORT_TAIL)
DELIVERY_EXPORT = (
    "id",
    "story_id",
    "platform",
    "status",
    "attempts",
    "remote_id",
    "remote_url",
    "error",
    "next_attempt_at",
    "created_at",
    "updated_at",
    "sent_at",
)
EVENT_EXPORT = (
    "id",
    "at",
    "actor",
    "action",
    "story_id",
    "delivery_id",
    "message",
    "before",
    "after",
)


def story_summary(story: Story, position: int | None) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "status": story.status,
        "position": position,
        "pin_date": story.pin_date.isoformat() if story.pin_date else None,
        "author": story.author,
        "organisation": story.organisation,
        "approved_by": story.approved_by,
        "created_at": story.created_at.isoformat(),
    }


def story_detail(story: Story, position: int | None) -> dict[str, Any]:
    data = story_summary(story, position)
    for name in (
        "body",
        "role",
        "link",
        "image",
        "image_alt",
        "language",
        "consent_by",
        "consent_scope",
        "notes",
        "source",
        "status_reason",
        "created_by",
        "updated_by",
    ):
        data[name] = getattr(story, name)
    data["consent_date"] = story.consent_date.isoformat() if story.consent_date else None
    data["updated_at"] = story.updated_at.isoformat()
    data["approved_at"] = story.approved_at.isoformat() if story.approved_at else None
    return data


@dataclass
class Views:
    app: App

    # -- stories ---------------------------------------------------------------------
    def list_stories(
        self, status: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Queue order first (approved, by position), then everything else newest first."""
        campaign_id = self.app.campaign_id
        rows: list[dict[str, Any]] = []
        with self.app.db.read() as session:
            if status in (None, StoryStatus.APPROVED.value):
                queued = session.scalars(
                    select(Story)
                    .where(queue_filter(campaign_id))
                    .order_by(*QUEUE_ORDER)
                    .limit(limit)
                )
                rows.extend(story_summary(s, n) for n, s in enumerate(queued, start=1))
                pinned = session.scalars(
                    select(Story)
                    .where(
                        Story.campaign_id == campaign_id,
                        Story.status == StoryStatus.APPROVED.value,
                        Story.pin_date.is_not(None),
                    )
                    .order_by(Story.pin_date)
                )
                rows.extend(story_summary(s, None) for s in pinned)
            if status != StoryStatus.APPROVED.value:
                others = select(Story).where(Story.campaign_id == campaign_id)
                others = (
                    others.where(Story.status == status)
                    if status
                    else others.where(Story.status != StoryStatus.APPROVED.value)
                )
                rows.extend(
                    story_summary(s, None)
                    for s in session.scalars(others.order_by(Story.sort_key, Story.id).limit(limit))
                )
        return rows[:limit] if limit else rows

    def show_story(self, story_id: int) -> dict[str, Any]:
        with self.app.db.read() as session:
            story = get_story(session, story_id, self.app.campaign_id)
            data = story_detail(story, queue_position(session, story))
            deliveries = session.scalars(select(Delivery).where(Delivery.story_id == story.id))
            data["deliveries"] = [
                {"platform": d.platform, "status": d.status, "url": d.remote_url, "error": d.error}
                for d in deliveries
            ]
            events = session.scalars(
                select(Event).where(Event.story_id == story.id).order_by(Event.id)
            )
            data["history"] = [
                {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "message": e.message}
                for e in events
            ]
        check = check_story(to_input(story), self.app.rules(), self.app.render_options)
        data["platforms"] = {
            name: _rendered_json(rendered) for name, rendered in check.rendered.items()
        }
        data["problems"] = check.problems
        data["warnings"] = check.warnings
        return data

    # -- preview ---------------------------------------------------------------------
    def preview(self, days: int) -> list[dict[str, Any]]:
        planner = Planner(self.app)
        rules = self.app.rules()
        options = self.app.render_options
        out: list[dict[str, Any]] = []
        with self.app.db.read() as session:
            plan = planner.plan(session, days)
        for entry in plan:
            item: dict[str, Any] = {
                "date": entry.day.isoformat(),
                "weekday": entry.day.strftime("%A"),
                "post_at": entry.due_at.isoformat(),
                "state": entry.state,
                "reason": entry.reason,
                "story_id": entry.story.id if entry.story else None,
                "title": entry.story.title if entry.story else None,
                "platforms": {},
                "problems": [],
            }
            if entry.story is not None and entry.state in ("scheduled", "pinned"):
                check = check_story(to_input(entry.story), rules, options)
                item["platforms"] = {n: _rendered_json(r) for n, r in check.rendered.items()}
                item["problems"] = check.problems
            out.append(item)
        return out

    # -- status ----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        app = self.app
        planner = Planner(app)
        with app.db.read() as session:
            campaign, _ = planner.load(session)
            run, counted_from = planner.runway(session)
            counts = {
                status: int(n)
                for status, n in session.execute(
                    select(Story.status, func.count())
                    .where(
                        Story.campaign_id == campaign.id,
                        Story.status.in_([StoryStatus.DRAFT.value, StoryStatus.REJECTED.value]),
                    )
                    .group_by(Story.status)
                )
            }
            counts["approved"] = run.approved
            last = session.scalar(
                select(Slot)
                .where(
                    Slot.campaign_id == campaign.id, Slot.status.in_(("posted", "partly_posted"))
                )
                .order_by(Slot.local_date.desc())
                .limit(1)
            )
            last_story = session.get(Story, last.story_id) if last and last.story_id else None
            attention = self._attention(session, campaign, counted_from)
            next_post = None
            for entry in planner.plan(session, 8):
                if entry.state in ("scheduled", "pinned") and entry.story is not None:
                    next_post = {
                        "date": entry.day.isoformat(),
                        "at": entry.due_at.isoformat(),
                        "story_id": entry.story.id,
                        "title": entry.story.title,
                    }
                    break
        if run.runs_dry_on is not None:
            days_to_dry = (run.runs_dry_on - counted_from).days
            if days_to_dry <= 14:
                attention.append(
                    {
                        "kind": "runway",
                        "message": f"the queue runs dry on {run.runs_dry_on.isoformat()} "
                        f"({run.runway_days} posting days left): approve more stories",
                    }
                )
        if run.short_by > 0:
            attention.append({"kind": "runway", "message": run.summary()})
        return {
            "campaign": campaign.name,
            "hashtag": campaign.hashtag,
            "timezone": campaign.timezone,
            "post_time": campaign.post_time,
            "platforms": list(app.settings.platforms),
            "paused": campaign.paused,
            "paused_until": campaign.paused_until.isoformat() if campaign.paused_until else None,
            "today": app.clock.now().astimezone(app.settings.tz).date().isoformat(),
            "counts": counts,
            "runway_days": run.runway_days,
            "runs_dry_on": run.runs_dry_on.isoformat() if run.runs_dry_on else None,
            "campaign_days_left": run.days_left,
            "short_by": run.short_by,
            "runway": run.summary(),
            "last_post": (
                {
                    "date": last.local_date.isoformat(),
                    "status": last.status,
                    "story_id": last.story_id,
                    "title": last_story.title if last_story else None,
                }
                if last
                else None
            ),
            "next_post": next_post,
            "attention": attention,
        }

    def _attention(self, session: Any, campaign: Campaign, first: date) -> list[dict[str, str]]:
        items: list[dict[str, str]] = []
        for delivery in session.scalars(
            select(Delivery)
            .where(Delivery.status.in_(ATTENTION_DELIVERY))
            .order_by(Delivery.id.desc())
            .limit(20)
        ):
            items.append(
                {
                    "kind": f"delivery_{delivery.status}",
                    "message": f"story #{delivery.story_id} on {delivery.platform}: "
                    f"{delivery.status.replace('_', ' ')} — {delivery.error or 'no detail'}",
                }
            )
        since = first - timedelta(days=14)
        for slot in session.scalars(
            select(Slot)
            .where(
                Slot.campaign_id == campaign.id,
                Slot.local_date >= since,
                Slot.status.in_(("missed", "failed", "partly_posted")),
            )
            .order_by(Slot.local_date)
        ):
            items.append(
                {
                    "kind": f"day_{slot.status}",
                    "message": f"{slot.local_date.isoformat()}: {slot.status} — {slot.reason}",
                }
            )
        _, calendar = Planner(self.app).load(session)
        for story in session.scalars(
            select(Story).where(
                Story.campaign_id == campaign.id,
                Story.status == StoryStatus.APPROVED.value,
                Story.pin_date.is_not(None),
            )
        ):
            assert story.pin_date is not None
            when = due_at(story.pin_date, campaign)
            late = timedelta(hours=self.app.settings.late_window_hours)
            if story.pin_date < first and self.app.clock.now() > when + late:
                items.append(
                    {
                        "kind": "pin_passed",
                        "message": f"story #{story.id} was pinned to {story.pin_date.isoformat()}, "
                        "which has passed without it posting; pin it to a new date or unpin it",
                    }
                )
            elif (reason := calendar.off_reason(story.pin_date)) is not None:
                items.append(
                    {
                        "kind": "pin_off_day",
                        "message": f"story #{story.id} is pinned to {story.pin_date.isoformat()} "
                        f"but nothing posts that day ({reason})",
                    }
                )
        return items

    # -- export ----------------------------------------------------------------------
    def export(self, what: str, fmt: str, out: IO[str]) -> int:
        columns, rows = self._export_rows(what)
        count = 0
        if fmt == "json":
            out.write("[")
            for row in rows:
                for key in ("before", "after"):  # audit snapshots are JSON already
                    if isinstance(row.get(key), str):
                        row[key] = json.loads(row[key])
                out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
            return count
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])
            count += 1
        return count

    def _export_rows(self, what: str) -> tuple[tuple[str, ...], Iterator[dict[str, Any]]]:
        if what == "stories":
            return STORY_EXPORT, self._story_rows()
        if what == "deliveries":
            return DELIVERY_EXPORT, self._plain_rows(Delivery, DELIVERY_EXPORT)
        if what == "events":
            return EVENT_EXPORT, self._plain_rows(Event, EVENT_EXPORT)
        raise ValueError(what)

    def _story_rows(self) -> Iterator[dict[str, Any]]:
        with self.app.db.read() as session:
            positions: dict[int, int] = {}
            queued = session.scalars(
                select(Story.id).where(queue_filter(self.app.campaign_id)).order_by(*QUEUE_ORDER)
            )
            for n, sid in enumerate(queued, start=1):
                positions[sid] = n
            stmt = (
                select(Story)
                .where(Story.campaign_id == self.app.campaign_id)
                .order_by(Story.id)
                .execution_options(yield_per=1000)
            )
            for story in session.scalars(stmt):
                row = {c: _plain(getattr(story, c, None)) for c in STORY_EXPORT}
                row["position"] = positions.get(story.id)
                yield row

    def _plain_rows(self, model: Any, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        with self.app.db.read() as session:
            stmt = select(model).order_by(model.id).execution_options(yield_per=1000)
            for item in session.scalars(stmt):
                yield {c: _plain(getattr(item, c)) for c in columns}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def spreadsheet_safe(value: Any) -> str:
    """Text a spreadsheet shows as text: never a formula (OWASP CSV injection advice).

    A leading ``'`` is protected too, so that an import of the export can take off
    exactly the quotes the export added (see :mod:`infobot.domain.cells`)."""
    return protect(value)


def _rendered_json(rendered: Any) -> dict[str, Any]:
    return {
        "ok": rendered.ok,
        "posts": [
            {
                "text": p.text,
                "length": p.length,
                "limit": p.limit,
                **({"image": p.image, "image_alt": p.image_alt} if p.image else {}),
            }
            for p in rendered.posts
        ],
        "problems": list(rendered.problems),
    }
