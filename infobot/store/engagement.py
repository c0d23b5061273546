"""Engagement read back: each sent delivery's read schedule and latest counts
(``engagement_posts``) and every read (``engagement_snapshots``).

Counts are columns of :class:`~infobot.store.models.CountColumns` and come and go here as
:class:`~infobot.domain.engagement.ThreadCounts` only; NULL is unknown, never 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from infobot.domain.delivery import DeliveryStatus
from infobot.domain.engagement import PostState, ThreadCounts
from infobot.domain.schedule import WENT_OUT
from infobot.domain.story import StoryStatus
from infobot.store.models import (
    CountColumns,
    Delivery,
    EngagementPost,
    EngagementSnapshot,
    Event,
    Slot,
    Story,
    XCharge,
)
from infobot.store.queries.engagement import COUNTS, facts_of, thread_counts
from infobot.store.queries.engagement import PostFacts as PostFacts

_FIRST, _REST = COUNTS


# -- counts in and out of the columns ------------------------------------------------------
def counts_of(row: CountColumns) -> ThreadCounts:
    return thread_counts(row.parts, [getattr(row, name) for name in (*_FIRST, *_REST)])


def count_values(counts: ThreadCounts) -> dict[str, Any]:
    """The columns of ``counts``, for an insert or an update."""
    values: dict[str, Any] = dict(zip(_FIRST, counts.first.as_dict().values(), strict=True))
    values.update(zip(_REST, counts.rest.as_dict().values(), strict=True))
    values["parts"] = counts.parts
    return values


# -- scheduling ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Unscheduled:
    delivery_id: int
    story_id: int
    platform: str
    sent_at: datetime
    parts: int


#: Asked at every tick of the daemon: built once, the limit bound at each call.
_UNSCHEDULED = (
    select(Delivery.id, Delivery.story_id, Delivery.platform, Delivery.sent_at, Delivery.parts)
    .outerjoin(EngagementPost, EngagementPost.delivery_id == Delivery.id)
    .where(
        Delivery.status == DeliveryStatus.SENT,
        Delivery.sent_at.is_not(None),
        EngagementPost.id.is_(None),
    )
    .order_by(Delivery.id)
    .limit(bindparam("limit", type_=Integer))
)


def unscheduled(session: Session, limit: int = 50_000) -> list[Unscheduled]:
    """Deliveries sent (and not withdrawn) that have no read schedule yet."""
    rows = session.execute(_UNSCHEDULED, {"limit": limit}).all()
    return [
        Unscheduled(d_id, story_id, platform, sent_at, max(len(json.loads(parts or "[]")), 1))
        for d_id, story_id, platform, sent_at, parts in rows
        if sent_at is not None
    ]


def schedule(
    session: Session, posts: Sequence[Unscheduled], first_reads: Sequence[datetime]
) -> None:
    """Give each delivery its schedule, first read at the matching time."""
    if not posts:
        return
    session.execute(
        insert(EngagementPost),
        [
            {
                "delivery_id": p.delivery_id,
                "story_id": p.story_id,
                "platform": p.platform,
                "sent_at": p.sent_at,
                "state": PostState.LIVE.value,
                "next_read_at": at,
                "reads": 0,
                "unchanged": 0,
                "failures": 0,
                "error": "",
                "parts": p.parts,
            }
            for p, at in zip(posts, first_reads, strict=True)
        ],
    )


#: Asked at every tick of the daemon (and it takes no value): built once.
_WITHDRAWN = select(EngagementPost.id).where(
    EngagementPost.state == PostState.LIVE.value,
    EngagementPost.delivery_id.in_(
        select(Delivery.id).where(Delivery.status == DeliveryStatus.DELETED)
    )
    | EngagementPost.story_id.in_(select(Story.id).where(Story.status == StoryStatus.WITHDRAWN)),
)


def withdrawn(session: Session) -> list[int]:
    """Live posts infobot deleted, or whose story was withdrawn: to stop reading."""
    return list(session.scalars(_WITHDRAWN))


def stop(session: Session, ids: Sequence[int]) -> None:
    """These posts are no longer read: infobot deleted them (withdrawn)."""
    session.execute(
        update(EngagementPost)
        .where(EngagementPost.id.in_(list(ids)))
        .values(state=PostState.WITHDRAWN.value, next_read_at=None)
        .execution_options(synchronize_session=False)
    )


# -- reading -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DueRead:
    id: int
    delivery_id: int
    story_id: int
    platform: str
    sent_at: datetime
    last_read_at: datetime | None
    unchanged: int
    failures: int
    reads: int
    counts: ThreadCounts | None  # the latest counts, None before the first read
    remote_ids: tuple[str, ...]  # the thread's posts, first first


def _due_query(limited: bool, of_campaign: bool) -> Select[*tuple[Any, ...]]:
    """:func:`due`'s statement, its values bound at each call (``now``, and ``limit`` and
    ``campaign_id`` when asked for): the daemon asks at every tick."""
    columns = [getattr(EngagementPost, name) for name in (*_FIRST, *_REST)]
    query: Select[*tuple[Any, ...]] = (
        select(
            EngagementPost.id,
            EngagementPost.delivery_id,
            EngagementPost.story_id,
            EngagementPost.platform,
            EngagementPost.sent_at,
            EngagementPost.last_read_at,
            EngagementPost.unchanged,
            EngagementPost.failures,
            EngagementPost.reads,
            EngagementPost.parts,
            Delivery.parts,
            Delivery.remote_id,
            *columns,
        )
        .join(Delivery, Delivery.id == EngagementPost.delivery_id)
        .where(
            EngagementPost.state == PostState.LIVE.value,
            EngagementPost.next_read_at.is_not(None),
            EngagementPost.next_read_at <= bindparam("now"),
        )
        .order_by(EngagementPost.next_read_at, EngagementPost.id)
    )
    if limited:
        query = query.limit(bindparam("limit", type_=Integer))
    if of_campaign:
        stories = select(Story.id).where(Story.campaign_id == bindparam("campaign_id"))
        query = query.where(EngagementPost.story_id.in_(stories))
    return query


_DUE = {
    (limited, mine): _due_query(limited, mine)
    for limited in (False, True)
    for mine in (False, True)
}


def due(
    session: Session, now: datetime, limit: int | None = None, campaign_id: int | None = None
) -> list[DueRead]:
    """Live posts whose next read has come, the most overdue first (of one campaign's
    stories when ``campaign_id`` is given: each campaign's daemon reads its own)."""
    query = _DUE[limit is not None, campaign_id is not None]
    bound = {"now": now, "limit": limit, "campaign_id": campaign_id}
    rows = session.execute(query, {k: v for k, v in bound.items() if v is not None})
    found = []
    for row in rows:
        values: Sequence[Any] = tuple(row)
        post_id, delivery_id, story_id, platform, sent_at, last, unchanged, failures = values[:8]
        reads, parts, confirmed, head = values[8:12]
        ids = tuple(str(p["id"]) for p in json.loads(confirmed or "[]") if p.get("id"))
        found.append(
            DueRead(
                post_id,
                delivery_id,
                story_id,
                platform,
                sent_at,
                last,
                unchanged,
                failures,
                reads,
                thread_counts(parts, values[12:]) if reads else None,
                ids or ((head,) if head else ()),
            )
        )
    return found


def parts_since(session: Session, platform: str, since: datetime) -> int:
    """How many posts (thread parts) infobot sent to ``platform`` since ``since`` that are
    still there: a lower bound of how far down the account's timeline the oldest one is."""
    total = session.scalar(
        select(func.coalesce(func.sum(EngagementPost.parts), 0)).where(
            EngagementPost.platform == platform,
            EngagementPost.sent_at >= since,
            EngagementPost.state == PostState.LIVE.value,
        )
    )
    return int(total or 0)


def postpone(session: Session, ids: Iterable[int], until: datetime) -> None:
    """A platform asked infobot to wait (429): its due reads move to ``until``."""
    session.execute(
        update(EngagementPost)
        .where(EngagementPost.id.in_(list(ids)))
        .values(next_read_at=until)
        .execution_options(synchronize_session=False)
    )


def save_reads(
    session: Session, changes: Sequence[dict[str, Any]], snaps: Sequence[dict[str, Any]]
) -> None:
    """Apply each post's new schedule (a dict with its ``id``) and add the snapshots."""
    if changes:
        session.execute(update(EngagementPost), list(changes))
    if snaps:
        session.execute(insert(EngagementSnapshot), list(snaps))


# -- the report ----------------------------------------------------------------------------
def posts(
    session: Session,
    campaign_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    story_ids: Sequence[int] | None = None,
) -> list[PostFacts]:
    """Every delivery that went out (withdrawn stories left out), with its latest counts.
    ``since``/``until`` bound the sending time, to narrow the rows a period needs."""
    columns = [getattr(EngagementPost, name) for name in (*_FIRST, *_REST)]
    query = (
        select(
            Delivery.id,
            Delivery.story_id,
            Story.title,
            Story.author,
            Slot.local_date,
            Delivery.platform,
            Delivery.remote_url,
            Delivery.sent_at,
            EngagementPost.state,
            EngagementPost.reads,
            EngagementPost.read_at,
            EngagementPost.parts,
            *columns,
        )
        .join(Story, Story.id == Delivery.story_id)
        .outerjoin(Slot, Slot.id == Delivery.slot_id)
        .outerjoin(EngagementPost, EngagementPost.delivery_id == Delivery.id)
        .where(
            Story.campaign_id == campaign_id,
            Story.status != StoryStatus.WITHDRAWN,
            Delivery.sent_at.is_not(None),
            Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.DELETED)),
        )
        .order_by(Delivery.id)
    )
    if since is not None:
        query = query.where(Delivery.sent_at >= since)
    if until is not None:
        query = query.where(Delivery.sent_at < until)
    if story_ids is not None:
        query = query.where(Delivery.story_id.in_(list(story_ids)))
    return [f for f in (facts_of(tuple(row)) for row in session.execute(query)) if f is not None]


