"""The editorial workflow through the CLI, checked in the database afterwards."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import QUEUE, Cli, story_row, write_csv


@pytest.fixture(autouse=True)
def example_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example stories' pictures are in the example media folder."""
    monkeypatch.setenv("INFOBOT_MEDIA_DIR", str(QUEUE / "media"))


def import_examples(cli: Cli) -> None:
    cli.ok(
        "import",
        str(QUEUE / "stories.csv"),
        str(QUEUE / "stories.yaml"),
        str(QUEUE / "markdown"),
        "--by",
        "sam",
    )


def test_import_the_example_queue_then_reimport_adds_nothing(cli: Cli) -> None:
    result = cli.ok(
        "import",
        str(QUEUE / "stories.csv"),
        str(QUEUE / "stories.yaml"),
        str(QUEUE / "markdown"),
        "--by",
        "sam",
    )
    assert "added 34 new stories as drafts" in result.out
    assert cli.count("stories", "status = 'draft'") == 34
    assert cli.count("events", "action = 'story.imported'") == 34
    again = cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    assert "added 0 new stories" in again.out and "14 already queued" in again.out
    assert cli.count("stories") == 34
    # sources point at file and line
    sources = {row[0] for row in cli.sql("SELECT source FROM stories")}
    assert any(s.endswith("stories.csv:2") for s in sources)


def test_import_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [story_row(1), story_row(2)])
    result = cli.ok("import", str(path), "--dry-run")
    assert "would add 2 new stories" in result.out
    assert cli.count("stories") == 0


def test_one_bad_row_imports_nothing_and_names_file_line_field(cli: Cli, tmp_path: Path) -> None:
    rows = [story_row(1), story_row(2, consent_date="next tuesday"), story_row(3, body="")]
    path = write_csv(tmp_path / "bad.csv", rows)
    result = cli("import", str(path), "--by", "sam")
    assert result.code == 2
    assert f"{path}:3: consent_date:" in result.err
    assert f"{path}:4: body:" in result.err
    assert "nothing was changed" in result.err
    assert cli.count("stories") == 0
    assert cli.count("events", "action = 'story.imported'") == 0


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(cli: Cli, tmp_path: Path) -> None:
    rows = [story_row(1), story_row(2, consent_date="soon"), story_row(3)]
    path = write_csv(tmp_path / "mixed.csv", rows)
    result = cli.ok("import", str(path), "--skip-invalid", "--by", "sam")
    assert "added 2 new stories" in result.out and "1 invalid skipped" in result.out
    assert f"{path}:3: consent_date:" in result.err
    assert cli.count("stories") == 2


def test_import_json_summary(cli: Cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [story_row(1)])
    data = cli.ok("import", str(path), "--json").json()
    assert data["added"] == 1 and data["already_queued"] == 0 and data["problems"] == []


def test_import_rejects_a_pin_in_the_past_and_a_clash(cli: Cli, tmp_path: Path) -> None:
    rows = [
        story_row(1, pin_date="2026-01-01"),
        story_row(2, pin_date="2026-12-24"),
        story_row(3, pin_date="2026-12-24"),
    ]
    path = write_csv(tmp_path / "pins.csv", rows)
    result = cli("import", str(path))
    assert result.code == 2
    assert f"{path}:2: pin_date: 2026-01-01 is in the past" in result.err
    assert f"{path}:4: pin_date: 2026-12-24 is also the pin date of line 3" in result.err
    assert cli.count("stories") == 0


def test_missing_file_is_a_usage_error(cli: Cli) -> None:
    result = cli("import", "nope.csv")
    assert result.code == 2
    assert "nope.csv" in result.err
    assert cli.count("stories") == 0


