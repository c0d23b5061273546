"""The report read from the store: X spend summed by the database equals the report
model's own sums, on SQLite and PostgreSQL; a report is kept until something changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.costs import XRequest
from infobot.service.report_model import LedgerRow, spend_by_month
from infobot.settings import load_settings
from infobot.store import xledger

REQUESTS = [
    (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), XRequest.POST_WITH_URL, 1, 201),  # 00:30 BST
    (datetime(2026, 4, 1, 9, tzinfo=UTC), XRequest.POST, 1, 201),
    (datetime(2026, 4, 1, 10, tzinfo=UTC), XRequest.READ_BY_ID, 3, 200),
    (datetime(2026, 4, 1, 11, tzinfo=UTC), XRequest.READ_BY_ID, 0, 429),  # not charged
    (datetime(2026, 4, 2, 9, tzinfo=UTC), XRequest.OWNED_READ, 20, 200),
    (datetime(2026, 5, 1, 0, 0, tzinfo=UTC), XRequest.DELETE, 1, 200),
]


def test_spend_by_month_from_the_database_equals_the_models(db_url: str) -> None:
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    app = App.open(load_settings(database_url=db_url), clock)
    try:
        for at, kind, units, status in REQUESTS:
            clock.set(at)
            app.x_spending(kind, units, status)
        with app.db.read() as session:
            rows = [LedgerRow(*row) for row in xledger.rows(session)]
        assert sum(r.cost for r in rows) == Decimal("0.200") + Decimal("0.015") + Decimal(
            "0.015"
        ) + Decimal("0.020") + Decimal("0.010")
        for start, end in ((None, None), (date(2026, 4, 1), date(2026, 4, 1))):
            report = app.impact.report(start, end)
            assert report.spend == tuple(spend_by_month(rows, start, end))
        march, april, may = app.impact.report().spend
        assert str(march.month) == "2026-03" and march.cost == Decimal("0.2")
        assert april.requests == 4 and april.by_kind[XRequest.READ_BY_ID] == Decimal("0.015")
        assert may.cost == Decimal("0.01")
    finally:
        app.close()


def test_a_report_is_kept_until_something_changes(tmp_path: object) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 8, tzinfo=UTC))
    app = App.open(load_settings(database_url=f"sqlite:///{tmp_path}/k.db"), clock)
    try:
        first = app.impact.report()
        assert app.impact.report() is first
        assert app.impact.report(date(2026, 11, 1)) is not first  # another period
        app.x_spending(XRequest.POST, 1, 201)
        changed = app.impact.report()
        assert changed is not first and changed.spend_total == Decimal("0.015")
    finally:
        app.close()


def test_reads_and_the_report_on_each_store(db_url: str, tmp_path: object) -> None:
    """The engagement store and the report's queries on SQLite and PostgreSQL alike."""
    from datetime import timedelta

    from infobot.platforms.outbox import OutboxPlatform
    from tests.conftest import story_row, write_csv

    clock = FixedClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    outbox = OutboxPlatform(Path(str(tmp_path)) / "out.jsonl", clock=clock)
    app = App.open(load_settings(database_url=db_url), clock, platforms={"outbox": outbox})
    try:
        csv = write_csv(Path(str(tmp_path)) / "s.csv", [story_row(1), story_row(2)])
        ids = app.importer().import_files([csv], actor="sam").added_ids
        app.editorial().approve(ids, actor="alex")
        daemon = app.daemon("d")
        daemon.tick()
        for _ in range(3):
            clock.advance(timedelta(hours=1))
            daemon.tick()
        report = app.impact.report()
        [story] = report.stories
        assert story.tally.counts.likes is not None and story.tally.posts == 1
        assert len(app.impact.growth(story.story_id)[0].points) == 3
        status = app.reads.campaign.status()
        assert status.first_figures is None  # nothing went out before today
    finally:
        app.close()
