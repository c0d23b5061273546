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
   days; a missed day is raised as it is recorded;
5. reads the engagement counts that are due and looks at the X budget's runway
   (:mod:`infobot.runtime.impact`), only when the day's posting allows.
6. pings the dead-man switch outside the container (``INFOBOT_HEARTBEAT_URL``, see
   ``heartbeat_ping``): ``/start`` when a day's story is claimed, success or ``/fail`` with
   the reason when the day's work ends, and the tick itself at most every 5 minutes.

A day inside a pre-election period posts only a story an approver marked essential; with
none, it is skipped for that reason (not an empty queue).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from infobot.clock import Clock
from infobot.domain.attention import empty_day_alert, missed_day_alert, needs_attention
from infobot.domain.calendar import CampaignCalendar, DayOff
from infobot.domain.daywork import (
    CATCH_UP_DAYS,
    Step,
    days_to_decide,
    delivery_step,
    first_day_to_decide,
)
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.schedule import PostingSchedule, SlotStatus, slot_is_finished
from infobot.runtime.alerts import Alerter
from infobot.runtime.heartbeat_ping import Pings
from infobot.runtime.impact import ImpactJob
from infobot.runtime.worker import default_worker as default_worker
from infobot.service.intake.retention import Erasure
from infobot.service.publisher import Publisher
from infobot.service.read.plan import Planner
from infobot.service.read.status import situation
from infobot.store import elections, heartbeats, slots
from infobot.store.campaigns import CampaignState
from infobot.store.db import Database, reader_of
from infobot.store.heartbeats import DaemonState
from infobot.store.queries import daemon as work

log = logging.getLogger("infobot.daemon")
GAVE_UP = "gave up: the late window closed before it could be delivered"


