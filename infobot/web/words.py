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


def link_ok(url: str | None) -> bool:
    """Only web (and outbox file) addresses become links; never ``javascript:``."""
    return bool(url) and str(url).lower().startswith(("https://", "http://", "file:///"))


def shorten(text: str | None, width: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


STATUS_LABELS = {
    "submitted": "New from the form",
    "draft": "Waiting for review",
    "approved": "Approved",
    "scheduled": "Being posted",
    "posted": "Posted",
    "partly_posted": "Partly posted",
    "failed": "Failed",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "sent": "Posted",
    "retry_wait": "Will retry",
    "in_doubt": "Being checked",
    "pending": "Not sent yet",
    "sending": "Sending",
    "deleted": "Deleted",
    "missed": "Missed",
    "skipped": "No post",
    "claimed": "Being posted",
}
STATUS_COLOURS = {
    "submitted": "govuk-tag--purple",
    "draft": "govuk-tag--yellow",
    "approved": "govuk-tag--green",
    "posted": "govuk-tag--blue",
    "sent": "govuk-tag--blue",
    "partly_posted": "govuk-tag--orange",
    "failed": "govuk-tag--red",
    "rejected": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
    "deleted": "govuk-tag--grey",
    "missed": "govuk-tag--red",
    "in_doubt": "govuk-tag--orange",
    "retry_wait": "govuk-tag--orange",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "govuk-tag--grey")
