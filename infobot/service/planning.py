"""Which story goes out on which campaign day: the rule, from what a read found (pins,
the queue, the slots taken, the calendar). :class:`infobot.service.read.plan.Planner`
reads with the ORM and the lean ``infobot status`` with the driver; both plan here. It
imports no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from infobot.domain.calendar import CampaignCalendar, DayOff
from infobot.domain.dates import weekday_date
from infobot.domain.schedule import DayState, PostingSchedule

#: States of a day that will post a story.
COMING = (DayState.SCHEDULED, DayState.PINNED)


@dataclass(frozen=True)
class PlanDay:
    day: date
    due_at: datetime  # UTC instant of the post time on that local day
    state: DayState
    reason: str
    story: Any  # the story (a model or a row), or None
    slot: Any = None  # the day's slot (a model or a row), when it has one
    off: DayOff | None = None


def plan_days(
    calendar: CampaignCalendar,
    schedule: PostingSchedule,
    now: datetime,
    first: date,
    days: int,
    taken: Mapping[date, Any],
    by_id: Mapping[int, Any],
    pins: Mapping[date, Any],
    queued: Iterable[Any],
    essential: Iterable[Any],
) -> list[PlanDay]:
    """``days`` campaign days from ``first``: ``taken`` the slots by date (their stories in
    ``by_id``), ``pins`` the approved stories pinned to a day, ``queued`` the queue in
    posting order and ``essential`` the queue's essential stories (pre-election periods)."""
    used: set[int] = set()  # stories planned: an essential one may go in either queue
    queue = _unused(queued, used)
    essential_queue = iter(essential)
    plan: list[PlanDay] = []
    for day in calendar.days(first, days):
        when = schedule.due_at(day)
        slot = taken.get(day)
        if slot is not None:
            story = by_id.get(slot.story_id) if slot.story_id else None
            plan.append(PlanDay(day, when, DayState.DONE, slot.status, story, slot))
            continue
        off = calendar.day_off(day)
        if off is DayOff.ELECTION_PERIOD and not schedule.is_missed(day, now):
            found = _essential(day, pins.get(day), essential_queue, used)
            if found is not None:
                kind = DayState.PINNED if found.pin_date == day else DayState.SCHEDULED
                reason = f"essential: {found.essential_reason} ({calendar.describe(off, day)})"
                plan.append(PlanDay(day, when, kind, reason, found))
                continue
        if off is not None:
            reason = calendar.describe(off, day)
            plan.append(PlanDay(day, when, DayState.OFF, reason, pins.get(day), off=off))
            continue
        if schedule.is_missed(day, now):
            reason = "post time and late window passed"
            plan.append(PlanDay(day, when, DayState.MISSED, reason, None))
            continue
        if day in pins:
            reason = f"pinned to {weekday_date(day)}"
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


def _unused(found: Iterable[Any], used: set[int]) -> Iterator[Any]:
    """The stories of ``found`` not planned yet, each marked as planned when taken."""
    for story in found:
        if story.id not in used:
            used.add(story.id)
            yield story


def _essential(day: date, pinned: Any, queue: Iterator[Any], used: set[int]) -> Any:
    """The story a day inside a pre-election period posts (see
    ``infobot.store.elections.essential_for``): an essential story pinned to the day, else
    the next essential story of the queue not planned yet."""
    if pinned is not None and pinned.essential_reason:
        return pinned
    for story in queue:
        if story.id not in used:
            used.add(story.id)
            return story
    return None
