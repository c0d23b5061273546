"""``infobot run`` as a small supervisor with a worker for the work (issue 13, row e).

* The supervisor's "is there work?" (lean SQL, :mod:`infobot.domain.daywork`) says yes
  exactly when a daemon tick changes something, step by step through retries, doubt, a
  blackout, a missed day and a crash's unsettled story, on SQLite and PostgreSQL.
* A worker is ready before the post time, posts on it, and ends afterwards; one killed
  between rounds is replaced.
* The real ``infobot run`` keeps neither pydantic nor SQLAlchemy in its own process once
  the catch-up is done, answers health checks and metrics scrapes, and stops cleanly.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.daywork import next_post_within
from infobot.domain.schedule import PostingSchedule
from infobot.runtime.supervisor import Supervisor
from infobot.runtime.workers import WorkerProcess
from infobot.store.models import Delivery, Slot, Story
from infobot.store.reader import connect
from tests.conftest import QUEUE
from tests.fake_platform import ScriptedPlatform
from tests.test_daemon import LONDON, MON, add_approved, at, fake
from tests.test_run_process import env_for, infobot, stop, wait_for

LATE = timedelta(hours=6)


@pytest.fixture
def any_app(db_url: str) -> Iterator[App]:
    from infobot.settings import load_settings

    settings = load_settings(database_url=db_url, platforms="alpha,beta")
    fakes = {name: ScriptedPlatform(name) for name in ("alpha", "beta")}
    application = App.open(settings, FixedClock(at(MON, 8)), platforms=fakes)
    yield application
    application.close()


def no_worker(_: datetime) -> WorkerProcess:
    raise AssertionError("this test starts no worker")


def snapshot(app: App) -> tuple[Any, ...]:
    """What a tick's work changes: the days, the deliveries and the stories."""
    with app.db.read() as session:
        return (
            sorted((s.local_date, s.status, s.story_id) for s in session.scalars(select(Slot))),
            sorted(
                (d.id, d.status, d.next_attempt_at, d.attempts)
                for d in session.scalars(select(Delivery))
            ),
            sorted((s.id, s.status) for s in session.scalars(select(Story))),
        )


