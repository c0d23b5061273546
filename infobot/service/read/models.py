"""The read side's models: what the team sees, typed, for the web page and the CLI alike.

The CLI prints them as JSON field by field (its ``print_json``): a field's name is its JSON
key, dates and instants are ISO 8601, and a field marked with ``OMIT_NONE`` is left out when
None. The documented ``--json`` fields are these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from infobot.domain.schedule import DayState
from infobot.service.checks import CheckResult
from infobot.service.listing import StorySummary as StorySummary
from infobot.service.previewing import PreviewDay as PreviewDay
from infobot.service.read.previews import (
    OMIT_NONE,
    CardView,
    FindingView,
    PostView,
    Preview,
    RenderedView,
)
from infobot.service.showing import DeliveryLine as DeliveryLine
from infobot.service.showing import HistoryLine as HistoryLine
from infobot.service.showing import StoryDetail as StoryDetail
from infobot.service.status_models import AttentionLine as AttentionLine
from infobot.service.status_models import FirstFigures as FirstFigures
from infobot.service.status_models import LastPost as LastPost
from infobot.service.status_models import NextPost as NextPost
from infobot.service.status_models import OverdueLine as OverdueLine
from infobot.service.status_models import PlatformFigures as PlatformFigures
from infobot.service.status_models import Status as Status
from infobot.store.models import ElectionPeriodRow, Event, Story
from infobot.store.rows import HistoryDelivery, StoryLine

__all__ = ["OMIT_NONE", "CardView", "FindingView", "PostView", "Preview", "RenderedView"]

T = TypeVar("T")


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
    story: StoryLine


@dataclass
class QueueOverview:
    queue: Paged[QueueRow]
    pinned: list[StoryLine]  # approved stories pinned to a date, soonest first
    drafts: int  # stories waiting for review


@dataclass
class ReviewItem:
    story: Story
    check: CheckResult


@dataclass(frozen=True)
class LivePost:
    platform: str
    remote_id: str
    url: str
    sent_at: datetime | None


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
    posts: dict[str, list[str]] = field(default_factory=dict)  # platform: its posts' text
    x_cost: str = ""  # what the planned post will cost on X ("$0.20"), with X enabled
    #: "pre-election period (Senedd election) until 7 May" when the day is inside one
    election: str | None = None
    essential: bool = False  # its story goes out inside a pre-election period


@dataclass
class MonthView:
    year: int
    month: int
    today: date
    weeks: list[list[CalendarDay]] = field(default_factory=list)
    runs_dry_on: date | None = None
    paused: bool = False
    planned_to: date | None = None  # last day the plan covers
    paused_until: date | None = None  # when paused: the last paused day; None = until resumed
    end: date | None = None  # the campaign's last day, when it has one

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def has_x_costs(self) -> bool:
        return any(cell.x_cost for week in self.weeks for cell in week)

    @property
    def previous(self) -> date | None:
        if self.first <= date(1, 2, 1):
            return None
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date | None:
        if self.first >= date(9999, 11, 1):
            return None
        return (self.first + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class ElectionView:
    """A pre-election period (``infobot campaign election list``)."""

    first_day: date
    last_day: date
    reason: str
    source: str  # team, settings
    created_by: str

    @classmethod
    def of(cls, row: ElectionPeriodRow) -> ElectionView:
        return cls(row.first_day, row.last_day, row.reason, row.source, row.created_by)


# -- what happened -------------------------------------------------------------------------
@dataclass
class HistoryRow:
    delivery: HistoryDelivery
    day: date | None
    title: str
    advice: str


@dataclass
class AuditRow:
    event: Event
    changes: list[tuple[str, str, str]]  # field, before, after
    text: str = ""  # the event as a sentence (infobot.domain.audit_text)
    lines: list[str] = field(default_factory=list)  # what changed, in words
