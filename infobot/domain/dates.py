"""Dates and times as people read them, in one style everywhere (GOV.UK's).

"4 December 2026", with the weekday where it helps ("Friday 4 December 2026"), times as
"9:00am" ("midday", "midnight"), and a date with a time as "4 December 2026 at 9:00am".
The web page (its ``date`` filter), the command line's words for people and the domain's
own messages all go through these functions; ``--json`` and exports keep ISO 8601.

English names, not ``strftime``'s locale-dependent ones, and no arithmetic: any date
Python can hold (``date.max`` included) has words.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

MONTHS = (
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
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(day: date) -> str:
    """``4 December 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_date(day: date) -> str:
    """``Friday 4 December 2026``."""
    return f"{WEEKDAYS[day.weekday()]} {long_date(day)}"


def month_year(day: date) -> str:
    """``December 2026``."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def clock_time(value: time | datetime) -> str:
    """``9:00am``, ``5:30pm``, ``midday``, ``midnight``."""
    hour, minute = value.hour, value.minute
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "midday"
    suffix = "am" if hour < 12 else "pm"
    return f"{(hour % 12) or 12}:{minute:02d}{suffix}"


def date_time(instant: datetime, tz: tzinfo | None = None, *, weekday: bool = False) -> str:
    """``4 December 2026 at 9:00am`` in ``tz`` (an aware instant is converted to it)."""
    local = instant
    if tz is not None and instant.tzinfo is not None:
        try:
            local = instant.astimezone(tz)
        except OverflowError:  # an instant at the very end of time: shown as stored
            local = instant
    day = weekday_date(local.date()) if weekday else long_date(local.date())
    return f"{day} at {clock_time(local)}"
