"""Schema migrations (Alembic), applied automatically when the store opens.

The fast path reads ``alembic_version`` and compares it with ``HEAD``; Alembic itself is
imported only when an upgrade is needed, so ordinary commands start quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

    from infobot.store.db import Database

#: The newest revision in ``migrations/versions``; a test keeps the two in step.
HEAD = "0013"
MIGRATIONS = Path(__file__).parent / "migrations"


def current_revision(db: Database) -> str | None:
    from sqlalchemy import inspect, text

    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> str | None:
    """Bring the schema up to ``revision``; return the revision it was at before."""
    from alembic import command

    before = current_revision(db)
    config = alembic_config(db)
    with db.engine.connect() as conn:
        if db.is_sqlite:
            # batch migrations copy tables, so foreign keys must not fire meanwhile
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.commit()
        if db.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    return before


def ensure_current(db: Database) -> None:
    if current_revision(db) != HEAD:
        upgrade(db)