def test_add_list_show_json(cli: Cli) -> None:
    cli.ok(
        "stories",
        "add",
        "--title",
        "A carer",
        "--body",
        "Sharing notes saved us hours.",
        "--author",
        "Jo",
        "--consent-by",
        "Jo",
        "--consent-date",
        "2026-10-01",
        "--by",
        "sam",
    )
    rows = cli.ok("stories", "list", "--json").json()
    assert rows == [
        {
            "id": 1,
            "title": "A carer",
            "status": "draft",
            "position": None,
            "pin_date": None,
            "author": "Jo",
            "organisation": "",
            "approved_by": None,
            "created_at": rows[0]["created_at"],
        }
    ]
    shown = cli.ok("stories", "show", "1", "--json").json()
    assert shown["body"] == "Sharing notes saved us hours."
    post = shown["platforms"]["outbox"]["posts"][0]
    assert post["text"].endswith("#infostory") and post["limit"] == 500
    assert shown["history"][0]["action"] == "story.added"
    assert cli.sql("SELECT created_by FROM stories")[0][0] == "sam"


def test_add_reads_body_from_stdin_and_refuses_a_duplicate(cli: Cli) -> None:
    args = ("stories", "add", "--body", "-", "--consent-by", "Jo", "--consent-date", "2026-10-01")
    cli.ok(*args, input="A story from standard input.\n")
    again = cli(*args, input="A story from standard input.\n")
    assert again.code == 2 and "already in the queue as story #1" in again.err
    assert cli.count("stories") == 1


def test_add_without_consent_is_refused_unless_consent_is_optional(cli: Cli) -> None:
    result = cli("stories", "add", "--body", "No consent here.")
    assert result.code == 2 and "consent_by" in result.err
    assert cli.count("stories") == 0
    os.environ["INFOBOT_REQUIRE_CONSENT"] = "false"
    cli.ok("stories", "add", "--body", "No consent here.")
    assert cli.count("stories") == 1


def test_add_in_editor(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "t = t.replace('consent_by: \\'\\'', 'consent_by: Ana')\n"
        "t = t.replace('consent_date: \\'\\'', 'consent_date: 2026-10-02')\n"
        "t = t.replace('author: \\'\\'', 'author: Ana Núñez')\n"
        "p.write_text(t + 'Written in the editor 🧑‍🚒\\n', encoding='utf-8')\n",
        encoding="utf-8",
    )
    os.environ["EDITOR"] = f"{sys.executable} {script}"
    cli.ok("stories", "add")
    body, author, consent = cli.sql("SELECT body, author, consent_by FROM stories")[0]
    assert body == "Written in the editor 🧑‍🚒"
    assert author == "Ana Núñez" and consent == "Ana"


