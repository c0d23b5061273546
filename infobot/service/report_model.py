"""The impact report: pure aggregation over typed rows (no database, no clock).

Input: one :class:`PostRow` per story and platform (its latest counts, thread first and rest
kept apart), :class:`Snapshot` rows (every read, for growth over time) and X
:class:`LedgerRow` rows (every priced request). :func:`build_report` gives a
:class:`Report`; :mod:`infobot.service.report_writers` writes it as a table, CSV, XLSX or JSON.

Rules, stated once:

* **Totals** (a story over its platforms, a week, a platform, the whole period) add counts
  by the one rule of :mod:`infobot.domain.engagement`: a total is exact, or unknown when a
  count in it is unknown. Every total equals the sum of the rows under it.
* **Engagement** is the ranking measure: likes + reposts + replies + quotes of a post, over
  the ones its platform reports (:func:`~infobot.domain.engagement.interactions`); a group's
  engagement is the sum of its posts' engagement, unknown ones left out.
* **Top stories**: the highest engagement first; ties by campaign date (earlier first), then
  story id. A story with no known engagement is not ranked.
* **Period**: campaign dates from ``start`` to ``end``, both included (either may be open).
  Weeks are ISO weeks (Monday to Sunday) of the campaign date, written ``2026-W48``.
  X spend counts ledger rows whose UTC date is in the period, grouped by billing month (UTC).
* **Growth**: a story's snapshots over its first ``growth_days`` after it was sent, per
  platform, oldest first.
* **Unknown** is shown as "—" in the text table, as an empty cell in CSV and XLSX, and as
  ``null`` in JSON; it is never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from infobot.domain.costs import BillingMonth, XRequest
from infobot.domain.engagement import (
    ZERO,
    Counts,
    PostState,
    ThreadCounts,
    add_scores,
    interactions,
)

GROWTH_DAYS = 7
TOP = 10
UNKNOWN_TEXT = "—"
MEASURE = "engagement: likes + reposts + replies + quotes"


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class PostRow:
    """A story as posted on one platform, with its latest counts."""

    story_id: int
    title: str
    storyteller: str
    campaign_date: date
    platform: str
    counts: ThreadCounts
    url: str | None = None
    state: PostState = PostState.LIVE
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One read of a story's counts on one platform (thread total at that read)."""

    story_id: int
    platform: str
    read_at: datetime
    counts: Counts


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One request infobot made to X, priced."""

    at: datetime
    kind: XRequest
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Tally:
    """Posts, their counts added by the one rule, and their engagement."""

    posts: int = 0
    counts: Counts = ZERO
    engagement: int | None = None

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.posts + other.posts,
            self.counts + other.counts,
            add_scores((self.engagement, other.engagement)),
        )

    @classmethod
    def of(cls, counts: Counts) -> Tally:
        return cls(1, counts, interactions(counts))


def total(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result = result + tally
    return result


@dataclass(frozen=True, slots=True)
class Cell:
    """A story on one platform."""

    counts: ThreadCounts
    url: str | None
    state: PostState
    tally: Tally  # Tally.of(counts.total), worked out once

    @classmethod
    def of(cls, row: PostRow) -> Cell:
        return cls(row.counts, row.url, row.state, Tally.of(row.counts.total))


@dataclass(frozen=True, slots=True)
class StoryLine:
    story_id: int
    title: str
    storyteller: str
    campaign_date: date
    cells: Mapping[str, Cell]  # by platform, in platform order
    tally: Tally

    @property
    def week(self) -> str:
        return iso_week(self.campaign_date)


@dataclass(frozen=True, slots=True)
class WeekLine:
    week: str
    monday: date
    stories: int
    by_platform: Mapping[str, Tally]
    tally: Tally


@dataclass(frozen=True, slots=True)
class PlatformLine:
    platform: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class MonthSpend:
    month: BillingMonth
    requests: int
    cost: Decimal
    by_kind: Mapping[XRequest, Decimal]  # in XRequest order, kinds with requests only


@dataclass(frozen=True, slots=True)
class GrowthPoint:
    age: timedelta
    counts: Counts

    @property
    def engagement(self) -> int | None:
        return interactions(self.counts)


@dataclass(frozen=True, slots=True)
class Growth:
    story_id: int
    platform: str
    points: tuple[GrowthPoint, ...]


@dataclass(frozen=True)
class Report:
    start: date | None
    end: date | None
    platforms: tuple[str, ...]
    stories: tuple[StoryLine, ...]  # by campaign date, then story id
    weeks: tuple[WeekLine, ...]  # oldest first
    by_platform: tuple[PlatformLine, ...]  # in platform order
    top: tuple[StoryLine, ...]
    tally: Tally
    spend: tuple[MonthSpend, ...] = ()  # oldest first
    growth: Mapping[int, tuple[Growth, ...]] = field(default_factory=dict)

    @property
    def spend_total(self) -> Decimal:
        return sum((m.cost for m in self.spend), Decimal(0))

    @property
    def empty(self) -> bool:
        return not self.stories


def _in_period(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def _stories(rows: list[PostRow], platforms: tuple[str, ...]) -> list[StoryLine]:
    by_story: dict[int, list[PostRow]] = defaultdict(list)
    for row in rows:
        by_story[row.story_id].append(row)
    lines = []
    for story_id, posts in by_story.items():
        seen = [p.platform for p in posts]
        if len(set(seen)) != len(seen):
            raise ValueError(f"story {story_id} has two rows for one platform: {sorted(seen)}")
        head = posts[0]
        cells = {p.platform: Cell.of(p) for p in posts}
        ordered = {name: cells[name] for name in platforms if name in cells}
        lines.append(
            StoryLine(
                story_id,
                head.title,
                head.storyteller,
                head.campaign_date,
                ordered,
                total(c.tally for c in ordered.values()),
            )
        )
    lines.sort(key=lambda s: (s.campaign_date, s.story_id))
    return lines


def _weeks(stories: list[StoryLine], platforms: tuple[str, ...]) -> list[WeekLine]:
    grouped: dict[str, list[StoryLine]] = defaultdict(list)
    for story in stories:
        grouped[story.week].append(story)
    weeks = []
    for week, members in grouped.items():
        by_platform = {
            name: total(s.cells[name].tally for s in members if name in s.cells)
            for name in platforms
        }
        weeks.append(
            WeekLine(
                week,
                week_monday(members[0].campaign_date),
                len(members),
                by_platform,
                total(s.tally for s in members),
            )
        )
    weeks.sort(key=lambda w: w.monday)
    return weeks


def _top(stories: list[StoryLine], count: int) -> list[StoryLine]:
    ranked = [s for s in stories if s.tally.engagement is not None]
    ranked.sort(key=lambda s: (-(s.tally.engagement or 0), s.campaign_date, s.story_id))
    return ranked[: max(count, 0)]


def spend_by_month(
    ledger: Iterable[LedgerRow], start: date | None = None, end: date | None = None
) -> list[MonthSpend]:
    """X spend per billing month (UTC), for ledger rows whose UTC date is in the period."""
    requests: dict[tuple[int, int], int] = defaultdict(int)
    kinds: dict[tuple[int, int], dict[XRequest, Decimal]] = defaultdict(dict)
    for row in ledger:
        if row.at.utcoffset() is None:
            raise ValueError(f"ledger time {row.at} has no timezone")
        day = row.at.astimezone(UTC).date()  # the billing month is the UTC month
        if not _in_period(day, start, end):
            continue
        month = (day.year, day.month)
        requests[month] += 1
        kinds[month][row.kind] = kinds[month].get(row.kind, Decimal(0)) + row.cost
    return [
        MonthSpend(
            BillingMonth(*month),
            requests[month],
            sum(kinds[month].values(), Decimal(0)),
            {k: kinds[month][k] for k in XRequest if k in kinds[month]},
        )
        for month in sorted(requests)
    ]


def _growth(
    stories: list[StoryLine],
    rows: list[PostRow],
    snapshots: Iterable[Snapshot],
    days: int,
) -> dict[int, tuple[Growth, ...]]:
    sent = {(r.story_id, r.platform): r.sent_at for r in rows if r.sent_at is not None}
    window = timedelta(days=days)
    points: dict[tuple[int, str], list[GrowthPoint]] = defaultdict(list)
    for snap in snapshots:
        start = sent.get((snap.story_id, snap.platform))
        if start is None:
            continue
        age = snap.read_at - start
        if timedelta(0) <= age <= window:
            points[(snap.story_id, snap.platform)].append(GrowthPoint(age, snap.counts))
    growth: dict[int, tuple[Growth, ...]] = {}
    for story in stories:
        series = tuple(
            Growth(story.story_id, name, tuple(sorted(found, key=lambda p: p.age)))
            for name in story.cells
            if (found := points.get((story.story_id, name)))
        )
        if series:
            growth[story.story_id] = series
    return growth


def build_report(
    posts: Iterable[PostRow],
    snapshots: Iterable[Snapshot] = (),
    ledger: Iterable[LedgerRow] = (),
    *,
    start: date | None = None,
    end: date | None = None,
    top: int = TOP,
    growth_days: int = GROWTH_DAYS,
) -> Report:
    """The report for campaign dates from ``start`` to ``end`` (see the module doc)."""
    if start is not None and end is not None and end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    rows = [r for r in posts if _in_period(r.campaign_date, start, end)]
    platforms = tuple(sorted({r.platform for r in rows}))
    stories = _stories(rows, platforms)
    weeks = _weeks(stories, platforms)
    by_platform = tuple(
        PlatformLine(name, total(s.cells[name].tally for s in stories if name in s.cells))
        for name in platforms
    )
    return Report(
        start=start,
        end=end,
        platforms=platforms,
        stories=tuple(stories),
        weeks=tuple(weeks),
        by_platform=by_platform,
        top=tuple(_top(stories, top)),
        tally=total(s.tally for s in stories),
        spend=tuple(spend_by_month(ledger, start, end)),
        growth=_growth(stories, rows, snapshots, growth_days),
    )


def counts_text(value: int | None) -> str:
    """A count for people: ``1,234``, or "—" when unknown."""
    return UNKNOWN_TEXT if value is None else f"{value:,}"
