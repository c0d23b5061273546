"""The Impact page: the report's figures with charts, and its CSV and XLSX downloads.

Every signed-in role sees it. The charts are SVG drawn on the server
(:mod:`infobot.web.charts`), each with its text summary and its data table; the figures
come from the same report as ``infobot report`` (:mod:`infobot.service.impact.reports`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from markupsafe import Markup, escape
from starlette.responses import Response

from infobot.domain.costs import usd
from infobot.domain.engagement import Metric
from infobot.domain.errors import UserError
from infobot.web import charts
from infobot.web.core import Ctx, Handler, Page, Web
from infobot.web.words import link_ok

if TYPE_CHECKING:
    from infobot.service.report_model import Report, StoryLine
    from infobot.service.report_tables import Kind, Value

STORIES_PER_PAGE = 20
HOUR = timedelta(hours=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES = ("posts", "stories", "weeks", "platforms", "top", "spend")


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None

    @property
    def query(self) -> str:
        parts = [f"from={self.start}" if self.start else "", f"to={self.end}" if self.end else ""]
        return "&".join(p for p in parts if p)


def _period(ctx: Ctx) -> Period:
    found: list[date | None] = []
    for name, what in (("from", "the first date"), ("to", "the last date")):
        text = ctx.request.query_params.get(name, "").strip()
        try:
            found.append(date.fromisoformat(text) if text else None)
        except ValueError:
            raise UserError(f"enter {what} as YYYY-MM-DD, for example 2026-11-02") from None
    start, end = found
    if start is not None and end is not None and end < start:
        raise UserError(f"the last date ({end}) is before the first ({start})")
    return Period(start, end)


def cell(value: Value, kind: Kind | None) -> str | Markup:
    """A report cell for people: "—" when unknown, thousands grouped, money in dollars;
    a link is a link only when it is a web (or outbox file) address."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return usd(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    if kind is not None and kind.value == "link" and link_ok(value):
        return Markup('<a class="govuk-link app-break" href="{0}">{0}</a>').format(escape(value))
    return value


def _growth_story(ctx: Ctx, report: Report) -> StoryLine | None:
    wanted = ctx.request.query_params.get("story", "")
    for story in report.stories:
        if wanted.isdigit() and story.story_id == int(wanted):
            return story
    return report.top[0] if report.top else (report.stories[-1] if report.stories else None)


async def impact(ctx: Ctx) -> Response:
    period = _period(ctx)
    reads = ctx.app.impact
    report = await ctx.call(reads.report, period.start, period.end)
    weekly = charts.weekly_chart(charts.weekly_from_report(report), report.platforms)
    chosen = _growth_story(ctx, report)
    growth = None
    if chosen is not None:
        series = await ctx.call(reads.growth, chosen.story_id)
        lines = [
            charts.GrowthLine(
                g.platform, [(p.age.total_seconds() / 3600, p.engagement) for p in g.points]
            )
            for g in series
        ]
        growth = charts.growth_chart(chosen.title or f"story #{chosen.story_id}", lines)
    from infobot.service.report_tables import BUILDERS, ReportTable

    listed = {name: BUILDERS[name](report) for name in (ReportTable.PLATFORMS, ReportTable.TOP)}
    spend = BUILDERS[ReportTable.SPEND](report)
    pages = max(math.ceil(len(report.stories) / STORIES_PER_PAGE), 1)
    page = min(max(ctx.query_int("page"), 1), pages)
    newest_first = list(reversed(report.stories))
    shown = newest_first[(page - 1) * STORIES_PER_PAGE : page * STORIES_PER_PAGE]
    return ctx.render(
        "impact.html",
        title="Impact",
        report=report,
        period=period,
        weekly=weekly,
        growth=growth,
        chosen=chosen,
        shown=shown,
        page=page,
        pages=pages,
        metrics=list(Metric),
        listed=listed,
        spend=spend,
        spend_total=usd(report.spend_total),
        cell=cell,
    )


def _download(ctx: Ctx, fmt: str) -> tuple[bytes, str]:
    from infobot.service import report_writers as writers
    from infobot.service.report_tables import ReportTable

    period = _period(ctx)
    report = ctx.app.impact.report(period.start, period.end)
    if fmt == "xlsx":
        binary = io.BytesIO()
        writers.write_xlsx(report, binary)
        return (
            binary.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    table = ctx.request.query_params.get("table", "posts")
    text = io.StringIO(newline="")
    writers.write_csv(report, text, ReportTable(table if table in TABLES else "posts"))
    return text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"


def _downloader(fmt: str) -> Handler:
    async def download(ctx: Ctx) -> Response:
        body, media = await ctx.call(_download, ctx, fmt)
        today = ctx.app.clock.now().astimezone(ctx.app.settings.tz).date().isoformat()
        name = f"infobot-impact-{today}.{fmt}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    download.__name__ = f"impact_{fmt}"
    return download


def routes(web: Web) -> list[Page]:
    return [
        Page(web, "/impact", impact, role="editor", nav="impact"),
        Page(web, "/impact.csv", _downloader("csv"), role="editor", nav="impact"),
        Page(web, "/impact.xlsx", _downloader("xlsx"), role="editor", nav="impact"),
    ]
