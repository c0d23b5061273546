"""The Impact page, its downloads, the queue page's first figures and the calendar's X
costs, through real HTTP against a real SQLite file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from infobot.platforms.outbox import OutboxPlatform
from tests.conftest import story_row
from tests.web_support import Site, site_fixture, text_of


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def campaign(site: Site, days: int = 3, **extra: str) -> list[int]:
    """Stories posted on ``days`` days to an outbox on the site's clock, read as they age."""
    site.app.platforms.add("outbox", OutboxPlatform(site.outbox, clock=site.clock))
    path = site.csv("c.csv", [story_row(n, **extra) for n in range(1, days + 1)])

    ids = site.app.importer().import_files([path], actor="sam").added_ids
    site.approve(ids)
    daemon = site.app.daemon("d")
    for _ in range(days * 4):
        site.clock.advance(timedelta(hours=6))
        daemon.tick()
    return ids


@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_every_role_sees_the_impact_page(site: Site, role: str) -> None:
    campaign(site)
    page = site.signed_in("Robin", role).get("/impact")
    assert page.status_code == 200
    html = page.text
    assert html.count('role="img"') == 2  # the weekly chart and a story's growth
    assert 'aria-labelledby="chart-weekly-title chart-weekly-desc"' in html
    text = text_of(html)
    assert "Posts and engagement per week" in text and "How a story grew" in text
    assert "Engagement per week, by platform: 1 week" in text  # the chart's summary
    assert "The figures in this chart" in text  # its data table
    assert "Top stories" in text and "Story 3" in text and "Bookmarks" in text


def test_the_page_needs_a_sign_in(site: Site) -> None:
    response = site.browser().get("/impact")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_growth_of_a_chosen_story_and_a_period(site: Site) -> None:
    campaign(site)
    browser = site.signed_in("Robin", "editor")
    text = text_of(browser.get("/impact?story=2").text)
    assert "Growth of “Story 2” over its first 7 days" in text
    period = text_of(browser.get("/impact?from=2026-11-24&to=2026-11-24").text)
    assert "Stories 1, in 1 post on outbox" in period
    bad = browser.get("/impact?from=2026-11-30&to=2026-11-01")
    assert bad.status_code == 400 and "before the first" in text_of(bad.text)
    assert browser.get("/impact?from=soon").status_code == 400


def test_csv_and_xlsx_downloads(site: Site) -> None:
    campaign(site)
    browser = site.signed_in("Robin", "editor")
    response = browser.get("/impact.csv?table=stories")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Title"] for r in rows] == ["Story 1", "Story 2", "Story 3"]
    posts = browser.get("/impact.csv?from=2026-11-25").content.decode("utf-8-sig")
    assert posts.splitlines()[0].startswith("Story,Date,Week,Title,Storyteller,Platform")
    assert len(posts.splitlines()) == 2
    book = browser.get("/impact.xlsx")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    from openpyxl import load_workbook

    assert "Stories" in load_workbook(io.BytesIO(book.content), read_only=True).sheetnames


def test_a_hostile_title_stays_text(site: Site) -> None:
    campaign(site, days=1, title='<script>alert("x")</script> & friends')
    html = site.signed_in("Robin", "editor").get("/impact").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_the_queue_page_shows_the_latest_posts_first_figures(site: Site) -> None:
    campaign(site, days=2)
    text = text_of(site.signed_in("Robin", "editor").get("/queue").text)
    assert "First figures story #2 Story 2" in text
    assert "outbox:" in text and "likes" in text


def test_the_calendar_shows_each_days_x_cost(tmp_path: Path) -> None:
    env = {"platforms": "outbox,x"}
    for name in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        env[f"x__{name}"] = f"test-{name}-value"
    for site in site_fixture(tmp_path, **env):
        rows = [story_row(1), story_row(2, link="https://www.example.gov.uk/infostory")]

        ids = site.app.importer().import_files([site.csv("s.csv", rows)], actor="sam").added_ids
        site.approve(ids)
        text = text_of(site.signed_in("Robin", "editor").get("/calendar").text)
        assert "X costs $0.015" in text and "X costs $0.20" in text
        assert "a post with a link in its text costs far more" in text
