"""The daemon's impact work, at the end of each tick, after everything that posts.

Engagement reads run only when :func:`infobot.domain.impact.read_window` allows (never while
today's post is due and not yet claimed, and never into the next post time), and the X
budget's runway is looked at once an hour. Each post deleted on its platform is alerted
once. Nothing here can stop the daemon: a failure is logged and the next tick goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from infobot.clock import Clock
from infobot.domain.impact import post_gone_alert, read_window, x_budget_alert
from infobot.runtime.alerts import Alerter
from infobot.service.impact.forecast import XForecast
from infobot.service.impact.reading import EngagementReader
from infobot.service.read.plan import Planner
from infobot.store import slots
from infobot.store.campaigns import CampaignState
from infobot.store.db import Database

log = logging.getLogger("infobot.impact")
BUDGET_EVERY = timedelta(hours=1)


class ImpactJob:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        planner: Planner,
        alerts: Alerter,
        *,
        reader: EngagementReader | None,
        forecast: XForecast | None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.planner = planner
        self.alerts = alerts
        self.reader = reader
        self.forecast = forecast
        self._budget_checked: datetime | None = None

    def run(self, state: CampaignState | None = None) -> list[str]:
        """One round: reads if the post allows, then the budget's runway (hourly).
        ``state``: the campaign as the tick read it (else it is read here)."""
        lines: list[str] = []
        try:
            lines += self._read(state)
        except Exception:  # never the daemon's end: the next tick reads again
            log.exception("engagement reads failed; they are tried again at the next tick")
        try:
            self._budget()
        except Exception:
            log.exception("could not work out the X budget's runway")
        return lines

    def _read(self, state: CampaignState | None) -> list[str]:
        if self.reader is None:
            return []
        now = self.clock.now()
        with self.db.read() as session:
            state = state or self.planner.state(session)
            today = state.schedule.local_date(now)
            taken = slots.status_on(session, self.planner.campaign_id, today) is not None
        window = read_window(state.schedule, state.calendar, now, today_taken=taken)
        if window is None:
            return []  # the day's post comes first: reads wait for a later tick
        report = self.reader.run(deadline=window)
        for gone in report.gone:
            self.alerts.raise_alert(post_gone_alert(gone.delivery_id, gone.story_id, gone.platform))
        return report.lines()

    def _budget(self) -> None:
        if self.forecast is None or self.forecast.spending.budget is None:
            return
        now = self.clock.now()
        if self._budget_checked is not None and now - self._budget_checked < BUDGET_EVERY:
            return
        self._budget_checked = now
        with self.db.read() as session:
            today = self.planner.state(session).schedule.local_date(now)
        alert = self.forecast.runway_alert(today)
        if alert is not None:
            self.alerts.raise_alert(x_budget_alert(alert))
