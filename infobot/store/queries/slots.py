"""Reading slots: one row per campaign day (unique per campaign and local date)."""

from __future__ import annotations

from datetime import date

from infobot.domain.schedule import TROUBLED, WENT_OUT, WITHOUT_POST
from infobot.store.queries import literals
from infobot.store.reader import Reader, page
from infobot.store.rows import SlotRow, as_date

SLOT = f"SELECT {SlotRow.COLUMNS} FROM slots"


def status_on(r: Reader, campaign_id: int, day: date) -> str | None:
    """The day's slot status; None when the day has no slot yet."""
    found = r.scalar(
        "SELECT status FROM slots WHERE campaign_id = :cid AND local_date = :day",
        cid=campaign_id,
        day=day,
    )
    return str(found) if found is not None else None


def between(r: Reader, campaign_id: int, first: date, last: date) -> dict[date, SlotRow]:
    """The slots from ``first`` to ``last`` (inclusive), by date."""
    rows = r.rows(
        f"{SLOT} WHERE campaign_id = :cid AND local_date >= :first AND local_date <= :last",
        cid=campaign_id,
        first=first,
        last=last,
    )
    return {slot.local_date: slot for slot in map(SlotRow.of, rows)}


def last_went_out(r: Reader, campaign_id: int) -> SlotRow | None:
    """The latest day a post went out."""
    found = r.row(
        f"{SLOT} WHERE campaign_id = :cid AND status IN {literals(WENT_OUT)}"
        " ORDER BY local_date DESC LIMIT 1",
        cid=campaign_id,
    )
    return SlotRow.of(found) if found is not None else None


def troubled_since(r: Reader, campaign_id: int, since: date) -> list[SlotRow]:
    """Days missed, failed or partly posted from ``since``, oldest first."""
    rows = r.rows(
        f"{SLOT} WHERE campaign_id = :cid AND local_date >= :since"
        f" AND status IN {literals(TROUBLED)} ORDER BY local_date",
        cid=campaign_id,
        since=since,
    )
    return [SlotRow.of(t) for t in rows]


def without_post(r: Reader, campaign_id: int, limit: int) -> list[SlotRow]:
    """The latest days recorded with no post everywhere (missed, skipped, failed, partly
    posted), newest first."""
    rows = r.rows(
        f"{SLOT} WHERE campaign_id = :cid AND status IN {literals(WITHOUT_POST)}"
        " ORDER BY local_date DESC" + page(limit),
        cid=campaign_id,
        limit=limit,
        offset=0,
    )
    return [SlotRow.of(t) for t in rows]


def first_recorded(r: Reader, campaign_id: int) -> date | None:
    """The first day infobot ever recorded for the campaign."""
    return as_date(
        r.scalar("SELECT min(local_date) FROM slots WHERE campaign_id = :cid", cid=campaign_id)
    )
