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
4. raises alerts (once each): missed days, failed deliveries, doubt that needs a person,
   a post overdue by 30 minutes, and the queue's runway at 14, 7, 3 and 1 days.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from infobot.domain.attention import (
    Alert,
    ProblemDelivery,
    Situation,
    empty_day_alert,
    missed_day_alert,
    needs_attention,
)
from infobot.domain.delivery import NEEDS_A_PERSON, OPEN, DeliveryStatus
from infobot.domain.schedule import PostingSchedule, SlotStatus
from infobot.domain.story import StoryStatus
from infobot.runtime.alerts import Alerter
from infobot.service.publisher import Publisher
from infobot.service.schedule import Planner, schedule_of
from infobot.store.models import Delivery, Event, Heartbeat, Slot, Story

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.domain.calendar import CampaignCalendar

log = logging.getLogger("infobot.daemon")
CATCH_UP_DAYS = 7


@dataclass
class TickReport:
    actions: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        log.info("%s", text)
        self.actions.append(text)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Daemon:
    def __init__(self, app: App, *, worker: str | None = None) -> None:
        self.app = app
        self.worker = worker or default_worker()
        self.publisher = Publisher(app, worker=self.worker)
        self.alerts = Alerter(app)
        self.late = timedelta(hours=app.settings.late_window_hours)
        self.campaign_id = app.campaign_id

    # -- heartbeat -----------------------------------------------------------------------
    def beat(self, state: str = "running") -> None:
        now = self.app.clock.now()
        with self.app.db.write() as session:
            row = session.scalar(select(Heartbeat).where(Heartbeat.worker == self.worker))
            if row is None:
                session.add(
                    Heartbeat(
                        worker=self.worker,
                        pid=os.getpid(),
                        started_at=now,
                        beat_at=now,
                        state=state,
                    )
                )
            else:
                row.beat_at = now
                row.state = state

    # -- the tick ------------------------------------------------------------------------
    def tick(self) -> TickReport:
        report = TickReport()
        self.beat()
        now = self.app.clock.now()
        with self.app.db.read() as session:
            campaign, calendar = Planner(self.app).load(session)
            schedule = schedule_of(campaign, self.late)
            first_run = session.scalar(select(func.min(Heartbeat.started_at)))
        today = schedule.local_date(now)
        floor = schedule.local_date(first_run) if first_run else today
        day = max(floor, today - timedelta(days=CATCH_UP_DAYS))
        with self.app.db.read() as session:
            taken = set(
                session.scalars(
                    select(Slot.local_date).where(
                        Slot.campaign_id == self.campaign_id,
                        Slot.local_date >= day,
                        Slot.local_date <= today,
                    )
                )
            )
        while day <= today:
            if day not in taken:
                self._day(day, now, schedule, calendar, report)
            day += timedelta(days=1)
        self._open_deliveries(now, schedule, report)
        self._watch(now, today, schedule, calendar)
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
        with self.app.db.read() as session:
            taken = session.scalar(
                select(Slot.id).where(Slot.campaign_id == self.campaign_id, Slot.local_date == day)
            )
        if taken is not None:
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
                self._raise(missed_day_alert(day, reason))
            return
        claim = self.publisher.claim(day, due_at=schedule.due_at(day))
        if not claim.created:
            return
        if claim.story_id is None:
            report.add(f"{day}: nothing to post ({claim.reason})")
            self._raise(empty_day_alert(day))
            return
        report.add(f"{day}: posting story #{claim.story_id}")
        delivered = self.publisher.deliver(claim.story_id)
        for outcome in delivered.outcomes:
            report.add(f"{day}: {outcome.platform} {outcome.status}")

    def _open_deliveries(
        self, now: datetime, schedule: PostingSchedule, report: TickReport
    ) -> None:
        with self.app.db.read() as session:
            rows = session.execute(
                select(
                    Delivery.id,
                    Delivery.story_id,
                    Delivery.status,
                    Delivery.next_attempt_at,
                    Slot.local_date,
                )
                .outerjoin(Slot, Slot.id == Delivery.slot_id)
                .where(Delivery.status.in_(OPEN))
            ).all()
        # stories whose deliveries all ended but whose own status was never settled
        # (a crash between the last result commit and the settle)
        with self.app.db.read() as session:
            unsettled = session.scalars(
                select(Story.id).where(
                    Story.campaign_id == self.campaign_id,
                    Story.status == StoryStatus.SCHEDULED,
                    ~select(Delivery.id)
                    .where(Delivery.story_id == Story.id, Delivery.status.in_(OPEN))
                    .exists(),
                )
            ).all()
        for story_id in unsettled:
            self.publisher._settle(story_id)
            report.add(f"story #{story_id}: settled after an interrupted delivery")
        due_stories: set[int] = set()
        for delivery_id, story_id, status, next_at, day in rows:
            missed = day is not None and schedule.is_missed(day, now)
            if missed and status != DeliveryStatus.IN_DOUBT:
                self.publisher._finish(
                    delivery_id,
                    DeliveryStatus.FAILED,
                    "gave up: the late window closed before it could be delivered",
                )
                self.publisher._settle(story_id)
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
    def _raise(self, alert: Alert) -> None:
        self.alerts.raise_once(alert.key, alert.kind, alert.message)

    def _watch(
        self, now: datetime, today: date, schedule: PostingSchedule, calendar: CampaignCalendar
    ) -> None:
        with self.app.db.read() as session:
            rows = session.execute(
                select(
                    Delivery.id,
                    Delivery.story_id,
                    Delivery.platform,
                    Delivery.error,
                    Delivery.status,
                    Delivery.updated_at,
                ).where(Delivery.status.in_(NEEDS_A_PERSON))
            ).all()
            refused = set(
                session.scalars(
                    select(Event.delivery_id).where(
                        Event.action == "delivery.credentials_rejected",
                        Event.delivery_id.in_(
                            [row[0] for row in rows if row[4] == DeliveryStatus.FAILED]
                        ),
                    )
                )
            )
            slot = session.scalar(
                select(Slot).where(Slot.campaign_id == self.campaign_id, Slot.local_date == today)
            )
            run, counted_from = Planner(self.app).runway(session)
        situation = Situation(
            now=now,
            runway=run,
            counted_from=counted_from,
            today_status=slot.status if slot is not None else None,
            deliveries=[
                ProblemDelivery(
                    delivery_id,
                    story_id,
                    platform,
                    DeliveryStatus(status),
                    error,
                    updated_at,
                    credentials_refused=delivery_id in refused,
                )
                for delivery_id, story_id, platform, error, status, updated_at in rows
            ],
        )
        for item in needs_attention(situation, schedule, calendar):
            if item.alert is not None:
                self._raise(item.alert)
