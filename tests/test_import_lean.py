"""``infobot import`` builds its importer from the light settings when ``App.open`` would
change nothing first (``infobot.lean.Lean.importer``): no pydantic-settings, no Alembic,
no SQLAlchemy, and exactly what the full application answers; the full path takes over when the
application must write something the import reads first."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infobot.lean import Lean
from tests.conftest import Cli, story_row, write_csv

#: A setting the light reader leaves to ``Settings``: the command takes the full path.
FULL_PATH = {"INFOBOT_PLUGINS__NOBODY__COLOUR": "blue"}


@pytest.fixture
def lean_used(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """One True each time an import's importer came from the light settings."""
    used: list[bool] = []
    original = Lean.importer

    def watched(found: Lean) -> object:
        made = original(found)
        used.append(True)
        return made

    monkeypatch.setattr(Lean, "importer", watched)
    yield used


def _full(cli: Cli, *args: str) -> tuple[int, str, str]:
    os.environ.update(FULL_PATH)
    try:
        done = cli(*args)
    finally:
        for key in FULL_PATH:
            del os.environ[key]
    return done.code, done.out, done.err


def test_an_import_loads_no_pydantic_alembic_nor_sqlalchemy(cli: Cli, tmp_path: Path) -> None:
    cli.ok("status")  # the database made and migrated by the full path
    path = write_csv(tmp_path / "s.csv", [story_row(n) for n in range(1, 4)])
    code = (
        "import sys\n"
        "from infobot.cli.main import run\n"
        f"assert run(['import', {str(path)!r}, '--by', 'sam']) == 0\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pydantic', 'pydantic_settings', 'alembic', 'sqlalchemy'})\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "HEAVY="
    assert cli.count("stories") == 3


def test_the_lean_import_answers_what_the_full_one_does(
    db_url: str, cli: Cli, tmp_path: Path, lean_used: list[bool]
) -> None:
    os.environ["INFOBOT_DATABASE_URL"] = db_url
    cli.ok("status")
    good = write_csv(tmp_path / "good.csv", [story_row(n) for n in range(1, 6)])
    rows = [story_row(n) for n in range(6, 9)]
    rows[0]["pin_date"] = "2026-11-02"  # before the clock's today: refused
    rows[1]["pin_date"] = "2026-12-03"
    rows[2]["consent_date"] = "next week"
    bad = write_csv(tmp_path / "bad.csv", rows)
    for args in (
        ("import", str(good), "--by", "sam", "--dry-run"),
        ("import", str(good), str(bad), "--by", "sam", "--dry-run", "--json"),
        ("import", str(bad), "--by", "sam"),
    ):
        lean_used.clear()
        quick = cli(*args)
        assert lean_used == [True], args
        assert (quick.code, quick.out, quick.err) == _full(cli, *args), args
        assert lean_used == [True], args  # the full path did not ask for it
    lean_used.clear()
    added = cli.ok("import", str(good), "--by", "sam", "--json").json()
    assert (added["added"], lean_used) == (5, [True])
    again = _full(cli, "import", str(good), "--by", "sam", "--json")
    assert '"already_queued": 5' in again[1] and '"added": 0' in again[1]
    skipped = cli.ok("import", str(bad), "--by", "sam", "--skip-invalid", "--json").json()
    full_skipped = _full(cli, "import", str(bad), "--by", "sam", "--skip-invalid", "--json")
    assert (skipped["added"], skipped["invalid"]) == (1, 2)
    assert '"already_queued": 1' in full_skipped[1] and '"invalid": 2' in full_skipped[1]
    history = cli.ok("stories", "show", "1", "--json").json()["history"]
    assert [(e["actor"], e["action"]) for e in history] == [("sam", "story.imported")]


def test_periods_the_settings_made_send_the_import_the_full_way(
    cli: Cli, tmp_path: Path, lean_used: list[bool]
) -> None:
    """A period the settings made is taken away by ``App.open`` once the settings name it
    no more; the import's pin checks must see the campaign without it."""
    os.environ["INFOBOT_ELECTION_PERIODS"] = "2026-12-01..2026-12-10 Council by-election"
    try:
        cli.ok("status")
        pinned = write_csv(tmp_path / "p.csv", [story_row(1, pin_date="2026-12-03")])
        refused = cli("import", str(pinned), "--by", "sam")
        assert refused.code == 2 and "pre-election" in refused.err, refused.err
    finally:
        del os.environ["INFOBOT_ELECTION_PERIODS"]
    lean_used.clear()
    done = cli.ok("import", str(pinned), "--by", "sam", "--json").json()
    assert done["added"] == 1 and lean_used == []
    assert cli.count("election_periods") == 0
    lean_used.clear()
    cli.ok("import", str(pinned), "--by", "sam")
    assert lean_used == [True]  # nothing left to take away
