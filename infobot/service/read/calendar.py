"""The web page's calendar: a month of what went out and what is planned."""

from __future__ import annotations

import calendar as monthcal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from infobot.domain.calendar import DayOff
from infobot.domain.costs import usd
from infobot.domain.election import day_off as election_day_off
from infobot.domain.schedule import DayState
from infobot.domain.story import StoryInput
from infobot.service.campaign_status import plan_of, runway_of
from infobot.service.checks import StoryChecker
from infobot.service.read.models import CalendarDay, MonthView
from infobot.service.read.plan import COMING, PlanDay, Planner
from infobot.store import campaigns, slots, stories
from infobot.store.campaigns import CampaignState
from infobot.store.db import Database
from infobot.store.models import Slot, Story
from infobot.store.queries import campaigns as queried
from infobot.store.queries import slots as lean_slots
from infobot.store.queries import stories as lean_stories
from infobot.store.reader import Unsupported
from infobot.store.rows import SlotRow, StoryRow
from infobot.store.stories import versions_of

#: What planned stories will cost on X, by story id (with X enabled).
XCosts = Callable[[Iterable[Any]], dict[int, Decimal]]
#: A story or a day as the full read (a model) or the lean one (a row) found it.
AnyStory = Story | StoryRow
AnySlot = Slot | SlotRow
ONE_DAY = timedelta(days=1)

#: Days whose story's posts the calendar shows: the ones that post it or posted it.
_WITH_POSTS = (DayState.SCHEDULED, DayState.PINNED, DayState.DONE)
#: Months ahead of today the calendar plans (each planned day reads at most one story).
PLAN_MONTHS_AHEAD = 24
#: The months the calendar shows: years beyond these have no weeks to draw.
FIRST_MONTH = date(1, 2, 1)
LAST_MONTH = date(9999, 11, 1)
#: Stories whose posts are kept as rendered (the web page keeps its services between
#: requests, and shows the same month's stories again and again); past it, start afresh.
POSTS_KEPT = 512


@dataclass(frozen=True)
class _Found:
    """What a month's read found: the campaign, today, and the days' facts."""

    state: CampaignState
    today: date
    blackouts: dict[date, str]  # day -> reason
    recorded: Mapping[date, AnySlot]  # days before today infobot recorded
    first_record: date | None  # before it, an empty day is not a gap
    done: Mapping[int, AnyStory]  # the stories of the recorded days
    plan: dict[date, PlanDay]
    planned_to: date | None
    runs_dry_on: date | None


