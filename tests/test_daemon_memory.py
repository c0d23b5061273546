"""The daemon holds only what it uses (idle memory, issue 13 row e): ``infobot run``
imports no other command's module, no PostgreSQL dialect on SQLite and no Alembic once the
schema is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_run_process import env_for, infobot

DAEMON = (
    "import sys\n"
    "from infobot.cli.main import run\n"
    "code = run(['run', '--once'])\n"
    "print('MODULES=' + ','.join(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)
COMMANDS = {"main", "common", "runcmd"}  # of infobot.cli: the group, its helpers, `run`


def test_a_daemon_round_on_sqlite_loads_no_other_command_postgresql_or_alembic(
    tmp_path: Path,
) -> None:
    first = infobot(tmp_path, "run", "--once")  # creates and migrates the database
    assert first.returncode == 0, first.stderr
    done = subprocess.run(
        [sys.executable, "-c", DAEMON],
        env=env_for(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    modules = done.stdout.strip().splitlines()[-1].removeprefix("MODULES=").split(",")
    assert "infobot.runtime.runner" in modules  # the daemon's round did run
    commands = {m.split(".")[2] for m in modules if m.startswith("infobot.cli.")}
    assert commands == COMMANDS
    assert not [m for m in modules if m.startswith("sqlalchemy.dialects.postgresql")]
    assert not [m for m in modules if m.split(".")[0] == "alembic"]
