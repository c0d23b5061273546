"""The impact report written out: a plain-text table, CSV, XLSX and JSON, all from the
tables of :mod:`infobot.service.report_tables`.

**Text** (the CLI): aligned columns, unknown "—", a total row under weeks and platforms,
titles cut to 40 columns, control and bidirectional-override characters removed so that a
hostile title cannot move the cursor or reorder a terminal line.
**CSV**: one table per file (``posts`` unless told), unknown is an empty cell, money a plain
decimal (``12.345``), dates ISO; text cells are made spreadsheet-safe by the project's export
rule (``spreadsheet_safe``: a leading ``= + - @``, tab, CR, LF, ``|`` or ``%`` gets an
apostrophe; numbers are left alone).
**XLSX**: one sheet per table (openpyxl write-only); text cells are typed as text, so a
title starting with ``=`` is never a formula; characters XML cannot hold are dropped; dates
are dates, money a number shown as dollars; unknown is an empty cell.
**JSON** (``"schema": "infobot.report/1"``, keys always in this order)::

    {"schema", "from", "to", "measure", "platforms": [...],
     "totals": {"stories", "posts", "engagement", "counts": COUNTS},
     "platforms_totals": [{"platform", "posts", "engagement", "counts"}],
     "weeks": [{"week", "monday", "stories", "posts", "engagement", "counts",
                "platforms": {NAME: {"posts", "engagement", "counts"}}}],
     "stories": [{"id", "date", "week", "title", "storyteller", "posts", "engagement",
                  "counts", "platforms": {NAME: {"url", "state", "engagement", "counts",
                  "thread": {"parts", "first": COUNTS, "rest": COUNTS}}}}],
     "top": [{"rank", "id", "title", "date", "engagement"}],
     "spend": {"total_usd", "months": [{"month", "requests", "usd", "by_kind": {KIND: USD}}]}}

where COUNTS is ``{"likes", "reposts", "replies", "quotes", "bookmarks", "impressions"}``
(integers, ``null`` when unknown) and USD is a string such as ``"12.345"``.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any

from infobot.domain.engagement import Metric
from infobot.service.report_model import MEASURE, UNKNOWN_TEXT, Report, Tally
from infobot.service.report_tables import (
    BUILDERS,
    Kind,
    ReportTable,
    Table,
    Value,
    tables,
    tally_values,
)

SCHEMA = "infobot.report/1"
TITLE_WIDTH = 40


# -- CSV ------------------------------------------------------------------------------------


def write_csv(report: Report, out: IO[str], table: ReportTable = ReportTable.POSTS) -> None:
    """One table as CSV (open ``out`` with ``newline=""``; ``utf-8-sig`` suits Excel)."""
    from infobot.service.read.records import spreadsheet_safe  # the export's own rule

    chosen = BUILDERS[table](report)
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(name) for name, _ in chosen.columns])
    for row in chosen.rows:
        writer.writerow(
            [
                _csv_cell(value, kind, spreadsheet_safe)
                for value, (_, kind) in zip(row, chosen.columns, strict=True)
            ]
        )


def _csv_cell(value: Value, kind: Kind, safe: Callable[[Any], str]) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if kind in (Kind.TEXT, Kind.LINK):
        return safe(value)
    return str(value)


# -- XLSX -----------------------------------------------------------------------------------

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_xlsx(report: Report, out: IO[bytes]) -> None:
    """Every table, one sheet each, as an XLSX workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for table in tables(report).values():
        sheet = book.create_sheet(table.name.value.capitalize())
        sheet.append([_xlsx_text(sheet, name, WriteOnlyCell) for name, _ in table.columns])
        for row in table.rows:
            sheet.append(
                [
                    _xlsx_cell(sheet, value, kind, WriteOnlyCell)
                    for value, (_, kind) in zip(row, table.columns, strict=True)
                ]
            )
    book.save(out)


def _xlsx_text(sheet: Any, text: str, make: Any) -> Any:
    cell = make(sheet, value=_XML_ILLEGAL.sub("", text))
    cell.data_type = "s"  # text, never a formula
    return cell


def _xlsx_cell(sheet: Any, value: Value, kind: Kind, make: Any) -> Any:
    if value is None:
        return None
    if kind in (Kind.TEXT, Kind.LINK) or isinstance(value, str):
        return _xlsx_text(sheet, str(value), make)
    cell = make(sheet, value=value)
    if kind is Kind.DATE:
        cell.number_format = "yyyy-mm-dd"
    elif kind is Kind.MONEY:
        cell.number_format = '"$"#,##0.000'
    return cell


# -- JSON -----------------------------------------------------------------------------------


