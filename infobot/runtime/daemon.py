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
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from infobot.domain.story import StoryStatus
from infobot.runtime.alerts import Alerter
from infobot.service.publisher import FAILED, IN_DOUBT, OPEN, Publisher
from infobot.service.schedule import Planner, due_at
from infobot.store.models import Campaign, Delivery, Event, Heartbeat, Slot, Story

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.domain.calendar import CampaignCalendar

log = logging.getLogger("infobot.daemon")
CATCH_UP_DAYS = 7
DEAD_MAN_AFTER = timedelta(minutes=30)
UNRESOLVED_DOUBT = timedelta(minutes=30)
RUNWAY_THRESHOLDS = (14, 7, 3, 1)
#: Calendar reasons that mean "not a campaign day at all" (nothing is recorded).
NOT_A_DAY = (
    "not a campaign day of the week",
    "before the campaign starts",
    "after the campaign ends",
)


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
            tz = ZoneInfo(campaign.timezone)
            first_run = session.scalar(select(func.min(Heartbeat.started_at)))
        today = now.astimezone(tz).date()
        floor = first_run.astimezone(tz).date() if first_run else today
        day = max(floor, today - timedelta(days=CATCH_UP_DAYS))
        with self.app.db.read() as session:
            taken = set(
                session.scalars(
                    select(Slot.local_date).where(
                        Slot.campaign_id == campaign.id,
                        Slot.local_date >= day,
                        Slot.local_date <= today,
                    )
                )
            )
        while day <= today:
            if day not in taken:
                self._day(day, now, campaign, calendar, report)
            day += timedelta(days=1)
        self._open_deliveries(now, campaign, report)
        self._watch(now, today, campaign, calendar)
        return report

    def _day(
        self,
        day: date,
        now: datetime,
        campaign: Campaign,
        calendar: CampaignCalendar,
        report: TickReport,
    ) -> None:
        due = due_at(day, campaign)
        if now < due:
            return
        with self.app.db.read() as session:
            taken = session.scalar(
                select(Slot.id).where(Slot.campaign_id == campaign.id, Slot.local_date == day)
            )
        if taken is not None:
            return
        off = calendar.off_reason(day)
        if off in NOT_A_DAY:
            return
        if off is not None:
            self.publisher.record_missed(day, off, status="skipped")
            report.add(f"{day}: no post ({off})")
            return
        if now > due + self.late:
            closed = (due + self.late).astimezone(ZoneInfo(campaign.timezone))
            reason = (
                f"nothing was posted by {closed:%H:%M} (the end of the late window): "
                "infobot was not running"
            )
            claim = self.publisher.record_missed(day, reason)
            if claim.created:
                report.add(f"{day}: missed")
                self.alerts.raise_once(
                    f"missed:{day}",
                    "missed_day",
                    f"No story was posted on {day:%A %d %B}: {reason}.",
                )
            return
        claim = self.publisher.claim(day, due_at=due)
        if not claim.created:
            return
        if claim.story_id is None:
            report.add(f"{day}: nothing to post ({claim.reason})")
            self.alerts.raise_once(
                f"empty:{day}",
                "missed_day",
                f"No story was posted on {day:%A %d %B}: the queue is empty. Approve more stories.",
            )
            return
        report.add(f"{day}: posting story #{claim.story_id}")
        delivered = self.publisher.deliver(claim.story_id)
        for outcome in delivered.outcomes:
            report.add(f"{day}: {outcome.platform} {outcome.status}")

    def _open_deliveries(self, now: datetime, campaign: Campaign, report: TickReport) -> None:
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
                    Story.campaign_id == campaign.id,
                    Story.status == StoryStatus.SCHEDULED.value,
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
            closes = due_at(day, campaign) + self.late if day is not None else None
            if closes is not None and now > closes and status != IN_DOUBT:
                self.publisher._finish(
                    delivery_id,
                    FAILED,
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
                if outcome.status != "sent" or delivered.attempted:
                    report.add(f"story #{story_id}: {outcome.platform} {outcome.status}")

    # -- alerts --------------------------------------------------------------------------
    def _watch(
        self, now: datetime, today: date, campaign: Campaign, calendar: CampaignCalendar
    ) -> None:
        with self.app.db.read() as session:
            failed = session.execute(
                select(
                    Delivery.id,
                    Delivery.story_id,
                    Delivery.platform,
                    Delivery.error,
                    Delivery.status,
                    Delivery.updated_at,
                ).where(Delivery.status.in_((FAILED, IN_DOUBT)))
            ).all()
            refused = set(
                session.scalars(
                    select(Event.delivery_id).where(
                        Event.action == "delivery.credentials_rejected",
                        Event.delivery_id.in_([row[0] for row in failed if row[4] == FAILED]),
                    )
                )
            )
            slot = session.scalar(
                select(Slot).where(Slot.campaign_id == campaign.id, Slot.local_date == today)
            )
            run, _ = Planner(self.app).runway(session)
        for delivery_id, story_id, platform, error, status, updated_at in failed:
            if status == FAILED and delivery_id in refused:
                self.alerts.raise_once(
                    f"delivery:{delivery_id}",
                    "credentials_rejected",
                    f"{platform} refused infobot's credentials, so story #{story_id} did not "
                    f"go out there: {error}",
                )
            elif status == FAILED:
                self.alerts.raise_once(
                    f"delivery:{delivery_id}",
                    "delivery_failed",
                    f"Story #{story_id} did not go out on {platform}: {error}",
                )
            elif now - updated_at > UNRESOLVED_DOUBT:  # the next ticks usually settle it
                self.alerts.raise_once(
                    f"doubt:{delivery_id}",
                    "in_doubt",
                    f"infobot cannot tell whether story #{story_id} went out on {platform} "
                    f"({error}); it keeps checking before any retry. Look at the account.",
                )
        due = due_at(today, campaign)
        done = slot is not None and slot.status not in ("claimed", "scheduled")
        if calendar.is_posting_day(today) and now > due + DEAD_MAN_AFTER and not done:
            self.alerts.raise_once(
                f"deadman:{today}",
                "dead_man",
                f"Today's post was due at {due.astimezone(ZoneInfo(campaign.timezone)):%H:%M} "
                "and has not gone out yet.",
            )
        if run.runs_dry_on is not None:
            for threshold in RUNWAY_THRESHOLDS:
                if run.runway_days <= threshold:
                    self.alerts.raise_once(
                        f"runway:{threshold}:{run.runs_dry_on}",
                        "runway",
                        f"The queue runs dry on {run.runs_dry_on:%A %d %B} "
                        f"({run.runway_days} posting days left): approve more stories.",
                    )
                    break
