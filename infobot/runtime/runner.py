"""``infobot run`` in one process: APScheduler as a clock, the database as the schedule.
(With no web page beside it, ``infobot run`` is a small supervisor instead, whose worker
runs this daemon's ticks: ``infobot.runtime.supervisor``.)

A cron job fires at each campaign's post time in its own timezone (so the post goes out
on the second), and a one-minute job beats the heart, retries and catches up. Both call the
same idempotent ``Daemon.tick`` of every running campaign; a lock keeps them from
overlapping in one process, and the database keeps several processes from doing the same
work twice. The campaigns are read again at every tick, so a campaign made or changed on
the web runs from the next minute on.

SIGTERM or SIGINT stops the scheduler, lets a delivery in flight (the catch-up tick's at
start included) finish for up to ``STOP_GRACE`` seconds, and otherwise abandons it: its
intent is already committed, so the next start reconciles it. The process exits 0 within
10 seconds.

The servers that run beside the daemon (metrics, the web page) are handed in as starters
by the caller: the runtime knows how to start and stop them, not what they are.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infobot.clock import Clock
from infobot.domain.attention import dead_man
from infobot.domain.schedule import PostingSchedule
from infobot.runtime.daemon import Daemon
from infobot.runtime.health import Today, health_line
from infobot.runtime.jobs import TICK_SECONDS, PostTime, ticking
from infobot.service.pool import PlatformPool
from infobot.service.read.plan import Planner
from infobot.store import heartbeats, slots
from infobot.store.db import Database
from infobot.store.heartbeats import DaemonState

log = logging.getLogger("infobot.run")
STOP_GRACE = 8.0

#: Starts a server beside the daemon and returns the function that stops it.
ServerStarter = Callable[[], Callable[[], None]]


@dataclass(frozen=True)
class CampaignDaemon:
    """One running campaign's daemon and posting schedule."""

    name: str
    daemon: Daemon
    schedule: PostingSchedule
    platforms: tuple[str, ...] = ()


#: The running campaigns, read afresh at each tick.
Campaigns = Callable[[], Sequence[CampaignDaemon]]


class Runner:
    def __init__(
        self,
        daemon: Daemon,
        schedule: PostingSchedule,
        platforms: PlatformPool,
        servers: Sequence[ServerStarter] = (),
        campaigns: Campaigns | None = None,
    ) -> None:
        self.daemon = daemon
        self.schedule = schedule
        self.platforms = platforms
        self.servers = list(servers)
        self.campaigns = campaigns
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def running(self) -> Sequence[CampaignDaemon]:
        if self.campaigns is None:
            return [CampaignDaemon("", self.daemon, self.schedule, self.platforms.enabled)]
        return self.campaigns()

    def tick(self, wait: bool = False) -> Sequence[CampaignDaemon]:
        """One round of work for every running campaign. The post-time job waits for a
        tick already running (it may have read the clock a moment before the post was
        due); the minute job does not."""
        if not self._lock.acquire(blocking=wait, timeout=TICK_SECONDS if wait else -1):
            return ()  # the other job is ticking and will do everything needed
        found: Sequence[CampaignDaemon] = ()
        with ticking(self._lock, self._idle):
            found = self.running()
            if not found:
                self.daemon.beat()  # no campaign runs, but the daemon is alive
            for campaign in found:
                try:
                    campaign.daemon.tick()
                except Exception:  # one campaign's trouble must not stop the others
                    log.exception("tick failed" + (f" ({campaign.name})" if campaign.name else ""))
        return found

    def stop_beat(self) -> None:
        """Record that this daemon stopped (``infobot run --once`` ends this way)."""
        self.daemon.beat(DaemonState.STOPPED)

    def run(self) -> int:
        from infobot.runtime.jobs import (
            PostJobs,
            Stopping,
            catch_up,
            say_running,
            scheduler,
            stop_servers,
        )

        late = int(self.schedule.late_window.total_seconds()) or 60
        jobs: PostJobs | None = None

        def minute() -> None:
            if jobs is not None:
                jobs.keep(post_times(self.tick()))

        clock = scheduler(self.schedule.timezone, late, minute)
        jobs = PostJobs(clock, self.tick)
        stopping = Stopping()
        stopping.listen()
        running = self.running()
        say_running([(c.name, c.schedule, c.platforms) for c in running])
        self.platforms.prepare()
        stoppers = [start() for start in self.servers]
        self._idle.clear()  # busy from now, so a stop at once waits for this tick
        first = catch_up(self.tick, stopping)  # at once after a start or a restart
        if not stopping.is_set():
            jobs.keep(post_times(first or running))
            clock.start()
            while not stopping.wait(1.0):
                pass
            clock.shutdown(wait=False)
        finished = self._idle.wait(STOP_GRACE)
        stop_servers(stoppers)
        try:
            self.stop_beat()
        except Exception:  # the database may be what failed; exiting cleanly still matters
            log.exception("could not record the stop")
        if not finished:
            log.warning("a delivery was still in flight: left for the next start to check")
            logging.shutdown()
            os._exit(0)  # its intent is committed; reconciliation finishes it safely
        return 0


def post_times(campaigns: Sequence[CampaignDaemon]) -> set[PostTime]:
    from infobot.runtime.jobs import post_times as of_schedules

    return of_schedules(c.schedule for c in campaigns)


def health(db: Database, clock: Clock, planners: Sequence[tuple[str, Planner]]) -> tuple[bool, str]:
    """Is a scheduler alive, and is no running campaign's post overdue today? One line for
    HEALTHCHECK (:func:`infobot.runtime.health.health_line`)."""
    now = clock.now()
    with db.read() as session:
        latest = heartbeats.latest(session)
        today: list[Today] = []
        for name, planner in planners:
            state = planner.state(session)
            day = state.schedule.local_date(now)
            status = slots.status_on(session, planner.campaign_id, day)
            overdue = dead_man(state.schedule, state.calendar, now, status)
            today.append((name, status, overdue.message if overdue is not None else None))
    beat = (latest.beat_at, latest.state) if latest is not None else None
    return health_line(now, beat, today)
