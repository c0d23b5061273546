"""Which story goes out on which campaign day: pins, queue order, pauses and blackouts.

The same plan serves ``infobot preview``, ``status``, the web calendar and the runway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from infobot.clock import Clock
from infobot.domain.calendar import Runway, runway
from infobot.domain.costs import Pricing
from infobot.service.checks import StoryChecker
from infobot.service.planning import COMING as COMING
from infobot.service.planning import PlanDay as PlanDay
from infobot.service.planning import plan_days
from infobot.service.previewing import PreviewDay, preview_days
from infobot.store import campaigns, elections, linkcards, slots, stories
from infobot.store.campaigns import CampaignState
from infobot.store.db import Database


class Planner:
    """Plans and runway inside a read the caller holds open."""

    def __init__(
        self,
        clock: Clock,
        campaign_id: int,
        late_window: timedelta,
        languages: Sequence[str] = (),
    ) -> None:
        self.clock = clock
        self.campaign_id = campaign_id
        self.late_window = late_window
        #: a bilingual campaign's languages: only stories ready in all of them post
        self.languages = tuple(languages)

    def state(self, session: Session) -> CampaignState:
        return campaigns.load(session, self.campaign_id, self.late_window)

    def plan(
        self, session: Session, days: int, state: CampaignState | None = None
    ) -> list[PlanDay]:
        state = state or self.state(session)
        calendar, schedule = state.calendar, state.schedule
        cid = self.campaign_id
        now = self.clock.now()
        first = schedule.local_date(now)
        last = first + timedelta(days=days - 1)
        taken = slots.between(session, cid, first, last)
        languages = self.languages
        pins = {
            story.pin_date: story
            for story in stories.approved_pinned(session, cid, first, last, languages)
            if story.pin_date is not None
        }
        queue = stories.queue(session, cid, limit=days, languages=languages)
        essential = (
            elections.essential_queue(session, cid, languages, limit=days)
            if calendar.elections
            else ()
        )
        by_id = stories.by_ids(session, [s.story_id for s in taken.values() if s.story_id])
        return plan_days(calendar, schedule, now, first, days, taken, by_id, pins, queue, essential)

    def runway(
        self,
        session: Session,
        state: CampaignState | None = None,
        *,
        today_taken: bool | None = None,
    ) -> tuple[Runway, date]:
        """How long the approved queue lasts, and the first day it counts from
        (``today_taken``: whether today has a slot, when the caller has read it)."""
        state = state or self.state(session)
        now = self.clock.now()
        if today_taken is None:
            today = state.schedule.local_date(now)
            today_taken = slots.status_on(session, self.campaign_id, today) is not None
        first = state.schedule.first_open_day(now, today_taken=today_taken)
        unpinned = stories.queue_size(session, self.campaign_id, self.languages)
        pin_dates = stories.approved_pin_dates(session, self.campaign_id, first, self.languages)
        return runway(state.calendar, first, unpinned, pin_dates), first


class PlanReads:
    """``infobot preview``: what goes out each coming day, as each platform gets it."""

    def __init__(
        self,
        db: Database,
        planner: Planner,
        checker: StoryChecker,
        pricing: Pricing | None = None,
    ) -> None:
        self.db = db
        self.planner = planner
        self.checker = checker
        self.pricing = pricing  # with X enabled: each day's X cost is shown

    def preview(self, days: int) -> list[PreviewDay]:
        with self.db.read() as session:
            plan = self.planner.plan(session, days)
            cards = linkcards.of_stories(
                session, [e.story.id for e in plan if e.story is not None and e.state in COMING]
            )
        return preview_days(plan, cards, self.checker, self.pricing)
