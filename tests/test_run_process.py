"""`infobot run` as a real process: it posts, reports healthy, and stops cleanly on signals."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import QUEUE


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOBOT_")}
    env.update(
        INFOBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        INFOBOT_OUTBOX_PATH=str(tmp_path / "outbox.jsonl"),
        INFOBOT_CLOCK_START="2026-11-23T09:00:30+00:00",  # just after Monday's post time
        INFOBOT_SECRETS_DIR=str(tmp_path / "none"),
    )
    return env


def infobot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infobot", *args],
        env=env_for(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def wait_for(predicate: object, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM: the daemon exits 0 within 10 s; its output."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, output
    assert time.monotonic() - started < 10
    return output


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_posts_reports_healthy_and_stops_on_signal(tmp_path: Path, signum: int) -> None:
    assert infobot(tmp_path, "import", str(QUEUE / "stories.csv"), "--by", "sam").returncode == 0
    assert (
        infobot(
            tmp_path, "stories", "approve", "1", "2", "--by", "alex", "--acknowledge"
        ).returncode
        == 0
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "infobot", "run"],
        env=env_for(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    db = tmp_path / "run.db"
    try:

        def posted() -> bool:
            with sqlite3.connect(db) as conn:
                rows = conn.execute("SELECT status FROM slots").fetchall()
            return rows == [("posted",)]

        assert wait_for(posted), "the daemon did not post the due story"
        health = infobot(tmp_path, "health")
        assert health.returncode == 0, health.stdout + health.stderr
        assert health.stdout.startswith("healthy")
        started = time.monotonic()
        proc.send_signal(signum)
        output, _ = proc.communicate(timeout=15)
        assert proc.returncode == 0, output
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "stopping" in output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT state FROM heartbeats").fetchall() == [("stopped",)]
    lines = (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    after = infobot(tmp_path, "health")
    assert after.returncode == 1 and "not running" in after.stdout


@pytest.mark.parametrize("delay", [2.0, 30.0], ids=["finishes", "abandoned"])
def test_a_stop_while_the_first_post_is_in_flight(tmp_path: Path, delay: float) -> None:
    """SIGTERM arrives while the catch-up tick (run before the scheduler starts) waits on a
    slow instance: a post that answers within the grace finishes and is recorded; one
    that does not is left for the next start, and the process still stops in 10 s."""
    from tests.harness_mastodon import fake_mastodon

    assert infobot(tmp_path, "import", str(QUEUE / "stories.csv"), "--by", "sam").returncode == 0
    approve = infobot(tmp_path, "stories", "approve", "1", "--by", "alex", "--acknowledge")
    assert approve.returncode == 0, approve.stdout + approve.stderr
    with fake_mastodon() as server:
        server.fake.post_delay = delay
        env = env_for(tmp_path)
        env.update(
            INFOBOT_PLATFORMS="mastodon",
            INFOBOT_MASTODON__API_BASE_URL=server.url,
            INFOBOT_MASTODON__ACCESS_TOKEN=server.fake.token,
            INFOBOT_MASTODON__MAX_LENGTH="500",
            INFOBOT_MASTODON__TIMEOUT_SECONDS="60",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "infobot", "run"], env=env, cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            assert server.fake.posting.wait(30), "the daemon never sent the due story"
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=15)
            took = time.monotonic() - started
        finally:
            server.fake.release.set()
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, output
        assert took < 10, output
        assert "tick failed" not in output, output
    with sqlite3.connect(tmp_path / "run.db") as conn:
        slots = conn.execute("SELECT status FROM slots").fetchall()
        sent = conn.execute("SELECT status FROM deliveries").fetchall()
    if delay < 8:
        assert (slots, sent) == ([("posted",)], [("sent",)]), output
    else:
        assert (slots, sent) == ([("claimed",)], [("sending",)]), output
        assert "left for the next start" in output


def test_the_daemon_loads_platform_sdks_at_start_not_at_the_first_post(tmp_path: Path) -> None:
    code = """
import sys
from infobot.app import App
from infobot.settings import load_settings
settings = load_settings()
runner = App.open(settings).runner()
before = {m for m in ("mastodon", "tweepy", "atproto") if m in sys.modules}
runner.platforms.prepare()
after = {m for m in ("mastodon", "tweepy", "atproto") if m in sys.modules}
print(sorted(before), sorted(after))
"""
    env = env_for(tmp_path)
    env.update(
        INFOBOT_PLATFORMS="mastodon,x,bluesky",
        INFOBOT_MASTODON__API_BASE_URL="http://127.0.0.1:9",
        INFOBOT_MASTODON__ACCESS_TOKEN="tok-prepare-1234",
        INFOBOT_X__CONSUMER_KEY="ck-prepare",
        INFOBOT_X__CONSUMER_SECRET="cs-prepare",
        INFOBOT_X__ACCESS_TOKEN="at-prepare",
        INFOBOT_X__ACCESS_TOKEN_SECRET="ats-prepare",
        INFOBOT_BLUESKY__HANDLE="team.example",
        INFOBOT_BLUESKY__APP_PASSWORD="aaaa-bbbb-cccc-dddd",
        INFOBOT_BLUESKY__SESSION_FILE=str(tmp_path / "session.json"),
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] ['atproto', 'mastodon', 'tweepy']"


def test_run_serves_the_web_page_and_metrics_when_their_ports_are_set(tmp_path: Path) -> None:
    import socket
    import urllib.request

    def free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port

    web_port, metrics_port = free_port(), free_port()
    env = env_for(tmp_path)
    env.update(INFOBOT_WEB_PORT=str(web_port), INFOBOT_METRICS_PORT=str(metrics_port))
    proc = subprocess.Popen(
        [sys.executable, "-m", "infobot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def get(url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode()
        except OSError:
            return 0, ""

    try:
        assert wait_for(lambda: get(f"http://127.0.0.1:{web_port}/healthz")[0] == 200)
        status, page = get(f"http://127.0.0.1:{web_port}/login")
        assert status == 200 and "Sign in" in page
        status, metrics = get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert status == 200 and "infobot_queue_runway_days" in metrics
        stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert get(f"http://127.0.0.1:{web_port}/healthz")[0] == 0  # the page stopped too
