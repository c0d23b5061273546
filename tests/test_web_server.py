"""Serving the web page for real: in a thread (as `infobot run` does) and as `infobot web`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from infobot.app import App
from infobot.clock import FixedClock
from infobot.settings import load_settings
from infobot.web.server import start_in_thread
from tests.conftest import NOW, Cli


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_start_in_thread_serves_and_stops(cli: Cli) -> None:
    port = free_port()
    os.environ["INFOBOT_WEB_PORT"] = str(port)
    settings = load_settings()
    app = App.open(settings, clock=FixedClock(datetime.fromisoformat(NOW).astimezone(UTC)))
    try:
        stop = start_in_thread(settings, app)
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            assert health.text == "ok\n"
            login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
            assert "Sign in to infobot" in login.text
            assert "server" not in login.headers
            with pytest.raises(RuntimeError, match="port already in use"):
                start_in_thread(settings, app)  # the same port twice
        finally:
            stop()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        app.close()


def test_infobot_web_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOBOT_")}
    env["INFOBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'infobot.db'}"
    env["INFOBOT_OUTBOX_PATH"] = str(tmp_path / "outbox.jsonl")
    env["INFOBOT_SECRETS_DIR"] = str(tmp_path / "no-secrets")
    proc = subprocess.Popen(
        [sys.executable, "-m", "infobot", "web", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # logs go to stdout, like the daemon's
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok\n":
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "infobot web did not start"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        err, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert f"serving the team web page on http://127.0.0.1:{port}/" in err
    assert "infobot users add NAME --role admin" in err  # nobody can sign in yet
    assert "Traceback" not in err


def test_serving_sets_the_long_lived_heap_aside_from_full_collections(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`infobot web` settles before it serves: the full passes of the garbage collector
    then skip the modules and the application (they stalled every request for 50-220 ms
    under load)."""
    from infobot.web import server

    calls: list[str] = []

    class Started:
        started = True

        def run(self) -> None:
            calls.append("run")

    monkeypatch.setattr(server, "build_server", lambda *_: Started())
    monkeypatch.setattr(server, "settle", lambda: calls.append("settle"))
    settings = load_settings()
    app = App.open(settings, clock=FixedClock(datetime.fromisoformat(NOW).astimezone(UTC)))
    try:
        assert server.serve(settings, app) == 0
    finally:
        app.close()
    assert calls == ["settle", "run"]
    # What settling does, in a process of its own (a test's process is not to be frozen).
    script = (
        "import gc, sys\n"
        "from infobot.app import App\n"
        "from infobot.settings import load_settings\n"
        "from infobot.web.app import create_app\n"
        "from infobot.web.server import settle\n"
        "settings = load_settings()\n"
        "page = create_app(App.open(settings), settings)\n"
        "settle()\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    frozen, walked = map(int, done.stdout.split())
    assert frozen > 50_000 and walked < frozen // 20, (frozen, walked)
