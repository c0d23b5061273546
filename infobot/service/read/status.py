"""``infobot status`` and the web page's summary: runway, last and next post, and what needs
attention (the same read the daemon raises its alerts from)."""

from __future__ import annotations

from datetime import timedelta

from infobot.domain.attention import (
    Attention,
    Pin,
    Situation,
    TroubledDay,
    dead_man,
    needs_attention,
)
from infobot.domain.calendar import Runway
from infobot.domain.schedule import SlotStatus
from infobot.domain.story import StoryStatus
from infobot.service.read.models import AttentionLine, LastPost, NextPost, Status
from infobot.service.read.plan import COMING, Planner
from infobot.store.queries import campaigns, deliveries, heartbeats, slots, stories
from infobot.store.queries.campaigns import CampaignState
from infobot.store.reader import Reader, ReadSource
from infobot.store.rows import BlackoutRow, StoryBrief

#: Troubled days shown for this long before the first day the runway counts.
TROUBLED_DAYS_SHOWN = timedelta(days=14)
#: Failed or in-doubt deliveries shown, newest first.
DELIVERIES_SHOWN = 20
#: How far ahead ``status`` looks for the next post.
NEXT_POST_WITHIN = 8
#: A daemon whose heartbeat is older than this is not running (three of its one-minute
#: ticks; ``infobot.runtime.runner.TICK_SECONDS``).
STALE_HEARTBEAT = timedelta(minutes=3)
#: The heartbeat state of a running daemon (``infobot.store.heartbeats.DaemonState``).
RUNNING = "running"


def situation(
    r: Reader,
    planner: Planner,
    state: CampaignState,
    *,
    deliveries_limit: int | None = None,
    with_days_and_pins: bool = True,
) -> tuple[Situation, Runway]:
    """The facts :func:`~infobot.domain.attention.needs_attention` is decided from."""
    cid = planner.campaign_id
    now = planner.clock.now()
    run, first = planner.runway(r, state)
    today = state.schedule.local_date(now)
    days: list[TroubledDay] = []
    pins: list[Pin] = []
    if with_days_and_pins:
        days = [
            TroubledDay(s.local_date, SlotStatus(s.status), s.reason)
            for s in slots.troubled_since(r, cid, first - TROUBLED_DAYS_SHOWN)
        ]
        pins = [
            Pin(s.id, s.pin_date)
            for s in stories.approved_pinned(r, cid, StoryBrief)
            if s.pin_date is not None
        ]
    found = Situation(
        now=now,
        runway=run,
        counted_from=first,
        today_status=slots.status_on(r, cid, today),
        deliveries=deliveries.needing_a_person(r, deliveries_limit),
        days=days,
        pins=pins,
    )
    return found, run


class CampaignReads:
    def __init__(self, source: ReadSource, planner: Planner, platforms: tuple[str, ...]) -> None:
        self.source = source
        self.planner = planner
        self.platforms = platforms

    def attention(self) -> list[Attention]:
        """Everything that needs a person now, alerts included."""
        with self.source() as r:
            state = self.planner.state(r)
            found, _ = situation(r, self.planner, state)
        return needs_attention(found, state.schedule, state.calendar)

    def status(self) -> Status:
        cid = self.planner.campaign_id
        with self.source() as r:
            state = self.planner.state(r)
            campaign = state.campaign
            found, run = situation(r, self.planner, state, deliveries_limit=DELIVERIES_SHOWN)
            counts = stories.count_by_status(r, cid, (StoryStatus.DRAFT, StoryStatus.REJECTED))
            counts["approved"] = run.approved
            last = slots.last_went_out(r, cid)
            last_title = stories.titles(r, [last.story_id] if last and last.story_id else [])
            next_post = None
            for entry in self.planner.plan(r, NEXT_POST_WITHIN, state):
                if entry.state in COMING and entry.story is not None:
                    story = entry.story
                    next_post = NextPost(entry.day, entry.due_at, story.id, story.title)
                    break
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
        )

    def health(self) -> tuple[bool, str]:
        """Is a scheduler alive, and is today's post not overdue? One line for HEALTHCHECK."""
        planner = self.planner
        now = planner.clock.now()
        with self.source() as r:
            beat = heartbeats.latest(r)
            state = planner.state(r)
            today = state.schedule.local_date(now)
            today_status = slots.status_on(r, planner.campaign_id, today)
        if beat is None:
            return False, "unhealthy: no infobot daemon has run against this database"
        age = now - beat.beat_at
        if beat.state != RUNNING or age > STALE_HEARTBEAT:
            return False, (
                f"unhealthy: the scheduler is not running (last heartbeat "
                f"{int(age.total_seconds())} s ago, {beat.state})"
            )
        overdue = dead_man(state.schedule, state.calendar, now, today_status)
        if overdue is not None:
            return False, f"unhealthy: {overdue.message}"
        state_text = f"today: {today_status}" if today_status is not None else "today: not yet due"
        return True, f"healthy: heartbeat {int(age.total_seconds())} s ago; {state_text}"

    def blackouts(self) -> list[BlackoutRow]:
        with self.source() as r:
            return campaigns.blackouts(r, self.planner.campaign_id)
