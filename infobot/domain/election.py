"""Pre-election periods: dates when a public body's campaign stops posting.

Pure code, no I/O. A period is not a pause: it has a first and a last day (both included)
and a reason ("Senedd election"), and every day inside it is off for a named reason,
``DayOff.ELECTION_PERIOD``, unless the story for that day has been marked essential
by an approver, with a reason (kept in the audit trail). Periods may overlap or touch;
together they cover a set of days, and "until" is always the last day of the unbroken
stretch a day is in. Blackouts stay for single days.

The campaign calendar (``infobot.domain.calendar``) asks :func:`day_off` for every date, so
a period is off in the plan, the runway, the calendar and the daemon alike.

Dates are written the GOV.UK way, "7 May 2027"; the year is left out when it is the year
of ``today`` (so "until 7 May" in status during the period, "until 5 January 2028" across
a new year).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from infobot.domain.dayoff import DayOff

__all__ = [
    "ElectionDayOff",
    "ElectionPeriod",
    "Essential",
    "covered_days",
    "day_off",
    "gov_uk_date",
    "parse_period",
    "period_for",
    "status_line",
    "stretch_end",
]


@dataclass(frozen=True)
class ElectionPeriod:
    start: date  # first day with no posts
    end: date  # last day with no posts (inclusive)
    reason: str  # "Senedd election", shown in status and the calendar

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"the pre-election period ends ({self.end.isoformat()}) before it starts"
                f" ({self.start.isoformat()}): swap the dates"
            )
        if not self.reason.strip():
            raise ValueError("give the pre-election period a reason, e.g. 'Senedd election'")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Essential:
    """An approver's decision that a story goes out inside a pre-election period."""

    reason: str  # why, e.g. "public health advice"
    marked_by: str  # who decided (the audit trail records it)

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("say why the story is essential: the reason goes in the audit trail")
        if not self.marked_by.strip():
            raise ValueError("an essential story needs the name of the approver who marked it")


@dataclass(frozen=True)
class ElectionDayOff:
    """Why a day posts nothing: it is inside a pre-election period."""

    period: ElectionPeriod  # the period that ends last among those covering the day
    until: date  # last day of the unbroken stretch of periods the day is in
    off: DayOff = DayOff.ELECTION_PERIOD

    def describe(self, today: date) -> str:
        """In words for people, e.g. "pre-election period (Senedd election) until 7 May"."""
        return f"pre-election period ({self.period.reason}) until {gov_uk_date(self.until, today)}"


def period_for(day: date, periods: Iterable[ElectionPeriod]) -> ElectionPeriod | None:
    """The period covering ``day`` (the one ending last when several do), or None."""
    covering = [p for p in periods if day in p]
    return max(covering, key=lambda p: (p.end, p.start)) if covering else None


def stretch_end(day: date, periods: Iterable[ElectionPeriod]) -> date | None:
    """The last day of the unbroken run of period days that ``day`` is in, or None.

    Overlapping periods, and a period starting the day after another ends, make one run.
    """
    ordered = sorted(periods, key=lambda p: p.start)
    end: date | None = None
    for period in ordered:
        if end is None:
            if day in period:
                end = period.end
        elif period.start <= end + timedelta(days=1):
            end = max(end, period.end)
        else:
            break
    return end


def day_off(
    day: date, periods: Iterable[ElectionPeriod], essential: Essential | None = None
) -> ElectionDayOff | None:
    """Why ``day`` is off for a pre-election period, or None when it may post.

    A story marked ``essential`` may post inside a period: give its mark to ask about the
    day for that story; without it the answer is for any ordinary story.
    """
    periods = tuple(periods)
    period = period_for(day, periods)
    if period is None or essential is not None:
        return None
    until = stretch_end(day, periods)
    assert until is not None  # the day is inside a period
    return ElectionDayOff(period, until)


def covered_days(periods: Iterable[ElectionPeriod], first: date, last: date) -> Iterator[date]:
    """Every day in [first, last] inside a period, once each, in order (for the runway's
    ``also_skip`` and the calendar)."""
    seen: set[date] = set()
    for period in periods:
        day = max(period.start, first)
        while day <= min(period.end, last):
            seen.add(day)
            day += timedelta(days=1)
    yield from sorted(seen)


def status_line(
    today: date, periods: Iterable[ElectionPeriod], *, ahead_days: int = 14
) -> str | None:
    """The line for ``infobot status``: inside a period, "Pre-election period until 7 May
    (Senedd election): no posts"; within ``ahead_days`` before one, when it starts; else None.
    """
    periods = tuple(periods)
    off = day_off(today, periods)
    if off is not None:
        return (
            f"Pre-election period until {gov_uk_date(off.until, today)}"
            f" ({off.period.reason}): no posts"
        )
    upcoming = sorted(
        (p for p in periods if today < p.start <= today + timedelta(days=ahead_days)),
        key=lambda p: p.start,
    )
    if not upcoming:
        return None
    first = upcoming[0]
    last = stretch_end(first.start, periods) or first.end
    return (
        f"Pre-election period from {gov_uk_date(first.start, today)} until"
        f" {gov_uk_date(last, today)} ({first.reason}): no posts then"
    )


def gov_uk_date(day: date, today: date | None = None) -> str:
    """ "7 May 2027"; "7 May" when ``today`` is in the same year."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if today is not None and today.year == day.year else f"{text} {day.year}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # not strftime("%B"), which follows the process locale
_PERIOD = re.compile(
    r"\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|–|—)\s*(\d{4}-\d{2}-\d{2})\s*[:,]?\s*(.*?)\s*",
    re.IGNORECASE,
)


def parse_period(text: str) -> ElectionPeriod:
    """``"2027-03-26..2027-05-06 Senedd election"`` -> ElectionPeriod (also "to", ":").

    Raises ValueError with a message that says what to write instead.
    """
    m = _PERIOD.fullmatch(text)
    if m is None:
        raise ValueError(
            f"{text.strip()!r} is not a pre-election period: write FIRST..LAST REASON,"
            " e.g. '2027-03-26..2027-05-06 Senedd election'"
        )
    try:
        start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r}: {exc} (dates are YYYY-MM-DD)") from None
    return ElectionPeriod(start, end, m.group(3))
