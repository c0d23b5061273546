"""The impact report as tables, defined once for every writer (:mod:`report_writers`).

* ``posts``: one row per story and platform (date, week, title, storyteller, platform,
  state, thread parts, the six counts, engagement, link);
* ``stories``: one row per story, with each platform's engagement and link;
* ``weeks``: one row per ISO week, with each platform's posts and engagement;
* ``platforms``; ``top`` (ranked by engagement); ``spend`` (X, per billing month in UTC).

A cell is a ``str``, ``int``, ``date``, ``Decimal`` (money) or ``None`` (unknown); each
column says what kind of value it holds, so each writer shows it its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum

from infobot.domain.costs import XRequest
from infobot.domain.engagement import Counts, Metric
from infobot.service.report_model import MEASURE, Report, StoryLine, Tally

Value = str | int | date | Decimal | None


class ReportTable(StrEnum):
    POSTS = "posts"
    STORIES = "stories"
    WEEKS = "weeks"
    PLATFORMS = "platforms"
    TOP = "top"
    SPEND = "spend"


class Kind(Enum):
    TEXT = "text"
    LINK = "link"  # text never shortened
    NUMBER = "number"
    DATE = "date"
    MONEY = "money"


@dataclass(frozen=True, slots=True)
class Table:
    name: ReportTable
    title: str
    columns: tuple[tuple[str, Kind], ...]
    rows: tuple[tuple[Value, ...], ...]


COUNT_COLUMNS = tuple((m.label, Kind.NUMBER) for m in Metric)


def _counts(counts: Counts) -> tuple[Value, ...]:
    return tuple(counts.get(m) for m in Metric)


def tally_values(tally: Tally) -> tuple[Value, ...]:
    return (*_counts(tally.counts), tally.engagement)


STORY_COLUMNS = (
    ("Story", Kind.NUMBER),
    ("Date", Kind.DATE),
    ("Week", Kind.TEXT),
    ("Title", Kind.TEXT),
    ("Storyteller", Kind.TEXT),
)


def _story_values(story: StoryLine) -> tuple[Value, ...]:
    return story.story_id, story.campaign_date, story.week, story.title, story.storyteller


def _posts(report: Report) -> Table:
    columns = (
        *STORY_COLUMNS,
        ("Platform", Kind.TEXT),
        ("State", Kind.TEXT),
        ("Parts", Kind.NUMBER),
        *COUNT_COLUMNS,
        ("Engagement", Kind.NUMBER),
        ("Link", Kind.LINK),
    )
    rows = tuple(
        (
            *_story_values(s),
            name,
            cell.state.value,
            cell.counts.parts,
            *tally_values(cell.tally),
            cell.url,
        )
        for s in report.stories
        for name, cell in s.cells.items()
    )
    return Table(ReportTable.POSTS, "Posts", columns, rows)


def _stories(report: Report) -> Table:
    per_platform: list[tuple[str, Kind]] = []
    for name in report.platforms:
        per_platform += [(f"{name} engagement", Kind.NUMBER), (f"{name} link", Kind.LINK)]
    columns = (
        *STORY_COLUMNS,
        ("Posts", Kind.NUMBER),
        *per_platform,
        *COUNT_COLUMNS,
        ("Engagement", Kind.NUMBER),
    )

    def platform_values(story: StoryLine) -> list[Value]:
        values: list[Value] = []
        for name in report.platforms:
            cell = story.cells.get(name)
            values += [cell.tally.engagement, cell.url] if cell else [None, None]
        return values

    rows = tuple(
        (
            *_story_values(s),
            s.tally.posts,
            *platform_values(s),
            *tally_values(s.tally),
        )
        for s in report.stories
    )
    return Table(ReportTable.STORIES, "Stories", columns, rows)


def _weeks(report: Report) -> Table:
    per_platform: list[tuple[str, Kind]] = []
    for name in report.platforms:
        per_platform += [(f"{name} posts", Kind.NUMBER), (f"{name} engagement", Kind.NUMBER)]
    columns = (
        ("Week", Kind.TEXT),
        ("Monday", Kind.DATE),
        ("Stories", Kind.NUMBER),
        ("Posts", Kind.NUMBER),
        *per_platform,
        *COUNT_COLUMNS,
        ("Engagement", Kind.NUMBER),
    )
    rows = tuple(
        (
            w.week,
            w.monday,
            w.stories,
            w.tally.posts,
            *(v for name in report.platforms for v in _posts_engagement(w.by_platform[name])),
            *tally_values(w.tally),
        )
        for w in report.weeks
    )
    return Table(ReportTable.WEEKS, "Weeks", columns, rows)


def _posts_engagement(tally: Tally) -> tuple[Value, Value]:
    return tally.posts, tally.engagement


def _platforms(report: Report) -> Table:
    columns = (("Platform", Kind.TEXT), ("Posts", Kind.NUMBER), *COUNT_COLUMNS)
    columns += (("Engagement", Kind.NUMBER),)
    rows = tuple((p.platform, p.tally.posts, *tally_values(p.tally)) for p in report.by_platform)
    return Table(ReportTable.PLATFORMS, "Platforms", columns, rows)


def _top(report: Report) -> Table:
    columns = (
        ("Rank", Kind.NUMBER),
        ("Story", Kind.NUMBER),
        ("Date", Kind.DATE),
        ("Title", Kind.TEXT),
        ("Storyteller", Kind.TEXT),
        ("Engagement", Kind.NUMBER),
    )
    rows = tuple(
        (n, s.story_id, s.campaign_date, s.title, s.storyteller, s.tally.engagement)
        for n, s in enumerate(report.top, start=1)
    )
    return Table(ReportTable.TOP, f"Top stories ({MEASURE})", columns, rows)


def _spend(report: Report) -> Table:
    kinds = [k for k in XRequest if any(k in m.by_kind for m in report.spend)]
    columns: tuple[tuple[str, Kind], ...] = (
        ("Month", Kind.TEXT),
        ("Requests", Kind.NUMBER),
        ("Cost", Kind.MONEY),
        *((k.value.replace("_", " "), Kind.MONEY) for k in kinds),
    )
    rows = tuple(
        (str(m.month), m.requests, m.cost, *(m.by_kind.get(k) for k in kinds)) for m in report.spend
    )
    return Table(ReportTable.SPEND, "X spend by month (UTC)", columns, rows)


BUILDERS: dict[ReportTable, Callable[[Report], Table]] = {
    ReportTable.POSTS: _posts,
    ReportTable.STORIES: _stories,
    ReportTable.WEEKS: _weeks,
    ReportTable.PLATFORMS: _platforms,
    ReportTable.TOP: _top,
    ReportTable.SPEND: _spend,
}


def tables(report: Report) -> dict[ReportTable, Table]:
    return {name: build(report) for name, build in BUILDERS.items()}
