"""Reading stories: one story, the ordered queue, pins, counts and listings.

The queue is the approved stories not pinned to a date, ordered by ``sort_key`` then
``id``; the indexes of migration 0011 serve every query here without a scan or a sort
(``tests/test_query_plans.py``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from infobot.domain.errors import Hint, NotFound
from infobot.domain.story import STORY_FIELDS, StoryInput, StoryStatus
from infobot.store.queries import literal, literals
from infobot.store.reader import Reader, page, placeholders
from infobot.store.rows import Row, StoryRow, as_day

if TYPE_CHECKING:
    from infobot.store.models import Story

#: The row type a listing returns: whole stories (``StoryRow``) or their lines
#: (``StoryBrief``, no text: a list of thousands reads a tenth of the data).
R = TypeVar("R", bound=Row)
APPROVED = literal(StoryStatus.APPROVED)
STORY = f"SELECT {StoryRow.COLUMNS} FROM stories"
QUEUE = f"campaign_id = :cid AND status = {APPROVED} AND pin_date IS NULL"
PINNED = f"campaign_id = :cid AND status = {APPROVED} AND pin_date IS NOT NULL"
ORDER = " ORDER BY sort_key, id"


def get(r: Reader, story_id: int, campaign_id: int) -> StoryRow:
    found = r.row(f"{STORY} WHERE id = :id", id=story_id)
    if found is None or found[1] != campaign_id:
        raise NotFound(f"there is no story #{story_id}", hint=Hint.LIST_STORIES)
    return StoryRow.of(found)


def to_input(story: Story | StoryRow) -> StoryInput:
    """The story's editable content, as the domain sees it."""
    return StoryInput(**{name: getattr(story, name) for name in STORY_FIELDS})


def by_ids(r: Reader, ids: Collection[int]) -> dict[int, StoryRow]:
    if not ids:
        return {}
    marks, params = placeholders("id", sorted(set(ids)))
    return {s.id: s for s in map(StoryRow.of, r.rows(f"{STORY} WHERE id IN {marks}", **params))}


def titles(r: Reader, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    marks, params = placeholders("id", sorted(set(ids)))
    return {
        int(i): t for i, t in r.rows(f"SELECT id, title FROM stories WHERE id IN {marks}", **params)
    }


# -- the queue -----------------------------------------------------------------------------
def queue(
    r: Reader, campaign_id: int, row: type[R], offset: int = 0, limit: int | None = None
) -> list[R]:
    """The queue in posting order, as ``row`` (``StoryRow`` or ``StoryBrief``)."""
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE {QUEUE}{ORDER}{page(limit, offset)}"
    return [row.of(t) for t in r.rows(sql, cid=campaign_id, limit=limit, offset=offset)]


def queue_size(r: Reader, campaign_id: int) -> int:
    return int(r.scalar(f"SELECT count(*) FROM stories WHERE {QUEUE}", cid=campaign_id) or 0)


def queue_position(r: Reader, story: StoryRow) -> int | None:
    """1-based place in the queue, or None for stories not in it."""
    if story.status != StoryStatus.APPROVED or story.pin_date is not None:
        return None
    ahead = r.scalar(
        f"SELECT count(*) FROM stories WHERE {QUEUE}"
        " AND (sort_key < :key OR (sort_key = :key AND id < :id))",
        cid=story.campaign_id,
        key=story.sort_key,
        id=story.id,
    )
    return int(ahead or 0) + 1


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


def approved_pin_dates(r: Reader, campaign_id: int, first: date) -> list[date]:
    rows = r.rows(
        f"SELECT pin_date FROM stories WHERE {PINNED} AND pin_date >= :first ORDER BY pin_date",
        cid=campaign_id,
        first=first,
    )
    return [as_day(value) for (value,) in rows]


# -- counts and listings -------------------------------------------------------------------
def count_by_status(
    r: Reader, campaign_id: int, statuses: Collection[StoryStatus]
) -> dict[str, int]:
    rows = r.rows(
        "SELECT status, count(*) FROM stories"
        f" WHERE campaign_id = :cid AND status IN {literals(statuses)} GROUP BY status",
        cid=campaign_id,
    )
    return {str(status): int(n) for status, n in rows}


def count_with_status(r: Reader, campaign_id: int, status: StoryStatus) -> int:
    sql = f"SELECT count(*) FROM stories WHERE campaign_id = :cid AND status = {literal(status)}"
    return int(r.scalar(sql, cid=campaign_id) or 0)


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
