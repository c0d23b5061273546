"""``infobot campaign create|edit|list`` and ``--campaign``, against a real SQLite file, and
the settings that make the first campaign without overriding what the team changed."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from infobot.store.db import Database
from infobot.store.migrate import upgrade
from tests.conftest import Cli, story_row, write_csv


def events(cli: Cli, action: str) -> list[tuple[str, str, dict[str, object], dict[str, object]]]:
    rows = cli.sql(
        "SELECT actor, message, before, after FROM events WHERE action = ? ORDER BY id", action
    )
    return [(a, m, json.loads(b or "{}"), json.loads(c or "{}")) for a, m, b, c in rows]


def campaign_row(cli: Cli, name: str) -> dict[str, object]:
    return {c["name"]: c for c in cli.ok("campaign", "list", "--json").json()}[name]


def test_create_edit_and_list_a_campaign(cli: Cli) -> None:
    os.environ["INFOBOT_PLATFORMS"] = "outbox,spare"
    created = cli.ok(
        "campaign", "create", "winter-2026",
        "--hashtag", "winterstory",
        "--timezone", "America/New_York",
        "--post-time", "18:30",
        "--days", "mon,wed,fri",
        "--start", "2026-12-01",
        "--end", "2026-12-31",
        "--platforms", "outbox",
        "--languages", "en,cy",
        "--share-form",
        "--stories-page",
        "--by", "Ada",
    )  # fmt: skip
    assert "Campaign winter-2026 created." in created.out
    assert "Tue 01 Dec 2026" not in created.out  # a Tuesday is not one of its days
    assert "Wed 02 Dec 2026 18:30 EST (23:30 UTC)" in created.out
    view = campaign_row(cli, "winter-2026")
    assert view == view | {
        "hashtag": "#winterstory",
        "timezone": "America/New_York",
        "post_time": "18:30",
        "days": ["mon", "wed", "fri"],
        "start": "2026-12-01",
        "end": "2026-12-31",
        "platforms": ["outbox"],
        "languages": ["en", "cy"],
        "share_form": True,
        "stories_page": True,
        "active": True,
        "from_settings": False,
        "next_post": "2026-12-02T23:30:00+00:00",
    }
    [(actor, message, _, after)] = events(cli, "campaign.created")
    assert (actor, message) == ("Ada", "campaign 'winter-2026' created")
    assert after["post_time"] == "18:30"

    edited = cli.ok(
        "campaign", "edit", "winter-2026", "--post-time", "08:00", "--no-share-form",
        "--platforms", "outbox,spare", "--by", "Ada",
    )  # fmt: skip
    assert "post time: 18:30 → 08:00" in edited.out
    assert "Wed 02 Dec 2026 08:00 EST (13:00 UTC)" in edited.out
    [(_, message, before, after)] = events(cli, "campaign.edited")
    assert before == {"post_time": "18:30", "share_form": True, "platforms": "outbox"}
    assert after == {"post_time": "08:00", "share_form": False, "platforms": "outbox, spare"}
    assert "post time 18:30 → 08:00" in message

    table = cli.ok("campaign", "list").out
    assert "infostory" in table and "winter-2026" in table and "mon,wed,fri" in table
    cli.ok("campaign", "edit", "winter-2026", "--name", "winter", "--inactive")
    names = {c["name"]: c["active"] for c in cli.ok("campaign", "list", "--json").json()}
    assert names == {"infostory": True, "winter": False}


def test_bad_input_names_every_option_and_changes_nothing(cli: Cli) -> None:
    cli.ok("campaign", "list")
    before = cli.sql("SELECT * FROM campaigns")
    bad = cli(
        "campaign", "create", "Winter 2026", "--timezone", "Mars/Olympus", "--post-time", "9am",
        "--days", "someday", "--start", "2026-12-10", "--end", "2026-12-01",
        "--platforms", "myspace", "--languages", "English",
    )  # fmt: skip
    assert bad.code == 2
    for option, words in (
        ("--name", "lower-case letters, digits and hyphens"),
        ("--timezone", "Mars/Olympus is not a time zone infobot knows"),
        ("--post-time", "for example 09:00"),
        ("--days", "someday is not a day of the week"),
        ("--end", "same as or after the start date"),
        ("--platforms", "myspace is not set up on this infobot: choose from outbox"),
        ("--languages", "use language codes such as en or cy"),
    ):
        assert f"campaign: {option}: " in bad.err and words in bad.err, (option, bad.err)
    assert "the campaign was not saved; nothing was changed" in bad.err
    assert cli.sql("SELECT * FROM campaigns") == before
    taken = cli("campaign", "create", "infostory")
    assert taken.code == 2 and "There is already a campaign called infostory" in taken.err
    dry = cli.ok("campaign", "edit", "infostory", "--post-time", "10:15", "--dry-run")
    assert "post time: 09:00 → 10:15" in dry.out and "Nothing was saved" in dry.out
    assert cli.sql("SELECT * FROM campaigns") == before
    assert cli("campaign", "edit", "nope", "--post-time", "10:00").code == 2


def test_every_command_acts_on_the_campaign_named(cli: Cli, tmp_path: Path) -> None:
    cli.ok("campaign", "create", "second", "--hashtag", "#secondstory", "--post-time", "12:00")
    path = write_csv(tmp_path / "s.csv", [story_row(1), story_row(2)])
    cli.ok("import", str(path), "--campaign", "second", "--by", "sam")
    cli.ok("import", str(path), "--by", "sam")  # the first campaign: the same rows, again
    assert cli.sql("SELECT campaign_id, count(*) FROM stories GROUP BY campaign_id") == [
        (1, 2),
        (2, 2),
    ]
    second = cli.ok("stories", "list", "--json", "--campaign", "second").json()
    assert [s["id"] for s in second] == [1, 2]  # imported into "second" first
    ids = [str(s["id"]) for s in second]
    cli.ok("stories", "approve", *ids, "--campaign", "second", "--by", "alex")
    status = cli.ok("status", "--campaign", "second").out
    assert status.startswith("Campaign second (#secondstory), posting at 12:00 Europe/London")
    assert "Stories: 2 approved" in status
    assert "Stories: 0 approved, 2 waiting" in cli.ok("status").out
    preview = cli.ok("preview", "--days", "1", "--campaign", "second").out
    assert "midday" in preview and "#secondstory" in preview
    cli.ok("campaign", "pause", "--campaign", "second", "--reason", "purdah")
    assert cli.sql("SELECT name, paused FROM campaigns ORDER BY id") == [
        ("infostory", 0),
        ("second", 1),
    ]
    wrong = cli("status", "--campaign", "third")
    assert wrong.code == 2
    assert "there is no campaign called 'third'; the campaigns are: infostory, second" in wrong.err
    os.environ["INFOBOT_CAMPAIGN"] = "second"
    assert cli.ok("status").out.startswith("Campaign second")
    assert cli.ok("status", "--campaign", "infostory").out.startswith("Campaign infostory")


def test_settings_make_the_first_campaign_and_never_undo_a_team_edit(cli: Cli) -> None:
    os.environ["INFOBOT_SHARE_FORM"] = "true"
    first = campaign_row(cli, "infostory")
    assert first["share_form"] is True and first["from_settings"] is True
    cli.ok("campaign", "edit", "infostory", "--post-time", "10:00", "--hashtag", "#ours")
    os.environ["INFOBOT_TIMEZONE"] = "Europe/London"  # the same value: nothing changed
    assert campaign_row(cli, "infostory")["post_time"] == "10:00"  # a restart keeps the edit
    os.environ["INFOBOT_POST_TIME"] = "11:00"  # the setting itself changed: it applies
    view = campaign_row(cli, "infostory")
    assert (view["post_time"], view["hashtag"]) == ("11:00", "#ours")
    [*_, (actor, message, before, after)] = events(cli, "campaign.configured")
    assert actor == "settings"
    assert (before, after) == ({"post_time": "10:00"}, {"post_time": "11:00"})
    assert "replacing the team's post time" in message
    cli.ok("campaign", "list")
    assert len(events(cli, "campaign.configured")) == 2  # the creation and that one change
    os.environ["INFOBOT_CAMPAIGN_NAME"] = "renamed"  # the name is a setting like the others
    assert [c["name"] for c in cli.ok("campaign", "list", "--json").json()] == ["renamed"]


def test_an_upgraded_database_keeps_its_campaign_and_retires_old_names(cli: Cli) -> None:
    db = Database(f"sqlite:///{cli.db_path}")
    upgrade(db, "0005")
    db.dispose()
    with sqlite3.connect(cli.db_path) as conn:
        for name in ("pilot", "infostory"):  # "pilot": a campaign name the settings once had
            conn.execute(
                "INSERT INTO campaigns (name, hashtag, timezone, post_time, weekdays, paused,"
                " pause_reason, created_at) VALUES (?, '#infostory', 'Europe/London', '08:00',"
                " '01234', 0, '', '2026-10-01 09:00:00.000000')",
                (name,),
            )
    views = {c["name"]: c for c in cli.ok("campaign", "list", "--json").json()}
    assert views["infostory"]["from_settings"] is True and views["infostory"]["active"] is True
    assert views["infostory"]["post_time"] == "09:00"  # the settings applied, as before
    assert views["infostory"]["platforms"] == ["outbox"]
    assert views["pilot"]["active"] is False
    [(actor, message, _, _)] = events(cli, "campaign.edited")
    assert actor == "settings" and "'pilot' is no longer in the settings" in message


def test_a_name_from_the_settings_stays_editable(cli: Cli) -> None:
    """The settings may name the first campaign in words the form would refuse."""
    os.environ["INFOBOT_CAMPAIGN_NAME"] = "Info Story"
    cli.ok("campaign", "edit", "Info Story", "--name", "Info Story", "--post-time", "10:00")
    assert campaign_row(cli, "Info Story")["post_time"] == "10:00"
    assert cli("campaign", "edit", "Info Story", "--name", "Other Name").code == 2
