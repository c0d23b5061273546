"""``infobot db``: schema migrations."""

from __future__ import annotations

from pathlib import Path

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


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists.")
@pass_env
def backup(env: Env, path: Path, overwrite: bool) -> None:
    """Copy the SQLite database to PATH, safely, while infobot keeps running.

    Restore: stop infobot, put the copy in place of the database file (removing any
    -wal and -shm files beside it), start infobot.
    """
    from infobot.store.backup import backup as run_backup

    report = run_backup(env.settings.database_url, path, overwrite=overwrite)
    click.echo(
        f"Backed up {report.stories} stories (schema {report.revision}) to {report.path} "
        f"({report.size_bytes / 1e6:.1f} MB)."
    )
