"""Campaign days as ``infobot status`` reads them: the slots, the daemon's heartbeat and
the deliveries of a day."""

from __future__ import annotations

from datetime import date, datetime

from infobot.domain.delivery import NEEDS_A_PERSON
from infobot.domain.schedule import TROUBLED, WENT_OUT
from infobot.store.queries import literals
from infobot.store.reader import Reader
from infobot.store.rows import DayDelivery, SlotRow, as_date, as_utc

_SLOTS = f"SELECT {SlotRow.COLUMNS} FROM slots WHERE campaign_id = :cid"


def status_on(r: Reader, campaign_id: int, day: date) -> str | None:
    """The day's slot status; None when the day has no slot yet."""
    found = r.scalar(
        "SELECT status FROM slots WHERE campaign_id = :cid AND local_date = :day",
        cid=campaign_id,
        day=day,
    )
    return str(found) if found is not None else None


def on(r: Reader, campaign_id: int, day: date) -> SlotRow | None:
    found = r.row(_SLOTS + " AND local_date = :day", cid=campaign_id, day=day)
    return SlotRow.of(found) if found is not None else None


def between(r: Reader, campaign_id: int, first: date, last: date) -> dict[date, SlotRow]:
    """The slots from ``first`` to ``last`` (inclusive), by date."""
    rows = r.rows(
        _SLOTS + " AND local_date >= :first AND local_date <= :last",
        cid=campaign_id,
        first=first,
        last=last,
    )
    return {slot.local_date: slot for slot in map(SlotRow.of, rows)}


def first_recorded(r: Reader, campaign_id: int) -> date | None:
    """The first day infobot ever recorded for the campaign."""
    found = r.scalar("SELECT min(local_date) FROM slots WHERE campaign_id = :cid", cid=campaign_id)
    return as_date(found)


def last_went_out(r: Reader, campaign_id: int) -> SlotRow | None:
    """The latest day a post went out."""
    found = r.row(
        _SLOTS + f" AND status IN {literals(WENT_OUT)} ORDER BY local_date DESC LIMIT 1",
        cid=campaign_id,
    )
    return SlotRow.of(found) if found is not None else None


def troubled_since(r: Reader, campaign_id: int, since: date) -> list[SlotRow]:
    """Days missed, failed or partly posted from ``since``, oldest first."""
    rows = r.rows(
        _SLOTS + f" AND local_date >= :since AND status IN {literals(TROUBLED)}"
        " ORDER BY local_date",
        cid=campaign_id,
        since=since,
    )
    return [SlotRow.of(t) for t in rows]


def latest_heartbeat(r: Reader) -> tuple[datetime, str] | None:
    """The latest heartbeat: when it beat (aware UTC) and the daemon's state."""
    found = r.row("SELECT beat_at, state FROM heartbeats ORDER BY beat_at DESC LIMIT 1")
    beat = as_utc(found[0]) if found is not None else None
    return (beat, str(found[1])) if found is not None and beat is not None else None


def deliveries_of(r: Reader, story_id: int) -> list[DayDelivery]:
    """A story's deliveries in the order they were made (why a day is late)."""
    sql = f"SELECT {DayDelivery.COLUMNS} FROM deliveries WHERE story_id = :sid ORDER BY id"
    return [DayDelivery.of(t) for t in r.rows(sql, sid=story_id)]


def needing_a_person(r: Reader, campaign_id: int) -> int:
    """How many of the campaign's deliveries failed or are in doubt."""
    return int(
        r.scalar(
            "SELECT count(*) FROM deliveries d JOIN stories s ON s.id = d.story_id"
            f" WHERE s.campaign_id = :cid AND d.status IN {literals(NEEDS_A_PERSON)}",
            cid=campaign_id,
        )
        or 0
    )
