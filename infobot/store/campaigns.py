"""The campaign row, its blackout dates, and the calendar and schedule they make."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from infobot.domain.calendar import CampaignCalendar
from infobot.domain.election import ElectionPeriod
from infobot.domain.schedule import PostingSchedule
from infobot.store import elections, events
from infobot.store.db import Database
from infobot.store.models import Blackout, Campaign


@dataclass(frozen=True)
class CampaignConfig:
    """What the settings say a campaign is (pauses and blackouts live in the database)."""

    name: str
    hashtag: str
    timezone: str
    post_time: time
    weekdays: frozenset[int]
    start: date | None = None
    end: date | None = None

    def columns(self) -> dict[str, object]:
        return {
            "hashtag": self.hashtag,
            "timezone": self.timezone,
            "post_time": self.post_time.strftime("%H:%M"),
            "weekdays": "".join(str(d) for d in sorted(self.weekdays)),
            "start_date": self.start,
            "end_date": self.end,
        }


@dataclass(frozen=True)
class CampaignState:
    """A campaign as one read found it: the row, its calendar and its posting schedule."""

    campaign: Campaign
    calendar: CampaignCalendar
    schedule: PostingSchedule


def get(session: Session, campaign_id: int) -> Campaign:
    return session.get_one(Campaign, campaign_id)


def lock(session: Session, campaign_id: int) -> None:
    """Serialise writers that allocate queue positions for this campaign.

    SQLite's BEGIN IMMEDIATE already does; on PostgreSQL this takes the campaign row lock.
    """
    session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())


def calendar_of(
    campaign: Campaign, blackouts: Iterable[date], elections: Iterable[ElectionPeriod] = ()
) -> CampaignCalendar:
    return CampaignCalendar(
        weekdays=frozenset(int(ch) for ch in campaign.weekdays),
        start=campaign.start_date,
        end=campaign.end_date,
        paused=campaign.paused,
        paused_until=campaign.paused_until,
        blackouts=frozenset(blackouts),
        elections=tuple(elections),
    )


def schedule_of(campaign: Campaign, late_window: timedelta) -> PostingSchedule:
    return PostingSchedule(
        ZoneInfo(campaign.timezone), time.fromisoformat(campaign.post_time), late_window
    )


def calendar(session: Session, campaign_id: int) -> CampaignCalendar:
    return calendar_of(
        get(session, campaign_id),
        blackout_days(session, campaign_id),
        elections.periods(session, campaign_id),
    )


def load(session: Session, campaign_id: int, late_window: timedelta) -> CampaignState:
    campaign = get(session, campaign_id)
    return CampaignState(
        campaign,
        calendar_of(
            campaign, blackout_days(session, campaign_id), elections.periods(session, campaign_id)
        ),
        schedule_of(campaign, late_window),
    )


# -- blackouts -----------------------------------------------------------------------------
def blackout_days(session: Session, campaign_id: int) -> Sequence[date]:
    return session.scalars(select(Blackout.day).where(Blackout.campaign_id == campaign_id)).all()


def blackouts(session: Session, campaign_id: int) -> list[Blackout]:
    return list(
        session.scalars(
            select(Blackout).where(Blackout.campaign_id == campaign_id).order_by(Blackout.day)
        )
    )


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


def blackout_reasons(
    session: Session, campaign_id: int, first: date, last: date
) -> dict[date, str]:
    return {
        b.day: b.reason
        for b in session.scalars(
            select(Blackout).where(
                Blackout.campaign_id == campaign_id, Blackout.day >= first, Blackout.day <= last
            )
        )
    }


# -- the campaign row from the settings ---------------------------------------------------
def sync(db: Database, config: CampaignConfig, now: datetime) -> int:
    """Make the campaign row match the settings; return its id.

    Pauses and blackouts live only in the database; the rest comes from settings.
    """
    wanted = config.columns()
    by_name = select(Campaign).where(Campaign.name == config.name)
    with db.read() as session:
        campaign = session.scalar(by_name)
        if campaign is not None and all(getattr(campaign, k) == v for k, v in wanted.items()):
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
