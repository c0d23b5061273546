"""The rows of an export (``infobot export``, the web page's audit CSV), read in batches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infobot.domain.cells import EXPORT_HEAD, EXPORT_TAIL
from infobot.domain.story import STORY_FIELDS
from infobot.store import stories
from infobot.store.models import Base, Delivery, Event

STORY_COLUMNS = (*EXPORT_HEAD, *STORY_FIELDS, *EXPORT_TAIL)
DELIVERY_COLUMNS = (
    "id",
    "story_id",
    "platform",
    "status",
    "attempts",
    "remote_id",
    "remote_url",
    "error",
    "next_attempt_at",
    "created_at",
    "updated_at",
    "sent_at",
)
EVENT_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "story_id",
    "delivery_id",
    "message",
    "before",
    "after",
)
COLUMNS = {"stories": STORY_COLUMNS, "deliveries": DELIVERY_COLUMNS, "events": EVENT_COLUMNS}


def rows(session: Session, what: str, campaign_id: int) -> Iterator[dict[str, Any]]:
    """The rows of ``stories``, ``deliveries`` or ``events``, as plain values."""
    if what == "stories":
        yield from _story_rows(session, campaign_id)
    elif what == "deliveries":
        yield from _plain_rows(session, Delivery, DELIVERY_COLUMNS)
    elif what == "events":
        yield from _plain_rows(session, Event, EVENT_COLUMNS)
    else:
        raise ValueError(what)


def _story_rows(session: Session, campaign_id: int) -> Iterator[dict[str, Any]]:
    positions = {sid: n for n, sid in enumerate(stories.queue_ids(session, campaign_id), start=1)}
    for story in stories.all_of(session, campaign_id):
        row = {c: _plain(getattr(story, c, None)) for c in STORY_COLUMNS}
        row["position"] = positions.get(story.id)
        yield row


def _plain_rows(
    session: Session, model: type[Base], columns: tuple[str, ...]
) -> Iterator[dict[str, Any]]:
    table: Any = model
    stmt = select(model).order_by(table.id).execution_options(yield_per=1000)
    for item in session.scalars(stmt):
        yield {c: _plain(getattr(item, c)) for c in columns}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value
