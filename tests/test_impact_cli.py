"""``infobot report``, the first figures in ``infobot status`` and the X cost in
``infobot preview``, run as the team runs them (the outbox, a real SQLite file)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests.conftest import Cli, story_row, write_csv


def campaign(cli: Cli, days: int = 3, **extra: str) -> None:
    rows = [story_row(n, **extra) for n in range(1, days + 2)]
    cli.ok("import", str(write_csv(cli.tmp / "s.csv", rows)), "--by", "sam")
    ids = [str(s["id"]) for s in cli.ok("stories", "list", "--json").json()]
    cli.ok("stories", "approve", *ids, "--by", "alex")
    for day in range(days):
        os.environ["INFOBOT_CLOCK_START"] = f"2026-11-{23 + day}T09:00:05+00:00"
        cli.ok("run", "--once")
    os.environ["INFOBOT_CLOCK_START"] = f"2026-11-{22 + days}T13:00:05+00:00"
    cli.ok("run", "--once")  # reads the last post at 4 hours


@pytest.fixture
def ran(cli: Cli) -> Cli:
    campaign(cli)
    return cli


def test_report_as_a_table(ran: Cli) -> None:
    out = ran.ok("report").out
    assert "Impact report, all campaign dates: 3 stories, 3 posts on 1 platform" in out
    for heading in ("Platforms", "Weeks", "Top stories", "Stories"):
        assert f"\n{heading}" in out
    assert "Story 1" in out and "Person 1" in out and "outbox" in out
    assert "— unknown" in out  # the outbox gives no bookmarks or impressions


def test_report_json_totals_are_the_sums_of_the_rows(ran: Cli) -> None:
    data = ran.ok("report", "--format", "json").json()
    assert data["schema"] == "infobot.report/1"
    stories = data["stories"]
    assert [s["id"] for s in stories] == [1, 2, 3]
    for metric in ("likes", "reposts", "replies", "quotes"):
        assert data["totals"]["counts"][metric] == sum(s["counts"][metric] for s in stories)
    assert data["totals"]["counts"]["bookmarks"] is None  # unknown, never 0
    assert data["totals"]["engagement"] == sum(s["engagement"] for s in stories) > 0
    assert data["spend"] == {"total_usd": "0", "months": []}


def test_report_for_a_period(ran: Cli) -> None:
    data = ran.ok("report", "--from", "2026-11-24", "--to", "24/11/2026", "--format", "json").json()
    assert [s["id"] for s in data["stories"]] == [2]
    assert (data["from"], data["to"]) == ("2026-11-24", "2026-11-24")


def test_report_csv_and_xlsx_files(ran: Cli) -> None:
    target = ran.tmp / "stories.csv"
    result = ran.ok("report", "--format", "csv", "--table", "stories", "--output", str(target))
    assert "Wrote the report (3 stories, 3 posts)" in result.err
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Title"] for r in rows] == ["Story 1", "Story 2", "Story 3"]
    assert rows[0]["Bookmarks"] == ""  # unknown is an empty cell, never 0
    from openpyxl import load_workbook

    book = ran.tmp / "impact.xlsx"
    ran.ok("report", "--format", "xlsx", "-o", str(book))
    sheets = load_workbook(book, read_only=True).sheetnames
    assert {"Posts", "Stories", "Weeks", "Platforms"} <= set(sheets)


def test_report_refuses_a_period_that_ends_before_it_starts(ran: Cli) -> None:
    result = ran("report", "--from", "2026-11-25", "--to", "2026-11-24")
    assert result.code == 2 and "before --from" in result.err
    assert ran("report", "--from", "next week").code == 2


def test_report_on_an_empty_campaign(cli: Cli) -> None:
    assert "no posts in this period" in cli.ok("report").out


def test_status_shows_the_first_figures_of_the_latest_post(ran: Cli) -> None:
    os.environ["INFOBOT_CLOCK_START"] = "2026-11-26T08:00:00+00:00"
    out = ran.ok("status").out
    assert "First figures of the Wednesday 25 November 2026 post (story #3): outbox:" in out
    assert "likes" in out
    data = ran.ok("status", "--json").json()
    figures = data["first_figures"]
    assert figures["story_id"] == 3 and figures["date"] == "2026-11-25"
    [outbox] = figures["platforms"]
    assert outbox["platform"] == "outbox" and outbox["counts"]["bookmarks"] is None
    assert outbox["engagement"] == sum(
        outbox["counts"][m] for m in ("likes", "reposts", "replies", "quotes")
    )


def test_preview_shows_what_each_day_costs_on_x(cli: Cli) -> None:
    os.environ["INFOBOT_PLATFORMS"] = "outbox,x"
    for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        os.environ[f"INFOBOT_X__{name}"] = f"test-{name.lower()}-value"
    rows = [story_row(1), story_row(2, link="https://www.example.gov.uk/infostory")]
    cli.ok("import", str(write_csv(cli.tmp / "s.csv", rows)), "--by", "sam")
    cli.ok("stories", "approve", "1", "2", "--by", "alex")
    out = cli.ok("preview", "--days", "2").out
    assert "x costs $0.015" in out and "x costs $0.20" in out
    days = cli.ok("preview", "--days", "2", "--json").json()
    assert [d["x_cost"] for d in days] == ["$0.015", "$0.20"]
    os.environ["INFOBOT_X__PRICE_POST_WITH_URL"] = "0.25"
    assert [d["x_cost"] for d in cli.ok("preview", "--days", "2", "--json").json()] == [
        "$0.015",
        "$0.25",
    ]


def test_report_help_is_plain(cli: Cli) -> None:
    out = cli.ok("report", "--help").out
    assert "--from" in out and "--format" in out and "xlsx" in out


def test_bad_x_prices_and_budget_are_named(cli: Cli, tmp_path: Path) -> None:
    os.environ["INFOBOT_X__MONTHLY_BUDGET"] = "ten dollars"
    result = cli("status")
    assert result.code == 2 and "INFOBOT_X__MONTHLY_BUDGET" in result.err
    os.environ["INFOBOT_X__MONTHLY_BUDGET"] = "10"
    os.environ["INFOBOT_ENGAGEMENT_BANDS"] = "1h@6h,30m@12h"
    result = cli("status")
    assert result.code == 2 and "INFOBOT_ENGAGEMENT_BANDS" in result.err and "band 2" in result.err
