"""Deliveries: one row per story and platform (invariant 2), with its confirmed parts.

A delivery's ``parts`` column holds the thread parts confirmed live, as JSON; it is read
and written here only, as :class:`~infobot.domain.delivery.Part` values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session

from infobot.domain.attention import ProblemDelivery
from infobot.domain.delivery import NEEDS_A_PERSON, DeliveryStatus, Part, idempotency_key
from infobot.store import events
from infobot.store.models import Delivery, Story


# -- parts ---------------------------------------------------------------------------------
def parts(delivery: Delivery) -> list[Part]:
    """The parts confirmed live, in thread order."""
    return [Part(str(p["id"]), str(p.get("url", ""))) for p in json.loads(delivery.parts or "[]")]


def set_parts(delivery: Delivery, confirmed: Sequence[Part]) -> None:
    delivery.parts = json.dumps([{"id": p.remote_id, "url": p.url} for p in confirmed])


def live_ids(delivery: Delivery) -> list[str]:
    """The ids of the delivery's posts still live (the head's when no part is recorded)."""
    ids = [p.remote_id for p in parts(delivery) if p.remote_id]
    if not ids and delivery.remote_id:
        ids = [delivery.remote_id]
    return ids


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
# (its open deliveries: ``infobot.store.queries.daemon.open_deliveries``)
def _needing_a_person(limited: bool, of_campaign: bool) -> Select[Delivery]:
    """:func:`needing_a_person`'s statement, ``limit`` and ``campaign_id`` bound at each
    call when asked for (the daemon asks at every tick)."""
    query = select(Delivery).where(Delivery.status.in_(NEEDS_A_PERSON))
    if of_campaign:
        query = query.join(Story, Story.id == Delivery.story_id).where(
            Story.campaign_id == bindparam("campaign_id")
        )
    query = query.order_by(Delivery.id.desc())
    return query.limit(bindparam("limit", type_=Integer)) if limited else query


_NEEDING_A_PERSON = {
    (lim, mine): _needing_a_person(lim, mine) for lim in (False, True) for mine in (False, True)
}


def needing_a_person(
    session: Session, limit: int | None = None, campaign_id: int | None = None
) -> list[ProblemDelivery]:
    """Failed and in-doubt deliveries (of one campaign's stories, when given), newest
    first, each knowing whether the platform refused the account's credentials."""
    query = _NEEDING_A_PERSON[limit is not None, campaign_id is not None]
    bound = {"limit": limit, "campaign_id": campaign_id}
    rows = session.scalars(query, {k: v for k, v in bound.items() if v is not None}).all()
    refused = events.credentials_refused(
        session, [d.id for d in rows if d.status == DeliveryStatus.FAILED]
    )
    return [
        ProblemDelivery(
            d.id,
            d.story_id,
            d.platform,
            DeliveryStatus(d.status),
            d.error,
            d.updated_at,
            credentials_refused=d.id in refused,
        )
        for d in rows
    ]
