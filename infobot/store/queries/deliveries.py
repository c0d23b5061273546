"""Reading deliveries: a story's, the ones that need a person, and the post history.

A delivery's ``parts`` column holds the thread parts confirmed live, as JSON; it is decoded
here only, as :class:`~infobot.domain.delivery.Part` values.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from infobot.domain.attention import ProblemDelivery
from infobot.domain.delivery import NEEDS_A_PERSON, DeliveryStatus, Part
from infobot.store.queries import events, literals
from infobot.store.reader import Reader, page
from infobot.store.rows import DeliveryRow, as_date

if TYPE_CHECKING:
    from infobot.store.models import Delivery

DELIVERY = f"SELECT {DeliveryRow.COLUMNS} FROM deliveries"


# -- parts ---------------------------------------------------------------------------------
def parts(delivery: Delivery | DeliveryRow) -> list[Part]:
    """The parts confirmed live, in thread order."""
    return [Part(str(p["id"]), str(p.get("url", ""))) for p in json.loads(delivery.parts or "[]")]


def live_ids(delivery: Delivery | DeliveryRow) -> list[str]:
    """The ids of the delivery's posts still live (the head's when no part is recorded)."""
    ids = [p.remote_id for p in parts(delivery) if p.remote_id]
    if not ids and delivery.remote_id:
        ids = [delivery.remote_id]
    return ids


# -- queries -------------------------------------------------------------------------------
def of_story(r: Reader, story_id: int, order_by_platform: bool = False) -> list[DeliveryRow]:
    order = "platform" if order_by_platform else "id"
    rows = r.rows(f"{DELIVERY} WHERE story_id = :sid ORDER BY {order}", sid=story_id)
    return [DeliveryRow.of(t) for t in rows]


def needing_a_person(r: Reader, limit: int | None = None) -> list[ProblemDelivery]:
    """Failed and in-doubt deliveries, newest first, each knowing whether the platform
    refused the account's credentials."""
    rows = [
        DeliveryRow.of(t)
        for t in r.rows(
            f"{DELIVERY} WHERE status IN {literals(NEEDS_A_PERSON)} ORDER BY id DESC" + page(limit),
            limit=limit,
            offset=0,
        )
    ]
    refused = events.credentials_refused(
        r, [d.id for d in rows if d.status == DeliveryStatus.FAILED]
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


def count_for_campaign(r: Reader, campaign_id: int) -> int:
    return int(
        r.scalar(
            "SELECT count(*) FROM deliveries d JOIN stories s ON s.id = d.story_id"
            " WHERE s.campaign_id = :cid",
            cid=campaign_id,
        )
        or 0
    )


def history(
    r: Reader, campaign_id: int, offset: int, limit: int
) -> list[tuple[DeliveryRow, str, date | None]]:
    """A page of deliveries, newest first, with the story's title and the slot's day."""
    columns = ", ".join(f"d.{c}" for c in DeliveryRow.COLUMNS.split(", "))
    rows = r.rows(
        f"SELECT {columns}, s.title, sl.local_date FROM deliveries d"
        " JOIN stories s ON s.id = d.story_id"
        " LEFT OUTER JOIN slots sl ON sl.id = d.slot_id"
        " WHERE s.campaign_id = :cid ORDER BY d.id DESC" + page(limit, offset),
        cid=campaign_id,
        limit=limit,
        offset=offset,
    )
    return [(DeliveryRow.of(t[:-2]), str(t[-2]), as_date(t[-1])) for t in rows]
