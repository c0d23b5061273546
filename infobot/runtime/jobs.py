"""APScheduler as a clock, for the daemon (``infobot.runtime.runner``) and the supervisor
(``infobot.runtime.supervisor``) alike: the scheduler, the minute job and one cron job per
post time and timezone of the running campaigns."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import time, tzinfo
from typing import Any

TICK_SECONDS = 60

#: A campaign's post time: its timezone's key and the local time.
PostTime = tuple[str, time]


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
