"""The composition root: settings in, a wired application out.

``App.open`` builds the collaborators once (the database, the clock, the campaign, the
platform pool) and each builder below hands a service exactly what it uses, through its
constructor: never the whole settings, never the App. Only the interfaces (``cli/``,
``web/``) hold an App. Nothing below this module reads the environment or the wall clock.

An App serves one campaign. Its ``settings`` are the settings as they apply to that
campaign: the campaign row's name, hashtag, timezone, post time, days, dates, platforms
and languages laid over the settings read, so every builder below is per campaign as it
stands. ``app.using(name)`` is the App of another campaign (the same database, clock and
platform adapters); ``app.running()`` gives one for every campaign that runs.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from infobot.app.config import (
    bilingual_plan,
    campaign_config,
    campaign_settings,
    default_languages,
    platform_pool,
    x_spending,
)
from infobot.app.impact import ImpactParts
from infobot.app.intake import IntakeParts
from infobot.app.process import ProcessParts
from infobot.app.running import RunningParts
from infobot.clock import Clock, clock_from
from infobot.domain.campaign import defaults as campaign_defaults
from infobot.domain.errors import NotFound
from infobot.domain.render import RenderOptions
from infobot.domain.schedule import PostingSchedule
from infobot.service.checks import StoryChecker, render_options, story_checker
from infobot.service.pool import PlatformPool
from infobot.store import campaigns, elections
from infobot.store.db import Database
from infobot.store.migrate import ensure_current
from infobot.store.models import Campaign

if TYPE_CHECKING:
    from infobot.platforms.base import Platform
    from infobot.runtime.alerts import Alerter
    from infobot.service.campaigns import CampaignAdmin
    from infobot.service.editorial import Editorial
    from infobot.service.impact.spending import XSpending
    from infobot.service.importing import Importer
    from infobot.service.linkcards import LinkCards
    from infobot.service.manual import ManualPosting
    from infobot.service.media import MediaFolder
    from infobot.service.publisher import Publisher
    from infobot.service.read import Reads
    from infobot.service.read.plan import Planner
    from infobot.service.users import Accounts
    from infobot.settings import Settings
    from infobot.store.rows import CampaignRow


@dataclass
class App(ImpactParts, IntakeParts, RunningParts):
    settings: Settings  # as they apply to this campaign (see campaign_settings)
    clock: Clock
    db: Database
    campaign_id: int
    platforms: PlatformPool  # this campaign's platforms
    x_spending: XSpending  # the X ledger and budget (one X account for every campaign)
    configured: Settings | None = None  # the settings as read (None: ``settings``)
    pool: PlatformPool | None = None  # every enabled platform (None: ``platforms``)
    process: ProcessParts = field(default_factory=ProcessParts)  # shared by the campaigns

    @classmethod
    def open(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        platforms: Mapping[str, Platform] | None = None,
        migrate: bool = True,
        campaign: str | None = None,
    ) -> App:
        """Open the database (migrating it), make sure the campaign the settings describe
        exists (see ``store.campaigns.sync``) and build the platform pool (``platforms``:
        ready adapters to use, e.g. fakes). The App serves ``campaign`` (a name), else
        INFOBOT_CAMPAIGN, else the campaign the settings made."""
        db = Database(settings.database_url)
        try:
            if migrate:
                ensure_current(db)
            if clock is None:
                clock = clock_from(settings.clock_start)
            first = campaigns.sync(db, campaign_config(settings), clock.now())
            elections.sync_all(db, settings.election_periods, clock.now())
            spending = x_spending(settings, db, clock)
            pool = platform_pool(settings, platforms, spending)
            root = cls(settings, clock, db, first, pool, spending, settings, pool)
            return root.using(campaign or settings.campaign or first)
        except BaseException:
            db.dispose()
            raise

    def close(self) -> None:
        self.all_platforms.close()
        self.db.dispose()

    # -- campaigns -------------------------------------------------------------------------
    @property
    def base_settings(self) -> Settings:
        return self.configured or self.settings

    @property
    def all_platforms(self) -> PlatformPool:
        return self.pool or self.platforms

    def using(self, campaign: int | str) -> App:
        """The App of ``campaign`` (an id or a name) as its row stands now. Raises
        ``NotFound`` naming the campaigns there are."""
        with self.db.read() as session:
            if isinstance(campaign, int):
                row = session.get(Campaign, campaign)
            else:
                row = campaigns.by_name(session, campaign.strip())
            if row is None:
                raise NotFound(
                    f"there is no campaign called {campaign!r}; the campaigns are: "
                    + ", ".join(campaigns.names(session))
                )
            return self.with_row(row)

    def with_row(self, row: Campaign | CampaignRow) -> App:
        """The App of the campaign ``row`` (the model or the read side's row, read by the
        caller)."""
        base = self.base_settings
        settings = campaign_settings(base, campaigns.spec_of(row))
        pool = self.all_platforms.only(settings.platforms)
        return App(
            settings,
            self.clock,
            self.db,
            row.id,
            pool,
            self.x_spending,
            base,
            self.all_platforms,
            self.process,
        )

    def running(self) -> list[App]:
        """An App for every campaign that runs (its own queue, calendar and post time)."""
        with self.db.read() as session:
            return [self.with_row(row) for row in campaigns.every(session) if row.active]

    @cached_property
    def several_running(self) -> bool:
        """More than one campaign runs: alerts, logs and health name the campaign."""
        with self.db.read() as session:
            return sum(1 for row in campaigns.every(session) if row.active) > 1

    def campaign_admin(self) -> CampaignAdmin:
        from infobot.service.campaigns import CampaignAdmin

        base = self.base_settings
        return CampaignAdmin(
            self.db,
            self.clock,
            platforms=tuple(base.platforms),
            defaults=campaign_defaults(
                hashtag=base.hashtag,
                timezone=base.timezone,
                post_time=base.post_time,
                platforms=base.platforms,
                languages=default_languages(base),
            ),
            election_periods=tuple(base.election_periods),
        )

    # -- plain values from the settings -----------------------------------------------------
    @cached_property
    def render_options(self) -> RenderOptions:
        settings = self.settings
        plan = bilingual_plan(settings) if len(settings.languages) > 1 else ((), ())
        return render_options(settings, *plan)

    @property
    def languages(self) -> tuple[str, ...]:
        """The campaign's languages, in the order versions are shown (one or none: the
        campaign has one language, each story its own)."""
        return self.render_options.languages

    @cached_property
    def late_window(self) -> timedelta:
        return timedelta(hours=self.settings.late_window_hours)

    @cached_property
    def schedule(self) -> PostingSchedule:
        settings = self.settings
        return PostingSchedule(settings.tz, settings.post_time, self.late_window)

    @cached_property
    def media(self) -> MediaFolder:
        """The folder of the stories' pictures (``INFOBOT_MEDIA_DIR``)."""
        from infobot.service.media import media_folder

        return media_folder(self.settings)

    # -- services --------------------------------------------------------------------------
    @cached_property
    def checker(self) -> StoryChecker:
        return story_checker(self.settings, self.platforms.rules, self.render_options)

    @cached_property
    def planner(self) -> Planner:
        from infobot.service.read.plan import Planner

        return Planner(self.clock, self.campaign_id, self.late_window, self.languages)

    @cached_property
    def reads(self) -> Reads:
        from infobot.service.read import Reads
        from infobot.service.read.calendar import CalendarReads
        from infobot.service.read.plan import PlanReads
        from infobot.service.read.records import RecordReads
        from infobot.service.read.status import CampaignReads
        from infobot.service.read.stories import StoryReads

        db, planner = self.db, self.planner
        return Reads(
            stories=StoryReads(
                db,
                self.campaign_id,
                self.checker,
                require_consent=self.settings.require_consent,
                timezone=self.settings.tz,
                media=self.media,
            ),
            plan=PlanReads(db, planner, self.checker, self.x_pricing),
            calendar=CalendarReads(
                db,
                planner,
                self.checker,
                self.x_forecast.costs if self.x_forecast is not None else None,
            ),
            campaign=CampaignReads(db, planner, self.platforms.enabled),
            records=RecordReads(db, self.campaign_id, timezone=self.settings.tz),
        )

    def editorial(self) -> Editorial:
        from infobot.service.editorial import DeskParts, Editorial, EditorialRules

        rules = EditorialRules(
            require_consent=self.settings.require_consent, four_eyes=self.settings.four_eyes
        )
        return Editorial(
            DeskParts(
                self.db,
                self.clock,
                self.campaign_id,
                self.settings.tz,
                rules,
                self.checker,
                self.platforms,
                self.link_cards(),
                self.media,
            )
        )

    def link_cards(self) -> LinkCards | None:
        """What reads the page behind a story's link at approval (None: cards are off)."""
        settings = self.settings
        if not settings.link_cards:
            return None
        from infobot.service.linkcards import LinkCards
        from infobot.service.webfetch import FetchLimits

        total = settings.link_card_timeout_seconds
        step = min(3.0, total)  # to connect, and the longest wait for any part of an answer
        limits = FetchLimits(connect_seconds=step, read_seconds=step, total_seconds=total)
        return LinkCards(self.clock, allow_private=settings.link_cards_allow_private, limits=limits)

    def publisher(self, worker: str = "infobot", rng: random.Random | None = None) -> Publisher:
        from infobot.service.publisher import Publisher

        return Publisher(
            self.db,
            self.clock,
            self.campaign_id,
            self.platforms,
            self.render_options,
            worker=worker,
            rng=rng,
            guard=self.x_spending.refusal if self.x_spending.budget is not None else None,
            media=self.media,
        )

    def manual(self) -> ManualPosting:
        from infobot.service.manual import ManualPosting

        return ManualPosting(
            self.db,
            self.planner,
            self.platforms,
            self.render_options,
            self.publisher("post-now"),
        )

    def accounts(self) -> Accounts:
        from infobot.service.users import Accounts

        return Accounts(self.db, self.clock, campaign_id=self.campaign_id)

    def importer(self) -> Importer:
        from infobot.service.importing import importer_for

        return importer_for(self.db, self.clock, self.campaign_id, self.settings, self.media)

    # -- the daemon ------------------------------------------------------------------------
    @cached_property
    def alerts(self) -> Alerter:
        from infobot.runtime.alerts import Alerter

        return Alerter(
            self.db,
            self.clock,
            urls=[url.get_secret_value() for url in self.settings.alert_urls],
            campaign_name=self.settings.campaign_name,
            key_prefix="" if self._is_first else f"campaign{self.campaign_id}:",
            name_campaign=self.several_running,
        )

    @cached_property
    def _is_first(self) -> bool:
        with self.db.read() as session:
            return campaigns.first_id(session) == self.campaign_id
