"""``infobot status``: the rules that make the status from what a read found, shared by the
full read side (:mod:`infobot.service.read.status`, with the ORM) and the lean path
(:func:`read_status`, on the driver alone). It imports no SQLAlchemy.

:func:`read_status` serves a campaign (in one language or several: only the stories ready in
all of a bilingual campaign's languages post) with no pre-election period and no delivery
waiting for a person; otherwise it raises :class:`Unsupported` and the full path answers
(essential stories and the credentials check are read there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from infobot.domain.attention import NotReady, Pin, Situation, TroubledDay, needs_attention
from infobot.domain.calendar import Runway, runway
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.election import status_line
from infobot.domain.engagement import UNKNOWN, add_scores, interactions
from infobot.domain.overdue import Beat, DaemonState, TodaysDelivery, why_overdue
from infobot.domain.schedule import SlotStatus
from infobot.domain.story import StoryStatus
from infobot.domain.versions import missing
from infobot.service.planning import COMING, PlanDay, plan_days
from infobot.service.status_models import (
    AttentionLine,
    FirstFigures,
    LastPost,
    NextPost,
    OverdueLine,
    PlatformFigures,
    Status,
)
from infobot.store.queries import campaigns, engagement, slots, stories
from infobot.store.queries.campaigns import CampaignState
from infobot.store.queries.engagement import PostFacts
from infobot.store.reader import Reader, Unsupported
from infobot.store.rows import StoryBrief, StoryPin

#: Troubled days shown for this long before the first day the runway counts.
TROUBLED_DAYS_SHOWN = timedelta(days=14)
#: Failed or in-doubt deliveries shown, newest first.
DELIVERIES_SHOWN = 20
#: How far ahead ``status`` looks for the next post.
NEXT_POST_WITHIN = 8
#: The story counts ``status`` gives besides the approved ones.
COUNTED = (StoryStatus.DRAFT, StoryStatus.REJECTED)


# -- the rules, from what a read found ------------------------------------------------------
def status_of(
    state: CampaignState,
    platforms: Sequence[str],
    found: Situation,
    run: Runway,
    counts: dict[str, int],
    last: Any,
    last_title: str | None,
    overdue: OverdueLine | None,
    plan: Sequence[PlanDay],
    figures: FirstFigures | None,
) -> Status:
    """The status: ``last`` is the slot of the latest day a post went out (or None),
    ``plan`` the coming days."""
    campaign, schedule = state.campaign, state.schedule
    today = found.now.astimezone(schedule.timezone).date()
    attention = [
        AttentionLine(item.kind, item.message)
        for item in needs_attention(found, schedule, state.calendar)
    ]
    return Status(
        campaign=campaign.name,
        hashtag=campaign.hashtag,
        timezone=campaign.timezone,
        post_time=campaign.post_time,
        platforms=list(platforms),
        paused=campaign.paused,
        paused_until=campaign.paused_until,
        today=today,
        counts={**counts, "approved": run.approved},
        runway_days=run.runway_days,
        runs_dry_on=run.runs_dry_on,
        campaign_days_left=run.days_left,
        short_by=run.short_by,
        runway=run.summary(),
        last_post=(
            LastPost(last.local_date, last.status, last.story_id, last_title) if last else None
        ),
        next_post=next_post(plan),
        attention=attention,
        overdue=overdue,
        first_figures=figures,
        election=status_line(today, state.calendar.elections),
    )


def next_post(plan: Sequence[PlanDay]) -> NextPost | None:
    """The first coming day of the plan that posts a story."""
    for entry in plan:
        if entry.state in COMING and entry.story is not None:
            story = entry.story
            return NextPost(entry.day, entry.due_at, story.id, story.title)
    return None


def overdue_line(
    due: datetime, now: datetime, beat: Beat | None, deliveries: Sequence[Any]
) -> OverdueLine:
    """Why today's post (due at ``due``) is late (``infobot.domain.overdue``), from the
    latest heartbeat and the deliveries of the day's story (models or rows)."""
    today = [
        TodaysDelivery(d.platform, DeliveryStatus(d.status), d.next_attempt_at, d.error)
        for d in deliveries
    ]
    late = why_overdue(due, now, beat, today)
    return OverdueLine(
        late.cause.value, late.message, due.astimezone(UTC), late.last_beat, late.next_attempt
    )


def figures_of(day: date, story_id: int, facts: Sequence[PostFacts]) -> FirstFigures | None:
    """The first figures of the story that went out on ``day``, from its posts' facts."""
    if not facts:
        return None
    platforms = [_figures(f) for f in sorted(facts, key=lambda f: f.platform)]
    return FirstFigures(
        date=day,
        story_id=story_id,
        title=facts[0].title,
        engagement=add_scores(p.engagement for p in platforms),
        platforms=platforms,
    )


def _figures(facts: PostFacts) -> PlatformFigures:
    total = facts.counts.total if facts.counts is not None else UNKNOWN
    return PlatformFigures(
        platform=facts.platform,
        url=facts.url,
        state=facts.state.value,
        read_at=facts.read_at,
        engagement=interactions(total),
        counts=total.as_dict(),
    )


