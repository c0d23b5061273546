"""Which story goes out on which campaign day: pins, queue order, pauses and blackouts.

The same plan serves ``infobot preview``, ``status``, the web calendar and the runway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from infobot.clock import Clock
from infobot.domain.calendar import DayOff, Runway, runway
from infobot.domain.schedule import DayState
from infobot.service.read.models import PreviewDay, RenderedView
from infobot.service.read.previews import Previews
from infobot.store.queries import campaigns, slots, stories
from infobot.store.queries.campaigns import CampaignState
from infobot.store.reader import Reader, ReadSource
from infobot.store.rows import SlotRow, StoryRow

#: States of a day that will post a story.
COMING = (DayState.SCHEDULED, DayState.PINNED)


@dataclass(frozen=True)
class PlanDay:
    day: date
    due_at: datetime  # UTC instant of the post time on that local day
    state: DayState
    reason: str
    story: StoryRow | None
    slot: SlotRow | None = None
    off: DayOff | None = None


class Planner:
    """Plans and runway inside a read the caller holds open (its :class:`Reader`)."""

    def __init__(self, clock: Clock, campaign_id: int, late_window: timedelta) -> None:
        self.clock = clock
        self.campaign_id = campaign_id
        self.late_window = late_window

    def state(self, r: Reader) -> CampaignState:
        return campaigns.load(r, self.campaign_id, self.late_window)

    def plan(self, r: Reader, days: int, state: CampaignState | None = None) -> list[PlanDay]:
        state = state or self.state(r)
        calendar, schedule = state.calendar, state.schedule
        cid = self.campaign_id
        now = self.clock.now()
        first = schedule.local_date(now)
        last = first + timedelta(days=days - 1)
        taken = slots.between(r, cid, first, last)
        pins = {
            story.pin_date: story
            for story in stories.approved_pinned(r, cid, StoryRow, first, last)
            if story.pin_date is not None
        }
        queue = iter(stories.queue(r, cid, StoryRow, limit=days))
        by_id = stories.by_ids(r, [s.story_id for s in taken.values() if s.story_id])
        plan: list[PlanDay] = []
        for day in calendar.days(first, days):
            when = schedule.due_at(day)
            slot = taken.get(day)
            if slot is not None:
                story = by_id.get(slot.story_id) if slot.story_id else None
                plan.append(PlanDay(day, when, DayState.DONE, slot.status, story, slot))
                continue
            off = calendar.day_off(day)
            if off is not None:
                reason = calendar.describe(off)
                plan.append(PlanDay(day, when, DayState.OFF, reason, pins.get(day), off=off))
                continue
            if schedule.is_missed(day, now):
                reason = "post time and late window passed"
                plan.append(PlanDay(day, when, DayState.MISSED, reason, None))
                continue
            if day in pins:
                reason = f"pinned to {day.isoformat()}"
                plan.append(PlanDay(day, when, DayState.PINNED, reason, pins[day]))
                continue
            story = next(queue, None)
            if story is None:
                reason = calendar.describe(DayOff.EMPTY_QUEUE)
                empty = PlanDay(day, when, DayState.EMPTY, reason, None, off=DayOff.EMPTY_QUEUE)
                plan.append(empty)
            else:
                plan.append(PlanDay(day, when, DayState.SCHEDULED, "next in the queue", story))
        return plan

    def runway(self, r: Reader, state: CampaignState | None = None) -> tuple[Runway, date]:
        """How long the approved queue lasts, and the first day it counts from."""
        state = state or self.state(r)
        now = self.clock.now()
        today = state.schedule.local_date(now)
        taken = slots.status_on(r, self.campaign_id, today) is not None
        first = state.schedule.first_open_day(now, today_taken=taken)
        unpinned = stories.queue_size(r, self.campaign_id)
        pin_dates = stories.approved_pin_dates(r, self.campaign_id, first)
        return runway(state.calendar, first, unpinned, pin_dates), first


class PlanReads:
    """``infobot preview``: what goes out each coming day, as each platform gets it."""

    def __init__(self, source: ReadSource, planner: Planner, previews: Previews) -> None:
        self.source = source
        self.planner = planner
        self.previews = previews

    def preview(self, days: int) -> list[PreviewDay]:
        with self.source() as r:
            plan = self.planner.plan(r, days)
            coming = [e.story for e in plan if e.story is not None and e.state in COMING]
            kept = self.previews.kept(r, coming)
        out: list[PreviewDay] = []
        for entry in plan:
            story = entry.story
            platforms: dict[str, RenderedView] = {}
            problems: list[str] = []
            if story is not None and entry.state in COMING:
                shown = self.previews.of(story, kept)
                platforms, problems = shown.platforms, shown.problems
            out.append(
                PreviewDay(
                    date=entry.day,
                    weekday=entry.day.strftime("%A"),
                    post_at=entry.due_at,
                    state=entry.state,
                    reason=entry.reason,
                    story_id=story.id if story else None,
                    title=story.title if story else None,
                    platforms=platforms,
                    problems=problems,
                )
            )
        return out
