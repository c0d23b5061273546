"""Reading stories: the ordered queue, pins and listings (``infobot stories list``).

The queue is the approved stories not pinned to a date, ordered by ``sort_key`` then
``id``; the indexes of migration 0011 serve every query here without a scan or a sort
(``tests/test_lean.py`` reads their plans).
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from infobot.domain.story import StoryStatus
from infobot.store.queries import literal
from infobot.store.reader import Reader, page
from infobot.store.rows import Row

#: The row type a listing returns (``StoryBrief``: a story's line, without its text).
R = TypeVar("R", bound=Row)
APPROVED = literal(StoryStatus.APPROVED)
QUEUE = f"campaign_id = :cid AND status = {APPROVED} AND pin_date IS NULL"
PINNED = f"campaign_id = :cid AND status = {APPROVED} AND pin_date IS NOT NULL"
ORDER = " ORDER BY sort_key, id"


# -- the queue -----------------------------------------------------------------------------
def queue(
    r: Reader, campaign_id: int, row: type[R], offset: int = 0, limit: int | None = None
) -> list[R]:
    """The queue in posting order, as ``row`` (``StoryRow`` or ``StoryBrief``)."""
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE {QUEUE}{ORDER}{page(limit, offset)}"
    return [row.of(t) for t in r.rows(sql, cid=campaign_id, limit=limit, offset=offset)]


# -- pins ----------------------------------------------------------------------------------
def approved_pinned(
    r: Reader,
    campaign_id: int,
    row: type[R],
    first: date | None = None,
    last: date | None = None,
) -> list[R]:
    """Approved stories pinned to a date (between ``first`` and ``last``), soonest first."""
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE {PINNED}"
    if first is not None:
        sql += " AND pin_date >= :first"
    if last is not None:
        sql += " AND pin_date <= :last"
    rows = r.rows(sql + " ORDER BY pin_date", cid=campaign_id, first=first, last=last)
    return [row.of(t) for t in rows]


# -- listings -------------------------------------------------------------------
def with_status(
    r: Reader,
    campaign_id: int,
    row: type[R],
    status: StoryStatus | None = None,
    *,
    but_not: StoryStatus | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[R]:
    """Stories with ``status`` (or any but ``but_not``), oldest place first."""
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE campaign_id = :cid"
    if status is not None:
        sql += f" AND status = {literal(status)}"
    if but_not is not None:
        sql += f" AND status <> {literal(but_not)}"
    sql += ORDER + page(limit, offset)
    return [row.of(t) for t in r.rows(sql, cid=campaign_id, limit=limit, offset=offset)]
