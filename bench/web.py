"""Section 5 of the benchmarks: the team's web page on a queue of 10,000 stories.

Measured in-process: the real Starlette application over a real SQLite file, called
through Starlette's test client (HTTP semantics, no network), so each figure is the
server's time to answer plus the test client's small overhead. One untimed request first
compiles the templates; then each page is asked for ``RUNS`` times and the median counts.

The database is built the way the team builds one: a generated CSV of 10,000 stories
goes through the real importer (``import_files``), 9,000 of them are then approved with
one SQL statement (approval's rendering is not what this section measures), one day is
posted with the real post-now service, and an admin account signs in through the login
form. Ten stories carry pin dates.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

STORIES = 10_000
APPROVED = 9_000
RUNS = 20
GOAL_PAGE_SECONDS = 0.100
PASSWORD = "bench password for the web page"


@contextmanager
def clean_settings(workdir: Path) -> Iterator[None]:
    """This process's INFOBOT_* environment and working folder, only for the section."""
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    for key in list(os.environ):
        if key.upper().startswith("INFOBOT_"):
            del os.environ[key]
    os.environ["INFOBOT_SECRETS_DIR"] = str(workdir / "no-secrets")
    os.chdir(workdir)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def stories_csv(kit: ModuleType, path: Path) -> Path:
    rng = random.Random(10_000)
    seen: set[tuple[str, str, str]] = set()
    pin_day = date(2027, 2, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(kit.CSV_HEADER)
        number = 0
        while number < STORIES:
            title, body, author = kit.story_text(rng, number)
            if (title, body, author) in seen:
                continue
            seen.add((title, body, author))
            number += 1
            pin = ""
            if number % 1000 == 0:
                pin = pin_day.isoformat()
                pin_day += timedelta(days=1)
            org = rng.choice(kit.ORGS)
            writer.writerow(
                [
                    title,
                    body,
                    author,
                    rng.choice(kit.ROLES),
                    org,
                    "",
                    "",
                    "",
                    "en",
                    author,
                    "2026-10-01",
                    "",
                    pin,
                    "",
                ]
            )
    return path


def build(kit: ModuleType, workdir: Path) -> tuple[Any, Any, dict[str, float]]:
    """(app, signed-in test client, build times)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient

    from infobot.app import App
    from infobot.clock import FixedClock
    from infobot.service.importing import import_files
    from infobot.service.manual import post_now
    from infobot.service.users import Accounts
    from infobot.settings import load_settings
    from infobot.web.app import create_app

    times: dict[str, float] = {}
    settings = load_settings(
        database_url=f"sqlite:///{workdir / 'infobot.db'}",
        outbox_path=workdir / "outbox.jsonl",
        platforms=["outbox"],
    )
    app = App.open(settings, clock=FixedClock(datetime.fromisoformat(kit.CLOCK_START)))
    path = stories_csv(kit, workdir / "stories.csv")
    start = time.perf_counter()
    report = import_files(app, [path], actor="bench")
    times["import"] = time.perf_counter() - start
    assert report.added == STORIES, report
    with app.db.write() as session:
        session.connection().exec_driver_sql(
            "UPDATE stories SET status = 'approved', approved_by = 'bench', "
            f"approved_at = created_at WHERE id <= {APPROVED}"
        )
    post_now(app, story_id=None, platforms=None, dry_run=False)
    Accounts(app).add("Bench Admin", "admin", PASSWORD, actor="bench")
    client = TestClient(
        create_app(app, settings), base_url="https://infobot.bench", follow_redirects=False
    )
    form = client.get("/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post(
        "/login", data={"username": "Bench Admin", "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 303, signed.text
    return app, client, times


def timed(client: Any, path: str, runs: int) -> tuple[float, float, float, int]:
    first = client.get(path)  # compiles the templates
    assert first.status_code == 200, (path, first.status_code, first.text[-2000:])
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, path
    return statistics.median(samples), min(samples), max(samples), len(response.content)


def bench_web(kit: ModuleType, runs: int = RUNS) -> None:
    """Run section 5. ``kit`` is bench/run.py's module (figures, headers, helpers)."""
    workdir = kit.fresh_dir("web")
    with clean_settings(workdir):
        start = time.perf_counter()
        app, client, times = build(kit, workdir)
        built = time.perf_counter() - start
        try:
            print(
                f"\n  database: {STORIES:,} stories through the importer "
                f"({times['import']:.1f} s), {APPROVED:,} approved, 10 pinned, "
                f"1 day posted; built in {built:.1f} s"
            )
            kit.header(f"5. the web page with {STORIES:,} stories (in-process, median of {runs})")
            goals = ("/queue", "/calendar")
            for path in (
                "/queue",
                "/calendar",
                "/queue?page=180",
                "/calendar?month=2027-02",
                "/review",
                "/history",
                "/audit",
                "/stories/5000",
            ):
                median, low, high, size = timed(client, path, runs)
                note = f"runs {low * 1000:.1f}-{high * 1000:.1f} ms; {size / 1024:.0f} KB"
                if path in goals:
                    kit.figure(
                        f"GET {path}",
                        f"{median * 1000:.1f} ms",
                        f"<= {GOAL_PAGE_SECONDS * 1000:.0f} ms",
                        median <= GOAL_PAGE_SECONDS,
                        note,
                    )
                else:
                    kit.figure(f"GET {path}", f"{median * 1000:.1f} ms", note=note)
        finally:
            client.close()
            app.close()
