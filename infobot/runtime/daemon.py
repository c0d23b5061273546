"""The daemon's work as one idempotent ``tick``: safe to run at any time, any number of
times, by any number of processes. The scheduler only decides *when* to tick; every
decision comes from the database and the clock.

Each tick:
1. beats the heart (this worker's row in ``heartbeats``);
2. for each campaign day from the first day a daemon ran (at most a week back) up to
   today whose post time has come: posts it if it is still inside the late window,
   records it as missed if not, or as skipped when the campaign is paused or blacked out;
3. drives open deliveries that are due (retries, reconciliation) while their day's late
   window is open, and fails them with a reason once it has closed;
4. raises the alerts of what needs attention (once each): failed deliveries, doubt that
   needs a person, a post overdue by 30 minutes, and the queue's runway at 14, 7, 3 and 1
   days; a missed day is raised as it is recorded.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from infobot.clock import Clock
from infobot.domain.attention import empty_day_alert, missed_day_alert, needs_attention
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.schedule import PostingSchedule, SlotStatus
from infobot.runtime.alerts import Alerter
from infobot.service.publisher import Publisher
from infobot.service.read.plan import Planner
from infobot.service.read.status import situation
from infobot.store import deliveries, heartbeats, slots, stories
from infobot.store.db import Database, reader_of
from infobot.store.heartbeats import DaemonState

log = logging.getLogger("infobot.daemon")
CATCH_UP_DAYS = 7
GAVE_UP = "gave up: the late window closed before it could be delivered"


@dataclass
class TickReport:
    actions: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        log.info("%s", text)
        self.actions.append(text)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Daemon:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        planner: Planner,
        publisher: Publisher,
        alerts: Alerter,
        *,
        worker: str,
    ) -> None:
        self.db = db
        self.clock = clock
        self.planner = planner
        self.campaign_id = planner.campaign_id
        self.publisher = publisher
        self.alerts = alerts
        self.worker = worker

    # -- heartbeat -----------------------------------------------------------------------
    def beat(self, state: DaemonState = DaemonState.RUNNING) -> None:
        with self.db.write() as session:
            heartbeats.beat(session, self.worker, os.getpid(), self.clock.now(), state)

    # -- the tick ------------------------------------------------------------------------
    def tick(self) -> TickReport:
        report = TickReport()
        self.beat()
        now = self.clock.now()
        with self.db.read() as session:
            state = self.planner.state(reader_of(session))
            first_run = heartbeats.first_started(session)
            schedule = state.schedule
            today = schedule.local_date(now)
            floor = schedule.local_date(first_run) if first_run else today
            day = max(floor, today - timedelta(days=CATCH_UP_DAYS))
            taken = slots.taken_days(session, self.campaign_id, day, today)
        while day <= today:
            if day not in taken:
                self._day(day, now, schedule, state.calendar, report)
            day += timedelta(days=1)
        self._open_deliveries(now, schedule, report)
        self._watch()
        return report

    def _day(
        self,
        day: date,
        now: datetime,
        schedule: PostingSchedule,
        calendar: CampaignCalendar,
        report: TickReport,
    ) -> None:
        if not schedule.is_due(day, now):
            return
        with self.db.read() as session:
            if slots.on(session, self.campaign_id, day) is not None:
                return
        off = calendar.day_off(day)
        if off is not None and not off.is_campaign_day:
            return
        if off is not None:
            reason = calendar.describe(off)
            self.publisher.record_missed(day, reason, status=SlotStatus.SKIPPED)
            report.add(f"{day}: no post ({reason})")
            return
        if schedule.is_missed(day, now):
            closed = schedule.local_time(schedule.window_closes(day))
            reason = (
                f"nothing was posted by {closed:%H:%M} (the end of the late window): "
                "infobot was not running"
            )
            claim = self.publisher.record_missed(day, reason)
            if claim.created:
                report.add(f"{day}: missed")
                self.alerts.raise_alert(missed_day_alert(day, reason))
            return
        claim = self.publisher.claim(day, due_at=schedule.due_at(day))
        if not claim.created:
            return
        if claim.story_id is None:
            report.add(f"{day}: nothing to post ({claim.reason})")
            self.alerts.raise_alert(empty_day_alert(day))
            return
        report.add(f"{day}: posting story #{claim.story_id}")
        delivered = self.publisher.deliver(claim.story_id)
        for outcome in delivered.outcomes:
            report.add(f"{day}: {outcome.platform} {outcome.status}")

    def _open_deliveries(
        self, now: datetime, schedule: PostingSchedule, report: TickReport
    ) -> None:
        with self.db.read() as session:
            rows = deliveries.open_with_day(session)
            # stories whose deliveries all ended but whose own status was never settled
            # (a crash between the last result commit and the settle)
            unsettled = stories.unsettled(session, self.campaign_id)
        for story_id in unsettled:
            self.publisher.settle(story_id)
            report.add(f"story #{story_id}: settled after an interrupted delivery")
        due_stories: set[int] = set()
        for delivery_id, story_id, status, next_at, day in rows:
            missed = day is not None and schedule.is_missed(day, now)
            if missed and status != DeliveryStatus.IN_DOUBT:
                self.publisher.give_up(delivery_id, GAVE_UP)
                self.publisher.settle(story_id)
                report.add(f"delivery {delivery_id}: gave up at the end of the late window")
                continue
            if next_at is None or next_at <= now:
                due_stories.add(story_id)
        for story_id in sorted(due_stories):
            delivered = self.publisher.deliver(story_id)
            for outcome in delivered.outcomes:
                if outcome.status != DeliveryStatus.SENT or delivered.attempted:
                    report.add(f"story #{story_id}: {outcome.platform} {outcome.status}")

    # -- alerts --------------------------------------------------------------------------
    def _watch(self) -> None:
        """Raise the alert of everything that needs attention (each goes out once)."""
        with self.db.reader() as r:
            state = self.planner.state(r)
            found, _ = situation(r, self.planner, state, with_days_and_pins=False)
        for item in needs_attention(found, state.schedule, state.calendar):
            if item.alert is not None:
                self.alerts.raise_alert(item.alert)
