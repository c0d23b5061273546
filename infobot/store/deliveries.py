"""Deliveries: one row per story and platform (invariant 2), with its confirmed parts.

A delivery's ``parts`` column holds the thread parts confirmed live, as JSON, written here
and read by :mod:`infobot.store.queries.deliveries` as
:class:`~infobot.domain.delivery.Part` values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infobot.domain.delivery import OPEN, DeliveryStatus, Part, idempotency_key
from infobot.store.models import Delivery, Slot
from infobot.store.queries.deliveries import live_ids as live_ids
from infobot.store.queries.deliveries import parts as parts


# -- parts ---------------------------------------------------------------------------------
def set_parts(delivery: Delivery, confirmed: Sequence[Part]) -> None:
    delivery.parts = json.dumps([{"id": p.remote_id, "url": p.url} for p in confirmed])


# -- one delivery --------------------------------------------------------------------------
def locked(session: Session, delivery_id: int) -> Delivery:
    """The delivery row, locked until the transaction ends (FOR UPDATE on PostgreSQL;
    SQLite's BEGIN IMMEDIATE already serialises writers), so read-then-write is safe."""
    return session.get_one(Delivery, delivery_id, with_for_update=True)


def get(session: Session, delivery_id: int) -> Delivery:
    return session.get_one(Delivery, delivery_id)


def add(
    session: Session,
    campaign_id: int,
    story_id: int,
    slot_id: int | None,
    platform: str,
    now: datetime,
) -> Delivery:
    delivery = Delivery(
        story_id=story_id,
        slot_id=slot_id,
        platform=platform,
        status=DeliveryStatus.PENDING,
        idempotency_key=idempotency_key(campaign_id, story_id, platform),
        attempts=0,
        remote_id="",
        remote_url="",
        parts="[]",
        error="",
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    return delivery


# -- a story's deliveries ------------------------------------------------------------------
def of_story(session: Session, story_id: int, order_by_platform: bool = False) -> list[Delivery]:
    order = Delivery.platform if order_by_platform else Delivery.id
    return list(
        session.scalars(select(Delivery).where(Delivery.story_id == story_id).order_by(order))
    )


def platforms_of(session: Session, story_id: int) -> set[str]:
    return set(session.scalars(select(Delivery.platform).where(Delivery.story_id == story_id)))


def not_sent_errors(session: Session, story_id: int) -> list[str]:
    """``platform: error`` for each of the story's deliveries that did not go out."""
    rows = session.execute(
        select(Delivery.platform, Delivery.error).where(
            Delivery.story_id == story_id, Delivery.status != DeliveryStatus.SENT
        )
    )
    return sorted({f"{platform}: {error}" for platform, error in rows})


# -- the daemon's work ---------------------------------------------------------------------
def open_with_day(
    session: Session,
) -> Sequence[tuple[int, int, str, datetime | None, date | None]]:
    """Every open delivery: id, story id, status, next attempt and its slot's day."""
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.story_id,
            Delivery.status,
            Delivery.next_attempt_at,
            Slot.local_date,
        )
        .outerjoin(Slot, Slot.id == Delivery.slot_id)
        .where(Delivery.status.in_(OPEN))
    ).all()
    return [(d_id, story_id, status, next_at, day) for d_id, story_id, status, next_at, day in rows]


def stats(session: Session) -> Sequence[tuple[str, str, int, int, datetime | None]]:
    """Per platform and status: how many, how many attempts, the latest sent time."""
    rows = session.execute(
        select(
            Delivery.platform,
            Delivery.status,
            func.count(),
            func.coalesce(func.sum(Delivery.attempts), 0),
            func.max(Delivery.sent_at),
        ).group_by(Delivery.platform, Delivery.status)
    ).all()
    return [(p, s, int(n), int(tried), sent) for p, s, n, tried, sent in rows]
