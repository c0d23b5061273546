"""What the composition root reads from the settings: the first campaign, a campaign's
settings, the bilingual plan, the platform pool and the X ledger (no App here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from infobot.clock import Clock
from infobot.domain.campaign import CampaignSpec, campaign_languages, settings_overlay
from infobot.domain.render.types import Bilingual
from infobot.service.pool import PlatformPool
from infobot.store.campaigns import CampaignConfig
from infobot.store.db import Database

if TYPE_CHECKING:
    from infobot.platforms.base import CostRecorder, Platform
    from infobot.service.impact.spending import XSpending
    from infobot.settings import Settings


def campaign_config(settings: Settings) -> CampaignConfig:
    """The first campaign, as the settings describe it."""
    return CampaignConfig(
        name=settings.campaign_name,
        hashtag=settings.hashtag,
        timezone=settings.timezone,
        post_time=settings.post_time,
        weekdays=settings.weekdays,
        start=settings.campaign_start,
        end=settings.campaign_end,
        platforms=tuple(settings.platforms),
        languages=default_languages(settings),
        share_form=settings.share_form,
        stories_page=settings.public_page,
    )


def default_languages(settings: Settings) -> tuple[str, ...]:
    """INFOBOT_LANGUAGES (bilingual campaigns), else English."""
    return campaign_languages(settings.languages)


def campaign_settings(settings: Settings, spec: CampaignSpec) -> Settings:
    """``settings`` as they apply to one campaign: its own values laid over them."""
    return settings.model_copy(update=settings_overlay(spec, settings.platforms))


def bilingual_plan(
    settings: Settings,
) -> tuple[tuple[tuple[str, Bilingual], ...], tuple[tuple[str, str], ...]]:
    """Each enabled platform's bilingual mode, and the language of each account (a platform
    instance such as ``mastodon_cy``, see ``infobot.platforms.instances``)."""
    from infobot.platforms import instances, registry

    return instances.bilingual_plan(settings, registry.available())


def platform_pool(
    settings: Settings,
    ready: Mapping[str, Platform] | None = None,
    recorder: CostRecorder | None = None,
) -> PlatformPool:
    """The enabled platforms, built from the settings through the registry on first use;
    ``ready`` adapters (a test's fakes) are used as they are. Adapters that charge per
    request (X) are given ``recorder``, the X ledger."""

    def build(name: str) -> Platform:
        from infobot.platforms import registry

        return charged(registry.create(name, settings))

    def charged(platform: Platform) -> Platform:
        record = getattr(platform, "record_requests", None)
        if recorder is not None and callable(record):
            record(recorder)
        return platform

    pool = PlatformPool(settings.platforms, build)
    for name, platform in (ready or {}).items():
        pool.add(name, charged(platform))
    return pool


def x_spending(settings: Settings, db: Database, clock: Clock) -> XSpending:
    from infobot.service.impact.spending import XSpending

    return XSpending(db, clock, settings.x.pricing(), settings.x.monthly_budget)
