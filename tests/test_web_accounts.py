"""Accounts for the web page: the service and the `infobot users` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.errors import NotFound, UserError
from infobot.service.users import Accounts
from infobot.settings import load_settings
from tests.conftest import NOW, Cli

PASSWORD = "amber kettle orbits lichen"


@pytest.fixture
def accounts(cli: Cli) -> Accounts:
    app = App.open(load_settings(), clock=FixedClock(datetime.fromisoformat(NOW).astimezone(UTC)))
    return app.accounts()


def test_add_sign_in_change_and_disable(accounts: Accounts) -> None:
    sam = accounts.add("  Sam   Patel ", "Editor", PASSWORD, actor="ada")
    assert (sam.name, sam.role, sam.disabled) == ("Sam Patel", "editor", False)
    assert accounts.authenticate("sam patel", PASSWORD) == sam
    assert accounts.authenticate("Sam Patel", PASSWORD + "!") is None
    assert accounts.authenticate("Nobody", PASSWORD) is None
    assert accounts.authenticate("", "") is None
    with pytest.raises(UserError, match="already an account"):
        accounts.add("SAM PATEL", "admin", PASSWORD, actor="ada")
    with pytest.raises(UserError, match="at least 12 characters"):
        accounts.add("Kim", "editor", "short", actor="ada")
    with pytest.raises(UserError, match="role must be one of"):
        accounts.add("Kim", "boss", PASSWORD, actor="ada")
    with pytest.raises(UserError, match="control"):
        accounts.add("Kim\u202e", "editor", PASSWORD, actor="ada")
    assert accounts.set_role("sam patel", "approver", actor="ada").role == "approver"
    accounts.set_password("Sam Patel", "a new and longer password", actor="ada")
    assert accounts.authenticate("Sam Patel", PASSWORD) is None
    assert accounts.authenticate("Sam Patel", "a new and longer password") is not None
    accounts.disable("Sam Patel", actor="ada")
    assert accounts.authenticate("Sam Patel", "a new and longer password") is None
    with pytest.raises(UserError, match="already disabled"):
        accounts.disable("Sam Patel", actor="ada")
    accounts.enable("Sam Patel", actor="ada")
    assert accounts.authenticate("Sam Patel", "a new and longer password") is not None
    with pytest.raises(NotFound):
        accounts.disable("Nobody", actor="ada")


def test_the_last_admin_stays(accounts: Accounts) -> None:
    accounts.add("Ada", "admin", PASSWORD, actor="setup")
    with pytest.raises(UserError, match="only admin account left"):
        accounts.disable("Ada", actor="Ada")
    with pytest.raises(UserError, match="only admin account left"):
        accounts.set_role("Ada", "editor", actor="Ada")
    accounts.add("Bea", "admin", PASSWORD, actor="Ada")
    accounts.set_role("Ada", "editor", actor="Bea")
    with pytest.raises(UserError, match="only admin account left"):
        accounts.disable("Bea", actor="Bea")


def test_users_commands(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    added = cli.ok("users", "add", "Ada", "--role", "admin", "--password-file", str(secret))
    assert "Added Ada as admin" in added.out
    cli.ok("users", "add", "Sam", "--role", "editor", "--password-file", "-", input=PASSWORD + "\n")
    piped = cli.ok("users", "add", "Kim", "--role", "approver", input=PASSWORD + "\n")
    assert "Added Kim as approver" in piped.out
    listed = cli.ok("users", "list", "--json").json()
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [
        ("Ada", "admin", False),
        ("Kim", "approver", False),
        ("Sam", "editor", False),
    ]
    assert "Sam" in cli.ok("users", "list").out
    cli.ok("users", "set-role", "Sam", "approver", "--by", "Ada")
    cli.ok("users", "set-password", "Sam", "--password-file", str(secret))
    cli.ok("users", "disable", "Sam", "--by", "Ada")
    cli.ok("users", "enable", "Sam", "--by", "Ada")
    short = cli("users", "add", "Lee", "--role", "editor", input="short\n")
    assert short.code == 2 and "at least 12 characters" in short.err
    duplicate = cli("users", "add", "ada", "--role", "editor", "--password-file", str(secret))
    assert duplicate.code == 2 and "already an account" in duplicate.err
    last = cli("users", "disable", "Ada")
    assert last.code == 2 and "only admin account left" in last.err
    unknown = cli("users", "set-role", "Nobody", "admin")
    assert unknown.code == 2
    bad_role = cli("users", "add", "Lee", "--role", "owner")
    assert bad_role.code == 2
    assert cli.count("users") == 3
    actions = [row[0] for row in cli.sql("SELECT action FROM events WHERE action LIKE 'user.%'")]
    assert actions == ["user.added"] * 3 + [
        "user.role_changed",
        "user.password_set",
        "user.disabled",
        "user.enabled",
    ]
    trail = json.dumps(cli.sql("SELECT * FROM events"))
    assert PASSWORD not in trail and "argon2" not in trail
    hashes = [row[0] for row in cli.sql("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_users_add_never_takes_the_password_as_an_argument(cli: Cli) -> None:
    result = cli("users", "add", "Ada", "--role", "admin", "--password", PASSWORD)
    assert result.code == 2
    assert "No such option '--password'" in result.err


def test_accounts_need_only_a_database_and_a_clock(tmp_path: Path) -> None:
    """The service is built from its collaborators (no App, no Settings): the composition
    root's ``App.accounts()`` is one way, a test or another tool is another."""
    from infobot.store.db import Database
    from infobot.store.migrate import ensure_current

    db = Database(f"sqlite:///{tmp_path / 'accounts.db'}")
    try:
        ensure_current(db)
        accounts = Accounts(db, FixedClock(datetime.fromisoformat(NOW)))
        accounts.add("Ada", "admin", PASSWORD, actor="setup")
        assert accounts.authenticate("ada", PASSWORD) is not None
        with db.read() as session:
            from sqlalchemy import select

            from infobot.store.models import Event

            [(action, campaign)] = session.execute(select(Event.action, Event.campaign_id)).all()
        assert (action, campaign) == ("user.added", None)
    finally:
        db.dispose()
