"""The read-only queries behind the web page (infobot.service.read) and import labels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from infobot.cli.common import plain
from infobot.domain.errors import ValidationFailed
from tests.conftest import story_row
from tests.web_support import Site, site_fixture


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def test_queue_overview_pages_and_counts(site: Site) -> None:
    ids = site.import_stories(7)
    site.approve(ids[:5])
    site.app.editorial().pin(ids[4], date(2026, 12, 1), actor="t")
    first = site.app.reads.stories.queue_page(page=1, per_page=2)
    assert (first.queue.total, first.queue.pages, first.drafts) == (4, 2, 2)
    assert [(r.position, r.story.id) for r in first.queue.rows] == [(1, 1), (2, 2)]
    last = site.app.reads.stories.queue_page(page=99, per_page=2)  # clamped to the last page
    assert [(r.position, r.story.id) for r in last.queue.rows] == [(3, 3), (4, 4)]
    assert [s.id for s in first.pinned] == [5]
    assert site.app.reads.stories.position(3) == 3
    assert site.app.reads.stories.position(5) is None


def test_month_view(site: Site) -> None:
    site.approve(site.import_stories(3))
    editorial = site.app.editorial()
    editorial.pin(3, date(2026, 11, 30), actor="t")
    editorial.blackout_add(date(2026, 11, 25), reason="Staff day", actor="t")
    site.app.manual().post_now(story_id=None, platforms=None, dry_run=False)
    view = site.app.reads.calendar.month(2026, 11)
    days = {cell.day: cell for week in view.weeks for cell in week}
    assert all(len(week) == 7 for week in view.weeks)
    assert days[date(2026, 11, 23)].today and days[date(2026, 11, 23)].story_id == 1
    assert days[date(2026, 11, 23)].state == "done"
    assert days[date(2026, 11, 24)].story_id == 2
    assert days[date(2026, 11, 25)].blackout == "Staff day"
    assert days[date(2026, 11, 26)].state == "empty"
    assert days[date(2026, 11, 30)].pinned and days[date(2026, 11, 30)].story_id == 3
    assert days[date(2026, 11, 2)].state == "past"
    assert view.runs_dry_on == date(2026, 11, 26)
    assert days[date(2026, 11, 26)].runs_dry
    assert (view.previous, view.next) == (date(2026, 10, 1), date(2026, 12, 1))
    far = site.app.reads.calendar.month(2031, 1)
    assert all(cell.state == "unplanned" for week in far.weeks for cell in week)
    # before infobot's first recorded day, an empty past day is not a gap...
    assert days[date(2026, 11, 2)].reason == ""
    # ...after it, a day with nothing recorded is shown as one
    site.clock.advance(timedelta(days=3))
    later = {c.day: c for week in site.app.reads.calendar.month(2026, 11).weeks for c in week}
    assert later[date(2026, 11, 2)].reason == ""
    assert later[date(2026, 11, 24)].reason == "no post recorded"


def test_history_audit_and_live_posts(site: Site) -> None:
    site.approve(site.import_stories(2))
    site.app.manual().post_now(story_id=None, platforms=None, dry_run=False)
    history = site.app.reads.records.history_page()
    assert history.total == 1
    row = history.rows[0]
    assert (row.delivery.status, row.day, row.title, row.advice) == (
        "sent",
        date(2026, 11, 23),
        "Story 1",
        "",
    )
    live = site.app.reads.stories.live_posts(1)
    assert [(p.platform, p.url == row.delivery.remote_url) for p in live] == [("outbox", True)]
    assert site.app.reads.stories.live_posts(2) == []
    audit = site.app.reads.records.audit_page(per_page=3)
    assert audit.total > 3 and len(audit.rows) == 3
    one = site.app.reads.records.audit_page(story_id=2)
    assert {r.event.story_id for r in one.rows} == {2}
    approved = next(r for r in one.rows if r.event.action == "story.approved")
    assert ("status", "draft", "approved") in approved.changes


def test_preview_story_applies_changes_without_saving(site: Site) -> None:
    site.import_stories(1)
    shown = plain(
        site.app.reads.stories.preview_edit(1, {"body": "Email me at jo@example.org please."})
    )
    assert "email address" in " ".join(shown["warnings"])
    assert "jo@example.org" in shown["platforms"]["outbox"]["posts"][0]["text"]
    broken = plain(site.app.reads.stories.preview_edit(1, {"consent_date": "yesterday"}))
    assert broken["platforms"] == {} and "consent_date" in broken["problems"][0]
    assert "jo@example.org" not in site.sql("SELECT body FROM stories")[0][0]


def test_import_labels_name_the_file_in_problems_and_sources(site: Site, tmp_path: Path) -> None:
    path = site.csv("upload-x1y2.csv", [story_row(1), story_row(2, consent_by="")])
    with pytest.raises(ValidationFailed) as failed:
        site.app.importer().import_files([path], actor="t", labels=["stories.csv"])
    assert str(failed.value.problems[0]).startswith("stories.csv:3: consent_by")
    good = site.csv("upload-x1y2.csv", [story_row(1)])
    report = site.app.importer().import_files([good], actor="t", labels=["stories.csv"])
    assert site.sql("SELECT source FROM stories WHERE id = ?", report.added_ids[0]) == [
        ("stories.csv:2",)
    ]
