"""Slots: one row per campaign day. The unique (campaign, local date) pair is invariant 1."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from infobot.domain.schedule import TROUBLED, WENT_OUT, SlotStatus
from infobot.store.models import Slot


def on(session: Session, campaign_id: int, day: date) -> Slot | None:
    return session.scalar(
        select(Slot).where(Slot.campaign_id == campaign_id, Slot.local_date == day)
    )


# The daemon asks these every tick: built once, with their values bound at each call
# (building a statement costs SQLAlchemy about as much as running it on SQLite).
_STATUS_ON = select(Slot.status).where(
    Slot.campaign_id == bindparam("campaign_id"), Slot.local_date == bindparam("day")
)


def status_on(session: Session, campaign_id: int, day: date) -> str | None:
    """The day's slot status; None when the day has no slot yet."""
    return session.scalar(_STATUS_ON, {"campaign_id": campaign_id, "day": day})


def between(session: Session, campaign_id: int, first: date, last: date) -> dict[date, Slot]:
    """The slots from ``first`` to ``last`` (inclusive), by date."""
    return {
        slot.local_date: slot
        for slot in session.scalars(
            select(Slot).where(
                Slot.campaign_id == campaign_id,
                Slot.local_date >= first,
                Slot.local_date <= last,
            )
        )
    }


def claimed_days(session: Session, campaign_id: int, first: date, last: date) -> set[date]:
    """The days from ``first`` to ``last`` whose story is still being sent."""
    found = select(Slot.local_date).where(
        Slot.campaign_id == campaign_id,
        Slot.local_date >= first,
        Slot.local_date <= last,
        Slot.status == SlotStatus.CLAIMED,
    )
    return set(session.scalars(found))


def of_story(session: Session, story_id: int) -> Slot | None:
    return session.scalar(select(Slot).where(Slot.story_id == story_id))


def last_went_out(session: Session, campaign_id: int) -> Slot | None:
    """The latest day a post went out."""
    return session.scalar(
        select(Slot)
        .where(Slot.campaign_id == campaign_id, Slot.status.in_(WENT_OUT))
        .order_by(Slot.local_date.desc())
        .limit(1)
    )


def troubled_since(session: Session, campaign_id: int, since: date) -> Sequence[Slot]:
    """Days missed, failed or partly posted from ``since``, oldest first."""
    return session.scalars(
        select(Slot)
        .where(
            Slot.campaign_id == campaign_id,
            Slot.local_date >= since,
            Slot.status.in_(TROUBLED),
        )
        .order_by(Slot.local_date)
    ).all()


def first_recorded(session: Session, campaign_id: int) -> date | None:
    """The first day infobot ever recorded for the campaign."""
    return session.scalar(select(func.min(Slot.local_date)).where(Slot.campaign_id == campaign_id))


def add(
    session: Session,
    campaign_id: int,
    day: date,
    *,
    status: SlotStatus,
    story_id: int | None,
    worker: str,
    now: datetime,
    reason: str = "",
    due_at: datetime | None = None,
) -> Slot:
    """Insert the day's slot (the unique constraint refuses a second one)."""
    slot = Slot(
        campaign_id=campaign_id,
        local_date=day,
        story_id=story_id,
        status=status,
        reason=reason,
        due_at=due_at,
        claimed_at=now,
        claimed_by=worker,
        finished_at=None if status is SlotStatus.CLAIMED else now,
    )
    session.add(slot)
    session.flush()
    return slot
