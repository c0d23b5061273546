"""The page's words for dates and messages: one date filter and one message helper that
every template and route uses (the words themselves are :mod:`infobot.domain.dates`')."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from infobot.domain import dates


def format_date(value: date | time | str | None, tz: tzinfo, style: str = "") -> str:
    """The one way a page shows a date or a time: a date is "4 December 2026" ("Friday
    4 December 2026" with ``style="weekday"``, "December 2026" with ``"month"``), an instant
    "4 December 2026 at 9:00am" in ``tz`` (the campaign's), a time (or a post time written
    "09:00") "9:00am"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value)
        except ValueError:
            return str(value)
    weekday = style == "weekday"
    if style == "month" and isinstance(value, date):
        return dates.month_year(value)
    if isinstance(value, datetime):
        return dates.date_time(value, tz, weekday=weekday)
    if isinstance(value, time):
        return dates.clock_time(value)
    return dates.weekday_date(value) if weekday else dates.long_date(value)


def sentence(text: str | None) -> str:
    """A message as a sentence on the page: a capital first letter and a full stop."""
    text = (text or "").strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."
