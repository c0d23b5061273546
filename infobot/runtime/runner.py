"""``infobot run``: APScheduler as a clock, the database as the schedule.

A cron job fires at the post time in the campaign's timezone (so the post goes out on
the second), and a one-minute job beats the heart, retries and catches up. Both call the
same idempotent ``Daemon.tick``; a lock keeps them from overlapping in one process, and
the database keeps several processes from doing the same work twice.

SIGTERM or SIGINT stops the scheduler, lets a delivery in flight finish for up to
``STOP_GRACE`` seconds, and otherwise abandons it: its intent is already committed, so
the next start reconciles it. The process exits 0 within 10 seconds.

The servers that run beside the daemon (metrics, the web page) are handed in as starters
by the caller: the runtime knows how to start and stop them, not what they are.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from infobot.domain.schedule import PostingSchedule
from infobot.runtime.daemon import Daemon
from infobot.service.pool import PlatformPool
from infobot.store.heartbeats import DaemonState

log = logging.getLogger("infobot.run")
TICK_SECONDS = 60
STOP_GRACE = 8.0

#: Starts a server beside the daemon and returns the function that stops it.
ServerStarter = Callable[[], Callable[[], None]]


class Runner:
    def __init__(
        self,
        daemon: Daemon,
        schedule: PostingSchedule,
        platforms: PlatformPool,
        servers: Sequence[ServerStarter] = (),
    ) -> None:
        self.daemon = daemon
        self.schedule = schedule
        self.platforms = platforms
        self.servers = list(servers)
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def tick(self, wait: bool = False) -> None:
        """One round of work. The post-time job waits for a tick already running (it may
        have read the clock a moment before the post was due); the minute job does not."""
        if not self._lock.acquire(blocking=wait, timeout=TICK_SECONDS if wait else -1):
            return  # the other job is ticking and will do everything needed
        self._idle.clear()
        try:
            self.daemon.tick()
        except Exception:  # a bad tick must not kill the scheduler; the next one retries
            log.exception("tick failed")
        finally:
            self._idle.set()
            self._lock.release()

    def stop_beat(self) -> None:
        """Record that this daemon stopped (``infobot run --once`` ends this way)."""
        self.daemon.beat(DaemonState.STOPPED)

    def run(self) -> int:
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        tz = self.schedule.timezone
        late = int(self.schedule.late_window.total_seconds()) or 60
        scheduler = BlockingScheduler(
            timezone=tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": late},
        )
        post = self.schedule.post_time
        scheduler.add_job(
            self.tick,
            CronTrigger(hour=post.hour, minute=post.minute, second=post.second, timezone=tz),
            id="daily-post",
        )
        scheduler.add_job(self.tick, IntervalTrigger(seconds=TICK_SECONDS), id="tick")
        stopping = threading.Event()

        def stop(signum: int, _frame: FrameType | None) -> None:
            if not stopping.is_set():
                stopping.set()
                log.info("received %s: stopping", signal.Signals(signum).name)
                scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info(
            "infobot running: posting at %s %s to %s",
            post.strftime("%H:%M"),
            tz.key,
            ", ".join(self.platforms.enabled),
        )
        self.platforms.prepare()
        stoppers = [start() for start in self.servers]
        self.tick()  # catch up at once after a start or a restart
        if not stopping.is_set():
            scheduler.start()
        finished = self._idle.wait(STOP_GRACE)
        for stop_server in stoppers:
            try:
                stop_server()
            except Exception:  # stopping must go on
                log.exception("could not stop a server cleanly")
        try:
            self.stop_beat()
        except Exception:  # the database may be what failed; exiting cleanly still matters
            log.exception("could not record the stop")
        if not finished:
            log.warning("a delivery was still in flight: left for the next start to check")
            logging.shutdown()
            os._exit(0)  # its intent is committed; reconciliation finishes it safely
        return 0
