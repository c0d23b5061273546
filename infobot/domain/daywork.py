"""What a daemon's tick has to do, decided from facts alone: which days need a decision and
what each open delivery needs. The daemon's tick (``infobot.runtime.daemon``) acts on these
rules; the supervisor of ``infobot run`` (``infobot.runtime.supervisor``) asks the same
rules whether there is anything to act on before it starts a worker."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from infobot.domain.calendar import CampaignCalendar
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.schedule import PostingSchedule

#: A tick looks this far back for days nobody decided (a daemon that was down).
CATCH_UP_DAYS = 7


def first_day_to_decide(
    schedule: PostingSchedule, now: datetime, first_run: datetime | None
) -> date:
    """The first day a tick looks at: the day the first daemon ever ran, at most
    :data:`CATCH_UP_DAYS` back."""
    today = schedule.local_date(now)
    floor = schedule.local_date(first_run) if first_run else today
    return max(floor, today - timedelta(days=CATCH_UP_DAYS))


def days_to_decide(
    first: date,
    schedule: PostingSchedule,
    calendar: CampaignCalendar,
    now: datetime,
    taken: Collection[date],
) -> list[date]:
    """The campaign days from ``first`` to today whose post time has come and which have no
    slot yet: each is posted, skipped or recorded as missed by the tick. A date outside the
    campaign (not one of its weekdays, before its start, after its end) never gets a slot."""
    found: list[date] = []
    day, today = first, schedule.local_date(now)
    while day <= today:
        if day not in taken and schedule.is_due(day, now):
            off = calendar.day_off(day)
            if off is None or off.is_campaign_day:
                found.append(day)
        day += timedelta(days=1)
    return found


class Step(StrEnum):
    """What an open delivery needs at a tick."""

    WAIT = "wait"  # its next attempt is later
    DELIVER = "deliver"  # send, retry or reconcile it now
    GIVE_UP = "give_up"  # its day's late window closed before it could go out


def delivery_step(
    status: str,
    next_at: datetime | None,
    day: date | None,
    schedule: PostingSchedule,
    now: datetime,
) -> Step:
    """An open delivery's step. One in doubt is never given up blindly: it is reconciled
    (asked of the platform) until it is settled or a person is asked."""
    if day is not None and schedule.is_missed(day, now) and status != DeliveryStatus.IN_DOUBT:
        return Step.GIVE_UP
    if next_at is None or next_at <= now:
        return Step.DELIVER
    return Step.WAIT


def next_post_within(
    schedules: Iterable[PostingSchedule], now: datetime, within: timedelta
) -> bool:
    """Does a post time of any of ``schedules`` (today's or tomorrow's) come within
    ``within`` from ``now``?"""
    for schedule in schedules:
        today = schedule.local_date(now)
        for day in (today, today + timedelta(days=1)):
            if now < schedule.due_at(day) <= now + within:
                return True
    return False
