"""``infobot users``: local accounts for the team's web page."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from infobot.cli.common import Env, by_option, json_option, pass_env, print_json, table

ROLE_CHOICE = click.Choice(["editor", "approver", "admin"], case_sensitive=False)


def read_password(password_file: Path | None) -> str:
    """From a file ('-' for standard input), else a hidden prompt asked twice.

    Never from an argument: arguments show up in shell history and process lists.
    """
    if password_file is not None:
        if str(password_file) == "-":
            text = sys.stdin.readline()
        else:
            try:
                text = password_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise click.UsageError(f"cannot read the password file: {exc}") from None
        lines = text.splitlines()
        password = lines[0] if lines else ""
        if not password:
            raise click.UsageError("the password file is empty")
        return password
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("no password given: type it, or use --password-file")
        return password
    value = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    return str(value)


password_file_option = click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Read the password from the first line of this file ('-' for standard input); "
    "default: ask.",
)


@click.group()
def users() -> None:
    """Accounts for the team's web page: editors, approvers and admins."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True, help="editor, approver or admin.")
@password_file_option
@by_option()
@pass_env
def add(env: Env, name: str, role: str, password_file: Path | None, by: str | None) -> None:
    """Add an account (the password is asked for twice, or read from --password-file)."""
    from infobot.service.users import check_name, check_role

    check_name(name)
    check_role(role)
    password = read_password(password_file)
    account = env.app.accounts().add(name, role, password, actor=env.actor(by))
    click.echo(f"Added {account.name} as {account.role}. They can sign in to the web page now.")


@users.command("list")
@json_option
@pass_env
def list_(env: Env, as_json: bool) -> None:
    """List the accounts with their roles."""
    accounts = env.app.accounts().list()
    if as_json:
        print_json(
            [
                {
                    "name": a.name,
                    "role": a.role,
                    "disabled": a.disabled,
                    "created_by": a.created_by,
                    "created_at": a.created_at.isoformat() if a.created_at else None,
                }
                for a in accounts
            ]
        )
        return
    if not accounts:
        click.echo("No accounts yet: add one with `infobot users add NAME --role admin`.")
        return
    table(
        [(a.name, a.role, "disabled" if a.disabled else "active") for a in accounts],
        ("NAME", "ROLE", "STATE"),
    )


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
@by_option()
@pass_env
def set_role(env: Env, name: str, role: str, by: str | None) -> None:
    """Change an account's role."""
    account = env.app.accounts().set_role(name, role, actor=env.actor(by))
    click.echo(f"{account.name} is now {account.role}.")


@users.command("set-password")
@click.argument("name")
@password_file_option
@by_option()
@pass_env
def set_password(env: Env, name: str, password_file: Path | None, by: str | None) -> None:
    """Give an account a new password."""
    password = read_password(password_file)
    env.app.accounts().set_password(name, password, actor=env.actor(by))
    click.echo(f"New password saved for {name}.")


@users.command("disable")
@click.argument("name")
@by_option()
@pass_env
def disable(env: Env, name: str, by: str | None) -> None:
    """Disable an account: it can no longer sign in (its history stays)."""
    account = env.app.accounts().disable(name, actor=env.actor(by))
    click.echo(f"Disabled {account.name}: they can no longer sign in.")


@users.command("enable")
@click.argument("name")
@by_option()
@pass_env
def enable(env: Env, name: str, by: str | None) -> None:
    """Enable a disabled account again."""
    account = env.app.accounts().enable(name, actor=env.actor(by))
    click.echo(f"Enabled {account.name} again.")
