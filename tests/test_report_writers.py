"""The impact report written as a text table, CSV, XLSX and JSON (report_writers)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.domain.costs import XRequest
from infobot.domain.engagement import Counts, Metric, PostState, ThreadCounts
from infobot.service.report_model import LedgerRow, PostRow, Report, build_report
from infobot.service.report_tables import ReportTable, tables
from infobot.service.report_writers import (
    SCHEMA,
    clean_text,
    display_width,
    report_json,
    report_table,
    write_csv,
    write_json,
    write_xlsx,
)

HOSTILE = '=HYPERLINK("http://evil.example","click")'
DAY = date(2026, 11, 2)


def sample_report() -> Report:
    def post(story: int, platform: str, counts: Counts, title: str, teller: str) -> PostRow:
        return PostRow(
            story,
            title,
            teller,
            date(2026, 11, 1 + story),
            platform,
            ThreadCounts.single(counts),
            f"https://{platform}.example/{story}",
        )

    rows = [
        post(1, "x", Counts(10, 2, 1, 0, 3, 900), "A paramedic's day", "Rahima"),
        post(1, "mastodon", Counts(5, 1, 0, None), "A paramedic's day", "Rahima"),
        post(2, "x", Counts(4, 0, 0, 0, 0, 100), HOSTILE, "@admin"),
        post(3, "mastodon", Counts(7, 3, 2, None), "+44 call me\x1b[2J\u202eevil", "-3"),
        PostRow(
            4,
            "Deleted",
            "Ade",
            date(2026, 11, 9),
            "bluesky",
            ThreadCounts.single(Counts()),
            None,
            PostState.GONE,
        ),
    ]
    ledger = [
        LedgerRow(datetime(2026, 11, 2, 9, tzinfo=UTC), XRequest.POST_WITH_URL, Decimal("0.2")),
        LedgerRow(datetime(2026, 11, 2, 10, tzinfo=UTC), XRequest.OWNED_READ, Decimal("0.001")),
    ]
    return build_report(rows, ledger=ledger)


# -- text -----------------------------------------------------------------------------------


def test_text_table_shows_unknown_as_a_dash_and_totals() -> None:
    text = report_table(sample_report())
    assert text.startswith("Impact report, all campaign dates: 4 stories, 5 posts on 3 platforms")
    lines = text.splitlines()
    platforms = lines[lines.index("Platforms") + 1 : lines.index("Platforms") + 6]
    assert platforms[0].split() == [
        "Platform", "Posts", "Likes", "Reposts", "Replies", "Quotes", "Bookmarks",
        "Impressions", "Engagement",
    ]  # fmt: skip
    assert platforms[1].split() == ["bluesky", "1", "—", "—", "—", "—", "—", "—", "—"]
    assert platforms[3].split() == ["x", "2", "14", "2", "1", "0", "3", "1,000", "17"]
    # the deleted Bluesky post was never read: every total of a count is unknown, by the
    # one sum rule; engagement (a score) leaves it out
    assert platforms[4].split() == ["Total", "5", "—", "—", "—", "—", "—", "—", "35"]
    assert "$0.201" in text
    assert "— unknown:" in text


def test_text_columns_line_up() -> None:
    lines = report_table(sample_report()).splitlines()
    start = lines.index("Weeks") + 1
    block = lines[start : lines.index("", start)]
    ends = {len(line) for line in block}
    assert len(ends) == 1  # numbers are right-aligned to the same edge


def test_text_cannot_drive_the_terminal() -> None:
    text = report_table(sample_report())
    assert "\x1b" not in text and "\u202e" not in text
    assert "+44 call me [2J evil" in text


def test_text_cuts_long_titles_by_display_width() -> None:
    assert clean_text("a" * 50, 40) == "a" * 39 + "…"
    wide = clean_text("日本語" * 10, 40)
    assert display_width(wide) <= 40 and wide.endswith("…")
    assert display_width("e\u0301") == 1
    assert clean_text("two\nlines\tand\x00nul") == "two lines and nul"


def test_an_empty_period_says_so() -> None:
    empty = build_report([], start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert report_table(empty) == (
        "Impact report, 2026-11-01 to 2026-11-30: no posts in this period.\n"
    )


# -- CSV ------------------------------------------------------------------------------------


def read_csv(report: Report, table: ReportTable = ReportTable.POSTS) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    write_csv(report, out, table)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def test_csv_is_spreadsheet_safe_and_unknown_is_empty() -> None:
    rows = read_csv(sample_report())
    assert len(rows) == 5
    by_story = {(r["Story"], r["Platform"]): r for r in rows}
    hostile = by_story[("2", "x")]
    assert hostile["Title"] == "'" + HOSTILE
    assert hostile["Storyteller"] == "'@admin"
    assert by_story[("3", "mastodon")]["Title"].startswith("'+44")
    assert by_story[("3", "mastodon")]["Storyteller"] == "-3"  # a number stays a number
    mastodon = by_story[("1", "mastodon")]
    assert mastodon["Quotes"] == "" and mastodon["Likes"] == "5"
    assert by_story[("4", "bluesky")]["State"] == "gone"
    assert by_story[("4", "bluesky")]["Link"] == ""
    assert hostile["Date"] == "2026-11-03" and hostile["Week"] == "2026-W45"


def test_every_csv_table_and_money_as_plain_decimals() -> None:
    report = sample_report()
    for table in ReportTable:
        assert read_csv(report, table) or table is ReportTable.TOP
    (month,) = read_csv(report, ReportTable.SPEND)
    assert month == {
        "Month": "2026-11",
        "Requests": "2",
        "Cost": "0.201",
        "post with url": "0.2",
        "owned read": "0.001",
    }
    stories = read_csv(report, ReportTable.STORIES)
    assert stories[0]["x link"] == "https://x.example/1"
    assert stories[0]["mastodon engagement"] == "6"


counts_st = st.builds(Counts, *[st.none() | st.integers(0, 10**6) for _ in range(6)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["x", "mastodon"]), counts_st), max_size=12))
def test_csv_columns_add_up_to_the_totals(raw: list[tuple[str, Counts]]) -> None:
    rows = [
        PostRow(n, f"t{n}", "s", DAY, platform, ThreadCounts.single(counts))
        for n, (platform, counts) in enumerate(raw)
    ]
    report = build_report(rows)
    csv_rows = read_csv(report)
    for metric in Metric:
        cells = [r[metric.label] for r in csv_rows]
        expected = report.tally.counts.get(metric)
        if expected is None:
            assert "" in cells
        else:
            assert sum(int(c) for c in cells) == expected


# -- XLSX -----------------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_table_and_typed_cells() -> None:
    from openpyxl import load_workbook

    out = io.BytesIO()
    write_xlsx(sample_report(), out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Posts", "Stories", "Weeks", "Platforms", "Top", "Spend"]
    sheet = book["Posts"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)]
    hostile = next(r for r in rows if r["Story"].value == 2)
    assert hostile["Title"].value == HOSTILE
    assert hostile["Title"].data_type == "s"  # text, not a formula
    assert hostile["Date"].value == datetime(2026, 11, 3)
    third = next(r for r in rows if r["Story"].value == 3)
    assert third["Title"].value == "+44 call me[2J\u202eevil"  # ESC dropped: not XML
    mastodon = next(r for r in rows if r["Story"].value == 1 and r["Platform"].value == "mastodon")
    assert mastodon["Quotes"].value is None
    assert mastodon["Likes"].value == 5
    spend = book["Spend"]
    assert spend["C2"].value == 0.201 and spend["C2"].number_format == '"$"#,##0.000'


# -- JSON -----------------------------------------------------------------------------------


def test_json_has_stable_documented_keys() -> None:
    data = report_json(sample_report())
    assert list(data) == [
        "schema", "from", "to", "measure", "platforms", "totals", "platforms_totals",
        "weeks", "stories", "top", "spend",
    ]  # fmt: skip
    assert data["schema"] == SCHEMA
    assert data["totals"] == {
        "stories": 4,
        "posts": 5,
        "engagement": 35,
        "counts": {
            "likes": None,
            "reposts": None,
            "replies": None,
            "quotes": None,
            "bookmarks": None,
            "impressions": None,
        },
    }
    story = data["stories"][0]
    assert list(story) == [
        "id", "date", "week", "title", "storyteller", "posts", "engagement", "counts",
        "platforms",
    ]  # fmt: skip
    x = story["platforms"]["x"]
    assert list(x) == ["url", "state", "engagement", "counts", "thread"]
    assert x["thread"]["parts"] == 1
    assert data["spend"] == {
        "total_usd": "0.201",
        "months": [
            {
                "month": "2026-11",
                "requests": 2,
                "usd": "0.201",
                "by_kind": {"post_with_url": "0.2", "owned_read": "0.001"},
            }
        ],
    }
    assert [t["id"] for t in data["top"]] == [1, 3, 2]


def test_json_output_is_deterministic_and_parses() -> None:
    first, second = io.StringIO(), io.StringIO()
    write_json(sample_report(), first)
    write_json(sample_report(), second)
    assert first.getvalue() == second.getvalue()
    assert json.loads(first.getvalue())["stories"][1]["title"] == HOSTILE


def test_tables_share_one_definition() -> None:
    defined = tables(sample_report())
    assert set(defined) == set(ReportTable)
    for table in defined.values():
        assert all(len(r) == len(table.columns) for r in table.rows)