def snapshots(
    session: Session, delivery_ids: Sequence[int]
) -> list[tuple[int, datetime, ThreadCounts]]:
    """Every read of these deliveries, oldest first."""
    if not delivery_ids:
        return []
    rows = session.scalars(
        select(EngagementSnapshot)
        .where(EngagementSnapshot.delivery_id.in_(list(delivery_ids)))
        .order_by(EngagementSnapshot.read_at, EngagementSnapshot.id)
    )
    return [(s.delivery_id, s.read_at, counts_of(s)) for s in rows]


def reads_of(session: Session, delivery_id: int) -> list[datetime]:
    """When each successful read of a delivery happened, oldest first."""
    return list(
        session.scalars(
            select(EngagementSnapshot.read_at)
            .where(EngagementSnapshot.delivery_id == delivery_id)
            .order_by(EngagementSnapshot.read_at)
        )
    )


def went_out_before(session: Session, campaign_id: int, day: date) -> Slot | None:
    """The latest campaign day before ``day`` whose story went out."""
    return session.scalar(
        select(Slot)
        .where(
            Slot.campaign_id == campaign_id,
            Slot.local_date < day,
            Slot.status.in_(WENT_OUT),
            Slot.story_id.is_not(None),
        )
        .order_by(Slot.local_date.desc())
        .limit(1)
    )


def marker(session: Session) -> tuple[int, int, int]:
    """Changes whenever the report could: a new audit event (every change to a story or a
    delivery writes one, a post found gone too), a new read, a new X request. Three
    primary-key lookups."""
    found = session.execute(
        select(
            select(func.max(Event.id)).scalar_subquery(),
            select(func.max(EngagementSnapshot.id)).scalar_subquery(),
            select(func.max(XCharge.id)).scalar_subquery(),
        )
    ).one()
    return (int(found[0] or 0), int(found[1] or 0), int(found[2] or 0))
