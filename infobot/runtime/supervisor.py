"""``infobot run`` as a small supervisor: the process that runs for months holds only the
scheduler, the database driver and the rules that say whether there is work; the whole
application (SQLAlchemy, pydantic, the platforms' SDKs) lives in a worker process
(``infobot.runtime.worker``) while there is work, and its memory goes back when it ends.

Every minute, and at each campaign's post time, the supervisor beats the heart and reads
(through :mod:`infobot.store.reader`, one text of SQL for SQLite and PostgreSQL) whether a
tick has anything to do, by the daemon's own rules (:mod:`infobot.domain.daywork`): a
campaign day whose post is due and has no slot, an open delivery whose attempt is due or
whose late window closed, a story left unsettled. If so, a worker does one round of the
daemon (``Daemon.tick``: post, retry, reconcile, alerts, engagement reads, erasure). A
round also runs at start (catching up), and at least every :data:`SWEEP` for what time
alone brings due (the queue's runway alerts, engagement reads, erasure after the
retention period). A worker is started :data:`PREWARM` before a post time and kept until
then, so the post goes out on the second.

While a round runs, the minute job still beats the heart (the scheduler is alive), for up
to :data:`ROUND_HANGS_AFTER`: a round that hangs longer lets the heartbeat go stale, and
the health check says so. The health endpoint (``INFOBOT_HEALTH_PORT``) is answered here
from the database. A stop
(SIGTERM, SIGINT) lets a round in flight finish for up to ``STOP_GRACE`` seconds, then ends
the worker (the delivery's intent is committed: the next start reconciles it), records the
stop and exits 0.

The metrics endpoint (``INFOBOT_METRICS_PORT``) is served here too, its figures read
through the lean SQL at each scrape (``infobot.runtime.metrics.lean_figures``).
The dead-man switch (``INFOBOT_HEARTBEAT_URL``) is the supervisor's: it sends the tick
pings, and the workers relay the day's pings to it, so its state (a failed day holds the
ticks back) lasts as long as the daemon.

``infobot run`` uses it when the light settings reader (:mod:`infobot.settings_light`) reads
the settings and the database URL, and no web page runs beside the daemon (it needs the
whole application). Otherwise the daemon runs in one process, as
:class:`infobot.runtime.runner.Runner`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from infobot.clock import Clock
from infobot.domain.attention import dead_man
from infobot.domain.daywork import (
    Step,
    days_to_decide,
    delivery_step,
    first_day_to_decide,
    next_post_within,
)
from infobot.domain.overdue import DaemonState
from infobot.runtime.health import Today, health_line
from infobot.runtime.heartbeat_ping import HeartbeatPinger
from infobot.runtime.jobs import (
    PostJobs,
    PostTime,
    Stopping,
    catch_up,
    say_running,
    scheduler,
    stop_servers,
    ticking,
)
from infobot.runtime.jobs import post_times as of_schedules
from infobot.runtime.workers import WorkerGone, WorkerProcess
from infobot.store.queries import campaigns, daemon, slots
from infobot.store.queries.campaigns import CampaignState
from infobot.store.reader import LeanSource, Reader
from infobot.store.rows import CampaignRow

if TYPE_CHECKING:
    from infobot.runtime.metrics import DatabaseCollector, Figures

log = logging.getLogger("infobot.run")
T = TypeVar("T")
STOP_GRACE = 8.0
#: A worker is started this long before a post time and kept until it.
PREWARM = timedelta(seconds=90)
#: A round runs at least this often, for what time alone brings due.
SWEEP = 30 * 60.0
#: While a round runs, the minute job beats the heart for it, for this long at most.
ROUND_HANGS_AFTER = 15 * 60.0

#: Starts a worker whose clock reads the given time.
Spawn = Callable[[datetime], WorkerProcess]


class Supervisor:
    def __init__(
        self,
        connect: Callable[[], LeanSource],
        clock: Clock,
        late_window: timedelta,
        spawn: Spawn,
        *,
        worker: str,
        health_port: int | None = None,
        pinger: HeartbeatPinger | None = None,
        metrics: tuple[str, int, str] | None = None,
    ) -> None:
        self.connect = connect
        self.clock = clock
        self.late_window = late_window
        self.spawn = spawn
        self.worker = worker
        self.health_port = health_port
        self.pinger = pinger  # the dead-man switch: the workers relay their pings to it
        self.metrics = metrics  # host, port and the campaign reported (name, or "")
        self._source: LeanSource | None = None
        self._db = threading.Lock()  # one transaction at a time on the connection
        self._ticking = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = Stopping()
        self._process: WorkerProcess | None = None
        self._last_round = time.monotonic()  # of the last round a worker did
        self._round_started = time.monotonic()  # of the tick in flight

    # -- the database ----------------------------------------------------------------------
    def _read(self, work: Callable[[Reader], T], write: bool = False) -> T:
        with self._db:
            if self._source is None:
                self._source = self.connect()
            try:
                with self._source.write() if write else self._source.read() as r:
                    return work(r)
            except Exception:
                self._source.close()  # a broken connection is opened again next time
                self._source = None
                raise

    def beat(self, state: DaemonState = DaemonState.RUNNING) -> None:
        now = self.clock.now()
        self._read(lambda w: daemon.beat(w, self.worker, os.getpid(), now, state), write=True)

    def running(self, r: Reader) -> list[tuple[CampaignRow, CampaignState]]:
        """The running campaigns and their state (row, calendar, schedule)."""
        found = []
        for row in campaigns.every(r):
            state = campaigns.state(r, row.id, self.late_window) if row.active else None
            if state is not None:
                found.append((row, state))
        return found

    # -- is there work? --------------------------------------------------------------------
    def work_due(self, now: datetime) -> tuple[bool, list[CampaignState]]:
        """Does a round have anything to do now (:mod:`infobot.domain.daywork`), and the
        running campaigns' state."""

        def read(r: Reader) -> tuple[bool, list[CampaignState]]:
            found = self.running(r)
            first_run = daemon.first_started(r)
            due = False
            for row, state in found:
                schedule = state.schedule
                first = first_day_to_decide(schedule, now, first_run)
                taken = daemon.taken_days(r, row.id, first, schedule.local_date(now))
                due = (
                    due
                    or bool(days_to_decide(first, schedule, state.calendar, now, taken))
                    or any(
                        delivery_step(status, next_at, day, schedule, now) is not Step.WAIT
                        for _, _, status, next_at, day in daemon.open_deliveries(r, row.id)
                    )
                    or bool(daemon.unsettled(r, row.id))
                )
            return due, [state for _, state in found]

        return self._read(read)

    # -- health -------------------------------------------------------------------------
    def health(self) -> tuple[bool, str]:
        """The health line (``infobot.runtime.runner.health``), from the database."""
        now = self.clock.now()

        def read(r: Reader) -> tuple[bool, str]:
            today: list[Today] = []
            for row, state in self.running(r):
                status = slots.status_on(r, row.id, state.schedule.local_date(now))
                overdue = dead_man(state.schedule, state.calendar, now, status)
                today.append((row.name, status, overdue.message if overdue else None))
            return health_line(now, slots.latest_heartbeat(r), today)

        return self._read(read)

    # -- a round -------------------------------------------------------------------------
    def tick(self, force: bool = False) -> list[CampaignState]:
        """Beat, then a round in a worker if there is work (or ``force``); keep a worker
        ready when a post time is near. The running campaigns' state ([] when busy)."""
        if not self._ticking.acquire(blocking=False):
            # a round is in flight and does everything needed; the scheduler is alive,
            # unless the round has hung (then the heartbeat goes stale: unhealthy)
            hung = time.monotonic() - self._round_started > ROUND_HANGS_AFTER
            if not self._stopping.is_set() and not hung:
                try:
                    self.beat()
                except Exception:
                    log.exception("could not beat the heart while a round runs")
            return []
        self._round_started = time.monotonic()
        states: list[CampaignState] = []
        with ticking(self._ticking, self._idle):
            self._tick(force, states)
        return states

    def _tick(self, force: bool, states: list[CampaignState]) -> None:
        """:meth:`tick`'s round, its lock held (``states``: filled with the campaigns')."""
        try:
            self.beat()
            now = self.clock.now()
            due, states[:] = self.work_due(now)
            swept = time.monotonic() - self._last_round >= SWEEP
            if due or force or swept:
                self._round()
            if self.pinger is not None:
                self.pinger.tick()  # at most every 5 minutes, held after a failed day
            near = next_post_within((s.schedule for s in states), self.clock.now(), PREWARM)
            if near and not self._stopping.is_set():
                self._worker()
            elif self._process is not None:
                self._process.end()
                log.debug("worker %d ended: no work and no post time near", self._process.pid)
                self._process = None
        except WorkerGone as gone:
            self._process = None
            if self._stopping.is_set():
                log.warning("a delivery was still in flight: left for the next start to check")
            else:
                log.error("tick failed: %s; the next tick starts another", gone)

    def _worker(self) -> WorkerProcess:
        if self._process is not None and not self._process.alive():
            self._process.kill()
            self._process = None
        if self._process is None:
            process = self.spawn(self.clock.now())
            if self.pinger is not None:
                process.on_ping = self._relayed
            try:
                process.ready(self._give_up)
            except BaseException:
                process.kill()  # ended already, if it was the worker that gave up
                raise
            self._process = process
            log.debug("worker %d ready", process.pid)
        return self._process

    def _relayed(self, kind: str, note: str, key: str) -> None:
        """Send a ping a worker relayed (``infobot.runtime.worker.RelayPinger``)."""
        pinger = self.pinger
        if pinger is None:
            return
        if kind == "start":
            pinger.start()
        elif kind == "success":
            pinger.success(note, key)
        elif kind == "fail":
            pinger.fail(note, key)
        else:
            log.warning("a worker relayed a ping of an unknown kind: %s", kind)

    def _give_up(self) -> bool:
        """Is the grace after a stop over (the worker is then ended)?"""
        return self._stopping.grace_over(STOP_GRACE)

    def _round(self) -> None:
        self._worker().tick(self.clock.now(), self._give_up)
        self._last_round = time.monotonic()

    # -- the process -----------------------------------------------------------------------
    def run(self) -> int:
        """Run until SIGTERM or SIGINT; the exit code."""

        self._stopping.listen()
        try:  # the first worker brings the schema up to date before anything is read here
            self._worker()
        except WorkerGone as gone:
            if self._stopping.is_set():
                return 0
            return gone.code if gone.code else 1
        stop_health = self._serve_health()
        stop_metrics = self._serve_metrics()
        states = self._start()
        if not self._stopping.is_set():
            late = int(self.late_window.total_seconds()) or 60
            jobs: PostJobs | None = None

            def minute() -> None:
                if jobs is not None:
                    jobs.keep(post_times(self.tick()))

            zone = states[0].schedule.timezone if states else UTC
            clock = scheduler(zone, late, minute)
            jobs = PostJobs(clock, self.tick)
            jobs.keep(post_times(states))
            clock.start()
            while not self._stopping.wait(1.0):
                pass
            clock.shutdown(wait=False)
        return self._stop(stop_health, stop_metrics)

    def _start(self) -> list[CampaignState]:
        """Say what runs, then catch up at once (in a thread of its own, so that a stop
        during a slow delivery is still bounded by the grace)."""
        self.beat()
        found = self._read(self.running)
        say_running([(r.name, s.schedule, campaigns.spec_of(r).platforms) for r, s in found])
        self._idle.clear()  # busy from now, so a stop at once waits for this round
        first = catch_up(lambda: self.tick(force=True), self._stopping)
        return first or [state for _, state in found]

    def collector(self, campaign: str) -> DatabaseCollector:
        """The metrics (``infobot.runtime.metrics``) of ``campaign`` (a name; "": the one
        the settings made), read through the lean SQL at each scrape."""
        from infobot.runtime.metrics import DatabaseCollector, chosen_campaign, lean_figures

        def figures() -> Figures:
            now = self.clock.now()
            return self._read(lambda r: lean_figures(r, campaign, now, self.late_window))

        row = self._read(lambda r: chosen_campaign(r, campaign))
        return DatabaseCollector(figures, campaigns.spec_of(row).platforms)

    def _serve_metrics(self) -> Callable[[], None]:
        if self.metrics is None:
            return lambda: None
        from infobot.runtime.metrics import serve

        host, port, campaign = self.metrics
        return serve(self.collector(campaign), host, port)

    def _serve_health(self) -> Callable[[], None]:
        if self.health_port is None:
            return lambda: None
        from infobot.runtime.health import serve_or_say

        return serve_or_say(self.health, self.health_port)

    def _stop(self, *servers: Callable[[], None]) -> int:
        # a round in flight finishes within the grace, or its thread ends the worker
        self._idle.wait(STOP_GRACE + 2.0)
        if self._process is not None and self._idle.is_set():
            self._process.end()
            self._process = None
        stop_servers(servers)
        try:
            self.beat(DaemonState.STOPPED)
        except Exception:  # the database may be what failed; exiting cleanly still matters
            log.exception("could not record the stop")
        self.close()
        return 0

    def close(self) -> None:
        """Close the database connection (a worker still running is left to end)."""
        with self._db:
            if self._source is not None:
                self._source.close()
                self._source = None


def post_times(states: Sequence[CampaignState]) -> set[PostTime]:
    return of_schedules(s.schedule for s in states)
