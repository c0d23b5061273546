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
