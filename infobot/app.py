"""The composition root: settings in, a wired application out.

``App.open`` builds the collaborators once (the database, the clock, the campaign, the
platform pool) and each builder below hands a service exactly what it uses, through its
constructor: never the whole settings, never the App. Only the interfaces (``cli/``,
``web/``) hold an App. Nothing below this module reads the environment or the wall clock.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from infobot.clock import Clock
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.render import RenderOptions
from infobot.domain.schedule import PostingSchedule
from infobot.lean import (
    campaign_config,
    clock_of,
    late_window,
    platform_pool,
    read_parts,
    render_options,
)
from infobot.service.checks import StoryChecker
from infobot.service.pool import PlatformPool
from infobot.store import campaigns
from infobot.store.db import Database
from infobot.store.migrate import ensure_current

if TYPE_CHECKING:
    from infobot.platforms.base import Platform
    from infobot.runtime.alerts import Alerter
    from infobot.runtime.daemon import Daemon
    from infobot.runtime.metrics import DatabaseCollector
    from infobot.runtime.runner import Runner, ServerStarter
    from infobot.service.editorial import Editorial
    from infobot.service.manual import ManualPosting
    from infobot.service.publisher import Publisher
    from infobot.service.read import Reads
    from infobot.service.read.plan import Planner
    from infobot.service.users import Accounts
    from infobot.settings import Settings


@dataclass
class App:
    settings: Settings
    clock: Clock
    db: Database
    campaign_id: int
    platforms: PlatformPool

    @classmethod
    def open(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        platforms: Mapping[str, Platform] | None = None,
        migrate: bool = True,
    ) -> App:
        """Open the database (migrating it), make the campaign row match the settings and
        build the platform pool (``platforms``: ready adapters to use, e.g. fakes)."""
        db = Database(settings.database_url)
        if migrate:
            ensure_current(db)
        if clock is None:
            clock = clock_of(settings)
        campaign_id = campaigns.sync(db, campaign_config(settings), clock.now())
        return cls(settings, clock, db, campaign_id, platform_pool(settings, platforms))

    def close(self) -> None:
        self.platforms.close()
        self.db.dispose()

    # -- plain values from the settings -----------------------------------------------------
    @cached_property
    def render_options(self) -> RenderOptions:
        return render_options(self.settings)

    @cached_property
    def late_window(self) -> timedelta:
        return late_window(self.settings)

    @cached_property
    def schedule(self) -> PostingSchedule:
        settings = self.settings
        return PostingSchedule(settings.tz, settings.post_time, self.late_window)

    def calendar(self) -> CampaignCalendar:
        """The campaign's calendar now (for the importer's pin checks)."""
        from infobot.store.queries.campaigns import calendar

        with self.db.reader() as r:
            return calendar(r, self.campaign_id)

    # -- services --------------------------------------------------------------------------
    @cached_property
    def checker(self) -> StoryChecker:
        return StoryChecker(self.platforms.rules, self.render_options)

    @cached_property
    def planner(self) -> Planner:
        from infobot.service.read.plan import Planner

        return Planner(self.clock, self.campaign_id, self.late_window)

    @cached_property
    def reads(self) -> Reads:
        from infobot.service.read import Reads

        parts = read_parts(
            self.settings,
            self.db.reader,
            self.clock,
            self.campaign_id,
            self.checker,
            self.platforms.enabled,
            exports=self.db,
        )
        return Reads.build(parts, self.planner)

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
            )
        )

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

    # -- the daemon ------------------------------------------------------------------------
    @cached_property
    def alerts(self) -> Alerter:
        from infobot.runtime.alerts import Alerter

        return Alerter(
            self.db,
            self.clock,
            urls=[url.get_secret_value() for url in self.settings.alert_urls],
            campaign_name=self.settings.campaign_name,
        )

    def daemon(self, worker: str | None = None) -> Daemon:
        from infobot.runtime.daemon import Daemon, default_worker

        worker = worker or default_worker()
        return Daemon(
            self.db,
            self.clock,
            self.planner,
            self.publisher(worker),
            self.alerts,
            worker=worker,
        )

    def runner(self, servers: Sequence[ServerStarter] = ()) -> Runner:
        from infobot.runtime.runner import Runner

        return Runner(self.daemon(), self.schedule, self.platforms, servers)

    def health(self) -> tuple[bool, str]:
        return self.reads.campaign.health()

    def metrics(self) -> DatabaseCollector:
        from infobot.runtime.metrics import DatabaseCollector

        return DatabaseCollector(self.db, self.planner, self.platforms.enabled)
