"""Which story goes out on which campaign day: pins, queue order, pauses and blackouts.

The same plan serves ``preview``, ``status`` and (later) the daemon's choice of story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infobot.app import calendar_of, post_time_of
from infobot.domain.calendar import CampaignCalendar, DayOff, Runway, runway
from infobot.domain.schedule import DayState, PostingSchedule
from infobot.domain.story import StoryStatus
from infobot.service.stories import QUEUE_ORDER, queue_filter
from infobot.store.models import Blackout, Campaign, Slot, Story

if TYPE_CHECKING:
    from infobot.app import App


@dataclass(frozen=True)
class PlanDay:
    day: date
    due_at: datetime  # UTC instant of the post time on that local day
    state: DayState
    reason: str
    story: Story | None
    slot: Slot | None = None
    off: DayOff | None = None


def schedule_of(campaign: Campaign, late_window: timedelta) -> PostingSchedule:
    return PostingSchedule(ZoneInfo(campaign.timezone), post_time_of(campaign), late_window)


@dataclass
class Planner:
    app: App

    def load(self, session: Session) -> tuple[Campaign, CampaignCalendar]:
        campaign = session.get_one(Campaign, self.app.campaign_id)
        blackouts = session.scalars(
            select(Blackout.day).where(Blackout.campaign_id == campaign.id)
        ).all()
        return campaign, calendar_of(campaign, blackouts)

    @property
    def late_window(self) -> timedelta:
        return timedelta(hours=self.app.settings.late_window_hours)

    def plan(self, session: Session, days: int) -> list[PlanDay]:
        campaign, calendar = self.load(session)
        schedule = schedule_of(campaign, self.late_window)
        now = self.app.clock.now()
        first = schedule.local_date(now)
        last = first + timedelta(days=days - 1)
        slots = {
            slot.local_date: slot
            for slot in session.scalars(
                select(Slot).where(
                    Slot.campaign_id == campaign.id,
                    Slot.local_date >= first,
                    Slot.local_date <= last,
                )
            )
        }
        pins = {
            story.pin_date: story
            for story in session.scalars(
                select(Story).where(
                    Story.campaign_id == campaign.id,
                    Story.status == StoryStatus.APPROVED.value,
                    Story.pin_date >= first,
                    Story.pin_date <= last,
                )
            )
            if story.pin_date is not None
        }
        queue = iter(
            session.scalars(
                select(Story).where(queue_filter(campaign.id)).order_by(*QUEUE_ORDER).limit(days)
            ).all()
        )
        stories_by_id: dict[int, Story] = {}
        slot_story_ids = [s.story_id for s in slots.values() if s.story_id is not None]
        if slot_story_ids:
            stories_by_id = {
                s.id: s for s in session.scalars(select(Story).where(Story.id.in_(slot_story_ids)))
            }
        plan: list[PlanDay] = []
        for day in calendar.days(first, days):
            when = schedule.due_at(day)
            slot = slots.get(day)
            if slot is not None:
                story = stories_by_id.get(slot.story_id) if slot.story_id else None
                plan.append(PlanDay(day, when, DayState.DONE, slot.status, story, slot))
                continue
            off = calendar.day_off(day)
            if off is not None:
                reason = calendar.describe(off)
                plan.append(PlanDay(day, when, DayState.OFF, reason, pins.get(day), off=off))
                continue
            if schedule.is_missed(day, now):
                reason = "post time and late window passed"
                plan.append(PlanDay(day, when, DayState.MISSED, reason, None))
                continue
            if day in pins:
                reason = f"pinned to {day.isoformat()}"
                plan.append(PlanDay(day, when, DayState.PINNED, reason, pins[day]))
                continue
            story = next(queue, None)
            if story is None:
                reason = calendar.describe(DayOff.EMPTY_QUEUE)
                empty = PlanDay(day, when, DayState.EMPTY, reason, None, off=DayOff.EMPTY_QUEUE)
                plan.append(empty)
            else:
                plan.append(PlanDay(day, when, DayState.SCHEDULED, "next in the queue", story))
        return plan

    def runway(self, session: Session) -> tuple[Runway, date]:
        campaign, calendar = self.load(session)
        schedule = schedule_of(campaign, self.late_window)
        now = self.app.clock.now()
        today = schedule.local_date(now)
        today_slot = session.scalar(
            select(Slot.id).where(Slot.campaign_id == campaign.id, Slot.local_date == today)
        )
        first = schedule.first_open_day(now, today_taken=today_slot is not None)
        unpinned = int(
            session.scalar(select(func.count()).select_from(Story).where(queue_filter(campaign.id)))
            or 0
        )
        pin_dates = [
            d
            for d in session.scalars(
                select(Story.pin_date).where(
                    Story.campaign_id == campaign.id,
                    Story.status == StoryStatus.APPROVED.value,
                    Story.pin_date >= first,
                )
            )
            if d is not None
        ]
        return runway(calendar, first, unpinned, pin_dates), first
