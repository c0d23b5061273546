"""The read side's models: what the team sees, typed, for the web page and the CLI alike.

Rows come from the read side's SQL queries (:mod:`infobot.store.rows`: the same attribute
names as the tables' columns), never from the ORM, so reading needs no SQLAlchemy.

The CLI prints them as JSON field by field (its ``print_json``): a field's name is its JSON
key, dates and instants are ISO 8601, and a field marked with ``OMIT_NONE`` is left out when
None. The documented ``--json`` fields are these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from infobot.domain.render import Rendered
from infobot.domain.schedule import DayState
from infobot.service.checks import CheckResult
from infobot.store.rows import DeliveryRow, EventRow, StoryBrief, StoryRow

T = TypeVar("T")
#: Field metadata: leave the field out of the JSON when it is None.
OMIT_NONE = {"omit_none": True}


# -- how a story looks on each platform ---------------------------------------------------
@dataclass(frozen=True)
class PostView:
    text: str
    length: int
    limit: int
    image: str | None = field(default=None, metadata=OMIT_NONE)  # only with an image
    image_alt: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class RenderedView:
    ok: bool
    posts: list[PostView]
    problems: list[str]

    @classmethod
    def of(cls, rendered: Rendered) -> RenderedView:
        posts = [
            PostView(p.text, p.length, p.limit, p.image, p.image_alt)
            if p.image
            else PostView(p.text, p.length, p.limit)
            for p in rendered.posts
        ]
        return cls(rendered.ok, posts, list(rendered.problems))


@dataclass(frozen=True)
class Preview:
    """A story on every enabled platform, what stops it, and what to look at."""

    platforms: dict[str, RenderedView]
    problems: list[str]
    warnings: list[str]


# -- stories -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StorySummary:
    """A line of ``infobot stories list``."""

    id: int
    title: str
    status: str
    position: int | None
    pin_date: date | None
    author: str
    organisation: str
    approved_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, story: StoryRow | StoryBrief, position: int | None) -> StorySummary:
        return cls(**_summary(story, position))


def _summary(story: StoryRow | StoryBrief, position: int | None) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "status": story.status,
        "position": position,
        "pin_date": story.pin_date,
        "author": story.author,
        "organisation": story.organisation,
        "approved_by": story.approved_by,
        "created_at": story.created_at,
    }


@dataclass(frozen=True)
class DeliveryLine:
    platform: str
    status: str
    url: str
    error: str


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    action: str
    message: str


@dataclass(frozen=True)
class StoryDetail(StorySummary):
    """``infobot stories show`` and the story page."""

    body: str
    role: str
    link: str
    image: str
    image_alt: str
    language: str
    consent_by: str
    consent_scope: str
    notes: str
    source: str
    status_reason: str
    created_by: str
    updated_by: str
    consent_date: date | None
    updated_at: datetime
    approved_at: datetime | None
    deliveries: list[DeliveryLine]
    history: list[HistoryLine]
    platforms: dict[str, RenderedView]
    problems: list[str]
    warnings: list[str]

    @classmethod
    def of(  # type: ignore[override]
        cls,
        story: StoryRow,
        position: int | None,
        deliveries: Sequence[DeliveryRow],
        events: Sequence[EventRow],
        preview: Preview,
    ) -> StoryDetail:
        return cls(
            **_summary(story, position),
            body=story.body,
            role=story.role,
            link=story.link,
            image=story.image,
            image_alt=story.image_alt,
            language=story.language,
            consent_by=story.consent_by,
            consent_scope=story.consent_scope,
            notes=story.notes,
            source=story.source,
            status_reason=story.status_reason,
            created_by=story.created_by,
            updated_by=story.updated_by,
            consent_date=story.consent_date,
            updated_at=story.updated_at,
            approved_at=story.approved_at,
            deliveries=[
                DeliveryLine(d.platform, d.status, d.remote_url, d.error) for d in deliveries
            ],
            history=[HistoryLine(e.at, e.actor, e.action, e.message) for e in events],
            platforms=preview.platforms,
            problems=preview.problems,
            warnings=preview.warnings,
        )


# -- pages of rows -------------------------------------------------------------------------
@dataclass
class Paged(Generic[T]):
    """One page of rows: ``page`` counts from 1."""

    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """Number of the first row on this page (1-based)."""
        return (self.page - 1) * self.per_page + 1


def clamp_page(page: int, per_page: int, total: int) -> int:
    last = max(1, -(-total // per_page))
    return min(max(1, page), last)


@dataclass
class QueueRow:
    position: int | None
    story: StoryRow


@dataclass
class QueueOverview:
    queue: Paged[QueueRow]
    pinned: list[StoryRow]  # approved stories pinned to a date, soonest first
    drafts: int  # stories waiting for review


@dataclass
class ReviewItem:
    story: StoryRow
    check: CheckResult


@dataclass(frozen=True)
class LivePost:
    platform: str
    remote_id: str
    url: str
    sent_at: datetime | None


# -- the plan ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewDay:
    """A day of ``infobot preview``."""

    date: date
    weekday: str
    post_at: datetime  # UTC
    state: DayState
    reason: str
    story_id: int | None
    title: str | None
    platforms: dict[str, RenderedView]
    problems: list[str]


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    today: bool = False
    state: DayState | None = None  # as in the preview; past and unplanned too
    reason: str = ""
    story_id: int | None = None
    title: str = ""
    pinned: bool = False
    blackout: str | None = None  # the blackout's reason when the day is one
    paused: bool = False
    runs_dry: bool = False


@dataclass
class MonthView:
    year: int
    month: int
    today: date
    weeks: list[list[CalendarDay]] = field(default_factory=list)
    runs_dry_on: date | None = None
    paused: bool = False
    planned_to: date | None = None  # last day the plan covers

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


# -- status --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LastPost:
    date: date
    status: str
    story_id: int | None
    title: str | None


@dataclass(frozen=True)
class NextPost:
    date: date
    at: datetime
    story_id: int
    title: str


@dataclass(frozen=True)
class AttentionLine:
    kind: str
    message: str


@dataclass(frozen=True)
class Status:
    """``infobot status``: the campaign, its runway, last and next post, and what needs
    attention."""

    campaign: str
    hashtag: str
    timezone: str
    post_time: str
    platforms: list[str]
    paused: bool
    paused_until: date | None
    today: date
    counts: dict[str, int]
    runway_days: int
    runs_dry_on: date | None
    campaign_days_left: int | None
    short_by: int
    runway: str
    last_post: LastPost | None
    next_post: NextPost | None
    attention: list[AttentionLine]


# -- what happened -------------------------------------------------------------------------
@dataclass
class HistoryRow:
    delivery: DeliveryRow
    day: date | None
    title: str
    advice: str


@dataclass
class AuditRow:
    event: EventRow
    changes: list[tuple[str, str, str]]  # field, before, after
