"""Two processes importing and approving into one SQLite file at the same time."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROUNDS = 25
PER_FILE = 8


def worker(db_url: str, folder: str, tag: str, start: object, results: object) -> None:
    """Import a small file, approve what came in, move one story: ROUNDS times."""
    for key in [k for k in os.environ if k.startswith("INFOBOT_")]:
        del os.environ[key]
    try:
        from infobot.app import App
        from infobot.clock import FixedClock
        from infobot.settings import load_settings
        from tests.conftest import story_row, write_csv

        settings = load_settings(database_url=db_url, outbox_path=Path(folder) / "outbox.jsonl")
        app = App.open(settings, FixedClock(datetime(2026, 11, 23, 8, tzinfo=UTC)))
        start.wait()  # type: ignore[attr-defined]
        for n in range(ROUNDS):
            rows = [story_row(f"{tag}-{n}-{i}") for i in range(PER_FILE)]
            path = write_csv(Path(folder) / f"{tag}-{n}.csv", rows)
            report = app.importer().import_files([path], actor=tag)
            assert report.added == PER_FILE, report
            app.editorial().approve(report.added_ids, actor=f"approver-{tag}")
            app.editorial().move(report.added_ids[-1], 1, actor=tag)
        app.close()
        results.put((tag, "ok"))  # type: ignore[attr-defined]
    except BaseException:
        results.put((tag, traceback.format_exc()))  # type: ignore[attr-defined]


def test_two_processes_import_and_approve_without_locking_errors(tmp_path: Path) -> None:
    db_path = tmp_path / "shared.db"
    db_url = f"sqlite:///{db_path}"
    from infobot.app import App
    from infobot.settings import load_settings

    App.open(load_settings(database_url=db_url)).close()  # migrate once up front
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(db_url, str(tmp_path), tag, start, results))
        for tag in ("a", "b")
    ]
    for proc in procs:
        proc.start()
    start.set()
    outcomes = dict(results.get(timeout=120) for _ in procs)
    for proc in procs:
        proc.join(timeout=30)
    assert outcomes == {"a": "ok", "b": "ok"}, outcomes
    with sqlite3.connect(db_path) as conn:
        total = ROUNDS * PER_FILE * 2
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == total
        assert (
            conn.execute("SELECT count(*) FROM stories WHERE status = 'approved'").fetchone()[0]
            == total
        )
        counts = dict(conn.execute("SELECT action, count(*) FROM events GROUP BY action"))
        assert counts["story.imported"] == total
        assert counts["story.approved"] == total
        assert counts["story.moved"] == ROUNDS * 2
        keys = conn.execute("SELECT count(DISTINCT sort_key) FROM stories").fetchone()[0]
        assert keys == total  # no two stories share a place in the queue
