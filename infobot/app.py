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
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from infobot.clock import Clock, ShiftedClock, SystemClock
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.render import RenderOptions
from infobot.domain.schedule import DayState, PostingSchedule
from infobot.service.checks import StoryChecker
from infobot.service.pool import PlatformPool
from infobot.store import campaigns
from infobot.store.campaigns import CampaignConfig
from infobot.store.db import Database
from infobot.store.migrate import ensure_current

if TYPE_CHECKING:
    from infobot.platforms.base import Platform
    from infobot.runtime.alerts import Alerter
    from infobot.runtime.daemon import Daemon
    from infobot.runtime.metrics import DatabaseCollector
    from infobot.runtime.runner import Runner, ServerStarter
    from infobot.service.editorial import Editorial
    from infobot.service.intake import IntakeSwitches
    from infobot.service.intake.inbox import Inbox
    from infobot.service.intake.mail import LinkMailer
    from infobot.service.intake.public import PublicStories
    from infobot.service.intake.retention import Retention
    from infobot.service.intake.share import IntakeRules, ShareDesk
    from infobot.service.intake.storyteller import StorytellerDesk
    from infobot.service.manual import ManualPosting
    from infobot.service.media import MediaFolder
    from infobot.service.publisher import Publisher
    from infobot.service.read import Reads
    from infobot.service.read.plan import Planner
    from infobot.service.users import Accounts
    from infobot.settings import Settings


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


def platform_pool(settings: Settings, ready: Mapping[str, Platform] | None = None) -> PlatformPool:
    """The enabled platforms, built from the settings through the registry on first use;
    ``ready`` adapters (a test's fakes) are used as they are."""

    def build(name: str) -> Platform:
        from infobot.platforms import registry

        return registry.create(name, settings)

    pool = PlatformPool(settings.platforms, build)
    for name, platform in (ready or {}).items():
        pool.add(name, platform)
    return pool


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
            clock = ShiftedClock(settings.clock_start) if settings.clock_start else SystemClock()
        campaign_id = campaigns.sync(db, campaign_config(settings), clock.now())
        return cls(settings, clock, db, campaign_id, platform_pool(settings, platforms))

    def close(self) -> None:
        self.platforms.close()
        self.db.dispose()

    # -- plain values from the settings -----------------------------------------------------
    @cached_property
    def render_options(self) -> RenderOptions:
        return RenderOptions(
            hashtag=self.settings.hashtag,
            attribution=self.settings.attribution,
            overflow=self.settings.overflow,
        )

    @cached_property
    def late_window(self) -> timedelta:
        return timedelta(hours=self.settings.late_window_hours)

    @cached_property
    def schedule(self) -> PostingSchedule:
        settings = self.settings
        return PostingSchedule(settings.tz, settings.post_time, self.late_window)

    def calendar(self) -> CampaignCalendar:
        """The campaign's calendar now (for the importer's pin checks)."""
        with self.db.read() as session:
            return campaigns.calendar(session, self.campaign_id)

    @cached_property
    def media(self) -> MediaFolder:
        """The folder of the stories' pictures (``INFOBOT_MEDIA_DIR``)."""
        from infobot.service.media import MediaFolder
        from infobot.settings_intake import default_media_dir

        settings = self.settings
        root = settings.media_dir or default_media_dir(settings.database_url)
        return MediaFolder(root, settings.media_max_bytes)

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
                media=self.media,
            ),
            plan=PlanReads(db, planner, self.checker),
            calendar=CalendarReads(db, planner),
            campaign=CampaignReads(db, planner, self.platforms.enabled),
            records=RecordReads(db, self.campaign_id),
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
                self.media,
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
            erase=self.retention().erase_due,
        )

    def runner(self, servers: Sequence[ServerStarter] = ()) -> Runner:
        from infobot.runtime.runner import Runner

        return Runner(self.daemon(), self.schedule, self.platforms, servers)

    def health(self) -> tuple[bool, str]:
        from infobot.runtime.runner import health

        return health(self.db, self.planner)

    def metrics(self) -> DatabaseCollector:
        from infobot.runtime.metrics import DatabaseCollector

        return DatabaseCollector(self.db, self.planner, self.platforms.enabled)

    # -- stories from the public (issue 16) ----------------------------------------------
    def intake_switches(self, campaign: str) -> IntakeSwitches | None:
        """Whether the share form and the public page of the campaign named ``campaign``
        are open (None: there is no such campaign).

        Until campaigns live in the database with their own switches, the settings
        ``INFOBOT_SHARE_FORM`` and ``INFOBOT_PUBLIC_PAGE`` open them for the configured
        campaign only. This is the one place to read the campaign row's switches instead.
        """
        from infobot.service.intake import IntakeSwitches

        if campaign != self.settings.campaign_name:
            return None
        return IntakeSwitches(
            self.campaign_id,
            campaign,
            share_form=self.settings.share_form,
            public_page=self.settings.public_page,
        )

    @cached_property
    def intake_rules(self) -> IntakeRules:
        from infobot.service.intake.share import IntakeRules

        settings = self.settings
        return IntakeRules(
            per_address=settings.share_limit_per_address,
            per_campaign=settings.share_limit_per_campaign,
            retention=timedelta(days=settings.share_retention_days),
        )

    def share(self, campaign_id: int) -> ShareDesk:
        from infobot.service.intake.share import ShareDesk

        return ShareDesk(
            self.db, self.clock, campaign_id, self.media, self.intake_rules, self.settings.tz
        )

    def storyteller(self) -> StorytellerDesk:
        from infobot.domain.intake import platform_name
        from infobot.service.intake.storyteller import StorytellerDesk, planned_days

        def plan(days: int) -> list[tuple[date, DayState, int | None]]:
            with self.db.read() as session:
                found = self.planner.plan(session, days)
            return [(d.day, d.state, d.story.id if d.story else None) for d in found]

        return StorytellerDesk(
            self.db,
            self.clock,
            retention=self.intake_rules.retention,
            withdraw=self.editorial().withdraw,
            alert=self.alerts.raise_once,
            planned_day=planned_days(plan),
            platform_names=platform_name,
        )

    def retention(self) -> Retention:
        from infobot.service.intake.retention import Retention

        return Retention(self.db, self.clock, self.media, retention=self.intake_rules.retention)

    def public_stories(self, campaign_id: int) -> PublicStories:
        from infobot.domain.intake import platform_name
        from infobot.service.intake.public import PublicStories

        return PublicStories(self.db, campaign_id, self.media, platform_name)

    def inbox(self) -> Inbox:
        from infobot.service.intake.inbox import Inbox

        return Inbox(self.db, self.campaign_id)

    @cached_property
    def link_mailer(self) -> LinkMailer:
        from infobot.service.intake.mail import LinkMailer

        url = self.settings.mail_url
        return LinkMailer(
            url.get_secret_value() if url else None,
            campaign=self.settings.campaign_name,
            retention_days=self.settings.share_retention_days,
        )
