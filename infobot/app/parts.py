"""What :class:`infobot.app.App` gives its parts (``impact.py``, ``intake.py``): its fields
and the builders they call, declared once for the type checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infobot.clock import Clock
    from infobot.runtime.alerts import Alerter
    from infobot.service.checks import StoryChecker
    from infobot.service.editorial import Editorial
    from infobot.service.impact.spending import XSpending
    from infobot.service.media import MediaFolder
    from infobot.service.pool import PlatformPool
    from infobot.service.read.plan import Planner
    from infobot.settings import Settings
    from infobot.store.db import Database


class AppParts:
    """The base of App's parts: nothing at run time, App's interface for mypy."""

    if TYPE_CHECKING:
        settings: Settings
        clock: Clock
        db: Database
        campaign_id: int
        platforms: PlatformPool
        x_spending: XSpending

        @property
        def media(self) -> MediaFolder: ...
        @property
        def planner(self) -> Planner: ...
        @property
        def checker(self) -> StoryChecker: ...
        @property
        def alerts(self) -> Alerter: ...
        def editorial(self) -> Editorial: ...
        def using(self, campaign: int | str) -> AppParts: ...
