"""Changing the campaign: its row from the settings, its lock, and its blackout dates.

Reading it (the row, the calendar and the schedule it makes) is the read side's
(:mod:`infobot.store.queries.campaigns`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from infobot.store import events
from infobot.store.db import Database
from infobot.store.models import Blackout, Campaign
from infobot.store.queries.campaigns import CampaignConfig as CampaignConfig
from infobot.store.queries.campaigns import matches


def get(session: Session, campaign_id: int) -> Campaign:
    return session.get_one(Campaign, campaign_id)


def lock(session: Session, campaign_id: int) -> None:
    """Serialise writers that allocate queue positions for this campaign.

    SQLite's BEGIN IMMEDIATE already does; on PostgreSQL this takes the campaign row lock.
    """
    session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())


# -- blackouts -----------------------------------------------------------------------------
def blackout_on(session: Session, campaign_id: int, day: date) -> Blackout | None:
    return session.scalar(
        select(Blackout).where(Blackout.campaign_id == campaign_id, Blackout.day == day)
    )


def add_blackout(
    session: Session, campaign_id: int, day: date, reason: str, actor: str, now: datetime
) -> None:
    session.add(
        Blackout(campaign_id=campaign_id, day=day, reason=reason, created_by=actor, created_at=now)
    )


# -- the campaign row from the settings ---------------------------------------------------
def sync(db: Database, config: CampaignConfig, now: datetime) -> int:
    """Make the campaign row match the settings; return its id.

    Pauses and blackouts live only in the database; the rest comes from settings.
    """
    wanted = config.columns()
    by_name = select(Campaign).where(Campaign.name == config.name)
    with db.read() as session:
        campaign = session.scalar(by_name)
        if campaign is not None and matches(campaign, config):
            return campaign.id
    with db.write() as session:
        campaign = session.scalar(by_name)
        if campaign is None:
            campaign = Campaign(
                name=config.name, created_at=now, paused=False, pause_reason="", **wanted
            )
            session.add(campaign)
            session.flush()
            before = None
        else:
            before = {k: getattr(campaign, k) for k in wanted}
            for key, value in wanted.items():
                setattr(campaign, key, value)
        events.record(
            session,
            at=now.astimezone(UTC),
            actor="settings",
            action="campaign.configured",
            campaign_id=campaign.id,
            before=before,
            after=wanted,
            message=f"campaign {config.name!r} configured from settings",
        )
        return campaign.id
