"""The audit trail: every change records who, when, what, and the state before and after."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infobot.store.models import Event
from infobot.store.queries.story_page import decoded as decoded
from infobot.store.queries.story_page import to_json as to_json

#: Audit actions the queries below look for.
IN_DOUBT = "delivery.in_doubt"
PART_SENT = "delivery.part_sent"
RECONCILED = "delivery.reconciled"
CREDENTIALS_REJECTED = "delivery.credentials_rejected"


class EventFields(TypedDict, total=False):
    """Who did what, when, to what (the event's ``before`` and ``after`` come apart)."""

    at: Required[datetime]
    actor: Required[str]
    action: Required[str]
    campaign_id: int | None
    story_id: int | None
    delivery_id: int | None
    message: str


def record(
    session: Session, *, before: Any = None, after: Any = None, **fields: Unpack[EventFields]
) -> None:
    """Add an event; ``before`` and ``after`` are stored as JSON (None stays None)."""
    session.add(Event(before=_json(before), after=_json(after), **fields))


def _json(value: Any) -> str | None:
    return None if value is None else to_json(value)


def doubts_in_a_row(session: Session, delivery_id: int, most: int) -> int:
    """How many attempts in a row ended in doubt (at most ``most``), since a part was last
    confirmed (sent or found by reconciliation). Crashes and parts that went out do not
    count."""
    actions = session.scalars(
        select(Event.action)
        .where(
            Event.delivery_id == delivery_id,
            Event.action.in_((IN_DOUBT, PART_SENT, RECONCILED)),
        )
        .order_by(Event.id.desc())
        .limit(most)
    ).all()
    count = 0
    for action in actions:
        if action != IN_DOUBT:
            break
        count += 1
    return count


def credentials_refused(session: Session, delivery_ids: Iterable[int]) -> set[int]:
    """Those of the deliveries that failed because the platform refused the credentials."""
    ids = list(delivery_ids)
    if not ids:
        return set()
    found = session.scalars(
        select(Event.delivery_id).where(
            Event.action == CREDENTIALS_REJECTED, Event.delivery_id.in_(ids)
        )
    )
    return {delivery_id for delivery_id in found if delivery_id is not None}


def count(session: Session, story_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(Event)
    if story_id is not None:
        stmt = stmt.where(Event.story_id == story_id)
    return int(session.scalar(stmt) or 0)


def page(session: Session, offset: int, limit: int, story_id: int | None = None) -> Sequence[Event]:
    """A page of the audit trail, newest first (optionally one story's)."""
    stmt = select(Event)
    if story_id is not None:
        stmt = stmt.where(Event.story_id == story_id)
    return session.scalars(stmt.order_by(Event.id.desc()).offset(offset).limit(limit)).all()