def _money(amount: Decimal) -> str:
    return format(amount, "f")


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {
        "posts": tally.posts,
        "engagement": tally.engagement,
        "counts": tally.counts.as_dict(),
    }


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain data in the documented schema (see the module doc)."""
    stories = []
    for s in report.stories:
        platforms = {
            name: {
                "url": cell.url,
                "state": cell.state.value,
                "engagement": cell.tally.engagement,
                "counts": cell.counts.total.as_dict(),
                "thread": {
                    "parts": cell.counts.parts,
                    "first": cell.counts.first.as_dict(),
                    "rest": cell.counts.rest.as_dict(),
                },
            }
            for name, cell in s.cells.items()
        }
        stories.append(
            {
                "id": s.story_id,
                "date": s.campaign_date.isoformat(),
                "week": s.week,
                "title": s.title,
                "storyteller": s.storyteller,
                **_tally_json(s.tally),
                "platforms": platforms,
            }
        )
    return {
        "schema": SCHEMA,
        "from": report.start.isoformat() if report.start else None,
        "to": report.end.isoformat() if report.end else None,
        "measure": MEASURE,
        "platforms": list(report.platforms),
        "totals": {"stories": len(report.stories), **_tally_json(report.tally)},
        "platforms_totals": [
            {"platform": p.platform, **_tally_json(p.tally)} for p in report.by_platform
        ],
        "weeks": [
            {
                "week": w.week,
                "monday": w.monday.isoformat(),
                "stories": w.stories,
                **_tally_json(w.tally),
                "platforms": {name: _tally_json(t) for name, t in w.by_platform.items()},
            }
            for w in report.weeks
        ],
        "stories": stories,
        "top": [
            {
                "rank": n,
                "id": s.story_id,
                "title": s.title,
                "date": s.campaign_date.isoformat(),
                "engagement": s.tally.engagement,
            }
            for n, s in enumerate(report.top, start=1)
        ],
        "spend": {
            "total_usd": _money(report.spend_total),
            "months": [
                {
                    "month": str(m.month),
                    "requests": m.requests,
                    "usd": _money(m.cost),
                    "by_kind": {k.value: _money(v) for k, v in m.by_kind.items()},
                }
                for m in report.spend
            ],
        },
    }


def write_json(report: Report, out: IO[str]) -> None:
    json.dump(report_json(report), out, ensure_ascii=False, indent=2)
    out.write("\n")


# -- text -----------------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, width: int | None = None) -> str:
    """Text safe to print on a terminal, cut to ``width`` columns with an ellipsis."""
    text = " ".join(_INVISIBLE.sub(" ", text).split())
    if width is None or display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(_char_width(ch) for ch in text)


def _text_cell(value: Value, kind: Kind) -> str:
    if value is None:
        return UNKNOWN_TEXT if kind is Kind.NUMBER else ""
    if isinstance(value, date):
        return value.isoformat()
    if kind is Kind.MONEY and isinstance(value, Decimal):
        from infobot.domain.costs import usd

        return usd(value)
    if isinstance(value, int):
        return f"{value:,}"
    return clean_text(str(value), None if kind is Kind.LINK else TITLE_WIDTH)


def aligned(columns: Sequence[tuple[str, Kind]], rows: Sequence[Sequence[Value]]) -> list[str]:
    """Rows as aligned lines: numbers and money right-aligned, text left-aligned."""
    shown = [[clean_text(name) for name, _ in columns]]
    shown += [[_text_cell(v, k) for v, (_, k) in zip(row, columns, strict=True)] for row in rows]
    widths = [max(display_width(r[i]) for r in shown) for i in range(len(columns))]
    lines = []
    for row in shown:
        cells = []
        for text, width, (_, kind) in zip(row, widths, columns, strict=True):
            pad = " " * (width - display_width(text))
            right = kind in (Kind.NUMBER, Kind.MONEY)
            cells.append(pad + text if right else text + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def _pick(table: Table, names: Sequence[str]) -> tuple[list[tuple[str, Kind]], list[list[Value]]]:
    index = [i for i, (name, _) in enumerate(table.columns) if name in names]
    return [table.columns[i] for i in index], [[row[i] for i in index] for row in table.rows]


def report_table(report: Report) -> str:
    """The whole report as plain text for the terminal."""
    period = _period(report.start, report.end)
    if report.empty:
        return f"Impact report, {period}: no posts in this period.\n"
    t = tables(report)
    counts = [m.label for m in Metric]
    head = (
        f"Impact report, {period}: {len(report.stories)} stories, {report.tally.posts} posts "
        f"on {len(report.platforms)} platform{'s' if len(report.platforms) != 1 else ''}"
    )
    parts = [head]
    total_row: list[Value] = ["Total", report.tally.posts, *tally_values(report.tally)]
    cols, rows = _pick(t[ReportTable.PLATFORMS], ["Platform", "Posts", *counts, "Engagement"])
    parts += ["", "Platforms", *aligned(cols, [*rows, total_row])]
    cols, rows = _pick(t[ReportTable.WEEKS], ["Week", "Stories", "Posts", *counts, "Engagement"])
    week_total: list[Value] = ["Total", len(report.stories), *total_row[1:]]
    parts += ["", "Weeks", *aligned(cols, [*rows, week_total])]
    top = t[ReportTable.TOP]
    parts += ["", top.title, *aligned(top.columns, top.rows)]
    shown = ["Date", "Title", "Storyteller", "Platform", *counts, "Engagement", "Link"]
    if any(cell.state.value != "live" for s in report.stories for cell in s.cells.values()):
        shown.append("State")  # gone (deleted on the platform) or withdrawn
    cols, rows = _pick(t[ReportTable.POSTS], shown)
    keys = [row[:3] for row in rows]
    for n in range(1, len(rows)):
        if keys[n] == keys[n - 1]:
            rows[n][:3] = ["", "", ""]  # the same story: its date, title and storyteller once
    parts += ["", "Stories", *aligned(cols, rows)]
    spend = t[ReportTable.SPEND]
    if spend.rows:
        parts += ["", spend.title, *aligned(spend.columns, spend.rows)]
    parts += ["", f"{UNKNOWN_TEXT} unknown: the platform does not report it, or did not answer."]
    return "\n".join(parts) + "\n"


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    return f"to {end}" if end else "all campaign dates"