class CalendarReads:
    def __init__(
        self,
        db: Database,
        planner: Planner,
        checker: StoryChecker | None = None,
        x_costs: XCosts | None = None,
    ) -> None:
        self.db = db
        self.planner = planner
        self.checker = checker  # renders each day's post text (none without it)
        self.x_costs = x_costs
        #: Each platform's post texts by story content: rendering is a pure function of
        #: the content (and of this campaign's settings, fixed for these reads).
        self._rendered: dict[StoryInput, dict[str, list[str]]] = {}

    def month(self, year: int, month: int) -> MonthView:
        """Which story posts on which day of a month, with pins, pauses, blackouts and the
        day the queue runs dry. Past days show what happened; coming days what is planned.

        A pause has no start date, so a day before today is never shown as paused unless
        a day was recorded so (the daemon records a paused day as skipped)."""
        languages = self.planner.languages
        first = min(max(date(year, month, 1), FIRST_MONTH), LAST_MONTH)
        last = date(first.year, first.month, monthcal.monthrange(first.year, first.month)[1])
        grid_start = first - timedelta(days=first.weekday())
        grid_end = last + timedelta(days=6 - last.weekday())
        found = self._read(grid_start, grid_end, self.planner.clock.now())
        state, today, plan = found.state, found.today, found.plan
        blackouts, recorded, done = found.blackouts, found.recorded, found.done
        campaign = state.campaign
        view = MonthView(
            first.year,
            first.month,
            today,
            paused=campaign.paused,
            paused_until=campaign.paused_until if campaign.paused else None,
            end=state.calendar.end,
            runs_dry_on=found.runs_dry_on,
            planned_to=found.planned_to,
        )
        first_record = found.first_record
        past_calendar = replace(state.calendar, paused=False, paused_until=None)
        costs: dict[int, Decimal] = {}
        if self.x_costs is not None:
            costs = self.x_costs(e.story for e in plan.values() if e.state in COMING and e.story)
        week: list[CalendarDay] = []
        day = grid_start
        while day <= grid_end:
            cell = CalendarDay(day, day.month == first.month, today=day == today)
            cell.blackout = blackouts.get(day)
            inside = election_day_off(day, state.calendar.elections)
            cell.election = inside.describe(day) if inside is not None else None
            off: DayOff | None = None
            shown: AnyStory | None = None
            if day in plan:
                entry = plan[day]
                cell.state, cell.reason, off = entry.state, entry.reason, entry.off
                if entry.story is not None:
                    shown = entry.story
                    cell.story_id, cell.title = entry.story.id, _title(entry.story, languages)
                    cell.pinned = entry.story.pin_date == day
                    cell.essential = inside is not None
                    if entry.state in COMING and entry.story.id in costs:
                        cell.x_cost = usd(costs[entry.story.id])
            elif day in recorded:
                shown = _recorded_day(cell, recorded[day], done, languages)
            elif day < today:
                cell.state = DayState.PAST
                off = past_calendar.day_off(day)
                was_recorded = first_record is not None and day >= first_record
                if off is not None:
                    cell.reason = past_calendar.describe(off)
                else:
                    cell.reason = "no post recorded" if was_recorded else ""
            else:
                cell.state, cell.reason = DayState.UNPLANNED, "too far ahead to plan"
            cell.paused = off is DayOff.PAUSED
            cell.runs_dry = view.runs_dry_on == day
            if shown is not None and cell.in_month and cell.state in _WITH_POSTS:
                cell.posts = self._posts(shown)
            week.append(cell)
            if len(week) == 7:
                view.weeks.append(week)
                week = []
            day += timedelta(days=1)
        return view

    def _read(self, grid_start: date, grid_end: date, now: datetime) -> _Found:
        if len(self.planner.languages) < 2:
            try:
                return self._read_lean(grid_start, grid_end, now)
            except Unsupported:
                pass
        return self._read_full(grid_start, grid_end, now)

    @staticmethod
    def _days_to_plan(today: date, grid_end: date) -> int:
        """How many days from today the month's plan covers (0: the month is past)."""
        plan_end = min(grid_end, today + timedelta(days=PLAN_MONTHS_AHEAD * 31))
        return max(0, (plan_end - today).days + 1)

    def _read_lean(self, grid_start: date, grid_end: date, now: datetime) -> _Found:
        """The month's facts on the read side's SQL, for a campaign in one language with
        no pre-election period (:class:`Unsupported` otherwise: the full read serves it)."""
        cid = self.planner.campaign_id
        with self.db.reader() as r:
            state = queried.state(r, cid, self.planner.late_window)
            if state is None or state.calendar.elections:
                raise Unsupported("pre-election periods are planned by the full read")
            today = state.schedule.local_date(now)
            recorded = lean_slots.between(r, cid, grid_start, min(today - ONE_DAY, grid_end))
            ids = [s.story_id for s in recorded.values() if s.story_id]
            days = self._days_to_plan(today, grid_end)
            plan = plan_of(r, cid, state, now, days, StoryRow) if days else []
            run, _ = runway_of(r, cid, state, now, lean_slots.status_on(r, cid, today))
            return _Found(
                state,
                today,
                queried.blackout_reasons(r, cid, grid_start, grid_end),
                recorded,
                lean_slots.first_recorded(r, cid),
                lean_stories.by_ids(r, ids, StoryRow),
                {e.day: e for e in plan},
                today + timedelta(days=days - 1) if days else None,
                run.runs_dry_on,
            )

    def _read_full(self, grid_start: date, grid_end: date, now: datetime) -> _Found:
        """The month's facts through the ORM: every campaign."""
        cid = self.planner.campaign_id
        with self.db.read() as session:
            state = self.planner.state(session)
            today = state.schedule.local_date(now)
            recorded = slots.between(session, cid, grid_start, min(today - ONE_DAY, grid_end))
            days = self._days_to_plan(today, grid_end)
            plan = self.planner.plan(session, days, state) if days else []
            return _Found(
                state,
                today,
                campaigns.blackout_reasons(session, cid, grid_start, grid_end),
                recorded,
                slots.first_recorded(session, cid),
                stories.by_ids(session, [s.story_id for s in recorded.values() if s.story_id]),
                {e.day: e for e in plan},
                today + timedelta(days=days - 1) if days else None,
                self.planner.runway(session, state)[0].runs_dry_on,
            )

    def _posts(self, story: AnyStory) -> dict[str, list[str]]:
        """The story's posts on each enabled platform, as they go out (with the hashtag)."""
        if self.checker is None:
            return {}
        content = stories.to_input(story)
        found = self._rendered.get(content)
        if found is None:
            found = {
                name: [post.text for post in self.checker.render(content, rules, name).posts]
                for name, rules in self.checker.rules().items()
            }
            if len(self._rendered) >= POSTS_KEPT:
                self._rendered.clear()
            self._rendered[content] = found
        return {name: list(texts) for name, texts in found.items()}


def _recorded_day(
    cell: CalendarDay, slot: AnySlot, done: Mapping[int, AnyStory], languages: tuple[str, ...]
) -> AnyStory | None:
    cell.state, cell.reason = DayState.DONE, slot.status
    if slot.story_id is not None:
        story = done.get(slot.story_id)
        cell.story_id, cell.title = slot.story_id, _title(story, languages) if story else ""
        return story
    cell.reason = f"{slot.status}: {slot.reason}" if slot.reason else slot.status
    return None


def _title(story: AnyStory, languages: tuple[str, ...]) -> str:
    """The story's title; in a bilingual campaign its titles in campaign order, joined."""
    if len(languages) < 2 or not story.versions:
        return story.title
    titles = {story.language: story.title}
    titles.update((v.language, v.title) for v in versions_of(story.versions))
    return " / ".join(titles[lang] for lang in languages if titles.get(lang))
