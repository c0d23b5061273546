"""``infobot status`` and the web page's summary: runway, last and next post, and what needs
attention (the same read the daemon raises its alerts from)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from infobot.domain.attention import (
    Attention,
    Pin,
    Situation,
    TroubledDay,
    needs_attention,
)
from infobot.domain.calendar import Runway
from infobot.domain.overdue import Beat
from infobot.service.campaign_status import (
    COUNTED,
    DELIVERIES_SHOWN,
    NEXT_POST_WITHIN,
    TROUBLED_DAYS_SHOWN,
    not_ready_of,
    overdue_line,
    pins_of,
    read_status,
    status_of,
    troubled,
)
from infobot.service.read.figures import first_figures
from infobot.service.read.models import (
    ElectionView,
    OverdueLine,
    Status,
)
from infobot.service.read.plan import Planner
from infobot.store import campaigns, deliveries, elections, heartbeats, slots, stories
from infobot.store.campaigns import CampaignState
from infobot.store.db import Database
from infobot.store.heartbeats import DaemonState
from infobot.store.models import Blackout
from infobot.store.reader import Unsupported


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
    today_status = slots.status_on(session, cid, state.schedule.local_date(now))
    run, first = planner.runway(session, state, today_taken=today_status is not None)
    days: list[TroubledDay] = []
    pins: list[Pin] = []
    if with_days_and_pins:
        days = troubled(slots.troubled_since(session, cid, first - TROUBLED_DAYS_SHOWN))
        pins = pins_of(stories.approved_pinned(session, cid))
    found = Situation(
        now=now,
        runway=run,
        counted_from=first,
        today_status=today_status,
        deliveries=deliveries.needing_a_person(session, deliveries_limit, cid),
        days=days,
        pins=pins,
        not_ready=not_ready_of(
            ((s.id, s.languages) for s in stories.not_ready(session, cid, planner.languages)),
            planner.languages,
        ),
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
        """The status: on the read side's SQL (``campaign_status.read_status``), else (when
        that read steps aside) through the ORM."""
        planner = self.planner
        try:
            with self.db.reader() as r:
                now, languages = planner.clock.now(), planner.languages
                cid, late = planner.campaign_id, planner.late_window
                return read_status(r, cid, now, late, self.platforms, languages)
        except Unsupported:
            return self.full_status()

    def full_status(self) -> Status:
        """The status through the ORM: every campaign, every case."""
        cid = self.planner.campaign_id
        with self.db.read() as session:
            state = self.planner.state(session)
            found, run = situation(session, self.planner, state, deliveries_limit=DELIVERIES_SHOWN)
            counts = stories.count_by_status(session, cid, COUNTED)
            last = slots.last_went_out(session, cid)
            last_title = stories.titles(session, [last.story_id] if last and last.story_id else [])
            overdue = self._overdue(session, state, found)
            plan = self.planner.plan(session, NEXT_POST_WITHIN, state)
            figures = first_figures(session, cid, state.schedule.local_date(found.now))
        title = last_title.get(last.story_id) if last and last.story_id else None
        return status_of(
            state, self.platforms, found, run, counts, last, title, overdue, plan, figures
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
        story_id = slot.story_id if slot is not None else None
        today = deliveries.of_story(session, story_id) if story_id is not None else []
        return overdue_line(due, found.now, beat, today)

    def blackouts(self) -> list[Blackout]:
        with self.db.read() as session:
            return campaigns.blackouts(session, self.planner.campaign_id)

    def elections(self) -> list[ElectionView]:
        """The campaign's pre-election periods, soonest first."""
        with self.db.read() as session:
            return [
                ElectionView.of(row) for row in elections.rows(session, self.planner.campaign_id)
            ]
