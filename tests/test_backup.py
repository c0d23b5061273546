"""`infobot backup`: an online, consistent SQLite copy that a restore can use."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.conftest import QUEUE, Cli


def test_backup_copies_a_consistent_database_that_restores(cli: Cli, tmp_path: Path) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    result = cli.ok("backup", str(tmp_path / "copy.db"))
    assert "Backed up" in result.out and "copy.db" in result.out
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        stories = copy.execute("SELECT count(*) FROM stories").fetchone()[0]
    assert stories == cli.count("stories") > 0
    assert not list(tmp_path.glob(".copy.db.partial-*"))

    # restore: the copy replaces the database; infobot reads it as before
    cli.ok("stories", "reject", "1", "--reason", "changed my mind", "--by", "sam")
    live = cli.db_path
    for extra in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        extra.unlink(missing_ok=True)
    (tmp_path / "copy.db").rename(live)
    shown = cli.ok("stories", "show", "1", "--json")
    assert '"status": "draft"' in shown.out


def test_backup_while_another_process_writes(cli: Cli, tmp_path: Path) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    stop = threading.Event()
    writes = 0

    def writer() -> None:
        nonlocal writes
        conn = sqlite3.connect(cli.db_path, timeout=30)
        while not stop.is_set():
            with conn:
                conn.execute("UPDATE stories SET body = body || '.' WHERE id = 1")
            writes += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for n in range(5):
            cli.ok("backup", str(tmp_path / f"b{n}.db"))
    finally:
        stop.set()
        thread.join()
    assert writes > 0
    for n in range(5):
        with sqlite3.connect(tmp_path / f"b{n}.db") as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_refuses_to_overwrite_and_explains(cli: Cli, tmp_path: Path) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    target = tmp_path / "copy.db"
    target.write_text("precious", encoding="utf-8")
    refused = cli("backup", str(target))
    assert refused.code == 2 and "already exists" in refused.err
    assert target.read_text(encoding="utf-8") == "precious"
    cli.ok("backup", str(target), "--overwrite")
    assert target.read_bytes().startswith(b"SQLite format 3")
    missing = cli("backup", str(tmp_path / "nowhere" / "copy.db"))
    assert missing.code == 2 and "no such folder" in missing.err
    itself = cli("backup", str(cli.db_path), "--overwrite")
    assert itself.code == 2 and "live database" in itself.err


def test_backup_of_postgresql_points_to_pg_dump(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOBOT_DATABASE_URL", "postgresql://infobot@127.0.0.1:1/infobot")
    result = cli("backup", "copy.db")
    assert result.code == 2 and "pg_dump" in result.err