@dataclass
class TickReport:
    actions: list[str] = field(default_factory=list)
    label: str = ""  # the campaign's name, when several run side by side

    def add(self, text: str) -> None:
        if self.label:
            text = f"{self.label}: {text}"
        log.info("%s", text)
        self.actions.append(text)


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
        label: str = "",
        impact: ImpactJob | None = None,
        pinger: Pings | None = None,
        erase: Callable[[], Erasure] | None = None,
    ) -> None:
        self.label = label
        self.impact = impact
        self.db = db
        self.clock = clock
        self.planner = planner
        self.campaign_id = planner.campaign_id
        self.publisher = publisher
        self.alerts = alerts
        self.worker = worker
        self.pinger = pinger
        self._running: set[date] = set()  # days whose story this process is sending
        self._resumed = False  # the days in flight when it started are in _running
        #: Erases withdrawn stories past the retention period (infobot.service.intake).
        self.erase = erase

    # -- heartbeat -----------------------------------------------------------------------
    def beat(self, state: DaemonState = DaemonState.RUNNING) -> None:
        with self.db.write() as session:
            heartbeats.beat(session, self.worker, os.getpid(), self.clock.now(), state)

    # -- the tick ------------------------------------------------------------------------
    def tick(self) -> TickReport:
        report = TickReport(label=self.label)
        self.beat()
        now = self.clock.now()
        with self.db.read() as session:
            # the campaign's row, blackouts and periods: read once, for the whole tick
            state = self.planner.state(session)
            schedule = state.schedule
            r = reader_of(session)
            first = first_day_to_decide(schedule, now, work.first_started(r))
            taken = work.taken_days(r, self.campaign_id, first, schedule.local_date(now))
        self._resume(schedule, now)
        for day in days_to_decide(first, schedule, state.calendar, now, taken):
            self._day(day, now, schedule, state.calendar, report)
        self._open_deliveries(now, schedule, report)
        self._finished_days()
        self._watch(state)
        if self.impact is not None:
            for line in self.impact.run(state):
                report.add(line)
        if self.pinger is not None:
            self.pinger.tick()
        if self.erase is not None:
            erased = self.erase()
            if erased.story_ids:
                listed = ", ".join(f"#{story_id}" for story_id in erased.story_ids)
                report.add(f"erased the personal fields of withdrawn stories {listed}")
        return report

    def _day(
        self,
        day: date,
        now: datetime,
        schedule: PostingSchedule,
        calendar: CampaignCalendar,
        report: TickReport,
    ) -> None:
        off = calendar.day_off(day)  # a campaign day whose post is due (days_to_decide)
        with self.db.read() as session:
            if slots.on(session, self.campaign_id, day) is not None:
                return
        election = calendar.describe(off, day) if off is DayOff.ELECTION_PERIOD else ""
        if off is not None and not (election and self._has_essential(day)):
            reason = calendar.describe(off, day)
            claim = self.publisher.record_missed(day, reason, status=SlotStatus.SKIPPED)
            report.add(f"{day}: no post ({reason})")
            if claim.created:
                self._result(success=True, note=f"{day}: no post ({reason})")
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
                self._result(success=False, note=f"{day}: missed: {reason}")
            return
        claim = self.publisher.claim(day, due_at=schedule.due_at(day), election=election)
        if not claim.created:
            return
        if claim.story_id is None:
            report.add(f"{day}: nothing to post ({claim.reason})")
            self.alerts.raise_alert(empty_day_alert(day))
            self._result(success=False, note=f"{day}: nothing to post ({claim.reason})")
            return
        report.add(f"{day}: posting story #{claim.story_id}")
        if self.pinger is not None:
            self.pinger.start()
        self._running.add(day)
        delivered = self.publisher.deliver(claim.story_id)
        for outcome in delivered.outcomes:
            report.add(f"{day}: {outcome.platform} {outcome.status}")

    def _has_essential(self, day: date) -> bool:
        """Is there a story marked essential for this day inside a pre-election period?"""
        with self.db.read() as session:
            found = elections.essential_for(session, self.campaign_id, day, self.planner.languages)
            return found is not None

    # -- the dead-man switch outside ------------------------------------------------------
    def _finished_days(self) -> None:
        """Ping the result of each day this process sent a story for, once its work ended
        (all posted, or some failed for good, or the late window closed). The days still
        being sent when it started (by a daemon before a restart, or by an earlier worker
        of ``infobot run``) are its own too: their result goes out when their work ends."""
        if not self._running:
            return
        with self.db.read() as session:
            found = {day: slots.on(session, self.campaign_id, day) for day in self._running}
        for day, slot in sorted(found.items()):
            if slot is None or not slot_is_finished(slot.status):
                continue
            self._running.discard(day)
            went_out = SlotStatus(slot.status) is SlotStatus.POSTED
            note = f"{day}: story #{slot.story_id} {slot.status}"
            self._result(success=went_out, note=note + ("" if went_out else f": {slot.reason}"))

    def _resume(self, schedule: PostingSchedule, now: datetime) -> None:
        """At the first tick, take on the days still being sent (see :meth:`_finished_days`)."""
        if self._resumed or self.pinger is None or not self.pinger.enabled:
            return
        self._resumed = True
        today = schedule.local_date(now)
        with self.db.read() as session:
            first = today - timedelta(days=CATCH_UP_DAYS)
            self._running |= slots.claimed_days(session, self.campaign_id, first, today)

    def _result(self, *, success: bool, note: str) -> None:
        if self.pinger is None:
            return
        note = f"{self.label}: {note}" if self.label else note
        if success:
            self.pinger.success(note, key=str(self.campaign_id))
        else:
            self.pinger.fail(note, key=str(self.campaign_id))

    def _open_deliveries(
        self, now: datetime, schedule: PostingSchedule, report: TickReport
    ) -> None:
        with self.db.reader() as r:
            rows = work.open_deliveries(r, self.campaign_id)
            # stories whose deliveries all ended but whose own status was never settled
            # (a crash between the last result commit and the settle)
            unsettled = work.unsettled(r, self.campaign_id)
        for story_id in unsettled:
            self.publisher.settle(story_id)
            report.add(f"story #{story_id}: settled after an interrupted delivery")
        due_stories: set[int] = set()
        for delivery_id, story_id, status, next_at, day in rows:
            step = delivery_step(status, next_at, day, schedule, now)
            if step is Step.GIVE_UP:
                self.publisher.give_up(delivery_id, GAVE_UP)
                self.publisher.settle(story_id)
                report.add(f"delivery {delivery_id}: gave up at the end of the late window")
            elif step is Step.DELIVER:
                due_stories.add(story_id)
        for story_id in sorted(due_stories):
            delivered = self.publisher.deliver(story_id)
            for outcome in delivered.outcomes:
                if outcome.status != DeliveryStatus.SENT or delivered.attempted:
                    report.add(f"story #{story_id}: {outcome.platform} {outcome.status}")

    # -- alerts --------------------------------------------------------------------------
    def _watch(self, state: CampaignState) -> None:
        """Raise the alert of everything that needs attention (each goes out once)."""
        with self.db.read() as session:
            found, _ = situation(session, self.planner, state, with_days_and_pins=False)
        items = needs_attention(found, state.schedule, state.calendar)
        self.alerts.raise_alerts([item.alert for item in items if item.alert is not None])
