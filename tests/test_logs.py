"""Logs: readable text or JSON lines on stdout, one event per line, secrets redacted."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infobot import logs
from tests.conftest import QUEUE
from tests.support import transcript

# Registered for the suite-wide scan: only the daemon process below is given it.
SECRET = transcript.secret("tok-Sup3rSecret-0123456789")
# Logged on purpose by the formatter tests (pytest's own log capture sees it unredacted,
# so it is not registered with the scan).
PLANTED = "tok-Planted-in-the-formatter-test-42"


@pytest.fixture
def root_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def emit(fmt: str) -> str:
    out = io.StringIO()
    logs.setup(fmt, "INFO", [PLANTED], stream=out)
    log = logging.getLogger("infobot.test")
    log.info(
        "story #%s on %s: %s",
        7,
        "mastodon",
        "sent",
        extra={"event": "delivery", "story_id": 7, "platform": "mastodon", "outcome": "sent"},
    )
    try:
        raise RuntimeError(f"the server echoed Authorization: Bearer {PLANTED}")
    except RuntimeError:
        log.exception("could not post with token %s", PLANTED)
    log.debug("not shown at INFO")
    return out.getvalue()


def test_json_lines_carry_the_event_fields_and_never_a_secret(root_restored: None) -> None:
    text = emit("json")
    assert PLANTED not in text
    lines = text.splitlines()
    assert len(lines) == 2  # one event per line, the traceback inside its event
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "story #7 on mastodon: sent"
    assert (first["event"], first["story_id"], first["platform"], first["outcome"]) == (
        "delivery",
        7,
        "mastodon",
        "sent",
    )
    assert first["level"] == "info" and first["logger"] == "infobot.test"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "error"
    assert "[redacted]" in second["message"]
    assert "RuntimeError" in second["exception"] and "[redacted]" in second["exception"]


def test_text_lines_are_readable_and_redacted(root_restored: None) -> None:
    text = emit("text")
    assert PLANTED not in text
    first = text.splitlines()[0]
    assert "INFO infobot.test: story #7 on mastodon: sent" in first
    assert "[event=delivery story_id=7 platform=mastodon outcome=sent]" in first
    assert "Traceback" in text and "[redacted]" in text


def test_a_secret_with_json_escapes_is_redacted_too(root_restored: None) -> None:
    out = io.StringIO()
    tricky = 'pa"ss\\word-1234'
    logs.setup("json", "INFO", [tricky], stream=out)
    logging.getLogger("infobot.test").warning("value %s", tricky)
    assert "[redacted]" in json.loads(out.getvalue())["message"]
    assert json.dumps(tricky)[1:-1] not in out.getvalue()


def test_the_daemon_logs_json_events_to_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOBOT_")}
    env.update(
        INFOBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'l.db'}",
        INFOBOT_OUTBOX_PATH=str(tmp_path / "outbox.jsonl"),
        INFOBOT_CLOCK_START="2026-11-23T09:00:30+00:00",
        INFOBOT_SECRETS_DIR=str(tmp_path / "none"),
        INFOBOT_LOG_FORMAT="json",
        INFOBOT_MASTODON__ACCESS_TOKEN=SECRET,  # configured but not enabled: still secret
    )

    def infobot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "infobot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert infobot("import", str(QUEUE / "stories.csv"), "--by", "sam").returncode == 0
    assert infobot("stories", "approve", "1", "--by", "alex").returncode == 0
    done = infobot("run", "--once")
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    delivery = [e for e in events if e.get("event") == "delivery"]
    assert delivery == [
        {
            **delivery[0],
            "story_id": 1,
            "platform": "outbox",
            "outcome": "sent",
        }
    ]
    assert delivery[0]["url"]


def test_the_schedulers_minute_by_minute_lines_are_quiet_unless_debugging(
    root_restored: None,
) -> None:
    for level, shown in (("INFO", False), ("DEBUG", True)):
        out = io.StringIO()
        logs.setup("text", level, [], stream=out)
        logging.getLogger("apscheduler.executors.default").info('Running job "tick"')
        logging.getLogger("apscheduler.scheduler").warning("a job was missed")
        assert ("Running job" in out.getvalue()) is shown
        assert "a job was missed" in out.getvalue()
    logging.getLogger("apscheduler").setLevel(logging.NOTSET)
