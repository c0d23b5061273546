"""What keeps the team's pages quick under load (issue 13, row f): a queue page that stays
small, reads that do not grow with the rows shown, a campaign's services kept between
requests (and rebuilt when the campaign changes), and the calendar's posts rendered once
per story text. No timings here: `python -m bench web` measures those."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import story_row
from tests.web_support import Site, post, site_fixture

QUEUE_KIB = 60  # bench/web.py's goal for /queue
LONG_TITLE = "A long title, as long as a title the queue shows gets before it is cut short…"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def _fill(site: Site, count: int, pinned: int = 0, days_on: int = 0) -> list[int]:
    """``count`` approved stories with the longest title the queue shows and a long author;
    the last ``pinned`` of them pinned to the days after the first ``days_on`` to come."""
    rows = [
        story_row(n, title=f"{n} {LONG_TITLE}", author=f"Alexandra Featherstonehaugh-Smith {n}")
        for n in range(1, count + 1)
    ]
    ids = site.app.importer().import_files([site.csv("many.csv", rows)], actor="t").added_ids
    site.approve(ids)
    first = date(2026, 11, 23) + timedelta(days=days_on)
    for n, story_id in enumerate(ids[count - pinned :], start=1):
        site.app.editorial().pin(story_id, first + timedelta(days=n), actor="t")
    return ids


def _queries(site: Site, browser: object, path: str) -> int:
    """How many SQL statements one GET of ``path`` runs: through the ORM's engine and
    through the read side's :class:`~infobot.store.reader.Reader` (the driver itself)."""
    from starlette.testclient import TestClient

    from infobot.store.reader import Reader

    assert isinstance(browser, TestClient)
    seen: list[str] = []

    def count(*_: object) -> None:
        seen.append("")

    run = Reader._run

    def counted(reader: Reader, sql: str, params: Any) -> Any:
        seen.append(sql)
        return run(reader, sql, params)

    event.listen(site.app.db.engine, "before_cursor_execute", count)
    Reader._run = counted  # type: ignore[method-assign]
    try:
        assert browser.get(path).status_code == 200
    finally:
        Reader._run = run  # type: ignore[method-assign]
        event.remove(site.app.db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_full_queue_page_stays_under_60_kib_with_every_action(site: Site) -> None:
    _fill(site, 70, pinned=10)
    approver = site.signed_in("Alex", "approver")
    page = approver.get("/queue").text
    assert len(page.encode()) <= QUEUE_KIB * 1024, len(page.encode())
    assert page.count('class="govuk-table__row app-queue__row"') == 50
    # one form, one token, for the whole table; every row keeps its moves
    assert page.count('name="csrf_token"') == 3  # sign out, the queue, the pinned stories
    assert 'name="return_to" value="/queue?page=1"' in page
    for move in ("up", "top", "down"):
        assert page.count(f'name="to" value="{move}"') >= 49
    assert 'formaction="/stories/2/move" name="to" value="up">Move up' in page
    assert page.count("Unpin<span") == 10
    assert "open it and pin it to that date" in page


def test_a_move_from_the_tables_form_returns_to_its_page(site: Site) -> None:
    _fill(site, 60)
    approver = site.signed_in("Alex", "approver")
    back = {"return_to": "/queue?page=2"}
    moved = post(approver, "/stories/52/move", {"to": "up", **back})
    assert moved.headers["location"] == "/queue?page=2#story-52"
    topped = post(approver, "/stories/52/move", {"to": "top", **back})
    assert topped.headers["location"] == "/queue?page=1#story-52"  # where it is now


def test_the_pages_read_no_more_for_more_rows(site: Site) -> None:
    _fill(site, 3, pinned=1)
    approver = site.signed_in("Alex", "approver")
    paths = ("/queue", "/calendar", "/history")
    few = {path: _queries(site, approver, path) for path in paths}
    _fill(site, 60, pinned=5, days_on=10)
    many = {path: _queries(site, approver, path) for path in paths}
    assert many == few
    # no query per row, the ORM's and the driver's alike; today: 28, 17 and 9
    assert few["/queue"] <= 30 and few["/calendar"] <= 20 and few["/history"] <= 10, few


def test_a_campaigns_app_is_kept_until_the_campaign_changes(site: Site) -> None:
    approver = site.signed_in("Alex", "admin")
    kept = site.web.state.web.campaign_apps
    assert "#infostory story a day" in approver.get("/queue").text
    approver.get("/calendar")
    assert len(kept._apps) == 1
    (first,) = kept._apps.values()
    form = approver.get("/campaigns/infostory/edit").text
    version = re.search(r'name="version" value="([^"]+)"', form)
    assert version is not None
    values = {
        "name": "infostory",
        "hashtag": "#winterstory",
        "timezone": "Europe/London",
        "post_time": "09:00",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "platforms": ["outbox"],
        "languages": "en",
        "active": "yes",
        "version": version.group(1),
        "step": "save",
    }
    post(approver, "/campaigns/infostory/edit", values, token_from="/campaigns")
    assert "#winterstory story a day" in approver.get("/queue").text
    assert len(kept._apps) == 2
    assert first not in [app for key, app in kept._apps.items() if key[1].hashtag != "#infostory"]


def test_a_campaigns_kept_app_learns_that_a_second_campaign_runs(site: Site) -> None:
    """Alerts from the page (a post made from it) name their campaign once several run, so
    the App kept from before a second campaign started is not the one a page gets after."""
    from infobot.domain.campaign import CampaignField

    approver = site.signed_in("Alex", "admin")
    kept = site.web.state.web.campaign_apps
    approver.get("/queue")
    ((key, alone),) = kept._apps.items()
    assert alone.several_running is False
    site.app.campaign_admin().create(
        {CampaignField.NAME: "second", CampaignField.HASHTAG: "#secondstory"}, actor="Alex"
    )
    approver.get("/queue")
    now = [app for (cid, _, several), app in kept._apps.items() if cid == key[0] and several]
    assert len(now) == 1 and now[0] is not alone
    assert now[0].several_running is True and now[0].alerts.name_campaign is True


def test_the_calendar_renders_a_storys_posts_again_when_its_text_changes(site: Site) -> None:
    site.approve(site.import_stories(1))
    calendar = site.app.reads.calendar

    def posted_today() -> list[str]:
        days = {cell.day: cell for week in calendar.month(2026, 11).weeks for cell in week}
        return days[date(2026, 11, 23)].posts["outbox"]

    first = posted_today()
    assert "sharing records meant the right help arrived sooner" in first[0]
    assert posted_today() == first  # kept: the same text renders the same posts
    site.app.editorial().edit(1, {"body": "A new body for the first story."}, actor="t")
    site.approve([1])
    assert "A new body for the first story." in posted_today()[0]
