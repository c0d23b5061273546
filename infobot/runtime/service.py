"""``infobot run``: APScheduler as a clock, the database as the schedule.

A cron job fires at the post time in the campaign's timezone (so the post goes out on
the second), and a one-minute job beats the heart, retries and catches up. Both call the
same idempotent ``Daemon.tick``; a lock keeps them from overlapping in one process, and
the database keeps several processes from doing the same work twice.

SIGTERM or SIGINT stops the scheduler, lets a delivery in flight finish for up to
``STOP_GRACE`` seconds, and otherwise abandons it: its intent is already committed, so
the next start reconciles it. The process exits 0 within 10 seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from infobot.domain.attention import dead_man
from infobot.runtime.daemon import Daemon
from infobot.service.schedule import Planner, schedule_of
from infobot.store.models import Heartbeat, Slot

if TYPE_CHECKING:
    from infobot.app import App

log = logging.getLogger("infobot.run")
TICK_SECONDS = 60
STOP_GRACE = 8.0
STALE_HEARTBEAT = timedelta(seconds=3 * TICK_SECONDS)


class Runner:
    def __init__(self, app: App) -> None:
        self.app = app
        self.daemon = Daemon(app)
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

    def run(self) -> int:
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        settings = self.app.settings
        tz = ZoneInfo(settings.timezone)
        late = int(settings.late_window_hours * 3600) or 60
        scheduler = BlockingScheduler(
            timezone=tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": late},
        )
        post = settings.post_time
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
            settings.timezone,
            ", ".join(settings.platforms),
        )
        self._prepare_platforms()
        stoppers = self._start_servers()
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
            self.daemon.beat("stopped")
        except Exception:  # the database may be what failed; exiting cleanly still matters
            log.exception("could not record the stop")
        if not finished:
            log.warning("a delivery was still in flight: left for the next start to check")
            logging.shutdown()
            os._exit(0)  # its intent is committed; reconciliation finishes it safely
        return 0

    def _prepare_platforms(self) -> None:
        """Build the adapters and load their SDKs now, so the first post does not wait
        for imports (an adapter may offer an optional ``prepare()``)."""
        for name in self.app.settings.platforms:
            try:
                prepare = getattr(self.app.platform(name), "prepare", None)
                if callable(prepare):
                    prepare()
            except Exception as exc:  # the post itself will report it plainly
                log.warning("could not prepare the %s platform: %s", name, exc)

    def _start_servers(self) -> list[Callable[[], None]]:
        """The metrics endpoint and the web page, when their ports are set."""
        settings = self.app.settings
        stoppers: list[Callable[[], None]] = []
        if settings.metrics_port:
            from infobot.runtime.metrics import serve

            stoppers.append(serve(self.app, settings.metrics_host, settings.metrics_port))
        if settings.web_port:
            from infobot.web.server import start_in_thread

            # The page gets its own App (engine and platform adapters): adapters are not
            # shared between the daemon's deliveries and the page's "post now".
            web_app = type(self.app).open(settings, self.app.clock, migrate=False)
            stop_web = start_in_thread(settings, web_app)

            def stop_and_close() -> None:
                stop_web()
                web_app.close()

            stoppers.append(stop_and_close)
        return stoppers


def health(app: App) -> tuple[bool, str]:
    """Is a scheduler alive, and is today's post not overdue? One line for HEALTHCHECK."""
    now = app.clock.now()
    planner = Planner(app)
    with app.db.read() as session:
        beat = session.scalar(select(Heartbeat).order_by(Heartbeat.beat_at.desc()).limit(1))
        campaign, calendar = planner.load(session)
        schedule = schedule_of(campaign, planner.late_window)
        today = schedule.local_date(now)
        slot = session.scalar(
            select(Slot).where(Slot.campaign_id == campaign.id, Slot.local_date == today)
        )
    if beat is None:
        return False, "unhealthy: no infobot daemon has run against this database"
    age = now - beat.beat_at
    if beat.state != "running" or age > STALE_HEARTBEAT:
        return False, (
            f"unhealthy: the scheduler is not running (last heartbeat "
            f"{int(age.total_seconds())} s ago, {beat.state})"
        )
    overdue = dead_man(schedule, calendar, now, slot.status if slot is not None else None)
    if overdue is not None:
        return False, f"unhealthy: {overdue.message}"
    state = f"today: {slot.status}" if slot is not None else "today: not yet due"
    return True, f"healthy: heartbeat {int(age.total_seconds())} s ago; {state}"
