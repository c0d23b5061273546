"""The read side without the whole stack, for the everyday commands (``status``, ``preview``,
``stories list``, ``stories show``, ``health``): the light settings reader, the database
driver itself and the same reads (``infobot.service.read``) as the web page. No
SQLAlchemy, no pydantic-settings, no Alembic: a command that only reads starts in a
fraction of the time.

:func:`open_lean` answers None whenever the full application must take over, which then
does what it always did: settings the light reader does not take on, a database URL it
does not read, a database that does not exist yet or needs a migration, a campaign row
that differs from the settings (the full application updates it, a write). The wiring
helpers below are shared with :class:`infobot.app.App`, so both build the reads alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from infobot.clock import Clock, ShiftedClock, SystemClock
from infobot.store.queries.campaigns import CampaignConfig

if TYPE_CHECKING:
    from datetime import timedelta

    from infobot.domain.render import RenderOptions
    from infobot.platforms.base import Platform
    from infobot.service.checks import StoryChecker
    from infobot.service.pool import PlatformPool
    from infobot.service.read import ReadParts, Reads
    from infobot.settings import Settings
    from infobot.settings_light import LightSettings
    from infobot.store.db import Database
    from infobot.store.reader import LeanSource, ReadSource


# -- wiring shared with the full application -----------------------------------------------
def campaign_config(settings: Settings) -> CampaignConfig:
    return CampaignConfig(
        name=settings.campaign_name,
        hashtag=settings.hashtag,
        timezone=settings.timezone,
        post_time=settings.post_time,
        weekdays=settings.weekdays,
        start=settings.campaign_start,
        end=settings.campaign_end,
    )


def clock_of(settings: Settings) -> Clock:
    return ShiftedClock(settings.clock_start) if settings.clock_start else SystemClock()


def platform_pool(settings: Settings, ready: Mapping[str, Platform] | None = None) -> PlatformPool:
    """The enabled platforms, built from the settings through the registry on first use;
    ``ready`` adapters (a test's fakes) are used as they are."""
    from infobot.service.pool import PlatformPool

    def build(name: str) -> Platform:
        from infobot.platforms import registry

        return registry.create(name, settings)

    pool = PlatformPool(settings.platforms, build)
    for name, platform in (ready or {}).items():
        pool.add(name, platform)
    return pool


def render_options(settings: Settings) -> RenderOptions:
    from infobot.domain.render import RenderOptions

    return RenderOptions(
        hashtag=settings.hashtag, attribution=settings.attribution, overflow=settings.overflow
    )


def late_window(settings: Settings) -> timedelta:
    from datetime import timedelta

    return timedelta(hours=settings.late_window_hours)


def read_parts(
    settings: Settings,
    source: ReadSource,
    clock: Clock,
    campaign_id: int,
    checker: StoryChecker,
    platforms: tuple[str, ...],
    exports: Database | None = None,
) -> ReadParts:
    from infobot.service.read import ReadParts

    return ReadParts(
        source,
        clock,
        campaign_id,
        late_window(settings),
        checker,
        platforms,
        settings.require_consent,
        exports=exports,
    )


# -- the lean application ------------------------------------------------------------------
@dataclass
class Lean:
    settings: LightSettings
    source: LeanSource
    reads: Reads
    platforms: PlatformPool

    def close(self) -> None:
        self.platforms.close()
        self.source.close()


def open_lean() -> Lean | None:
    """The reads over the driver and the light settings, or None (see the module)."""
    from infobot import settings_light

    light = settings_light.read(fallback=_full_settings)
    if light is None:
        return None
    settings = cast("Settings", light)  # the same attributes, equal values (see its tests)
    from infobot.store.reader import Unsupported, connect

    try:
        source = connect(settings.database_url)
    except Unsupported:
        return None
    try:
        campaign_id = _campaign_id(source, campaign_config(settings))
        if campaign_id is None:
            source.close()
            return None
        from infobot.service.checks import StoryChecker
        from infobot.service.read import Reads

        clock = clock_of(settings)
        pool = platform_pool(settings)
        checker = StoryChecker(pool.rules, render_options(settings))
        parts = read_parts(settings, source.read, clock, campaign_id, checker, pool.enabled)
        return Lean(light, source, Reads.build(parts), pool)
    except BaseException:
        source.close()
        raise


def _full_settings() -> Settings:
    from infobot.settings import load_settings

    return load_settings()


def _campaign_id(source: LeanSource, config: CampaignConfig) -> int | None:
    """The campaign's id when the schema is current and the row matches the settings."""
    from infobot.store.migrate import HEAD
    from infobot.store.queries.campaigns import by_name, matches

    try:
        with source.read() as r:
            if r.scalar("SELECT version_num FROM alembic_version") != HEAD:
                return None
            campaign = by_name(r, config.name)
    except Exception:  # no schema yet, or a driver error: the full path says what is wrong
        return None
    return campaign.id if campaign is not None and matches(campaign, config) else None
