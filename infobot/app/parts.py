"""What :class:`infobot.app.App` gives its parts (``impact.py``, ``intake.py``): its fields
and the builders they call, declared once for the type checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.app.process import ProcessParts
    from infobot.clock import Clock
    from infobot.domain.schedule import PostingSchedule
    from infobot.runtime.alerts import Alerter
    from infobot.runtime.impact import ImpactJob
    from infobot.service.checks import StoryChecker
    from infobot.service.editorial import Editorial
    from infobot.service.impact.spending import XSpending
    from infobot.service.intake.retention import Retention
    from infobot.service.media import MediaFolder
    from infobot.service.pool import PlatformPool
    from infobot.service.publisher import Publisher
    from infobot.service.read.plan import Planner
    from infobot.settings import Settings
    from infobot.store.db import Database
    from infobot.store.models import Campaign
    from infobot.store.rows import CampaignRow


class AppParts:
    """The base of App's parts: nothing at run time, App's interface for mypy."""

    if TYPE_CHECKING:
        settings: Settings
        clock: Clock
        db: Database
        campaign_id: int
        platforms: PlatformPool
        x_spending: XSpending
        process: ProcessParts

        @property
        def media(self) -> MediaFolder: ...
        @property
        def planner(self) -> Planner: ...
        @property
        def checker(self) -> StoryChecker: ...
        @property
        def alerts(self) -> Alerter: ...
        @property
        def all_platforms(self) -> PlatformPool: ...
        @property
        def schedule(self) -> PostingSchedule: ...
        @property
        def several_running(self) -> bool: ...
        def editorial(self) -> Editorial: ...
        def publisher(self, worker: str = ...) -> Publisher: ...
        def impact_job(self) -> ImpactJob | None: ...
        def retention(self) -> Retention: ...
        def using(self, campaign: int | str) -> App: ...
        def with_row(self, row: Campaign | CampaignRow) -> App: ...
        def running(self) -> list[App]: ...
