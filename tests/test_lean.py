"""The everyday commands read through the lean path (``infobot.lean``): the light settings,
the database driver and the same reads as the web page, with no SQLAlchemy, pydantic or
renderer imported; they answer exactly what the full application answers, on SQLite and
PostgreSQL, and step aside to it whenever they cannot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infobot import lean
from infobot.store.db import Database
from infobot.store.migrate import HEAD, upgrade
from tests.conftest import NOW, QUEUE, Cli

EVERYDAY = (
    ("status",),
    ("status", "--json"),
    ("preview", "--days", "10"),
    ("preview", "--json"),
    ("stories", "list"),
    ("stories", "list", "--json", "--limit", "3"),
    ("stories", "list", "--status", "draft"),
    ("stories", "show", "2"),
    ("stories", "show", "2", "--json"),
    ("health",),
)
#: A draft: it has no render kept from an approval, so it is rendered (``regex`` loads).
DRAFT = ("stories", "show", "12", "--json")
HEAVY = ("sqlalchemy", "pydantic", "pydantic_settings", "alembic", "regex", "twitter_text")
#: A setting the light reader leaves to ``Settings``: the command takes the full path.
FULL_PATH = {"INFOBOT_PLUGINS__NOBODY__COLOUR": "blue"}


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each command's lean path could serve it."""
    served: list[bool] = []
    original = lean.open_lean

    def watched() -> lean.Lean | None:
        found = original()
        served.append(found is not None)
        return found

    monkeypatch.setattr(lean, "open_lean", watched)
    yield served


def campaign(cli: Cli) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok("stories", "approve", *[str(n) for n in range(1, 11)], "--by", "alex")
    cli.ok("stories", "pin", "7", "2026-12-10", "--by", "alex")
    cli.ok("post-now")


def test_everyday_commands_import_no_database_toolkit_nor_renderer(cli: Cli) -> None:
    campaign(cli)
    code = (
        "import sys\n"
        "from infobot.cli.main import run\n"
        f"for args in {[list(a) for a in EVERYDAY]!r}:\n"
        "    assert run(args) in (0, 1), args\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "HEAVY=", done.stderr


def test_the_lean_path_answers_what_the_full_one_does(
    db_url: str, cli: Cli, spy: list[bool]
) -> None:
    os.environ["INFOBOT_DATABASE_URL"] = db_url
    campaign(cli)
    for args in (*EVERYDAY, DRAFT):
        spy.clear()
        quick = cli(*args)
        assert spy == [True], args
        os.environ.update(FULL_PATH)
        try:
            spy.clear()
            full = cli(*args)
            assert True not in spy, args
        finally:
            for key in FULL_PATH:
                del os.environ[key]
        assert (quick.code, quick.out, quick.err) == (full.code, full.out, full.err), args


def test_the_preview_reads_what_approval_rendered_while_nothing_changed(cli: Cli) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok("stories", "approve", "1", "--by", "alex")
    ((key, payload),) = cli.sql("SELECT key, payload FROM story_renders WHERE story_id = 1")
    kept = json.loads(payload)
    first_line = kept["platforms"]["outbox"]["posts"][0][0].splitlines()[0]
    assert first_line in cli.ok("preview", "--days", "1").out
    # what the preview shows comes from the kept render while its fingerprint holds
    kept["platforms"]["outbox"]["posts"][0][0] = "KEPT AT APPROVAL"
    cli.sql("UPDATE story_renders SET payload = ? WHERE story_id = 1", json.dumps(kept))
    assert "KEPT AT APPROVAL" in cli.ok("preview", "--days", "1").out
    assert "KEPT AT APPROVAL" in cli.ok("stories", "show", "1").out
    # another render configuration (a platform's limit): rendered again
    os.environ["INFOBOT_OUTBOX__MAX_LENGTH"] = "400"
    again = cli.ok("preview", "--days", "1").out
    assert "KEPT AT APPROVAL" not in again and "/400]" in again
    del os.environ["INFOBOT_OUTBOX__MAX_LENGTH"]
    # an edit sends the story back to draft; approving it again keeps the new render
    cli.ok("stories", "edit", "1", "--title", "A new title", "--by", "sam")
    cli.ok("stories", "approve", "1", "--by", "alex")
    assert cli.sql("SELECT key FROM story_renders WHERE story_id = 1")[0][0] != key
    assert "KEPT AT APPROVAL" not in cli.ok("stories", "show", "1").out


def test_the_full_path_takes_over_when_the_lean_one_cannot(cli: Cli, spy: list[bool]) -> None:
    cli.ok("status")  # no database yet: the full path creates and migrates it
    assert spy == [False]
    assert Path(cli.db_path).is_file()
    spy.clear()
    cli.ok("status")
    assert spy == [True]
    Path(cli.db_path).unlink()
    db = Database(f"sqlite:///{cli.db_path}")
    upgrade(db, "0005")  # an older schema: the full path migrates it
    db.dispose()
    spy.clear()
    cli.ok("status")
    assert spy == [False]
    assert cli.sql("SELECT version_num FROM alembic_version") == [(HEAD,)]
    os.environ["INFOBOT_HASHTAG"] = "#another"  # the campaign row differs: a write
    spy.clear()
    assert "(#another)" in cli.ok("status").out
    assert spy == [False]
    spy.clear()
    assert "(#another)" in cli.ok("status").out
    assert spy == [True]


def test_a_missing_story_is_named_the_same_way(cli: Cli) -> None:
    cli.ok("status")
    missing = cli("stories", "show", "99")
    assert missing.code == 2 and "there is no story #99" in missing.err


def test_the_clock_start_is_the_same_on_both_paths(cli: Cli) -> None:
    assert os.environ["INFOBOT_CLOCK_START"] == NOW
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    first = cli.ok("status", "--json").json()
    assert first["next_post"] is None and first["counts"]["draft"] > 0
