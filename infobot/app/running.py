"""The App's parts for ``infobot run``: each campaign's daemon, the process's dead-man
switch, the runner over every running campaign, and the health and metrics they report."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from infobot.app.parts import AppParts
from infobot.store import campaigns

if TYPE_CHECKING:
    from infobot.runtime.daemon import Daemon
    from infobot.runtime.heartbeat_ping import Pings
    from infobot.runtime.metrics import DatabaseCollector
    from infobot.runtime.runner import CampaignDaemon, Runner, ServerStarter
    from infobot.store.models import Campaign


class RunningParts(AppParts):
    """Builders of the daemon's collaborators (a part of :class:`infobot.app.App`)."""

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
            label=self.settings.campaign_name if self.several_running else "",
            impact=self.impact_job(),
            pinger=self.pinger,
            erase=self.retention().erase_due,
        )

    @property
    def pinger(self) -> Pings:
        """The dead-man switch (``INFOBOT_HEARTBEAT_URL``), shared by the campaigns."""
        from infobot.runtime.heartbeat_ping import HeartbeatPinger
        from infobot.settings import secret_values

        if self.process.pinger is None:
            self.process.pinger = HeartbeatPinger(
                self.settings.heartbeat_url,
                self.clock,
                timeout_seconds=self.settings.heartbeat_timeout_seconds,
                secrets=secret_values(self.settings),
            )
        return self.process.pinger

    def campaign_daemons(self, worker: str | None = None) -> list[CampaignDaemon]:
        """A daemon for every running campaign (kept while its campaign is unchanged)."""
        from infobot.runtime.runner import CampaignDaemon

        def build(row: Campaign) -> CampaignDaemon:
            app = self.with_row(row)
            return CampaignDaemon(
                app.settings.campaign_name,
                app.daemon(worker),
                app.schedule,
                app.platforms.enabled,
            )

        found: list[CampaignDaemon] = []
        with self.db.read() as session:
            rows = [row for row in campaigns.every(session) if row.active]
            for row in rows:
                key = (campaigns.spec_of(row), len(rows) > 1, worker)
                found.append(self.process.daemon(row.id, key, partial(build, row)))
        self.process.keep_only({row.id for row in rows})
        return found

    def runner(self, servers: Sequence[ServerStarter] = (), worker: str | None = None) -> Runner:
        """The daemon over every running campaign; ``worker``: the name its heartbeat
        carries (a worker of ``infobot run`` beats as its supervisor)."""
        from infobot.runtime.daemon import default_worker
        from infobot.runtime.runner import Runner

        worker = worker or default_worker()
        return Runner(
            self.daemon(worker),
            self.schedule,
            self.all_platforms,
            servers,
            campaigns=lambda: self.campaign_daemons(worker),
        )

    def health(self, every: bool = True) -> tuple[bool, str]:
        """Health of every running campaign (``every``), or of this App's campaign."""
        from infobot.runtime.runner import health

        apps = self.running() if every else [self]
        return health(self.db, self.clock, [(a.settings.campaign_name, a.planner) for a in apps])

    def metrics(self) -> DatabaseCollector:
        from infobot.runtime.metrics import DatabaseCollector, database_figures

        return DatabaseCollector(database_figures(self.db, self.planner), self.platforms.enabled)
