"""The composition root: settings in, a wired application out.

Nothing below this module reads the environment or the wall clock; everything it needs
comes through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import select

from infobot.clock import Clock, ShiftedClock, SystemClock
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.render import PlatformRules, RenderOptions
from infobot.store.db import Database
from infobot.store.migrate import ensure_current
from infobot.store.models import Blackout, Campaign, Event

if TYPE_CHECKING:
    from infobot.platforms.base import Platform
    from infobot.service.editorial import Editorial
    from infobot.service.importing import Importer
    from infobot.service.views import Views
    from infobot.settings import Settings


@dataclass
class App:
    settings: Settings
    clock: Clock
    db: Database
    campaign_id: int
    _platforms: dict[str, Platform] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None, *, migrate: bool = True) -> App:
        db = Database(settings.database_url)
        if migrate:
            ensure_current(db)
        if clock is None:
            clock = ShiftedClock(settings.clock_start) if settings.clock_start else SystemClock()
        campaign_id = sync_campaign(db, settings, clock.now())
        return cls(settings, clock, db, campaign_id)

    def close(self) -> None:
        for platform in self._platforms.values():
            close = getattr(platform, "close", None)  # adapters holding HTTP sessions
            if callable(close):
                close()
        self._platforms.clear()
        self.db.dispose()

    # -- platforms -------------------------------------------------------------------
    def platform(self, name: str) -> Platform:
        if name not in self._platforms:
            from infobot.platforms import registry

            self._platforms[name] = registry.create(name, self.settings)
        return self._platforms[name]

    def platforms(self) -> dict[str, Platform]:
        return {name: self.platform(name) for name in self.settings.platforms}

    def rules(self) -> dict[str, PlatformRules]:
        return {name: platform.rules() for name, platform in self.platforms().items()}

    @property
    def render_options(self) -> RenderOptions:
        return RenderOptions(
            hashtag=self.settings.hashtag,
            attribution=self.settings.attribution,
            overflow=self.settings.overflow,
        )

    # -- campaign --------------------------------------------------------------------
    def calendar(self) -> CampaignCalendar:
        with self.db.read() as session:
            campaign = session.get_one(Campaign, self.campaign_id)
            blackouts = session.scalars(
                select(Blackout.day).where(Blackout.campaign_id == self.campaign_id)
            ).all()
            return calendar_of(campaign, blackouts)

    # -- services --------------------------------------------------------------------
    def editorial(self) -> Editorial:
        from infobot.service.editorial import Editorial

        return Editorial(self)

    def views(self) -> Views:
        from infobot.service.views import Views

        return Views(self)

    def importer(self) -> Importer:
        from infobot.service.importing import Importer

        return Importer(
            self.db,
            self.clock,
            self.campaign_id,
            timezone=self.settings.tz,
            require_consent=self.settings.require_consent,
            calendar=self.calendar,
        )


def calendar_of(campaign: Campaign, blackouts: Iterable[date]) -> CampaignCalendar:
    days = frozenset(blackouts)
    return CampaignCalendar(
        weekdays=frozenset(int(ch) for ch in campaign.weekdays),
        start=campaign.start_date,
        end=campaign.end_date,
        paused=campaign.paused,
        paused_until=campaign.paused_until,
        blackouts=days,
    )


def post_time_of(campaign: Campaign) -> time:
    return time.fromisoformat(campaign.post_time)


def sync_campaign(db: Database, settings: Settings, now: datetime) -> int:
    """Make the campaign row match the settings; return its id.

    Pauses and blackouts live only in the database; the rest comes from settings.
    """
    wanted = {
        "hashtag": settings.hashtag,
        "timezone": settings.timezone,
        "post_time": settings.post_time.strftime("%H:%M"),
        "weekdays": "".join(str(d) for d in sorted(settings.weekdays)),
        "start_date": settings.campaign_start,
        "end_date": settings.campaign_end,
    }
    with db.read() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.name == settings.campaign_name))
        if campaign is not None and all(getattr(campaign, k) == v for k, v in wanted.items()):
            return campaign.id
    with db.write() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.name == settings.campaign_name))
        if campaign is None:
            campaign = Campaign(
                name=settings.campaign_name,
                created_at=now,
                paused=False,
                pause_reason="",
                **wanted,
            )
            session.add(campaign)
            session.flush()
            before = None
        else:
            before = {k: getattr(campaign, k) for k in wanted}
            for key, value in wanted.items():
                setattr(campaign, key, value)
        from infobot.service.audit import to_json

        session.add(
            Event(
                at=now.astimezone(UTC),
                actor="settings",
                action="campaign.configured",
                campaign_id=campaign.id,
                before=to_json(before) if before is not None else None,
                after=to_json(wanted),
                message=f"campaign {settings.campaign_name!r} configured from settings",
            )
        )
        return campaign.id
