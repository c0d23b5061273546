"""Which story goes out on which campaign day: pins, queue order, pauses and blackouts.

The same plan serves ``preview``, ``status`` and (later) the daemon's choice of story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infobot.app import calendar_of, post_time_of
from infobot.domain.calendar import CampaignCalendar, Runway, runway
from infobot.domain.story import StoryStatus
from infobot.service.stories import QUEUE_ORDER, queue_filter
from infobot.store.models import Blackout, Campaign, Slot, Story

if TYPE_CHECKING:
    from infobot.app import App


@dataclass(frozen=True)
class PlanDay:
    day: date
    due_at: datetime  # UTC instant of the post time on that local day
    state: str  # "scheduled" (from the queue), "pinned", "done" (slot exists), "off", "empty",
    #             "missed" (time and late window passed with no slot)
    reason: str
    story: Story | None
    slot: Slot | None = None


def due_at(day: date, campaign: Campaign) -> datetime:
    """The UTC instant of the post time on a local date (DST-safe: wall time on that day)."""
    tz = ZoneInfo(campaign.timezone)
    local = datetime.combine(day, post_time_of(campaign), tzinfo=tz)
    # a wall time that does not exist (spring forward) resolves forward, never skipped
    return local.astimezone(UTC)


@dataclass
class Planner:
    app: App

    def load(self, session: Session) -> tuple[Campaign, CampaignCalendar]:
        campaign = session.get_one(Campaign, self.app.campaign_id)
        blackouts = session.scalars(
            select(Blackout.day).where(Blackout.campaign_id == campaign.id)
        ).all()
        return campaign, calendar_of(campaign, blackouts)

    def plan(self, session: Session, days: int) -> list[PlanDay]:
        campaign, calendar = self.load(session)
        now = self.app.clock.now()
        first = now.astimezone(ZoneInfo(campaign.timezone)).date()
        last = first + timedelta(days=days - 1)
        late = timedelta(hours=self.app.settings.late_window_hours)
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
            when = due_at(day, campaign)
            slot = slots.get(day)
            if slot is not None:
                story = stories_by_id.get(slot.story_id) if slot.story_id else None
                plan.append(PlanDay(day, when, "done", slot.status, story, slot))
                continue
            off = calendar.off_reason(day)
            if off is not None:
                plan.append(PlanDay(day, when, "off", off, pins.get(day)))
                continue
            if now > when + late:
                plan.append(PlanDay(day, when, "missed", "post time and late window passed", None))
                continue
            if day in pins:
                plan.append(PlanDay(day, when, "pinned", f"pinned to {day.isoformat()}", pins[day]))
                continue
            story = next(queue, None)
            if story is None:
                plan.append(
                    PlanDay(day, when, "empty", "no approved story left in the queue", None)
                )
            else:
                plan.append(PlanDay(day, when, "scheduled", "next in the queue", story))
        return plan

    def runway(self, session: Session) -> tuple[Runway, date]:
        campaign, calendar = self.load(session)
        now = self.app.clock.now()
        first = now.astimezone(ZoneInfo(campaign.timezone)).date()
        late = timedelta(hours=self.app.settings.late_window_hours)
        today_slot = session.scalar(
            select(Slot.id).where(Slot.campaign_id == campaign.id, Slot.local_date == first)
        )
        if today_slot is not None or now > due_at(first, campaign) + late:
            first += timedelta(days=1)  # today's post is out (or can no longer go out)
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