def figures_line(figures: FirstFigures) -> str:
    """One line for people: ``mastodon: 12 likes, 3 reposts; x: …``."""
    return "; ".join(f"{p.platform}: {p.text}" for p in figures.platforms)


def pins_of(pinned: Sequence[Any]) -> list[Pin]:
    return [Pin(s.id, s.pin_date, bool(s.essential_reason)) for s in pinned if s.pin_date]


def troubled(days: Sequence[Any]) -> list[TroubledDay]:
    return [TroubledDay(s.local_date, SlotStatus(s.status), s.reason) for s in days]


def not_ready_of(found: Iterable[tuple[int, str]], languages: Sequence[str]) -> list[NotReady]:
    """The approved stories (id, their ``languages`` column) lacking one of a bilingual
    campaign's ``languages``, each with the languages it lacks."""
    return [NotReady(sid, tuple(missing(have.split(), languages))) for sid, have in found]


# -- the lean read ---------------------------------------------------------------------------
def read_status(
    r: Reader,
    campaign_id: int,
    now: datetime,
    late_window: timedelta,
    platforms: Sequence[str],
    languages: Sequence[str] = (),
) -> Status:
    """The status of a campaign in ``languages`` (see the module)."""
    state = campaigns.state(r, campaign_id, late_window)
    if state is None or state.calendar.elections:
        raise Unsupported("pre-election periods are read by the full path")
    if slots.needing_a_person(r, campaign_id):
        raise Unsupported("deliveries needing a person are read by the full path")
    today = state.schedule.local_date(now)
    today_status = slots.status_on(r, campaign_id, today)
    run, first = runway_of(r, campaign_id, state, now, today_status, languages)
    found = Situation(
        now=now,
        runway=run,
        counted_from=first,
        today_status=today_status,
        days=troubled(slots.troubled_since(r, campaign_id, first - TROUBLED_DAYS_SHOWN)),
        pins=pins_of(stories.approved_pinned(r, campaign_id, StoryPin)),
        not_ready=not_ready_of(stories.not_ready(r, campaign_id, languages), languages),
    )
    last = slots.last_went_out(r, campaign_id)
    titles = stories.by_ids(r, [last.story_id] if last and last.story_id else [], StoryBrief)
    last_title = titles[last.story_id].title if last and last.story_id in titles else None
    return status_of(
        state,
        platforms,
        found,
        run,
        stories.count_by_status(r, campaign_id, COUNTED),
        last,
        last_title,
        _overdue(r, campaign_id, state, found),
        plan_of(r, campaign_id, state, now, NEXT_POST_WITHIN, languages=languages),
        _first_figures(r, campaign_id, today),
    )


def runway_of(
    r: Reader,
    campaign_id: int,
    state: CampaignState,
    now: datetime,
    today_status: str | None,
    languages: Sequence[str] = (),
) -> tuple[Runway, date]:
    """How long the approved queue (of stories ready in all of ``languages``) lasts, and the
    first day it counts from (``Planner.runway``); ``today_status`` is today's slot's status."""
    first = state.schedule.first_open_day(now, today_taken=today_status is not None)
    unpinned = stories.queue_size(r, campaign_id, languages)
    pin_dates = stories.approved_pin_dates(r, campaign_id, first, languages)
    return runway(state.calendar, first, unpinned, pin_dates), first


def _overdue(
    r: Reader, campaign_id: int, state: CampaignState, found: Situation
) -> OverdueLine | None:
    due = state.schedule.overdue(state.calendar, found.now, found.today_status)
    if due is None:
        return None
    latest = slots.latest_heartbeat(r)
    beat = Beat(latest[0], latest[1] == DaemonState.RUNNING) if latest is not None else None
    slot = slots.on(r, campaign_id, due.date())
    story_id = slot.story_id if slot is not None else None
    today = slots.deliveries_of(r, story_id) if story_id is not None else []
    return overdue_line(due, found.now, beat, today)


def plan_of(
    r: Reader,
    campaign_id: int,
    state: CampaignState,
    now: datetime,
    days: int,
    row: type[Any] = StoryPin,
    languages: Sequence[str] = (),
) -> list[PlanDay]:
    """The plan of ``days`` coming days (``Planner.plan``) for a campaign with no
    pre-election period, its stories as ``row``: those ready in all of ``languages``."""
    if state.calendar.elections:
        raise Unsupported("essential stories are planned by the full path")
    first = state.schedule.local_date(now)
    last = first + timedelta(days=days - 1)
    taken = slots.between(r, campaign_id, first, last)
    pinned = stories.approved_pinned(r, campaign_id, row, first, last, languages)
    pins: Mapping[date, Any] = {s.pin_date: s for s in pinned if s.pin_date is not None}
    queued = stories.queue(r, campaign_id, row, limit=days, languages=languages)
    by_id = stories.by_ids(r, [s.story_id for s in taken.values() if s.story_id], row)
    return plan_days(
        state.calendar, state.schedule, now, first, days, taken, by_id, pins, queued, ()
    )


def _first_figures(r: Reader, campaign_id: int, today: date) -> FirstFigures | None:
    went = engagement.went_out_before(r, campaign_id, today)
    if went is None:
        return None
    day, story_id = went
    return figures_of(day, story_id, engagement.posts_of(r, campaign_id, [story_id]))
