"""Charts drawn on the server as SVG: no JavaScript, no external service.

Each chart function returns a :class:`Chart`: the SVG markup, a text summary that says what
the chart shows (totals and the highest value), and the rows of a data table to show beside
it. With nothing to draw, the SVG is empty and the summary says so plainly.

What makes the charts accessible:

* ``role="img"`` with ``aria-labelledby`` pointing at the SVG's own ``<title>`` and
  ``<desc>`` (the summary); every text from data is XML-escaped, and characters XML cannot
  hold are dropped, so a hostile story title stays text.
* Colours are GOV.UK palette colours with a contrast of at least 3:1 against white
  (:data:`PALETTE`, checked in the tests); colour is never the only cue: every bar and line
  is labelled directly with its platform, bars carry a pattern per platform and lines a
  dash pattern and a marker shape per platform.
* The SVG has a ``viewBox`` and ``width="100%"`` (no fixed size, no ``style`` attribute:
  the Content-Security-Policy allows no inline styles), so it scales down to a 320 px
  screen; the weekly chart grows downwards, one row per platform, never sideways.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from infobot.service.report_model import Report

EMPTY = "No posts in this period"
PALETTE = ("#1d70b8", "#00703c", "#4c2c92", "#d4351c", "#912b88", "#505a5f")
INK = "#0b0c0c"
GRID = "#b1b4b6"
FONT = "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif"  # GOV.UK's font: GOV.UK only
WIDTH = 400
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Chart:
    svg: Markup  # empty when there is nothing to draw
    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.svg


@dataclass(frozen=True)
class WeekBars:
    """One week: posts and engagement per platform (None: unknown)."""

    week: str
    posts: Mapping[str, int]
    engagement: Mapping[str, int | None]


@dataclass(frozen=True)
class GrowthLine:
    """One platform's engagement by hours since the post went out (None: unknown)."""

    platform: str
    points: Sequence[tuple[float, int | None]]


def esc(text: object) -> str:
    """Text for an SVG text node or attribute: escaped, XML-illegal characters dropped."""
    return html.escape(_XML_ILLEGAL.sub("", str(text)), quote=True)


def _id(chart_id: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]", "-", chart_id.lower()).strip("-")
    return "chart-" + (cleaned or "x")


