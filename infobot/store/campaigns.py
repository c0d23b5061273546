"""Campaign rows, their blackout dates, and the calendar and schedule they make.

The settings make the first campaign (:func:`sync`); the team makes the others and edits
every one (:func:`insert`, :func:`update`, through ``infobot.service.campaigns``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infobot.domain.calendar import CampaignCalendar
from infobot.domain.campaign import (
    ATTRIBUTES,
    FROM_SETTINGS,
    CampaignSpec,
    changes,
    described,
    settings_values,
)
from infobot.store import elections, events
from infobot.store.db import Database
from infobot.store.models import Blackout, Campaign
from infobot.store.queries.campaigns import CampaignState as CampaignState
from infobot.store.queries.campaigns import calendar_of as calendar_of
from infobot.store.queries.campaigns import schedule_of as schedule_of
from infobot.store.queries.campaigns import spec_of as spec_of


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
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    share_form: bool = False
    stories_page: bool = False

    def columns(self) -> dict[str, object]:
        return columns(self.spec())

    def spec(self) -> CampaignSpec:
        return CampaignSpec(
            name=self.name,
            hashtag=self.hashtag,
            timezone=self.timezone,
            post_time=self.post_time,
            weekdays=self.weekdays,
            start=self.start,
            end=self.end,
            platforms=self.platforms,
            languages=self.languages,
            share_form=self.share_form,
            stories_page=self.stories_page,
        )


def get(session: Session, campaign_id: int) -> Campaign:
    return session.get_one(Campaign, campaign_id)


def every(session: Session) -> list[Campaign]:
    """Every campaign, oldest first."""
    return list(session.scalars(select(Campaign).order_by(Campaign.id)))


def by_name(session: Session, name: str) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.name == name))


def names(session: Session) -> list[str]:
    return list(session.scalars(select(Campaign.name).order_by(Campaign.id)))


def first_id(session: Session) -> int | None:
    """The oldest campaign's id (its alert keys carry no campaign prefix)."""
    return session.scalar(select(Campaign.id).order_by(Campaign.id).limit(1))


def seed(session: Session) -> Campaign | None:
    """The campaign the settings made."""
    return session.scalar(select(Campaign).where(Campaign.from_settings.is_(True)).limit(1))


def columns(spec: CampaignSpec) -> dict[str, Any]:
    """The row's columns for ``spec`` (name apart)."""
    return {
        "hashtag": spec.hashtag,
        "timezone": spec.timezone,
        "post_time": spec.post_time.strftime("%H:%M"),
        "weekdays": "".join(str(d) for d in sorted(spec.weekdays)),
        "start_date": spec.start,
        "end_date": spec.end,
        "platforms": ",".join(spec.platforms),
        "languages": ",".join(spec.languages),
        "share_form": spec.share_form,
        "stories_page": spec.stories_page,
        "active": spec.active,
    }


def insert(session: Session, spec: CampaignSpec, now: datetime) -> Campaign:
    campaign = Campaign(
        name=spec.name,
        created_at=now,
        updated_at=now,
        paused=False,
        pause_reason="",
        from_settings=False,
        **columns(spec),
    )
    session.add(campaign)
    session.flush()
    return campaign


def update(campaign: Campaign, spec: CampaignSpec, now: datetime) -> None:
    campaign.name = spec.name
    for key, value in columns(spec).items():
        setattr(campaign, key, value)
    campaign.updated_at = now


def locked(session: Session, campaign_id: int) -> Campaign:
    """The campaign row, locked until the transaction ends (FOR UPDATE on PostgreSQL)."""
    return session.get_one(Campaign, campaign_id, with_for_update=True)


def lock(session: Session, campaign_id: int) -> None:
    """Serialise writers that allocate queue positions for this campaign.

    SQLite's BEGIN IMMEDIATE already does; on PostgreSQL this takes the campaign row lock.
    """
    session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())


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
_BLACKOUT_DAYS = select(Blackout.day).where(Blackout.campaign_id == bindparam("campaign_id"))


def blackout_days(session: Session, campaign_id: int) -> Sequence[date]:
    """(Read at every tick of the daemon: the statement is built once.)"""
    return session.scalars(_BLACKOUT_DAYS, {"campaign_id": campaign_id}).all()


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


