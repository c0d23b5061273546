"""post-now, doctor and withdrawal through the CLI, with the outbox as the platform."""

from __future__ import annotations

import json
import os

from tests.conftest import QUEUE, Cli


def ready(cli: Cli, count: int = 3) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok(
        "stories",
        "approve",
        *[str(i) for i in range(1, count + 1)],
        "--by",
        "alex",
        "--acknowledge",
    )


def outbox_lines(cli: Cli) -> list[dict[str, object]]:
    return [json.loads(x) for x in cli.outbox.read_text(encoding="utf-8").splitlines()]


def test_post_now_takes_todays_slot_once(cli: Cli) -> None:
    ready(cli)
    result = cli.ok("post-now")
    assert "Sending story #1 as today's story." in result.out
    assert cli.sql("SELECT local_date, story_id, status FROM slots") == [
        ("2026-11-23", 1, "posted")
    ]
    assert cli.sql("SELECT status FROM stories WHERE id = 1")[0][0] == "posted"
    posts = outbox_lines(cli)
    assert len(posts) == 1 and str(posts[0]["text"]).endswith("#infostory")
    again = cli("post-now")
    assert again.code == 2 and "already posted" in again.err
    assert len(outbox_lines(cli)) == 1


def test_post_now_with_a_named_story_sends_it_once(cli: Cli) -> None:
    ready(cli)
    cli.ok("post-now")
    extra = cli.ok("post-now", "--story", "3")
    assert "in addition to today's story" in extra.out
    repeat = cli.ok("post-now", "--story", "3")
    assert "already posted" in repeat.out
    assert len(outbox_lines(cli)) == 2
    assert cli.count("deliveries") == 2


def test_post_now_refuses_unapproved_and_unknown(cli: Cli) -> None:
    ready(cli, count=1)
    assert cli("post-now", "--story", "5").code == 2
    assert cli("post-now", "--story", "99").code == 2
    assert cli("post-now", "--platform", "mastodon").code == 2
    assert cli.count("slots") == 0


def test_post_now_dry_run_sends_nothing(cli: Cli) -> None:
    ready(cli)
    result = cli.ok("post-now", "--dry-run", "--json").json()
    assert result["dry_run"] and result["story_id"] == 1
    assert result["outcomes"][0]["texts"][0].endswith("#infostory")
    assert not cli.outbox.exists()
    assert cli.count("slots") == 0 and cli.count("deliveries") == 0


def test_post_now_with_an_empty_queue(cli: Cli) -> None:
    result = cli("post-now")
    assert result.code == 2 and "nothing to post" in result.err
    assert cli.sql("SELECT status FROM slots") == [("skipped",)]


def test_withdraw_after_posting_deletes_the_live_post(cli: Cli) -> None:
    ready(cli)
    cli.ok("post-now")
    result = cli.ok("stories", "withdraw", "1", "--reason", "Consent withdrawn")
    assert "Deleted its post" in result.out
    assert outbox_lines(cli)[-1] == {"deleted_id": "outbox-infobot:1:1:outbox:0"}
    assert cli.sql("SELECT status FROM deliveries") == [("deleted",)]


def test_doctor(cli: Cli) -> None:
    result = cli.ok("doctor")
    assert "outbox: OK" in result.out
    data = cli.ok("doctor", "--json").json()
    assert data[0]["ok"] and data[0]["limit"] == 500
    os.environ["INFOBOT_PLATFORMS"] = "outbox,nosuchplatform"
    bad = cli("doctor")
    assert bad.code == 1 and "unknown platform 'nosuchplatform'" in bad.out


def test_doctor_never_prints_a_secret(cli: Cli) -> None:
    secret = "mastodon-token-DO-NOT-PRINT"
    os.environ["INFOBOT_PLATFORMS"] = "mastodon"
    os.environ["INFOBOT_MASTODON__ACCESS_TOKEN"] = secret
    os.environ["INFOBOT_MASTODON__API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens
    result = cli("doctor")
    assert result.code == 1
    assert secret not in result.out + result.err
