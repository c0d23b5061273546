"""Campaign days: which local dates post, and which story each one gets.

Pure arithmetic over dates so that runway on a queue of a million stories costs no more
than on an empty one: we never walk day by day over the whole queue.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from infobot.domain.dayoff import DayOff
from infobot.domain.election import ElectionPeriod, covered_days
from infobot.domain.election import day_off as election_day_off

__all__ = ["RUNWAY_ALERT_DAYS", "CampaignCalendar", "DayOff", "Runway", "runway"]

from infobot.domain.dates import long_date, weekday_date

_DAY_OFF_TEXT = {
    DayOff.NOT_A_WEEKDAY: "not a campaign day of the week",
    DayOff.BEFORE_START: "before the campaign starts",
    DayOff.AFTER_END: "after the campaign ends",
    DayOff.PAUSED: "campaign paused",
    DayOff.BLACKOUT: "blackout date",
    DayOff.ELECTION_PERIOD: "election period",
    DayOff.EMPTY_QUEUE: "no approved story left in the queue",
}


@dataclass(frozen=True)
class CampaignCalendar:
    """Which local dates are campaign days, before stories are considered."""

    weekdays: frozenset[int]  # Monday = 0
    start: date | None = None
    end: date | None = None
    paused: bool = False
    paused_until: date | None = None  # paused through this date (inclusive); None = until resumed
    blackouts: frozenset[date] = field(default_factory=frozenset)
    #: Pre-election periods: every day inside one is off (but for essential stories).
    elections: tuple[ElectionPeriod, ...] = ()

    def day_off(self, day: date) -> DayOff | None:
        """Why ``day`` is not a posting day, or None when it is one."""
        if self.start is not None and day < self.start:
            return DayOff.BEFORE_START
        if self.end is not None and day > self.end:
            return DayOff.AFTER_END
        if day.weekday() not in self.weekdays:
            return DayOff.NOT_A_WEEKDAY
        if self.paused and (self.paused_until is None or day <= self.paused_until):
            return DayOff.PAUSED
        if self.elections and election_day_off(day, self.elections) is not None:
            return DayOff.ELECTION_PERIOD
        if day in self.blackouts:
            return DayOff.BLACKOUT
        return None

    def describe(self, off: DayOff, day: date | None = None) -> str:
        """The reason a day is off, in words for people (with ``day``, a pre-election period
        says which and until when)."""
        if off is DayOff.PAUSED and self.paused_until is not None:
            return f"campaign paused until {long_date(self.paused_until)}"
        if off is DayOff.ELECTION_PERIOD and day is not None:
            found = election_day_off(day, self.elections)
            if found is not None:
                return found.describe(day)
        return _DAY_OFF_TEXT[off]

    def off_reason(self, day: date) -> str | None:
        """Why ``day`` is not a posting day, in words for people; None when it is one."""
        off = self.day_off(day)
        return None if off is None else self.describe(off, day)

    def election_days(self, first: date, last: date | None = None) -> list[date]:
        """The days from ``first`` (to ``last``) inside a pre-election period, in order."""
        if not self.elections:
            return []
        end = max(p.end for p in self.elections) if last is None else last
        return list(covered_days(self.elections, first, end))

    def is_posting_day(self, day: date) -> bool:
        return self.day_off(day) is None

    def days(self, first: date, count: int) -> Iterator[date]:
        """Every calendar date from ``first``, ``count`` of them."""
        for offset in range(count):
            yield first + timedelta(days=offset)

    def nth_posting_day(self, first: date, n: int, also_skip: Iterable[date] = ()) -> date | None:
        """The ``n``-th (1-based) posting day on or after ``first``, skipping ``also_skip``.

        Returns None when the campaign ends (or stays paused) before that.
        """
        if n < 1:
            raise ValueError("n counts from 1")
        if not self.weekdays:
            return None
        start = first
        if self.start is not None and start < self.start:
            start = self.start
        if self.paused:
            if self.paused_until is None or self.paused_until >= date.max:
                return None
            start = max(start, self.paused_until + timedelta(days=1))
        skips = sorted(
            {
                d
                for d in (*self.blackouts, *also_skip, *self.election_days(start))
                if d >= start and d.weekday() in self.weekdays
            }
        )
        # Skipped dates take no story, so every skipped date on or before the answer pushes
        # it on by one: grow the target until the number of skips at or before it settles.
        target = n
        while True:
            try:
                candidate = _nth_weekday(start, target, self.weekdays)
            except OverflowError:  # past the year 9999: the queue outlasts the calendar
                return None
            skipped = bisect.bisect_right(skips, candidate)
            if target == n + skipped:
                break
            target = n + skipped
        if self.end is not None and candidate > self.end:
            return None
        return candidate

    def posting_days_between(self, first: date, last: date, also_skip: Iterable[date] = ()) -> int:
        """How many posting days lie in [first, last], not counting ``also_skip``."""
        if last < first:
            return 0
        lo = first if self.start is None else max(first, self.start)
        hi = last if self.end is None else min(last, self.end)
        if self.paused:
            if self.paused_until is None or self.paused_until >= date.max:
                return 0
            lo = max(lo, self.paused_until + timedelta(days=1))
        if hi < lo:
            return 0
        total = _count_weekdays(lo, hi, self.weekdays)
        skips = {
            d for d in (*self.blackouts, *also_skip, *self.election_days(lo, hi)) if lo <= d <= hi
        }
        return total - sum(1 for d in skips if d.weekday() in self.weekdays)


def _count_weekdays(lo: date, hi: date, weekdays: frozenset[int]) -> int:
    days = (hi - lo).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * len(weekdays)
    start = lo.weekday()
    count += sum(1 for i in range(rest) if (start + i) % 7 in weekdays)
    return count


def _nth_weekday(first: date, n: int, weekdays: frozenset[int]) -> date:
    """The n-th date (1-based) on or after ``first`` whose weekday is in ``weekdays``."""
    per_week = len(weekdays)
    weeks, rest = divmod(n - 1, per_week)
    day = first + timedelta(weeks=weeks)
    remaining = rest + 1
    while True:
        if day.weekday() in weekdays:
            remaining -= 1
            if remaining == 0:
                return day
        day += timedelta(days=1)


#: Runway alerts: when the approved queue lasts this many posting days or fewer.
RUNWAY_ALERT_DAYS = (14, 7, 3, 1)


@dataclass(frozen=True)
class Runway:
    """How long the approved queue lasts."""

    approved: int  # approved stories waiting (pinned and unpinned)
    runway_days: int  # posting days covered without a gap, from the first day counted
    runs_dry_on: date | None  # first posting day with no story; None if never (campaign ends)
    days_left: int | None  # posting days left in the campaign, when it has an end date
    short_by: int  # days_left - approved, when positive
    paused: bool = False  # paused until resumed: nothing is counted until then

    @property
    def alert_level(self) -> int | None:
        """The tightest alert threshold the runway has reached (14, 7, 3 or 1 posting days
        left), or None while it is longer, or when the queue never runs dry."""
        if self.runs_dry_on is None:
            return None
        reached = [days for days in RUNWAY_ALERT_DAYS if self.runway_days <= days]
        return min(reached) if reached else None

    def summary(self) -> str:
        if self.paused:
            return (
                f"{self.approved} approved; the campaign is paused until someone resumes it, "
                "so nothing posts and the runway counts from then"
            )
        if self.days_left is not None:
            text = f"{self.approved} approved, {self.days_left} campaign days left"
            if self.short_by > 0:
                return f"{text}: {self.short_by} short"
            return f"{text}: enough"
        if self.runs_dry_on is None:
            return f"{self.approved} approved"
        return (
            f"{self.approved} approved: {self.runway_days} days of posts, "
            f"runs dry on {weekday_date(self.runs_dry_on)}"
        )


def runway(
    calendar: CampaignCalendar, first: date, unpinned: int, pin_dates: Iterable[date]
) -> Runway:
    """Runway from ``first``: pins hold their dates, unpinned stories fill the other days."""
    pins = sorted(d for d in pin_dates if d >= first)
    # stories pinned to a non-posting day will never go out on their own date
    usable_pins = [d for d in pins if calendar.is_posting_day(d)]
    dry = calendar.nth_posting_day(first, unpinned + 1, also_skip=usable_pins)
    if dry is None:  # the campaign ends (or the calendar does) before the queue runs out
        if calendar.end is not None:
            covered = calendar.posting_days_between(first, calendar.end)
        elif calendar.paused and calendar.paused_until is None:
            covered = 0
        else:
            covered = unpinned + len(usable_pins)
    else:
        covered = calendar.posting_days_between(first, dry - timedelta(days=1))
    days_left = (
        calendar.posting_days_between(first, calendar.end) if calendar.end is not None else None
    )
    approved = unpinned + len(pins)
    short = max(0, days_left - (unpinned + len(usable_pins))) if days_left is not None else 0
    paused = calendar.paused and calendar.paused_until is None
    return Runway(approved, covered, dry, days_left, short, paused)
