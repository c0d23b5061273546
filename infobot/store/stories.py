"""Stories: lookups, the ordered queue, pins, counts and the row a story input becomes.

The queue is the approved stories not pinned to a date, in ``QUEUE_ORDER`` (explicit
position, then id). Pinned approved stories take their own dates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from infobot.domain.delivery import OPEN
from infobot.domain.errors import Hint, NotFound
from infobot.domain.story import StoryInput, StoryStatus
from infobot.store.models import Delivery, Story
from infobot.store.queries.stories import to_input as to_input  # the read side owns it

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

#: Spacing of sort keys, so that a move rarely renumbers.
GAP = 1024
QUEUE_ORDER = (Story.sort_key, Story.id)


def queue_filter(campaign_id: int) -> ColumnElement[bool]:
    """Approved stories waiting in the ordered queue (not pinned to a date)."""
    return and_(
        Story.campaign_id == campaign_id,
        Story.status == StoryStatus.APPROVED,
        Story.pin_date.is_(None),
    )


# -- one story -----------------------------------------------------------------------------
def get(session: Session, story_id: int, campaign_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None or story.campaign_id != campaign_id:
        raise NotFound(f"there is no story #{story_id}", hint=Hint.LIST_STORIES)
    return story


def by_id(session: Session, story_id: int) -> Story:
    """The story with this id, whichever campaign it belongs to (it must exist)."""
    return session.get_one(Story, story_id)


def columns(story: StoryInput) -> dict[str, Any]:
    """The story input as column values of a row."""
    return asdict(story)


def new_row(
    campaign_id: int,
    story: StoryInput,
    *,
    sort_key: int,
    actor: str,
    source: str,
    now: datetime,
) -> Story:
    return Story(
        campaign_id=campaign_id,
        fingerprint=story.fingerprint(),
        status=StoryStatus.DRAFT,
        sort_key=sort_key,
        source=source,
        status_reason="",
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
        **columns(story),
    )


def duplicate_of(session: Session, campaign_id: int, fingerprint: str) -> Story | None:
    return session.scalar(
        select(Story).where(Story.campaign_id == campaign_id, Story.fingerprint == fingerprint)
    )


# -- the queue -----------------------------------------------------------------------------
def next_sort_key(session: Session, campaign_id: int) -> int:
    """The key that puts a new story at the end (call with the campaign locked)."""
    top = session.scalar(select(func.max(Story.sort_key)).where(Story.campaign_id == campaign_id))
    return (int(top) if top is not None else 0) + GAP


def queue(
    session: Session, campaign_id: int, offset: int = 0, limit: int | None = None
) -> Sequence[Story]:
    return session.scalars(
        select(Story)
        .where(queue_filter(campaign_id))
        .order_by(*QUEUE_ORDER)
        .offset(offset)
        .limit(limit)
    ).all()


def next_in_queue(session: Session, campaign_id: int) -> Story | None:
    found = queue(session, campaign_id, limit=1)
    return found[0] if found else None


def queue_ids(session: Session, campaign_id: int) -> Iterator[int]:
    """The queue's story ids in posting order."""
    yield from session.scalars(
        select(Story.id).where(queue_filter(campaign_id)).order_by(*QUEUE_ORDER)
    )


def queue_neighbours(session: Session, story: Story, position: int) -> tuple[int, list[int]]:
    """The queue's size without ``story``, and the sort keys of the (up to two) stories
    that would sit around it at ``position``."""
    others = select(Story.sort_key).where(queue_filter(story.campaign_id), Story.id != story.id)
    size = int(session.scalar(select(func.count()).select_from(others.subquery())) or 0)
    keys = list(
        session.scalars(others.order_by(*QUEUE_ORDER).offset(max(position - 2, 0)).limit(2))
    )
    return size, keys


def renumber(session: Session, campaign_id: int) -> None:
    """Spread the campaign's sort keys out again, ``GAP`` apart, keeping their order."""
    ids = session.scalars(
        select(Story.id).where(Story.campaign_id == campaign_id).order_by(Story.sort_key, Story.id)
    ).all()
    session.execute(
        update(Story),
        [{"id": sid, "sort_key": (index + 1) * GAP} for index, sid in enumerate(ids)],
    )


# -- pins ----------------------------------------------------------------------------------
def pinned_on(session: Session, campaign_id: int, day: date) -> Story | None:
    """The story pinned to ``day`` (whatever its status)."""
    return session.scalar(
        select(Story).where(Story.campaign_id == campaign_id, Story.pin_date == day)
    )


def approved_pinned_on(session: Session, campaign_id: int, day: date) -> Story | None:
    return session.scalar(
        select(Story).where(
            Story.campaign_id == campaign_id,
            Story.status == StoryStatus.APPROVED,
            Story.pin_date == day,
        )
    )


# -- counts and listings -------------------------------------------------------------------


def all_of(session: Session, campaign_id: int) -> Iterator[Story]:
    """Every story of the campaign by id, read in batches (for exports)."""
    stmt = (
        select(Story)
        .where(Story.campaign_id == campaign_id)
        .order_by(Story.id)
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(stmt)


def unsettled(session: Session, campaign_id: int) -> list[int]:
    """Scheduled stories none of whose deliveries is still open: a crash came between the
    last result and the story's own status."""
    return list(
        session.scalars(
            select(Story.id).where(
                Story.campaign_id == campaign_id,
                Story.status == StoryStatus.SCHEDULED,
                ~select(Delivery.id)
                .where(Delivery.story_id == Story.id, Delivery.status.in_(OPEN))
                .exists(),
            )
        )
    )
