"""`infobot --help` stays fast: it imports no database, settings or platform library."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "alembic",
    "tweepy",
    "mastodon",
    "atproto",
    "yaml",
    "openpyxl",
    "twitter_text",
    "regex",
)


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from infobot.cli.main import run\n"
        "for args in (['--help'], ['stories', '--help'], ['import', '--help'],"
        " ['campaign', 'blackout', '--help']):\n"
        "    assert run(args) == 0\n"
        f"heavy = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]\n"
        "print('HEAVY=' + ','.join(sorted(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "infobot", "--version"], capture_output=True, text=True, check=True
    )
    assert "infobot" in result.stdout