def _num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _svg(cid: str, height: float, title: str, summary: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'class="app-chart" font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="{cid}-title">{esc(title)}</title>'
        f'<desc id="{cid}-desc">{esc(summary)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  (every data text is esc()d)


def _patterns(cid: str, count: int) -> str:
    """One fill per series: solid, stripes, dots, cross-hatch, ... in the series colour."""
    parts = ["<defs>"]
    for n in range(count):
        colour = PALETTE[n % len(PALETTE)]
        shape = (
            "",
            f'<path d="M0 8L8 0" stroke="{colour}" stroke-width="2"/>',
            f'<circle cx="4" cy="4" r="1.8" fill="{colour}"/>',
            f'<path d="M0 0L8 8M0 8L8 0" stroke="{colour}" stroke-width="1.5"/>',
            f'<path d="M0 4H8" stroke="{colour}" stroke-width="2"/>',
            f'<path d="M4 0V8" stroke="{colour}" stroke-width="2"/>',
        )[n % 6]
        background = colour if not shape else "#ffffff"
        parts.append(
            f'<pattern id="{cid}-p{n}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{background}"/>{shape}</pattern>'
        )
    parts.append("</defs>")
    return "".join(parts)


# -- posts and engagement per week, per platform ---------------------------------------------


def weekly_chart(
    weeks: Sequence[WeekBars],
    platforms: Sequence[str],
    *,
    chart_id: str = "weekly",
    title: str = "Engagement per week, by platform",
) -> Chart:
    """Horizontal grouped bars: a group per week, a bar per platform, each labelled."""
    columns = ("Week", "Platform", "Posts", "Engagement")
    rows = tuple(
        (w.week, p, f"{w.posts.get(p, 0):,}", _num(w.engagement.get(p)))
        for w in weeks
        for p in platforms
    )
    posts = sum(w.posts.get(p, 0) for w in weeks for p in platforms)
    if not weeks or not platforms or posts == 0:
        return Chart(Markup(""), EMPTY, columns, ())
    known = [
        (v, w.week, p)
        for w in weeks
        for p in platforms
        if (v := w.engagement.get(p)) is not None and w.posts.get(p, 0)
    ]
    total = sum(v for v, _, _ in known)
    top = max(known, default=None, key=lambda k: k[0])
    summary = (
        f"{title}: {len(weeks)} week{'s' if len(weeks) != 1 else ''} from {weeks[0].week} "
        f"to {weeks[-1].week}, "
    )
    if top is None:
        summary += f"{posts:,} posts in total; their engagement is not known yet."
    else:
        summary += (
            f"{posts:,} posts and {total:,} engagement in total; "
            f"the highest was {top[0]:,} on {top[2]} in {top[1]}."
        )
        if len(known) < sum(1 for w in weeks for p in platforms if w.posts.get(p, 0)):
            summary += " Some counts are unknown and not included."
    cid = _id(chart_id)
    scale = max((v for v, _, _ in known), default=0) or 1
    left, right, bar_h, gap = 86, WIDTH - 64, 14, 4
    body = [_patterns(cid, len(platforms))]
    y = 8.0
    for w in weeks:
        week_posts = sum(w.posts.get(p, 0) for p in platforms)
        y += 14
        body.append(
            f'<text x="0" y="{y:.0f}" font-weight="bold">{esc(w.week)} '
            f"({week_posts:,} post{'s' if week_posts != 1 else ''})</text>"
        )
        y += 6
        for n, platform in enumerate(platforms):
            value = w.engagement.get(platform)
            count = w.posts.get(platform, 0)
            mid = y + bar_h / 2 + 4
            body.append(f'<text x="0" y="{mid:.0f}">{esc(platform)}</text>')
            if value is not None and count:
                length = max((right - left) * value / scale, 1.0)
                colour = PALETTE[n % len(PALETTE)]
                body.append(
                    f'<rect x="{left}" y="{y:.0f}" width="{length:.1f}" height="{bar_h}" '
                    f'fill="url(#{cid}-p{n})" stroke="{colour}" stroke-width="1.5"/>'
                    f'<text x="{left + length + 4:.1f}" y="{mid:.0f}">{value:,}</text>'
                )
            else:
                shown = "no post" if not count else "unknown"
                body.append(f'<text x="{left}" y="{mid:.0f}" fill="#505a5f">{shown}</text>')
            y += bar_h + gap
        y += 6
    return Chart(_svg(cid, y + 4, title, summary, body), summary, columns, rows)


def weekly_from_report(report: Report) -> list[WeekBars]:
    """The weekly chart's data from a report (see infobot.service.report_model)."""
    return [
        WeekBars(
            w.week,
            {p: t.posts for p, t in w.by_platform.items()},
            {p: t.engagement for p, t in w.by_platform.items()},
        )
        for w in report.weeks
    ]


# -- a story's growth over its first days ----------------------------------------------------


def _nice_ceiling(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power: int = 10 ** (len(str(value)) - 1)
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


_MARKERS = (
    "M{x} {y}m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0",  # circle
    "M{x} {y}m-3-3h6v6h-6z",  # square
    "M{x} {y}m0-4l4 7h-8z",  # triangle
    "M{x} {y}m0-4l4 4-4 4-4-4z",  # diamond
    "M{x} {y}m-3-3l6 6m0-6l-6 6",  # cross
    "M{x} {y}m-4 0h8m-4-4v8",  # plus
)


def growth_chart(
    story_title: str,
    lines: Sequence[GrowthLine],
    *,
    days: int = 7,
    chart_id: str = "growth",
    empty: str = EMPTY,
) -> Chart:
    """Lines of engagement over the first ``days`` after posting, one per platform."""
    hours = days * 24
    columns = ("Platform", "Hours since posted", "Engagement")
    series = [
        (n, line.platform, sorted(((h, v) for h, v in line.points if 0 <= h <= hours), key=_hour))
        for n, line in enumerate(lines)
    ]
    series = [s for s in series if s[2]]
    rows = tuple((p, f"{h:g}", _num(v)) for _, p, pts in series for h, v in pts)
    known = [(v, p, h) for _, p, pts in series for h, v in pts if v is not None]
    if not known:
        return Chart(Markup(""), empty, columns, rows)
    title = f"Growth of “{story_title}” over its first {days} days"
    finals = [(p, last[1]) for _, p, pts in series if (last := _last_known(pts)) is not None]
    top = max(known, key=lambda k: k[0])
    summary = (
        f"{title}: {sum(v for _, v in finals):,} engagement in total at the last read ("
        + ", ".join(f"{p} {v:,}" for p, v in finals)
        + f"); the highest was {top[0]:,} on {top[1]} after {top[2]:g} hours."
    )
    cid = _id(chart_id)
    left, right, top_y, bottom = 40.0, WIDTH - 104.0, 28.0, 220.0
    ceiling = _nice_ceiling(top[0])

    def px(h: float, v: int) -> tuple[float, float]:
        return left + (right - left) * h / hours, bottom - (bottom - top_y) * v / ceiling

    body = ['<text x="0" y="12">Engagement</text>']
    for tick in (0, ceiling // 2, ceiling) if ceiling > 1 else (0, 1):
        _, ty = px(0, tick)
        body.append(
            f'<path d="M{left} {ty:.1f}H{right}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{ty + 4:.1f}" text-anchor="end">{tick:,}</text>'
        )
    for day in range(days + 1):
        tx, _ = px(day * 24, 0)
        body.append(f'<text x="{tx:.1f}" y="{bottom + 16}" text-anchor="middle">{day}</text>')
    body.append(
        f'<text x="{(left + right) / 2:.0f}" y="{bottom + 34}" text-anchor="middle">'
        "Days since posted</text>"
    )
    labels: list[tuple[float, str, str]] = []
    for n, platform, pts in series:
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        for segment in _segments(pts):
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(h, v) for h, v in segment))
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dashing}/>'
            )
            for h, v in segment:
                x, y = px(h, v)
                marker = _MARKERS[n % len(_MARKERS)].format(x=f"{x:.1f}", y=f"{y:.1f}")
                body.append(f'<path d="{marker}" fill="{colour}" stroke="{colour}"/>')
        last = _last_known(pts)
        if last is not None:
            labels.append((px(last[0], last[1])[1], f"{esc(platform)} {last[1]:,}", colour))
    for y, text, colour in _spread(labels, top_y + 4, bottom + 4):
        body.append(f'<text x="{right + 6}" y="{y + 4:.1f}" fill="{colour}">{text}</text>')
    return Chart(_svg(cid, 264, title, summary, body), summary, columns, rows)