# -- the first campaign, from the settings -------------------------------------------------
SETTINGS_ACTOR = "settings"
log = logging.getLogger("infobot.campaigns")


def _applied(campaign: Campaign) -> dict[str, Any] | None:
    return json.loads(campaign.settings_applied) if campaign.settings_applied else None


def sync(db: Database, config: CampaignConfig, now: datetime) -> int:
    """Make sure the campaign the settings describe exists, and return its id.

    The settings create it. After that a setting is applied only when it changed since it
    was last applied (the values last applied are kept on the row), so what the team
    changed on the web or with ``infobot campaign edit`` stays. A setting that did change
    is applied, also over the team's value, and the audit trail says whose value it replaced.
    """
    wanted = settings_values(config.spec())
    with db.read() as session:
        row = seed(session)
        if row is not None and _applied(row) == wanted:
            return row.id
    try:
        return _sync(db, config, wanted, now)
    except IntegrityError:  # another process made or renamed it at the same moment
        return _sync(db, config, wanted, now)


def _sync(db: Database, config: CampaignConfig, wanted: dict[str, Any], now: datetime) -> int:
    at = now.astimezone(UTC)
    with db.write() as session:
        row = seed(session)
        applied: dict[str, Any] = {}
        if row is None:
            row = by_name(session, config.name)
            if row is None:
                return _create(session, config, wanted, at)
            row.from_settings = True  # a campaign made before 0006: the settings' own
            _retire_others(session, row, at)
        else:
            row = locked(session, row.id)
            applied = _applied(row) or {}
        current = spec_of(row)
        given = config.spec()
        updates = {
            ATTRIBUTES[f]: getattr(given, ATTRIBUTES[f])
            for f in FROM_SETTINGS
            if applied.get(f.value, _UNSET) != wanted[f.value]
        }
        if "name" in updates and updates["name"] != row.name:
            other = by_name(session, updates["name"])
            if other is not None:
                log.warning(
                    "INFOBOT_CAMPAIGN_NAME is %r, the name of another campaign: the "
                    "campaign the settings made keeps its name %r",
                    updates["name"],
                    row.name,
                )
                del updates["name"]
        new = replace(current, **updates)
        found = changes(current, new)
        row.settings_applied = json.dumps(wanted, sort_keys=True)
        if not found:
            return row.id
        update(row, new, at)
        replaced = [
            c.field.label.lower()
            for c in found
            if c.field.value in applied and applied[c.field.value] != current.value(c.field)
        ]
        message = f"campaign {row.name!r} configured from settings: " + described(found)
        if replaced:
            message += f" (the settings changed, replacing the team's {', '.join(replaced)})"
        events.record(
            session,
            at=at,
            actor=SETTINGS_ACTOR,
            action="campaign.configured",
            campaign_id=row.id,
            before={c.field.value: current.value(c.field) for c in found},
            after={c.field.value: new.value(c.field) for c in found},
            message=message,
        )
        return row.id


_UNSET = object()


def _create(session: Session, config: CampaignConfig, wanted: dict[str, Any], at: datetime) -> int:
    row = insert(session, config.spec(), at)
    row.from_settings = True
    row.settings_applied = json.dumps(wanted, sort_keys=True)
    _retire_others(session, row, at)
    events.record(
        session,
        at=at,
        actor=SETTINGS_ACTOR,
        action="campaign.configured",
        campaign_id=row.id,
        before=None,
        after=wanted,
        message=f"campaign {config.name!r} configured from settings",
    )
    return row.id


def _retire_others(session: Session, kept: Campaign, at: datetime) -> None:
    """Campaigns made by earlier settings under another name stay, but nothing runs them
    (before campaigns lived in the database, only the configured one ever posted)."""
    for other in every(session):
        if other.id == kept.id or not other.active:
            continue
        other.active = False
        other.updated_at = at
        events.record(
            session,
            at=at,
            actor=SETTINGS_ACTOR,
            action="campaign.edited",
            campaign_id=other.id,
            before={"active": True},
            after={"active": False},
            message=f"campaign {other.name!r} is no longer in the settings: it stays, "
            "but nothing posts for it until an admin sets it running",
        )