@pytest.mark.slow
def test_work_is_seen_exactly_when_a_tick_does_some(
    any_app: App, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    app = any_app
    clock = app.clock
    assert isinstance(clock, FixedClock)
    ids = add_approved(app, tmp_path, 4)
    fake(app, "beta").script = ["transient", "transient", "in_doubt", "in_doubt"]
    app.editorial().blackout_add(MON + timedelta(days=2), reason="mourning", actor="sam")
    url = app.settings.database_url
    supervisor = Supervisor(lambda: connect(url), clock, LATE, no_worker, worker="sv:1")
    daemon = app.daemon("sv:1")
    seen: list[bool] = []
    request.addfinalizer(supervisor.close)

    def step(now: datetime) -> None:
        clock.set(now)
        due, states = supervisor.work_due(now)
        assert len(states) == 1
        before = snapshot(app)
        daemon.tick()
        assert (snapshot(app) != before) == due, f"at {now}: due {due}"
        seen.append(due)

    start = at(MON, 8)
    for minutes in range(0, 26 * 60, 17):  # Monday and Tuesday: retries, doubt
        step(start + timedelta(minutes=minutes))
    with app.db.write() as session:  # as if killed between Tuesday's result and the settle
        tuesday = session.scalars(select(Slot).where(Slot.local_date == MON + timedelta(1))).one()
        session.get_one(Story, tuesday.story_id).status = "scheduled"
    step(at(MON + timedelta(days=1), 11))  # the unsettled story is settled
    for minutes in range(0, 6 * 60, 29):  # Wednesday: a blackout, recorded as skipped
        step(at(MON + timedelta(days=2), 8) + timedelta(minutes=minutes))
    step(at(MON + timedelta(days=4), 9, 30))  # Thursday was missed: the daemon was down
    assert True in seen and seen.count(False) > seen.count(True)
    assert supervisor.work_due(at(MON + timedelta(days=4), 9, 31))[0] is False
    clock.set(at(MON + timedelta(days=4), 9, 31))
    supervisor.beat()  # the lean write: the same worker's row
    assert (
        supervisor.health() == app.health() == (True, "healthy: heartbeat 0 s ago; today: posted")
    )
    clock.set(at(MON + timedelta(days=4), 9, 36))
    assert supervisor.health() == app.health()
    assert supervisor.health()[0] is False  # five minutes without a beat: stale
    with app.db.read() as session:
        days = {s.local_date: s.status for s in session.scalars(select(Slot))}
    assert days[MON + timedelta(days=2)] == "skipped" and days[MON + timedelta(days=3)] == "missed"
    assert ids


def test_a_post_time_near_is_seen_across_midnight() -> None:
    from datetime import time as clock_time

    late = PostingSchedule(LONDON, clock_time(0, 0, 30), LATE)
    assert next_post_within([late], at(MON, 23, 59), timedelta(seconds=90))
    assert not next_post_within([late], at(MON, 23, 57), timedelta(seconds=90))
    assert not next_post_within([late], at(MON + timedelta(days=1), 0, 1), timedelta(seconds=90))


def two_approved(tmp_path: Path) -> None:
    """The example stories in ``run.db``, the first two approved (``infobot`` commands)."""
    for step in (
        ("import", str(QUEUE / "stories.csv"), "--by", "sam"),
        ("stories", "approve", "1", "2", "--by", "alex", "--acknowledge"),
    ):
        done = infobot(tmp_path, *step)
        assert done.returncode == 0, done.stdout + done.stderr


def _worker_env(tmp_path: Path, now: datetime) -> dict[str, str]:
    env = env_for(tmp_path)
    env["INFOBOT_CLOCK_START"] = now.isoformat()
    return env


def _outbox(tmp_path: Path) -> list[str]:
    """The stories posted to the outbox (a long story is several lines: a thread)."""
    import json

    path = tmp_path / "outbox.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    keys = [json.loads(line)["idempotency_key"] for line in lines if line.strip()]
    return sorted({key.split(":")[2] for key in keys})  # infobot:CAMPAIGN:STORY:...


@pytest.mark.slow
def test_a_worker_is_ready_before_the_post_time_and_ends_after_it(tmp_path: Path) -> None:
    two_approved(tmp_path)
    clock = FixedClock(at(MON, 8, 59))
    spawned: list[WorkerProcess] = []
    argv = [sys.executable, "-m", "infobot", "run", "--worker", "sv:1"]

    def spawn(now: datetime) -> WorkerProcess:
        spawned.append(WorkerProcess(argv, _worker_env(tmp_path, now)))
        return spawned[-1]

    url = f"sqlite:///{tmp_path / 'run.db'}"
    supervisor = Supervisor(lambda: connect(url), clock, LATE, spawn, worker="sv:1")
    try:
        supervisor.tick()  # nothing due, but the post is a minute away: a worker waits
        assert len(spawned) == 1 and spawned[0].alive() and _outbox(tmp_path) == []
        clock.set(at(MON, 9))
        supervisor.tick()  # the post time: the waiting worker posts at once
        assert len(spawned) == 1 and len(_outbox(tmp_path)) == 1
        assert not spawned[0].alive()  # and ends: the next post is tomorrow
        clock.set(at(MON, 9, 1))
        supervisor.tick()  # nothing to do: no worker
        assert len(spawned) == 1
        clock.set(at(MON + timedelta(days=1), 8, 59))
        supervisor.tick()
        assert len(spawned) == 2 and spawned[1].alive()
        os.kill(spawned[1].pid, signal.SIGKILL)  # a worker lost between rounds
        spawned[1].process.wait()
        clock.set(at(MON + timedelta(days=1), 9))
        supervisor.tick()  # another one takes its place and posts
        assert len(spawned) == 3 and len(_outbox(tmp_path)) == 2
    finally:
        supervisor.close()
        for worker in spawned:
            if worker.alive():
                worker.kill()
    with sqlite3.connect(tmp_path / "run.db") as conn:
        assert conn.execute("SELECT worker, state FROM heartbeats").fetchall() == [
            ("sv:1", "running")
        ]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_infobot_run_holds_only_the_supervisor_between_rounds(tmp_path: Path) -> None:
    two_approved(tmp_path)
    env = env_for(tmp_path)
    env["INFOBOT_HEALTH_PORT"] = str(_free_port())
    env["INFOBOT_METRICS_PORT"] = metrics = str(_free_port())
    proc = subprocess.Popen(
        [sys.executable, "-m", "infobot", "run"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert wait_for(lambda: len(_outbox(tmp_path)) == 1), "the due story was not posted"
        assert wait_for(lambda: not _children(proc.pid)), "the worker did not end"
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=10) as got:
            scraped = got.read().decode()
        assert 'infobot_posts_total{outcome="sent",platform="outbox"} 1.0' in scraped
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "pydantic_core" not in maps and "sqlalchemy" not in maps
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"supervisor between rounds: {rss}")
        health = subprocess.run(
            [sys.executable, "-m", "infobot", "health"], env=env, cwd=tmp_path,
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert health.returncode == 0, health.stdout + health.stderr
        assert health.stdout.startswith("healthy") and "today: posted" in health.stdout
        output = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "infobot running: posting at 09:00 Europe/London to outbox" in output
    with sqlite3.connect(tmp_path / "run.db") as conn:
        assert conn.execute("SELECT pid, state FROM heartbeats").fetchall() == [
            (proc.pid, "stopped")
        ]
    assert date(2026, 11, 23) == MON


@pytest.mark.slow
def test_the_workers_pings_reach_the_switch_through_the_supervisor(tmp_path: Path) -> None:
    """With ``INFOBOT_HEARTBEAT_URL``, the supervisor sends the minute's tick ping and the
    day's pings its worker relays (the switch's state outlives every worker)."""
    from infobot.runtime.heartbeat_ping import HeartbeatPinger
    from tests.support import local_web
    from tests.support.local_web import page

    server = local_web.start()
    try:
        for path in ("/hc", "/hc/start", "/hc/fail"):
            server.routes[path] = page(b"OK", "text/plain")
        two_approved(tmp_path)
        clock = FixedClock(at(MON, 8))
        argv = [sys.executable, "-m", "infobot", "run", "--worker", "sv:1"]

        def spawn(now: datetime) -> WorkerProcess:
            env = _worker_env(tmp_path, now)
            env["INFOBOT_HEARTBEAT_URL"] = server.url("/hc")
            return WorkerProcess(argv, env)

        def seen() -> list[tuple[str, str, str]]:
            found = [(s.method, s.path, s.body.decode("utf-8")) for s in server.seen]
            server.seen.clear()
            return found

        url = f"sqlite:///{tmp_path / 'run.db'}"
        pinger = HeartbeatPinger(server.url("/hc"), clock)
        supervisor = Supervisor(
            lambda: connect(url), clock, LATE, spawn, worker="sv:1", pinger=pinger
        )
        try:
            supervisor.tick()  # 08:00: no work, no worker; the tick ping
            assert seen() == [("GET", "/hc", "")]
            clock.set(at(MON, 9))
            supervisor.tick()  # a worker posts; its pings come through the supervisor
            assert seen() == [
                ("GET", "/hc/start", ""),
                ("POST", "/hc", "2026-11-23: story #1 posted"),
            ]
            clock.set(at(MON, 9, 6))
            supervisor.tick()  # no worker: the supervisor's own tick ping
            assert seen() == [("GET", "/hc", "")]
        finally:
            supervisor.close()
    finally:
        local_web.stop(server)
