"""``infobot status`` and the web page's summary: runway, last and next post, and what needs
attention (the same read the daemon raises its alerts from)."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy.orm import Session

from infobot.domain.attention import (
    Attention,
    NotReady,
    Pin,
    Situation,
    TroubledDay,
    needs_attention,
)
from infobot.domain.calendar import Runway
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.election import status_line
from infobot.domain.overdue import Beat, TodaysDelivery, why_overdue
from infobot.domain.schedule import SlotStatus
from infobot.domain.story import StoryStatus
from infobot.domain.versions import missing
from infobot.service.read.figures import first_figures
from infobot.service.read.models import (
    AttentionLine,
    ElectionView,
    LastPost,
    NextPost,
    OverdueLine,
    Status,
)
from infobot.service.read.plan import COMING, Planner
from infobot.store import campaigns, deliveries, elections, heartbeats, slots, stories
from infobot.store.campaigns import CampaignState
from infobot.store.db import Database
from infobot.store.heartbeats import DaemonState
from infobot.store.models import Blackout

#: Troubled days shown for this long before the first day the runway counts.
TROUBLED_DAYS_SHOWN = timedelta(days=14)
#: Failed or in-doubt deliveries shown, newest first.
DELIVERIES_SHOWN = 20
#: How far ahead ``status`` looks for the next post.
NEXT_POST_WITHIN = 8


def situation(
    session: Session,
    planner: Planner,
    state: CampaignState,
    *,
    deliveries_limit: int | None = None,
    with_days_and_pins: bool = True,
) -> tuple[Situation, Runway]:
    """The facts :func:`~infobot.domain.attention.needs_attention` is decided from."""
    cid = planner.campaign_id
    now = planner.clock.now()
    run, first = planner.runway(session, state)
    today = state.schedule.local_date(now)
    days: list[TroubledDay] = []
    pins: list[Pin] = []
    if with_days_and_pins:
        days = [
            TroubledDay(s.local_date, SlotStatus(s.status), s.reason)
            for s in slots.troubled_since(session, cid, first - TROUBLED_DAYS_SHOWN)
        ]
        pins = [
            Pin(s.id, s.pin_date, bool(s.essential_reason))
            for s in stories.approved_pinned(session, cid)
            if s.pin_date is not None
        ]
    found = Situation(
        now=now,
        runway=run,
        counted_from=first,
        today_status=slots.status_on(session, cid, today),
        deliveries=deliveries.needing_a_person(session, deliveries_limit, cid),
        days=days,
        pins=pins,
        not_ready=[
            NotReady(s.id, tuple(missing(s.languages.split(), planner.languages)))
            for s in stories.not_ready(session, cid, planner.languages)
        ],
    )
    return found, run


class CampaignReads:
    def __init__(self, db: Database, planner: Planner, platforms: tuple[str, ...]) -> None:
        self.db = db
        self.planner = planner
        self.platforms = platforms

    def attention(self) -> list[Attention]:
        """Everything that needs a person now, alerts included."""
        with self.db.read() as session:
            state = self.planner.state(session)
            found, _ = situation(session, self.planner, state)
        return needs_attention(found, state.schedule, state.calendar)

    def status(self) -> Status:
        cid = self.planner.campaign_id
        with self.db.read() as session:
            state = self.planner.state(session)
            campaign = state.campaign
            found, run = situation(session, self.planner, state, deliveries_limit=DELIVERIES_SHOWN)
            counts = stories.count_by_status(
                session, cid, (StoryStatus.DRAFT, StoryStatus.REJECTED)
            )
            counts["approved"] = run.approved
            last = slots.last_went_out(session, cid)
            last_title = stories.titles(session, [last.story_id] if last and last.story_id else [])
            overdue = self._overdue(session, state, found)
            next_post = None
            for entry in self.planner.plan(session, NEXT_POST_WITHIN, state):
                if entry.state in COMING and entry.story is not None:
                    story = entry.story
                    next_post = NextPost(entry.day, entry.due_at, story.id, story.title)
                    break
            figures = first_figures(session, cid, state.schedule.local_date(found.now))
        attention = [
            AttentionLine(item.kind, item.message)
            for item in needs_attention(found, state.schedule, state.calendar)
        ]
        return Status(
            campaign=campaign.name,
            hashtag=campaign.hashtag,
            timezone=campaign.timezone,
            post_time=campaign.post_time,
            platforms=list(self.platforms),
            paused=campaign.paused,
            paused_until=campaign.paused_until,
            today=found.now.astimezone(state.schedule.timezone).date(),
            counts=counts,
            runway_days=run.runway_days,
            runs_dry_on=run.runs_dry_on,
            campaign_days_left=run.days_left,
            short_by=run.short_by,
            runway=run.summary(),
            last_post=(
                LastPost(
                    last.local_date,
                    last.status,
                    last.story_id,
                    last_title.get(last.story_id) if last.story_id else None,
                )
                if last
                else None
            ),
            next_post=next_post,
            attention=attention,
            overdue=overdue,
            first_figures=figures,
            election=status_line(
                found.now.astimezone(state.schedule.timezone).date(), state.calendar.elections
            ),
        )

    def _overdue(
        self, session: Session, state: CampaignState, found: Situation
    ) -> OverdueLine | None:
        """Why today's post is late, when the dead man's switch says it is."""
        due = state.schedule.overdue(state.calendar, found.now, found.today_status)
        if due is None:
            return None
        latest = heartbeats.latest(session)
        beat = (
            Beat(latest.beat_at, latest.state == DaemonState.RUNNING)
            if latest is not None
            else None
        )
        slot = slots.on(session, self.planner.campaign_id, due.date())
        today = (
            [
                TodaysDelivery(d.platform, DeliveryStatus(d.status), d.next_attempt_at, d.error)
                for d in deliveries.of_story(session, slot.story_id)
            ]
            if slot is not None and slot.story_id is not None
            else []
        )
        late = why_overdue(due, found.now, beat, today)
        return OverdueLine(
            late.cause.value,
            late.message,
            due.astimezone(UTC),
            late.last_beat,
            late.next_attempt,
        )

    def blackouts(self) -> list[Blackout]:
        with self.db.read() as session:
            return campaigns.blackouts(session, self.planner.campaign_id)

    def elections(self) -> list[ElectionView]:
        """The campaign's pre-election periods, soonest first."""
        with self.db.read() as session:
            return [
                ElectionView.of(row) for row in elections.rows(session, self.planner.campaign_id)
            ]
