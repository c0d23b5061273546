"""Reading the audit trail."""

from __future__ import annotations

from collections.abc import Iterable

from infobot.store.reader import Reader, page, placeholders
from infobot.store.rows import EventRow

#: Audit actions the queries below look for (the writers use the same names).
CREDENTIALS_REJECTED = "delivery.credentials_rejected"
EVENT = f"SELECT {EventRow.COLUMNS} FROM events"


def of_story(r: Reader, story_id: int) -> list[EventRow]:
    """A story's history, oldest first."""
    rows = r.rows(f"{EVENT} WHERE story_id = :sid ORDER BY id", sid=story_id)
    return [EventRow.of(t) for t in rows]


def count(r: Reader, story_id: int | None = None) -> int:
    if story_id is None:
        return int(r.scalar("SELECT count(*) FROM events") or 0)
    return int(r.scalar("SELECT count(*) FROM events WHERE story_id = :sid", sid=story_id) or 0)


def page_of(r: Reader, offset: int, limit: int, story_id: int | None = None) -> list[EventRow]:
    """A page of the audit trail, newest first (optionally one story's)."""
    where = " WHERE story_id = :sid" if story_id is not None else ""
    sql = f"{EVENT}{where} ORDER BY id DESC{page(limit, offset)}"
    return [EventRow.of(t) for t in r.rows(sql, sid=story_id, limit=limit, offset=offset)]


def credentials_refused(r: Reader, delivery_ids: Iterable[int]) -> set[int]:
    """Those of the deliveries that failed because the platform refused the credentials."""
    ids = sorted(set(delivery_ids))
    if not ids:
        return set()
    marks, params = placeholders("d", ids)
    rows = r.rows(
        f"SELECT delivery_id FROM events WHERE action = :action AND delivery_id IN {marks}",
        action=CREDENTIALS_REJECTED,
        **params,
    )
    return {int(d) for (d,) in rows if d is not None}
