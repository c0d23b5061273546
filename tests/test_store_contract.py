"""One contract for every store: SQLite always, PostgreSQL when its binaries are here.

The invariants that the database itself must enforce (not Python): one story per campaign
day, one delivery per story and platform, one story per fingerprint, one pin per date,
foreign keys. And the editorial services must behave the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from infobot.app import App
from infobot.cli.common import plain
from infobot.clock import FixedClock
from infobot.store.migrate import HEAD, MIGRATIONS, current_revision
from infobot.store.models import Delivery, Event, Slot, Story
from tests.conftest import story_row, write_csv

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[App]:
    from infobot.settings import load_settings

    settings = load_settings(database_url=db_url, outbox_path=tmp_path / "outbox.jsonl")
    application = App.open(settings, FixedClock(NOW))
    yield application
    application.close()


def add_stories(app: App, tmp_path: Path, count: int) -> list[int]:

    path = write_csv(tmp_path / f"s{count}.csv", [story_row(n) for n in range(1, count + 1)])
    report = app.importer().import_files([path], actor="sam")
    return report.added_ids


def test_migrations_reach_head(app: App) -> None:
    assert current_revision(app.db) == HEAD
    heads = sorted(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("*.py"))
    assert heads[-1] == HEAD


def test_times_round_trip_as_aware_utc(app: App, tmp_path: Path) -> None:
    [sid] = add_stories(app, tmp_path, 1)
    with app.db.read() as session:
        story = session.get_one(Story, sid)
        assert story.created_at == NOW and story.created_at.tzinfo is not None


def test_one_story_per_campaign_day(app: App, tmp_path: Path) -> None:
    a, b = add_stories(app, tmp_path, 2)
    with app.db.write() as session:
        session.add(
            Slot(
                campaign_id=app.campaign_id,
                local_date=date(2026, 11, 23),
                story_id=a,
                status="claimed",
                claimed_at=NOW,
            )
        )
    with pytest.raises(IntegrityError), app.db.write() as session:
        session.add(
            Slot(
                campaign_id=app.campaign_id,
                local_date=date(2026, 11, 23),
                story_id=b,
                status="claimed",
                claimed_at=NOW,
            )
        )
    with pytest.raises(IntegrityError), app.db.write() as session:  # a story takes one slot
        session.add(
            Slot(
                campaign_id=app.campaign_id,
                local_date=date(2026, 11, 24),
                story_id=a,
                status="claimed",
                claimed_at=NOW,
            )
        )


def test_one_delivery_per_story_and_platform(app: App, tmp_path: Path) -> None:
    [sid] = add_stories(app, tmp_path, 1)

    def delivery(key: str) -> Delivery:
        return Delivery(
            story_id=sid,
            platform="outbox",
            status="pending",
            idempotency_key=key,
            created_at=NOW,
            updated_at=NOW,
        )

    with app.db.write() as session:
        session.add(delivery("k1"))
    with pytest.raises(IntegrityError), app.db.write() as session:
        session.add(delivery("k2"))


def test_fingerprint_and_pin_are_unique_per_campaign(app: App, tmp_path: Path) -> None:
    a, b = add_stories(app, tmp_path, 2)
    with pytest.raises(IntegrityError), app.db.write() as session:
        story = session.get_one(Story, b)
        story.fingerprint = session.get_one(Story, a).fingerprint
    with app.db.write() as session:
        session.get_one(Story, a).pin_date = date(2026, 12, 1)
    with pytest.raises(IntegrityError), app.db.write() as session:
        session.get_one(Story, b).pin_date = date(2026, 12, 1)


def test_foreign_keys_are_enforced(app: App) -> None:
    with pytest.raises(IntegrityError), app.db.write() as session:
        session.add(Event(at=NOW, actor="x", action="y", story_id=424242, message=""))


def test_a_failed_write_changes_nothing(app: App, tmp_path: Path) -> None:
    [sid] = add_stories(app, tmp_path, 1)
    with pytest.raises(RuntimeError), app.db.write() as session:
        session.get_one(Story, sid).title = "changed"
        session.flush()
        raise RuntimeError("boom")
    with app.db.read() as session:
        assert session.get_one(Story, sid).title == "Story 1"


def test_editorial_services_behave_the_same(app: App, tmp_path: Path) -> None:
    ids = add_stories(app, tmp_path, 6)
    editorial = app.editorial()
    editorial.approve(ids, actor="alex")
    editorial.move(ids[4], 1, actor="sam")
    editorial.pin(ids[5], date(2026, 11, 24), actor="sam")
    editorial.blackout_add(date(2026, 11, 26), reason="test", actor="sam")
    plan = plain(app.reads.plan.preview(5))  # as `infobot preview --json` prints it
    assert [(d["date"], d["story_id"]) for d in plan] == [
        ("2026-11-23", ids[4]),
        ("2026-11-24", ids[5]),
        ("2026-11-25", ids[0]),
        ("2026-11-26", None),
        ("2026-11-27", ids[1]),
    ]
    status = plain(app.reads.campaign.status())
    assert status["runway_days"] == 6 and status["runs_dry_on"] == "2026-11-30"
    # renumbering keeps the order
    for _ in range(12):
        editorial.move(ids[2], 2, actor="sam")
        editorial.move(ids[3], 2, actor="sam")
    order = [r.id for r in app.reads.stories.listing("approved") if r.position]
    assert order == [ids[4], ids[3], ids[2], ids[0], ids[1]]
    with app.db.read() as session:
        actions = session.scalars(select(Event.action)).all()
    assert actions.count("story.approved") == 6 and "blackout.added" in actions


def test_a_moved_story_takes_no_other_storys_place(app: App, tmp_path: Path) -> None:
    """Another import's drafts (not yet in the queue) hold their places: a story moved to
    the top, the end or between two others gets a key no story has, so it keeps the place
    the team gave it when the drafts are approved later (test_concurrency's race, in
    order: two people importing and moving at once)."""
    first = add_stories(app, tmp_path, 3)  # drafts, below the next import
    path = write_csv(tmp_path / "more.csv", [story_row(n) for n in range(11, 17)])
    second = app.importer().import_files([path], actor="kim").added_ids
    editorial = app.editorial()
    editorial.approve(second, actor="alex")
    editorial.move(second[-1], 1, actor="kim")  # the top: first[-1]'s key before the fix
    editorial.pin(second[0], date(2026, 12, 1), actor="kim")  # out of the queue, keeps its key
    editorial.move(second[4], 2, actor="kim")  # between second[5] and second[1]: second[0]'s
    editorial.move(second[1], 5, actor="kim")  # the end
    editorial.approve(first, actor="alex")
    editorial.unpin(second[0], actor="kim")
    with app.db.read() as session:
        keys = session.scalars(select(Story.sort_key)).all()
    assert len(set(keys)) == len(keys) == 9
    order = [r.id for r in app.reads.stories.listing("approved") if r.position]
    assert sorted(order) == sorted(first + second) and order[0] == second[5]
    moved = [second[5], second[4], second[2], second[3], second[1]]  # as the team left them
    assert [story for story in order if story in moved] == moved


def test_campaign_row_follows_settings(app: App, db_url: str) -> None:
    from infobot.settings import load_settings

    again = App.open(
        load_settings(database_url=db_url, post_time="10:30", campaign_days="mon,wed"),
        FixedClock(NOW + timedelta(1)),
    )
    try:
        assert again.campaign_id == app.campaign_id
        status = plain(again.reads.campaign.status())
        assert status["post_time"] == "10:30"
    finally:
        again.close()