def test_edit_with_flags_sends_an_approved_story_back_to_draft(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", "1", "--by", "alex")
    result = cli.ok("stories", "edit", "1", "--body", "A new, shorter body.", "--by", "sam")
    assert "back in draft" in result.out
    status, body = cli.sql("SELECT status, body FROM stories WHERE id = 1")[0]
    assert (status, body) == ("draft", "A new, shorter body.")
    before, after = cli.sql(
        "SELECT before, after FROM events WHERE action = 'story.edited' AND story_id = 1"
    )[0]
    assert json.loads(before)["status"] == "approved"
    assert json.loads(after) == {
        "body": "A new, shorter body.",
        "status": "draft",
        "approved_by": None,
    }


def test_edit_validates_and_changes_nothing_on_error(cli: Cli) -> None:
    import_examples(cli)
    body = cli.sql("SELECT body FROM stories WHERE id = 2")[0][0]
    result = cli("stories", "edit", "2", "--link", "ftp://nope")
    assert result.code == 2 and "link" in result.err
    assert cli.sql("SELECT body, link FROM stories WHERE id = 2")[0][0] == body
    assert cli.count("events", "action = 'story.edited'") == 0


def test_approve_warns_about_personal_data(cli: Cli) -> None:
    cli.ok(
        "stories",
        "add",
        "--body",
        "Email me at jo.bloggs@example.com any time.",
        "--consent-by",
        "Jo",
        "--consent-date",
        "2026-10-01",
    )
    result = cli.ok("stories", "approve", "1", "--by", "alex")
    assert "email address" in result.err
    assert cli.sql("SELECT status, approved_by FROM stories")[0] == ("approved", "alex")


def test_four_eyes_rule(cli: Cli) -> None:
    os.environ["INFOBOT_FOUR_EYES"] = "true"
    cli.ok(
        "stories",
        "add",
        "--body",
        "Four eyes see more.",
        "--consent-by",
        "Jo",
        "--consent-date",
        "2026-10-01",
        "--by",
        "Sam",
    )
    refused = cli("stories", "approve", "1", "--by", "sam")
    assert refused.code == 2 and "four-eyes" in refused.err
    assert cli.sql("SELECT status FROM stories")[0][0] == "draft"
    cli.ok("stories", "approve", "1", "--by", "Alex")
    assert cli.sql("SELECT status FROM stories")[0][0] == "approved"


def test_approval_is_all_or_nothing_and_checks_platform_rules(cli: Cli) -> None:
    os.environ["INFOBOT_OVERFLOW"] = "reject"
    cli.ok(
        "stories",
        "add",
        "--body",
        "Short and fine.",
        "--consent-by",
        "Jo",
        "--consent-date",
        "2026-10-01",
    )
    cli.ok(
        "stories",
        "add",
        "--body",
        "word " * 150,
        "--consent-by",
        "Jo",
        "--consent-date",
        "2026-10-01",
    )
    result = cli("stories", "approve", "1", "2", "--by", "alex")
    assert result.code == 2
    assert "story #2: Outbox: the post is 760 characters, 260 over Outbox's 500" in result.err
    assert "nothing was approved" in result.err
    assert cli.count("stories", "status = 'approved'") == 0


def test_approve_needs_by(cli: Cli) -> None:
    result = cli("stories", "approve", "1")
    assert result.code == 2 and "--by" in result.err


def test_reject_then_approve(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "reject", "3", "--reason", "Needs a named organisation", "--by", "alex")
    assert cli.sql("SELECT status, status_reason FROM stories WHERE id = 3")[0] == (
        "rejected",
        "Needs a named organisation",
    )
    assert cli("stories", "reject", "3", "--reason", "again", "--by", "alex").code == 2
    cli.ok("stories", "approve", "3", "--by", "alex")
    assert cli.sql("SELECT status FROM stories WHERE id = 3")[0][0] == "approved"


def test_move_changes_the_posting_order(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", *[str(i) for i in range(1, 35)], "--by", "alex", "--acknowledge")
    cli.ok("stories", "move", "20", "--position", "1")
    cli.ok("stories", "move", "5", "--position", "3")
    queue = [
        r["id"]
        for r in cli.ok("stories", "list", "--status", "approved", "--json").json()
        if r["position"] is not None
    ]
    assert queue[0] == 20 and queue[2] == 5
    assert cli.ok("preview", "--days", "1", "--json").json()[0]["story_id"] == 20
    # moving many times into the same gap forces a renumber and keeps the order right
    for _ in range(12):
        cli.ok("stories", "move", "7", "--position", "2")
        cli.ok("stories", "move", "8", "--position", "2")
    queue = [
        r["id"]
        for r in cli.ok("stories", "list", "--status", "approved", "--json").json()
        if r["position"] is not None
    ]
    assert queue[:5] == [20, 8, 7, 1, 5]
    assert len(queue) == len(set(queue)) == 33  # one story is pinned


def test_move_refuses_drafts_and_bad_positions(cli: Cli) -> None:
    import_examples(cli)
    assert cli("stories", "move", "1", "--position", "1").code == 2
    cli.ok("stories", "approve", "1", "2", "--by", "alex", "--acknowledge")
    result = cli("stories", "move", "1", "--position", "9")
    assert result.code == 2 and "between 1 and 2" in result.err


def test_pin_and_unpin(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", "1", "2", "--by", "alex", "--acknowledge")
    cli.ok("stories", "pin", "2", "2026-11-23")
    plan = cli.ok("preview", "--days", "2", "--json").json()
    assert [d["story_id"] for d in plan] == [2, 1]
    assert plan[0]["state"] == "pinned"
    cli.ok("stories", "unpin", "2")
    assert cli.sql("SELECT pin_date FROM stories WHERE id = 2")[0][0] is None
    assert cli("stories", "unpin", "2").code == 2
    assert cli("stories", "pin", "2", "2025-01-01").code == 2
    assert cli("stories", "pin", "2", "not-a-date").code == 2


def test_pause_resume_and_blackouts_shape_the_preview(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", *[str(i) for i in range(1, 35)], "--by", "alex", "--acknowledge")
    cli.ok("campaign", "pause", "--until", "2026-11-24", "--reason", "Election period")
    cli.ok("campaign", "blackout", "add", "2026-11-26", "--reason", "Day of mourning")
    plan = cli.ok("preview", "--days", "5", "--json").json()
    states = [(d["date"], d["state"]) for d in plan]
    assert states == [
        ("2026-11-23", "off"),
        ("2026-11-24", "off"),
        ("2026-11-25", "scheduled"),
        ("2026-11-26", "off"),
        ("2026-11-27", "scheduled"),
    ]
    assert plan[0]["reason"] == "campaign paused until 24 November 2026"
    assert plan[3]["reason"] == "blackout date"
    status = cli.ok("status", "--json").json()
    assert status["paused"] is True and status["paused_until"] == "2026-11-24"
    listed = cli.ok("campaign", "blackout", "list", "--json").json()
    assert listed == [{"date": "2026-11-26", "reason": "Day of mourning"}]
    assert cli("campaign", "blackout", "add", "2026-11-26").code == 2
    cli.ok("campaign", "resume")
    cli.ok("campaign", "blackout", "remove", "2026-11-26")
    assert cli("campaign", "blackout", "remove", "2026-11-26").code == 2
    plan = cli.ok("preview", "--days", "5", "--json").json()
    assert all(d["state"] == "scheduled" for d in plan)
    actions = [
        r[0]
        for r in cli.sql(
            "SELECT action FROM events WHERE action IN ('campaign.paused',"
            " 'campaign.resumed') OR action LIKE 'blackout.%'"
            " ORDER BY id"
        )
    ]
    assert actions == ["campaign.paused", "blackout.added", "campaign.resumed", "blackout.removed"]


def test_preview_json_is_a_stable_interface(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", *[str(i) for i in range(1, 35)], "--by", "alex", "--acknowledge")
    plan = cli.ok("preview", "--days", "30", "--json").json()
    assert len(plan) == 30
    first = plan[0]
    assert {"date", "story_id", "platforms", "state", "post_at"} <= set(first)
    post = first["platforms"]["outbox"]["posts"][0]
    assert {"text", "length", "limit"} <= set(post)
    assert post["length"] <= post["limit"]
    pinned = next(d for d in plan if d["date"] == "2026-12-10")
    assert pinned["state"] == "pinned"
    ids = [d["story_id"] for d in plan if d["story_id"]]
    assert len(ids) == len(set(ids))  # never the same story twice
    for day in plan:
        texts = [p["text"] for p in day["platforms"]["outbox"]["posts"]]
        assert sum(t.lower().count("#infostory") for t in texts) == 1
    human = cli.ok("preview", "--days", "2").out
    assert "Monday 23 November 2026 at 9:00am" in human and "#infostory" in human


def test_status_json_runway(cli: Cli) -> None:
    empty = cli.ok("status", "--json").json()
    assert empty["runway_days"] == 0 and empty["runs_dry_on"] == "2026-11-23"
    assert any(a["kind"] == "runway" for a in empty["attention"])
    import_examples(cli)
    cli.ok("stories", "approve", *[str(i) for i in range(1, 11)], "--by", "alex", "--acknowledge")
    data = cli.ok("status", "--json").json()
    assert data["runway_days"] == 10 and data["runs_dry_on"] == "2026-12-03"
    assert data["counts"] == {"approved": 10, "draft": 24}
    assert data["next_post"]["date"] == "2026-11-23"
    human = cli.ok("status").out
    assert "runs dry on Thursday 3 December 2026" in human


def test_status_with_an_end_date_says_how_short(cli: Cli) -> None:
    os.environ["INFOBOT_CAMPAIGN_END"] = "2026-12-31"
    import_examples(cli)
    cli.ok("stories", "approve", "1", "2", "3", "--by", "alex", "--acknowledge")
    data = cli.ok("status", "--json").json()
    assert data["campaign_days_left"] == 39 and data["short_by"] == 36
    assert data["runway"] == "3 approved, 39 campaign days left: 36 short"


def test_withdraw_never_posts_and_deletes_live_posts(cli: Cli) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", "1", "--by", "alex")
    # a post already out on the outbox (the publisher arrives with the daemon issue)
    cli.outbox.write_text(
        json.dumps({"id": "outbox-k1", "idempotency_key": "k1", "text": "x"}) + "\n",
        encoding="utf-8",
    )
    import sqlite3

    with sqlite3.connect(cli.db_path) as conn:
        conn.execute(
            "INSERT INTO deliveries (story_id, platform, status, idempotency_key, attempts,"
            " remote_id, remote_url, parts, error, created_at, updated_at)"
            " VALUES (1, 'outbox', 'sent', 'k1', 1, 'outbox-k1', '', ?, '',"
            " '2026-11-22 09:00:00', '2026-11-22 09:00:00')",
            (json.dumps([{"id": "outbox-k1"}]),),
        )
    result = cli.ok("stories", "withdraw", "1", "--reason", "Consent withdrawn by phone")
    assert "Deleted its post outbox-k1 on outbox" in result.out
    assert cli.sql("SELECT status FROM stories WHERE id = 1")[0][0] == "withdrawn"
    assert cli.sql("SELECT status FROM deliveries")[0][0] == "deleted"
    lines = [json.loads(x) for x in cli.outbox.read_text(encoding="utf-8").splitlines()]
    assert lines[-1] == {"deleted_id": "outbox-k1"}
    assert cli.count("events", "action = 'delivery.deleted'") == 1
    assert cli("stories", "withdraw", "1", "--reason", "again").code == 2
    assert cli("stories", "approve", "1", "--by", "alex").code == 2
    plan = cli.ok("preview", "--days", "30", "--json").json()
    assert 1 not in [d["story_id"] for d in plan]


def test_export_csv_is_spreadsheet_safe_and_json_is_verbatim(cli: Cli, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    path = write_csv(tmp_path / "f.csv", [story_row(1, title=formula, notes="+44 call")])
    cli.ok("import", str(path))
    assert cli.sql("SELECT title FROM stories")[0][0] == formula  # stored verbatim
    out = cli.ok("export", "--what", "stories", "--format", "csv").out
    assert "'=HYPERLINK" in out and "'+44 call" in out
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["title"] == "'" + formula
    data = cli.ok("export", "--what", "stories", "--format", "json").json()
    assert data[0]["title"] == formula
    target = tmp_path / "events.csv"
    result = cli.ok("export", "--what", "events", "--format", "csv", "--output", str(target))
    assert "Wrote" in result.err
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    assert cli.ok("export", "--what", "deliveries", "--format", "json").json() == []
    events = cli.ok("export", "--what", "events", "--format", "json").json()
    imported = next(e for e in events if e["action"] == "story.imported")
    assert imported["after"] == {"source": f"{path}:2", "status": "draft"}
    assert imported["before"] is None


def test_unknown_story_and_bad_usage_exit_2(cli: Cli) -> None:
    assert cli("stories", "show", "42").code == 2
    assert cli("stories", "list", "--status", "nonsense").code == 2
    assert cli("nonsense").code == 2
    assert cli("export", "--what", "stories", "--format", "xml").code == 2


def test_unexpected_failure_exits_1(cli: Cli, tmp_path: Path) -> None:
    os.environ["INFOBOT_DATABASE_URL"] = f"sqlite:///{tmp_path}/is-a-dir"
    (tmp_path / "is-a-dir").mkdir()
    result = cli("status")
    assert result.code == 1 and "error:" in result.err


def test_db_upgrade(cli: Cli) -> None:
    first = cli.ok("db", "upgrade").out
    assert "Upgraded the database from empty" in first
    assert "up to date" in cli.ok("db", "upgrade").out


def test_help_lists_every_command_with_help_text(cli: Cli) -> None:
    out = cli.ok("--help").out
    for name in ("import", "stories", "campaign", "preview", "status", "export", "db"):
        assert name in out
    stories = cli.ok("stories", "--help").out
    for name in (
        "add",
        "list",
        "show",
        "edit",
        "approve",
        "reject",
        "move",
        "pin",
        "unpin",
        "withdraw",
    ):
        assert f"  {name} " in stories


def test_edit_in_editor_and_cancel(cli: Cli, tmp_path: Path) -> None:
    import_examples(cli)
    cli.ok("stories", "approve", "4", "--by", "alex", "--acknowledge")
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "head, sep, body = t.rpartition('---\\n')\n"
        "p.write_text(head + sep + 'Rewritten in the editor.\\n', encoding='utf-8')\n",
        encoding="utf-8",
    )
    os.environ["EDITOR"] = f"{sys.executable} {script}"
    result = cli.ok("stories", "edit", "4", "--by", "sam")
    assert "back in draft" in result.out
    assert cli.sql("SELECT body, status, author FROM stories WHERE id = 4")[0] == (
        "Rewritten in the editor.",
        "draft",
        "Pauline Ashworth",
    )
    # an editor that empties the file cancels and changes nothing
    script.write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text('')\n", encoding="utf-8"
    )
    cancelled = cli("stories", "edit", "4")
    assert cancelled.code == 2 and "cancelled" in cancelled.err
    assert cli.sql("SELECT body FROM stories WHERE id = 4")[0][0] == "Rewritten in the editor."


def test_imported_and_added_rows_store_times_and_dates_alike(cli: Cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [story_row(1, pin_date="2026-12-24")])
    cli.ok("import", str(path))
    cli.ok(
        "stories",
        "add",
        "--body",
        "Added by hand.",
        "--consent-by",
        "Jo",
        "--consent-date",
        "2026-10-01",
        "--pin-date",
        "2026-12-23",
    )
    rows = cli.sql("SELECT created_at, consent_date, pin_date, typeof(created_at) FROM stories")
    (imported_at, c1, p1, t1), (added_at, c2, p2, t2) = rows
    assert (c1, p1, c2, p2) == ("2026-10-01", "2026-12-24", "2026-10-01", "2026-12-23")
    assert t1 == t2 == "text" and len(imported_at) == len(added_at)
    shown = cli.ok("stories", "show", "1", "--json").json()
    assert shown["created_at"].startswith("2026-11-23T08:00") and shown["pin_date"] == "2026-12-24"


YAML_WORDS = ["no", "yes", "on", "1.0", "null"]


def use_editor(tmp_path: Path, change: str) -> None:
    """$EDITOR becomes a script that runs ``change`` on the file's text ``t``."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib, re\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        f"{change}\n"
        "p.write_text(t, encoding='utf-8')\n",
        encoding="utf-8",
    )
    os.environ["EDITOR"] = f"{sys.executable} {script}"


@pytest.mark.parametrize("word", YAML_WORDS)
def test_the_editor_keeps_a_title_that_yaml_would_read_as_another_type(
    cli: Cli, tmp_path: Path, word: str
) -> None:
    """``title: no`` is the word "no" (not false), in the file the editor wrote and in a
    line the person typed: the editor reads its fields as the importer reads front matter."""
    path = write_csv(tmp_path / "s.csv", [story_row(1, title=word, author=word)])
    cli.ok("import", str(path))
    use_editor(tmp_path, "t = t.rpartition('---\\n')[0] + '---\\nEdited in the editor.\\n'")
    cli.ok("stories", "edit", "1", "--by", "sam")
    assert cli.sql("SELECT title, author, body FROM stories WHERE id = 1")[0] == (
        word,
        word,
        "Edited in the editor.",
    )
    # typed by hand, unquoted
    use_editor(
        tmp_path,
        f"t = re.sub(r'(?m)^title: .*$', 'title: {word}', t).replace('Edited in', 'Typed in')",
    )
    cli.ok("stories", "edit", "1", "--by", "sam")
    expected = "" if word == "null" else word  # an unquoted null is YAML's empty value
    assert cli.sql("SELECT title, body FROM stories WHERE id = 1")[0] == (
        expected,
        "Typed in the editor.",
    )


def test_the_editor_refuses_broken_fields_with_the_line(cli: Cli, tmp_path: Path) -> None:
    import_examples(cli)
    use_editor(tmp_path, "t = t.replace('title:', 'title: [unclosed', 1)")
    before = cli.sql("SELECT title, body FROM stories WHERE id = 2")
    result = cli("stories", "edit", "2", "--by", "sam")
    assert result.code == 2 and "not valid YAML" in result.err and "line " in result.err
    assert "nothing was changed" in result.err
    assert cli.sql("SELECT title, body FROM stories WHERE id = 2") == before
