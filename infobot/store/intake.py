"""Queries for the share form, the storyteller's link, retention and the public page.

:func:`take` counts a submission against each limit's window, in the database, so every
web replica counts the same; the rows are locked for the rest of the transaction (``FOR
UPDATE`` on PostgreSQL, SQLite's ``BEGIN IMMEDIATE`` otherwise), like the sign-in counts.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from infobot.domain.delivery import DeliveryStatus
from infobot.domain.intake import Consent
from infobot.domain.story import StoryStatus
from infobot.store.models import Delivery, Event, IntakeCount, Slot, Story, Submission

Key = tuple[str, str]  # (scope, key)
POSTED = (StoryStatus.POSTED, StoryStatus.PARTLY_POSTED)


# -- rate limits -----------------------------------------------------------------------------
def _insert_missing(session: Session, keys: Sequence[Key], now: datetime) -> None:
    rows = [{"scope": s, "key": k, "window_start": now, "count": 0} for s, k in keys]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(IntakeCount).values(rows).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(IntakeCount).values(rows).on_conflict_do_nothing())


def take(
    session: Session, keys: Sequence[Key], now: datetime, window_start_after: datetime
) -> dict[Key, IntakeCount]:
    """The counts for ``keys``, locked until commit; a window that began at or before
    ``window_start_after`` has ended and starts again now, at zero."""
    ordered = sorted(set(keys))  # one order everywhere: no deadlock between replicas
    _insert_missing(session, ordered, now)
    wanted = or_(*(and_(IntakeCount.scope == s, IntakeCount.key == k) for s, k in ordered))
    rows = session.scalars(select(IntakeCount).where(wanted).with_for_update()).all()
    for row in rows:
        if row.window_start <= window_start_after:
            row.window_start, row.count = now, 0
    return {(row.scope, row.key): row for row in rows}


def prune_counts(session: Session, before: datetime) -> None:
    session.execute(delete(IntakeCount).where(IntakeCount.window_start < before))


# -- submissions -----------------------------------------------------------------------------
def new_submission(
    *,
    story_id: int,
    campaign_id: int,
    token_digest: str,
    form_nonce: str,
    consent_version: str,
    consents: Collection[Consent],
    name: str,
    role: str,
    organisation: str,
    email: str,
    now: datetime,
) -> Submission:
    return Submission(
        story_id=story_id,
        campaign_id=campaign_id,
        token_digest=token_digest,
        form_nonce=form_nonce,
        consent_version=consent_version,
        consent_post=Consent.POST in consents,
        consent_name=Consent.NAME in consents,
        consent_role=Consent.ROLE in consents,
        consented_at=now,
        name=name,
        role=role,
        organisation=organisation,
        email=email,
        created_at=now,
    )


def nonce_used(session: Session, nonce: str) -> bool:
    return session.scalar(select(Submission.id).where(Submission.form_nonce == nonce)) is not None


def by_digest(session: Session, digest: str) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.token_digest == digest))


def of_story(session: Session, story_id: int) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.story_id == story_id))


def of_stories(session: Session, story_ids: Collection[int]) -> dict[int, Submission]:
    if not story_ids:
        return {}
    found = session.scalars(select(Submission).where(Submission.story_id.in_(story_ids)))
    return {s.story_id: s for s in found}


def submitted(session: Session, campaign_id: int, limit: int = 50) -> Sequence[Story]:
    """Stories from the form that the team has not looked at yet, oldest first."""
    query = (
        select(Story)
        .where(Story.campaign_id == campaign_id, Story.status == StoryStatus.SUBMITTED)
        .order_by(Story.created_at, Story.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def count_submitted(session: Session, campaign_id: int) -> int:
    query = select(func.count(Story.id)).where(
        Story.campaign_id == campaign_id, Story.status == StoryStatus.SUBMITTED
    )
    return int(session.scalar(query) or 0)


def due_for_erasure(session: Session, withdrawn_before: datetime) -> Sequence[Story]:
    """Withdrawn stories (of every campaign) not yet erased, withdrawn by then (a withdrawn
    story changes no more, so its last change is its withdrawal)."""
    query = (
        select(Story)
        .where(
            Story.status == StoryStatus.WITHDRAWN,
            Story.erased_at.is_(None),
            Story.updated_at <= withdrawn_before,
        )
        .order_by(Story.id)
    )
    return session.scalars(query).all()


#: Asked at every tick of the daemon (nearly always empty): built once.
_IDS_DUE_FOR_ERASURE = (
    select(Story.id)
    .where(
        Story.status == StoryStatus.WITHDRAWN,
        Story.erased_at.is_(None),
        Story.updated_at <= bindparam("before"),
    )
    .order_by(Story.id)
)


def ids_due_for_erasure(session: Session, withdrawn_before: datetime) -> list[int]:
    """The ids of :func:`due_for_erasure`, without loading the stories."""
    return list(session.scalars(_IDS_DUE_FOR_ERASURE, {"before": withdrawn_before}))


def image_in_use(session: Session, image: str, but_not: int) -> bool:
    query = select(Story.id).where(Story.image == image, Story.id != but_not).limit(1)
    return session.scalar(query) is not None


def scrub_events(session: Session, story_id: int, personal: Collection[str]) -> int:
    """Take the ``personal`` fields out of the story's audit events (their before and
    after); the events stay, with who did what and when. Returns how many changed."""
    changed = 0
    for event in session.scalars(select(Event).where(Event.story_id == story_id)):
        for side in ("before", "after"):
            text = getattr(event, side)
            if not text:
                continue
            try:
                values: Any = json.loads(text)
            except ValueError:
                continue
            if isinstance(values, dict) and personal & values.keys():
                kept = {k: v for k, v in values.items() if k not in personal}
                kept["erased"] = sorted(personal & values.keys())
                setattr(event, side, json.dumps(kept, ensure_ascii=False, sort_keys=True))
                changed += 1
    return changed


# -- the public page -------------------------------------------------------------------------
@dataclass(frozen=True)
class PostedStory:
    story: Story
    day: date | None  # the campaign day it posted on (None: sent outside a day's slot)
    posts: tuple[Delivery, ...]  # the live posts, one per platform


def posted(session: Session, campaign_id: int, limit: int = 2_000) -> list[PostedStory]:
    """Every posted story of the campaign with its live posts, newest first."""
    query = (
        select(Story, Slot.local_date)
        .outerjoin(Slot, Slot.story_id == Story.id)
        .where(Story.campaign_id == campaign_id, Story.status.in_(POSTED))
        .order_by(Slot.local_date.desc().nulls_last(), Story.id.desc())
        .limit(limit)
    )
    found = session.execute(query).all()
    ids = [story.id for story, _ in found]
    posts: dict[int, list[Delivery]] = {}
    if ids:
        sent = session.scalars(
            select(Delivery)
            .where(Delivery.story_id.in_(ids), Delivery.status == DeliveryStatus.SENT)
            .order_by(Delivery.platform)
        )
        for delivery in sent:
            posts.setdefault(delivery.story_id, []).append(delivery)
    return [PostedStory(story, day, tuple(posts.get(story.id, ()))) for story, day in found]


def posted_image(session: Session, campaign_id: int, image: str) -> bool:
    """Whether a posted story of the campaign shows the picture ``image``."""
    query = select(Story.id).where(
        Story.campaign_id == campaign_id, Story.status.in_(POSTED), Story.image == image
    )
    return session.scalar(query.limit(1)) is not None


def public_marker(session: Session, campaign_id: int) -> tuple[int, datetime | None]:
    """What changes whenever the public page would: how many stories are posted and the
    latest change to any of them or their posts."""
    mine = and_(Story.campaign_id == campaign_id, Story.status.in_(POSTED))
    count, story_at = session.execute(
        select(func.count(Story.id), func.max(Story.updated_at)).where(mine)
    ).one()
    post_at = session.scalar(
        select(func.max(Delivery.updated_at)).join(Story, Story.id == Delivery.story_id).where(mine)
    )
    latest = max((t for t in (story_at, post_at) if t is not None), default=None)
    return int(count or 0), latest
