"""The tests' migrated template (tests/support/template_db.py) makes what Alembic makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from infobot.store import migrate
from infobot.store.db import Database
from tests.support import template_db


def made(path: Path, *, template: bool) -> template_db.Schema:
    template_db.enabled = template
    db = Database(f"sqlite:///{path}")
    try:
        assert migrate.current_revision(db) is None
        migrate.ensure_current(db)
        assert migrate.current_revision(db) == migrate.HEAD
    finally:
        db.dispose()
        template_db.enabled = True
    return template_db.read_schema(path)


def test_a_database_from_the_template_is_the_one_alembic_makes(tmp_path: Path) -> None:
    by_alembic = made(tmp_path / "alembic.db", template=False)
    by_template = made(tmp_path / "template.db", template=True)
    assert by_template == by_alembic
    assert ("alembic_version", ((migrate.HEAD,),)) in by_template.rows


def test_only_an_empty_database_takes_the_template(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        migrate.upgrade(db, "0001")  # not head: Alembic
        assert migrate.current_revision(db) == "0001"
        assert migrate.upgrade(db) == "0001"  # not empty: Alembic upgrades it
        assert migrate.current_revision(db) == migrate.HEAD
    finally:
        db.dispose()


@pytest.mark.real_migrations
def test_the_marker_turns_the_template_off() -> None:
    assert template_db.enabled is False
