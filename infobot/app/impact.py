"""The App's impact parts: engagement reads, the report's reads, what X costs."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from infobot.app.parts import AppParts

if TYPE_CHECKING:
    from infobot.domain.costs import Pricing
    from infobot.runtime.impact import ImpactJob
    from infobot.service.impact.forecast import XForecast
    from infobot.service.impact.reading import EngagementReader
    from infobot.service.impact.reports import ImpactReads


class ImpactParts(AppParts):
    """Builders of the impact services (a part of :class:`infobot.app.App`)."""

    # -- impact: engagement, the report, what X costs ---------------------------------------
    @cached_property
    def impact(self) -> ImpactReads:
        from infobot.service.impact.reports import ImpactReads

        return ImpactReads(self.db, self.clock, self.campaign_id, self.settings.tz)

    @property
    def x_pricing(self) -> Pricing | None:
        """X's prices when X is enabled (the preview shows each day's X cost)."""
        return self.x_spending.pricing if "x" in self.platforms.enabled else None

    @cached_property
    def x_forecast(self) -> XForecast | None:
        """What the planned posts will cost on X (None when X is not enabled)."""
        from infobot.service.impact.forecast import XForecast

        if "x" not in self.platforms.enabled:
            return None
        return XForecast(self.db, self.clock, self.planner, self.checker, self.x_spending)

    def engagement(self) -> EngagementReader:
        from infobot.service.impact.reading import EngagementReader

        forecast = self.x_forecast
        return EngagementReader(
            self.db,
            self.clock,
            self.platforms,
            self.settings.bands,
            spending=self.x_spending,
            reserve=forecast.reserve if forecast is not None else None,
            campaign_id=self.campaign_id,
        )

    def impact_job(self) -> ImpactJob:
        from infobot.runtime.impact import ImpactJob

        return ImpactJob(
            self.db,
            self.clock,
            self.planner,
            self.alerts,
            reader=self.engagement() if self.settings.engagement_reads else None,
            forecast=self.x_forecast,
        )