def _hour(point: tuple[float, int | None]) -> float:
    return point[0]


def _last_known(points: Sequence[tuple[float, int | None]]) -> tuple[float, int] | None:
    for h, v in reversed(points):
        if v is not None:
            return h, v
    return None


def _segments(points: Sequence[tuple[float, int | None]]) -> list[list[tuple[float, int]]]:
    """Runs of known values: an unknown read breaks the line rather than dropping to 0."""
    runs: list[list[tuple[float, int]]] = [[]]
    for h, v in points:
        if v is None:
            runs.append([])
        else:
            runs[-1].append((h, v))
    return [run for run in runs if run]


def _spread(
    labels: list[tuple[float, str, str]], low: float, high: float, gap: float = 15
) -> list[tuple[float, str, str]]:
    """End labels moved apart so that none overlaps another (in y order)."""
    placed: list[tuple[float, str, str]] = []
    for y, text, colour in sorted(labels):
        y = max(y, low, placed[-1][0] + gap if placed else low)
        placed.append((y, text, colour))
    overflow = placed[-1][0] - high if placed else 0
    if overflow > 0:
        placed = [(y - overflow, t, c) for y, t, c in placed]
    return placed


def growth_from_report(report: Report, story_id: int) -> list[GrowthLine]:
    """The growth chart's data for one story of a report."""
    return [
        GrowthLine(
            g.platform,
            [(p.age.total_seconds() / 3600, p.engagement) for p in g.points],
        )
        for g in report.growth.get(story_id, ())
    ]
