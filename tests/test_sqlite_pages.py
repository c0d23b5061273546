"""A new SQLite database has 16 KiB pages; one made before keeps its 4 KiB pages and
works as before (the page size of a database with tables cannot change)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from infobot.app import App
from infobot.clock import FixedClock
from infobot.settings import load_settings
from infobot.store.db import PAGE_SIZE
from tests.conftest import story_row, write_csv

NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)


def _page_size(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])


def _open_and_import(path: Path, tmp_path: Path) -> int:
    app = App.open(load_settings(database_url=f"sqlite:///{path}"), FixedClock(NOW))
    try:
        rows = [story_row(n) for n in range(40)]
        report = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam")
        return report.added
    finally:
        app.close()


def test_a_new_database_has_16_kib_pages(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert _open_and_import(path, tmp_path) == 40
    assert PAGE_SIZE == 16384
    assert _page_size(path) == PAGE_SIZE


def test_a_database_made_with_4_kib_pages_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # as infobot made databases before
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
    assert _open_and_import(path, tmp_path) == 40
    assert _page_size(path) == 4096
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 40
