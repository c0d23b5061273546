"""When a campaign day posts, and what became of it: the posting schedule and its rules.

One local date is one slot. Its post is due at the campaign's post time on that date, in the
campaign's timezone, whatever daylight saving does. A post may go out late, while the late
window after the post time is open; after that the day is missed. Half an hour after the
post time with nothing out, the dead man's switch speaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from infobot.domain.calendar import CampaignCalendar


class SlotStatus(StrEnum):
    """What became of one campaign day."""

    CLAIMED = "claimed"  # a story was taken for it and is being sent
    POSTED = "posted"
    PARTLY_POSTED = "partly_posted"
    FAILED = "failed"
    MISSED = "missed"  # nothing went out: the late window closed (infobot was down)
    SKIPPED = "skipped"  # nothing to post: paused, blackout or an empty queue


#: Days on which a post went out (to every platform or to some).
WENT_OUT = frozenset({SlotStatus.POSTED, SlotStatus.PARTLY_POSTED})
#: Days the team should hear about.
TROUBLED = frozenset({SlotStatus.MISSED, SlotStatus.FAILED, SlotStatus.PARTLY_POSTED})
#: Days that did not get their post everywhere.
WITHOUT_POST = TROUBLED | {SlotStatus.SKIPPED}


def slot_is_finished(status: str | None) -> bool:
    """Has the day's work ended (posted, failed, missed, skipped)? None: no slot yet."""
    return status is not None and SlotStatus(status) is not SlotStatus.CLAIMED


class DayState(StrEnum):
    """A day in the plan (``infobot preview`` and the calendar)."""

    SCHEDULED = "scheduled"  # the next story in the queue
    PINNED = "pinned"
    DONE = "done"  # the slot is recorded
    OFF = "off"  # not a posting day (see DayOff)
    EMPTY = "empty"  # a posting day with no story left
    MISSED = "missed"  # the post time and the late window passed with no slot
    PAST = "past"  # before today, nothing recorded (the calendar only)
    UNPLANNED = "unplanned"  # too far ahead to plan (the calendar only)


#: Today's post has not gone out this long after its time: the dead man's switch.
DEAD_MAN_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class PostingSchedule:
    """A campaign's post time in its timezone, and the late window after it."""

    timezone: ZoneInfo
    post_time: time
    late_window: timedelta

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.timezone).date()

    def local_time(self, instant: datetime) -> datetime:
        return instant.astimezone(self.timezone)

    def due_at(self, day: date) -> datetime:
        """The UTC instant of the post time on a local date (DST-safe: the wall time on that
        day; a wall time that does not exist, at spring forward, resolves forward)."""
        local = datetime.combine(day, self.post_time, tzinfo=self.timezone)
        return local.astimezone(UTC)

    def window_closes(self, day: date) -> datetime:
        """The end of the late window: the last instant the day's post may go out."""
        return self.due_at(day) + self.late_window

    def is_due(self, day: date, now: datetime) -> bool:
        return now >= self.due_at(day)

    def is_missed(self, day: date, now: datetime) -> bool:
        """The missed-day rule: the post time and the late window have passed."""
        return now > self.window_closes(day)

    def first_open_day(self, now: datetime, today_taken: bool) -> date:
        """The first day whose post is still to come: today, unless today's post is out
        (its slot is taken) or can no longer go out."""
        today = self.local_date(now)
        if today_taken or self.is_missed(today, now):
            return today + timedelta(days=1)
        return today

    def overdue(
        self, calendar: CampaignCalendar, now: datetime, today_status: str | None
    ) -> datetime | None:
        """The dead-man rule: today's post time (local) when today is a posting day whose
        post has not gone out ``DEAD_MAN_AFTER`` after it; None when all is well."""
        today = self.local_date(now)
        due = self.due_at(today)
        if (
            calendar.is_posting_day(today)
            and now > due + DEAD_MAN_AFTER
            and not slot_is_finished(today_status)
        ):
            return self.local_time(due)
        return None
