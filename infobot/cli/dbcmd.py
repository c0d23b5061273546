"""``infobot db``: schema migrations."""

from __future__ import annotations

import click

from infobot.cli.common import Env, pass_env


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_env
def upgrade(env: Env) -> None:
    """Apply any pending schema migrations (also done automatically on start)."""
    from infobot.store.db import Database
    from infobot.store.migrate import HEAD
    from infobot.store.migrate import upgrade as run_upgrade

    database = Database(env.settings.database_url)
    try:
        before = run_upgrade(database)
    finally:
        database.dispose()
    if before == HEAD:
        click.echo(f"The database is up to date (revision {HEAD}).")
    else:
        click.echo(f"Upgraded the database from {before or 'empty'} to revision {HEAD}.")
