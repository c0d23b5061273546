"""What the daemon in one process (``infobot.runtime.runner``) and the supervisor
(``infobot.runtime.supervisor``) share around their ticks: APScheduler as a clock (the
scheduler, the minute job and one cron job per post time and timezone of the running
campaigns), the stop signals, the catch-up round at start, the "infobot running" lines
and the end of the servers beside them."""

from __future__ import annotations

import logging
import signal
import threading
import time as monotonic
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import time, tzinfo
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from infobot.domain.schedule import PostingSchedule

log = logging.getLogger("infobot.run")
TICK_SECONDS = 60
T = TypeVar("T")

#: A campaign's post time: its timezone's key and the local time.
PostTime = tuple[str, time]


@contextmanager
def ticking(lock: threading.Lock, idle: threading.Event) -> Iterator[None]:
    """The body of a tick, ``lock`` already taken: busy (``idle`` clear) meanwhile; an
    error is logged, never raised (a bad tick must not kill the scheduler; the next one
    retries); then idle again, and the lock given back."""
    idle.clear()
    try:
        yield
    except Exception:
        log.exception("tick failed")
    finally:
        idle.set()
        lock.release()


def scheduler(timezone: tzinfo, late_seconds: int, minute: Callable[[], object]) -> Any:
    """A background scheduler (not started) running ``minute`` every :data:`TICK_SECONDS`.
    A job that could not run on time still runs within the late window, once."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    found = BackgroundScheduler(
        timezone=timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": late_seconds},
    )
    found.add_job(minute, IntervalTrigger(seconds=TICK_SECONDS), id="tick")
    return found


def post_times(schedules: Iterable[PostingSchedule]) -> set[PostTime]:
    return {(schedule.timezone.key, schedule.post_time) for schedule in schedules}


class PostJobs:
    """One cron job per post time and timezone, each running ``tick`` on the second (a
    campaign made or changed on the web gets its job at the next minute)."""

    def __init__(self, scheduler: Any, tick: Callable[[], object]) -> None:
        self.scheduler = scheduler
        self.tick = tick
        self._jobs: dict[PostTime, str] = {}

    def keep(self, wanted: Collection[PostTime]) -> None:
        """The jobs of exactly ``wanted`` (none given: the campaigns could not be read, so
        the jobs stay as they are)."""
        from apscheduler.triggers.cron import CronTrigger

        if not wanted:
            return
        for key in set(self._jobs) - set(wanted):
            self.scheduler.remove_job(self._jobs.pop(key))
        for zone, post in sorted(set(wanted) - set(self._jobs), key=str):
            job = "daily-post" if not self._jobs else f"daily-post {zone} {post:%H:%M}"
            trigger = CronTrigger(
                hour=post.hour, minute=post.minute, second=post.second, timezone=zone
            )
            self.scheduler.add_job(self.tick, trigger, id=job)
            self._jobs[(zone, post)] = job


def say_running(campaigns: Sequence[tuple[str, PostingSchedule, Sequence[str]]]) -> None:
    """One line per running campaign (name, schedule, platforms), naming the campaign when
    there are several."""
    for name, schedule, platforms in campaigns:
        log.info(
            "infobot running: %sposting at %s %s to %s",
            f"campaign {name} " if len(campaigns) > 1 else "",
            schedule.post_time.strftime("%H:%M"),
            schedule.timezone.key,
            ", ".join(platforms),
        )


class Stopping:
    """SIGTERM and SIGINT say "stop", once, in the log. Only say so: the handler runs in
    the main thread, which may be in the middle of a delivery that finishes first."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.at = 0.0  # time.monotonic() of the stop

    def listen(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        if not self.event.is_set():
            self.at = monotonic.monotonic()
            self.event.set()
            log.info("received %s: stopping", signal.Signals(signum).name)

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, seconds: float) -> bool:
        return self.event.wait(seconds)

    def grace_over(self, grace: float) -> bool:
        """Has it been ``grace`` seconds since the stop?"""
        return self.event.is_set() and monotonic.monotonic() - self.at > grace


def catch_up(tick: Callable[[], T], stopping: Stopping) -> T | None:
    """Run ``tick`` at once, in a thread of its own so that a stop during a slow delivery
    is still bounded by the grace; its result, or None when a stop came first."""
    found: list[T] = []
    thread = threading.Thread(target=lambda: found.append(tick()), name="catch-up", daemon=True)
    thread.start()
    while thread.is_alive() and not stopping.is_set():
        thread.join(0.2)
    return found[0] if found else None


def stop_servers(stoppers: Iterable[Callable[[], None]]) -> None:
    """Stop each server beside the daemon; one that fails to stop does not stop the rest."""
    for stop_server in stoppers:
        try:
            stop_server()
        except Exception:  # stopping must go on
            log.exception("could not stop a server cleanly")
