"""Migrations: they match the models, and they upgrade a database made by the first schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from infobot.store.db import Database
from infobot.store.migrate import HEAD, current_revision, ensure_current, upgrade
from infobot.store.models import Base
from tests.conftest import Cli

# Alembic itself, every time: no migrated template (tests/support/template_db.py) here.
pytestmark = pytest.mark.real_migrations


def test_models_and_migrations_agree(db_url: str) -> None:
    db = Database(db_url)
    try:
        ensure_current(db)
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        db.dispose()


def test_upgrade_keeps_the_data_of_the_first_schema(cli: Cli, tmp_path: Path) -> None:
    db = Database(f"sqlite:///{cli.db_path}")
    upgrade(db, "0001")
    db.dispose()
    assert current_revision(Database(f"sqlite:///{cli.db_path}")) == "0001"
    with sqlite3.connect(cli.db_path) as conn:
        conn.execute(
            "INSERT INTO campaigns (name, hashtag, timezone, post_time, weekdays, paused,"
            " pause_reason, created_at) VALUES ('infostory', '#infostory', 'Europe/London',"
            " '09:00', '0123456', 0, '', '2026-11-01 09:00:00.000000')"
        )
        conn.execute(
            "INSERT INTO stories (campaign_id, fingerprint, status, sort_key, title, body,"
            " author, role, organisation, link, image, image_alt, language, consent_by,"
            " consent_scope, notes, source, status_reason, created_by, created_at,"
            " updated_by, updated_at) VALUES (1, 'f', 'draft', 1024, 'Old', 'An old story.',"
            " '', '', '', '', '', '', 'en', 'Jo', '', '', 'x', '', 'sam',"
            " '2026-11-01 09:00:00.000000', 'sam', '2026-11-01 09:00:00.000000')"
        )
    result = cli.ok("stories", "list", "--json")  # opening the app upgrades the schema
    assert [s["title"] for s in result.json()] == ["Old"]
    assert current_revision(Database(f"sqlite:///{cli.db_path}")) == HEAD
    tables = {r[0] for r in cli.sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"heartbeats", "alerts"} <= tables


def test_partial_indexes_keep_their_condition_on_postgresql() -> None:
    """The models name only SQLite's ``where`` (so SQLite processes never load the
    PostgreSQL dialect); opening a PostgreSQL database gives PostgreSQL the same one."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex

    partial = {
        index.name: index
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["sqlite"]["where"] is not None
    }
    where = {
        "ix_stories_others": " WHERE status <> 'approved'",
        "ix_deliveries_needing": " WHERE status IN ('failed', 'in_doubt')",
        "ix_stories_queue": " WHERE status = 'approved'",
        "ix_events_delivery_id": " WHERE delivery_id IS NOT NULL",
    }
    assert set(partial) == set(where)
    Database("postgresql://nobody@127.0.0.1:9/none").dispose()  # connects to nothing
    for name, index in partial.items():
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            ddl = str(CreateIndex(index).compile(dialect=dialect))
            assert ddl.endswith(where[name]), (dialect.name, ddl)


def _downgrade(db: Database, revision: str) -> None:
    from alembic import command

    from infobot.store.migrate import alembic_config

    config = alembic_config(db)
    with db.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
        conn.commit()


def test_fingerprints_keep_their_first_half_and_find_the_same_story(
    db_url: str, tmp_path: Path
) -> None:
    """0013: each stored fingerprint keeps its first 32 hexadecimal digits, which is the
    fingerprint the code works out now, so a file imported before the upgrade adds
    nothing when it is imported again after it; going back makes each whole again."""
    import hashlib
    from datetime import UTC, datetime

    from sqlalchemy import select

    from infobot.app import App
    from infobot.clock import FixedClock
    from infobot.domain.intake import erased_fingerprint
    from infobot.domain.story import StoryInput
    from infobot.settings import load_settings
    from infobot.store.models import Story
    from tests.conftest import story_row, write_csv

    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    settings = load_settings(database_url=db_url, outbox_path=tmp_path / "outbox.jsonl")
    path = write_csv(tmp_path / "s.csv", [story_row(n) for n in range(1, 4)])

    def prints(db: Database) -> dict[int, str]:
        with db.read() as session:
            rows = session.execute(select(Story.id, Story.fingerprint)).all()
            return {sid: fp for sid, fp in rows}

    app = App.open(settings, FixedClock(now))
    try:
        ids = app.importer().import_files([path], actor="sam").added_ids
        assert len(ids) == 3
        with app.db.write() as session:  # the third story is erased
            story = session.get_one(Story, ids[2])
            story.fingerprint, story.erased_at = erased_fingerprint(ids[2]), now
        with app.db.read() as session:
            stories = {s.id: s for s in session.scalars(select(Story))}
            whole = {
                sid: hashlib.sha256(
                    "\x1f".join(" ".join(t.split()) for t in (s.body, s.author, s.title)).encode()
                ).hexdigest()
                for sid, s in stories.items()
            }
        whole[ids[2]] = hashlib.sha256(f"erased story {ids[2]}".encode()).hexdigest()
        short = prints(app.db)
        assert short == {sid: fp[:32] for sid, fp in whole.items()}
        assert (
            short[ids[0]]
            == StoryInput(
                body=stories[ids[0]].body,
                author=stories[ids[0]].author,
                title=stories[ids[0]].title,
            ).fingerprint()
        )
        _downgrade(app.db, "0012")
        assert current_revision(app.db) == "0012"
        assert prints(app.db) == whole  # as the code before 0013 wrote them
    finally:
        app.close()

    again = App.open(settings, FixedClock(now))  # upgrades to HEAD
    try:
        assert current_revision(again.db) == HEAD
        assert prints(again.db) == short
        report = again.importer().import_files([path], actor="sam")
        # the two kept are found; the erased one no longer has its content's fingerprint
        assert (report.added, report.already) == (1, 2)
    finally:
        again.close()
