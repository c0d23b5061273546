"""The team's pages read a campaign on the read side's SQL (issue 13, row f): the status,
the queue page, the calendar and the history say exactly what the ORM's reads say, day
after day, and step aside to them where they cannot (a pre-election period, a delivery
waiting for a person; a campaign in two languages: its calendar)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from infobot.domain.election import ElectionPeriod
from infobot.service.read.calendar import CalendarReads
from infobot.service.read.models import MonthView
from infobot.store.reader import Unsupported
from tests.conftest import story_row
from tests.web_support import Site, site_fixture

MONTHS = ((2026, 10), (2026, 11), (2026, 12), (2027, 1))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def _full_month(calendar: CalendarReads, year: int, month: int) -> MonthView:
    """The month as the ORM reads it: the lean read made to step aside."""

    def unsupported(*_: Any) -> Any:
        raise Unsupported("the full read, for the comparison")

    calendar._read_lean = unsupported  # type: ignore[method-assign]
    try:
        return calendar.month(year, month)
    finally:
        del calendar._read_lean


class Spy:
    """Counts the calls of the full reads (the ORM's)."""

    def __init__(self, site: Site) -> None:
        self.calls: list[str] = []
        reads = site.app.reads
        for owner, name in ((reads.campaign, "full_status"), (reads.calendar, "_read_full")):
            setattr(owner, name, self._counted(name, getattr(owner, name)))

    def _counted(self, name: str, func: Any) -> Any:
        def counted(*args: Any) -> Any:
            self.calls.append(name)
            return func(*args)

        return counted


def _same_answers(site: Site) -> None:
    reads = site.app.reads
    assert reads.campaign.status() == reads.campaign.full_status()
    for year, month in MONTHS:
        assert reads.calendar.month(year, month) == _full_month(reads.calendar, year, month)


@pytest.fixture
def any_site(db_url: str, tmp_path: Path) -> Iterator[Site]:
    """A site on SQLite, then on PostgreSQL: the lean reads' SQL is one text for both."""
    yield from site_fixture(tmp_path, database_url=db_url)


def test_the_lean_reads_say_what_the_full_ones_say_day_by_day(any_site: Site) -> None:
    site = any_site
    spy = Spy(site)
    _same_answers(site)  # nothing yet
    ids = site.import_stories(12)
    site.approve(ids[:10])
    editorial = site.app.editorial()
    editorial.pin(ids[9], date(2026, 11, 30), actor="t")
    editorial.pin(ids[8], date(2026, 11, 28), actor="t")  # a Saturday
    editorial.blackout_add(date(2026, 11, 26), reason="Staff day", actor="t")
    _same_answers(site)
    site.app.manual().post_now(story_id=None, platforms=None, dry_run=False)
    _same_answers(site)  # today posted: the first figures, the last post
    site.clock.advance(timedelta(days=2))
    _same_answers(site)  # a day went by without a post
    site.clock.advance(timedelta(hours=2))
    assert site.app.reads.campaign.status().overdue is not None
    _same_answers(site)  # today's post is late
    editorial.pause(until=date(2026, 12, 3), reason="Quiet week", actor="t")
    _same_answers(site)
    editorial.resume(actor="t")
    site.clock.advance(timedelta(days=40))
    _same_answers(site)  # the queue ran dry
    history = site.app.reads.records.history_page()
    assert [
        (row.delivery.story_id, row.delivery.status, row.title, row.day) for row in history.rows
    ] == [(1, "sent", "Story 1", date(2026, 11, 23))]
    assert [(d.local_date, d.status) for d in site.app.reads.records.days_without_post()] == []
    site.add_user("Alex", "approver")
    alex = site.app.accounts().get("ALEX")
    assert alex is not None and (alex.name, alex.role, alex.disabled, alex.has_password) == (
        "Alex",
        "approver",
        False,
        True,
    )
    # the full reads ran for the comparisons alone: 7 states, each month of each
    assert spy.calls.count("full_status") == 7
    assert spy.calls.count("_read_full") == 7 * len(MONTHS)


def test_a_pre_election_period_is_read_by_the_full_path(site: Site) -> None:
    site.approve(site.import_stories(5))
    period = ElectionPeriod(date(2026, 12, 1), date(2026, 12, 10), "council by-election")
    site.app.editorial().election_add(period, actor="t")
    spy = Spy(site)
    reads = site.app.reads
    view = reads.calendar.month(2026, 12)
    assert spy.calls == ["_read_full"]
    days = {cell.day: cell for week in view.weeks for cell in week}
    assert days[date(2026, 12, 2)].election is not None
    reads.campaign.status()
    assert spy.calls == ["_read_full", "full_status"]


def test_a_bilingual_campaign_s_status_is_read_on_the_sql(tmp_path: Path) -> None:
    """Welsh and English: the status counts only the stories ready in both and names the
    others, as the ORM's read does; the calendar (its titles in both) is the ORM's."""
    site = Site(tmp_path, languages="cy,en")
    try:
        welsh = {"title_cy": "Stori", "body_cy": "Helpodd rhannu cofnodion i'r nyrs gyrraedd."}
        rows = [story_row(n, **welsh) for n in (1, 2, 3)] + [story_row(4)]
        ids = site.app.importer().import_files([site.csv("cy.csv", rows)], actor="t").added_ids
        site.approve(ids[:3])
        site.app.editorial().pin(ids[2], date(2026, 11, 30), actor="t")
        # approved before the campaign took Welsh: it does not post until it has it
        site.sql("UPDATE stories SET status = 'approved' WHERE id = ?", ids[3])
        spy = Spy(site)
        reads = site.app.reads
        status = reads.campaign.status()
        assert spy.calls == []
        assert status.counts["approved"] == 3
        assert [a for a in status.attention if a.kind == "not_ready"]
        assert status == reads.campaign.full_status()
        reads.calendar.month(2026, 11)
        assert spy.calls == ["full_status", "_read_full"]
    finally:
        site.close()


def test_the_history_walks_the_deliveries_not_the_stories(site: Site) -> None:
    """The history's queries start from the deliveries (a few a day) and never sort: the
    queue's thousands of stories are only looked up by number."""
    import sqlite3

    from infobot.store.queries import history
    from infobot.store.reader import Reader

    site.approve(site.import_stories(3))
    site.app.manual().post_now(story_id=None, platforms=None, dry_run=False)
    plans: list[list[str]] = []

    class Explaining(Reader):
        def _run(self, sql: str, params: Any) -> Any:
            found = super()._run("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans.append([str(r[-1]) for r in found])
            return super()._run(sql, params)

    with sqlite3.connect(site.db_path) as conn:
        r = Explaining(conn, "sqlite")
        assert history.count(r, 1) == 1
        (found,) = history.deliveries(r, 1, 0, 50)
        assert history.without_post(r, 1, 30) == []
    assert (found[0].story_id, found[0].status, found[1], found[2]) == (
        1,
        "sent",
        "Story 1",
        date(2026, 11, 23),
    )
    for plan in plans[:2]:
        assert plan[0].startswith("SCAN d"), plan  # the deliveries, in their order
        assert not any("TEMP B-TREE" in step for step in plan), plan
        assert any(step.startswith("SEARCH s USING INTEGER PRIMARY KEY") for step in plan), plan
