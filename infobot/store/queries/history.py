"""What happened, as the web page's history shows it: the campaign's deliveries newest
first (with each one's story title and day) and the days without a post."""

from __future__ import annotations

from datetime import date

from infobot.domain.schedule import WITHOUT_POST
from infobot.store.queries import literals
from infobot.store.reader import Reader, page
from infobot.store.rows import HistoryDelivery, SlotRow, as_date

_DELIVERY = ", ".join(f"d.{name}" for name in HistoryDelivery.COLUMNS.split(", "))
#: The campaign's deliveries, visited in the deliveries' order: SQLite joins in the order
#: written after ``CROSS JOIN``, so a query walks the deliveries (a few a campaign day)
#: rather than every story of the campaign (thousands, waiting in the queue).
_FROM = " FROM deliveries d CROSS JOIN stories s"
_OF_CAMPAIGN = " WHERE s.id = d.story_id AND s.campaign_id = :cid"


def count(r: Reader, campaign_id: int) -> int:
    """How many deliveries the campaign's stories have."""
    return int(r.scalar("SELECT count(*)" + _FROM + _OF_CAMPAIGN, cid=campaign_id) or 0)


def deliveries(
    r: Reader, campaign_id: int, offset: int, limit: int
) -> list[tuple[HistoryDelivery, str, date | None]]:
    """A page of deliveries, newest first, with the story's title and the slot's day
    (the page stops at its last row: no visit of every story, no sort)."""
    sql = (
        f"SELECT {_DELIVERY}, s.title, sl.local_date{_FROM}"
        f" LEFT JOIN slots sl ON sl.id = d.slot_id{_OF_CAMPAIGN}"
        " ORDER BY d.id DESC" + page(limit, offset)
    )
    rows = r.rows(sql, cid=campaign_id, limit=limit, offset=offset)
    return [(HistoryDelivery.of(t[:-2]), str(t[-2]), as_date(t[-1])) for t in rows]


def without_post(r: Reader, campaign_id: int, limit: int) -> list[SlotRow]:
    """The latest days recorded with no post everywhere (missed, skipped, failed, partly
    posted), newest first."""
    rows = r.rows(
        f"SELECT {SlotRow.COLUMNS} FROM slots WHERE campaign_id = :cid"
        f" AND status IN {literals(WITHOUT_POST)} ORDER BY local_date DESC" + page(limit),
        cid=campaign_id,
        limit=limit,
        offset=0,
    )
    return [SlotRow.of(t) for t in rows]
