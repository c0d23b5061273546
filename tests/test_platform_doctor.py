"""``infobot doctor`` and the other commands when a platform's server misbehaves: the real
CLI, the real SDKs, the local fakes (tests/harness_*.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import QUEUE, Cli
from tests.harness_bluesky import APP_PASSWORD, HANDLE, FakePds, fake_pds
from tests.harness_mastodon import FakeMastodonServer, fake_mastodon


@pytest.fixture
def pds() -> Iterator[FakePds]:
    with fake_pds() as server:
        yield server


@pytest.fixture
def mastodon() -> Iterator[FakeMastodonServer]:
    with fake_mastodon(max_characters=3000) as server:
        yield server


def use_bluesky(pds: FakePds, tmp_path: Path, password: str) -> Path:
    session = tmp_path / "bluesky-session.json"
    os.environ.update(
        {
            "INFOBOT_PLATFORMS": "bluesky",
            "INFOBOT_BLUESKY__HANDLE": HANDLE,
            "INFOBOT_BLUESKY__APP_PASSWORD": password,
            "INFOBOT_BLUESKY__SERVICE_URL": pds.url,
            "INFOBOT_BLUESKY__SESSION_FILE": str(session),
        }
    )
    return session


def test_doctor_checks_the_bluesky_app_password_not_a_saved_session(
    cli: Cli, pds: FakePds, tmp_path: Path
) -> None:
    session = use_bluesky(pds, tmp_path, APP_PASSWORD)
    assert "bluesky: OK — posting as @" + HANDLE in cli.ok("doctor").out
    assert session.exists()  # a valid session is saved...
    os.environ["INFOBOT_BLUESKY__APP_PASSWORD"] = "wrong-app-pass-9876"  # ...the password is not
    result = cli("doctor")
    assert result.code == 1
    assert "bluesky: PROBLEM" in result.out and "rejected the app password" in result.out
    assert "wrong-app-pass-9876" not in result.out + result.err


def test_a_bluesky_pds_without_an_appview_still_posts(
    cli: Cli, pds: FakePds, tmp_path: Path
) -> None:
    pds.appview = "none"
    use_bluesky(pds, tmp_path, APP_PASSWORD)
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok("stories", "approve", "6", "--by", "alex")
    cli.ok("post-now")
    assert cli.sql("SELECT platform, status FROM deliveries") == [("bluesky", "sent")]
    assert pds.live()


def use_mastodon(mastodon: FakeMastodonServer) -> None:
    os.environ.update(
        {
            "INFOBOT_PLATFORMS": "mastodon",
            "INFOBOT_MASTODON__API_BASE_URL": mastodon.url,
            "INFOBOT_MASTODON__ACCESS_TOKEN": mastodon.fake.token,
            "INFOBOT_CHECK_TIMEOUT_SECONDS": "1",
        }
    )


def test_a_down_mastodon_instance_delays_a_command_by_seconds_and_says_why(
    cli: Cli, mastodon: FakeMastodonServer
) -> None:
    use_mastodon(mastodon)
    mastodon.fake.stalled = {"instance", "account"}
    # A hung instance would hold a command for the whole stall; infobot gives up after the
    # check timeout (1 s). The limits below sit far under the stall, so that a loaded
    # machine (the suite runs two workers a core) does not fail them, yet a hang would.
    mastodon.fake.stall_limit = 30.0
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    started = time.monotonic()
    cli.ok("stories", "approve", "6", "--by", "alex")  # checks the instance's length limit
    assert time.monotonic() - started < 10
    # as the team sees it: a separate process, nothing set up to capture its warnings;
    # against the same command that asks no server, run just before (the start-up)

    def preview(**env: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "infobot", "preview", "--days", "1"],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
            env={**os.environ, **env},
        )
        return time.monotonic() - started, done

    baseline, _ = preview(INFOBOT_MASTODON__MAX_LENGTH="500")
    took, shown = preview()
    assert took - baseline < 12, (took, baseline)
    assert shown.returncode == 0, shown.stderr
    assert shown.stderr.splitlines() == [
        "Mastodon: could not reach 127.0.0.1 within 1 second to read its character limit"
        " (no answer in time); using 500 characters until infobot restarts (set"
        " INFOBOT_MASTODON__MAX_LENGTH to skip this question)"
    ]
    started = time.monotonic()
    result = cli("doctor")
    assert time.monotonic() - started < 15
    assert result.code == 1 and "mastodon: PROBLEM" in result.out
    assert "could not be reached" in result.out
    assert mastodon.fake.token not in result.out + result.err


def test_a_mastodon_instance_that_answers_gives_its_limit_silently(
    cli: Cli, mastodon: FakeMastodonServer
) -> None:
    use_mastodon(mastodon)
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    approved = cli.ok("stories", "approve", "6", "--by", "alex")
    assert approved.err == ""
    plan = cli.ok("preview", "--days", "1", "--json").json()
    assert plan[0]["platforms"]["mastodon"]["posts"][0]["limit"] == 3000
    assert "mastodon: OK" in cli.ok("doctor").out
