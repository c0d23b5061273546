"""``infobot backup``: an online, consistent copy of the SQLite database.

SQLite's backup API copies the database page by page under a read transaction, so the
copy is consistent even while the daemon writes (WAL mode lets it go on writing). The
copy is written beside the target under a temporary name, checked with ``PRAGMA
integrity_check`` and renamed into place, so a half-written backup never carries the
target's name.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from infobot.domain.errors import UserError


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    stories: int
    revision: str


def sqlite_path(database_url: str) -> Path:
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise UserError(
            f"`infobot backup` copies SQLite databases; this one is {url.get_backend_name()}. "
            "Use the database's own tools (for PostgreSQL: pg_dump)."
        )
    if not url.database or url.database == ":memory:":
        raise UserError("the database is in memory: there is nothing on disk to back up")
    return Path(url.database)


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> BackupReport:
    source_path = sqlite_path(database_url)
    if not source_path.is_file():
        raise UserError(f"{source_path}: no database file here (check INFOBOT_DATABASE_URL)")
    if target.is_dir():
        raise UserError(f"{target}: is a folder; give the backup file's name")
    if target.exists() and not overwrite:
        raise UserError(f"{target}: already exists; choose another name or add --overwrite")
    if not target.parent.is_dir():
        raise UserError(f"{target.parent}: no such folder")
    if target.resolve() == source_path.resolve():
        raise UserError(f"{target}: is the live database itself")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=1024)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise UserError(f"the copy failed its integrity check: {check}")
            stories = copy.execute("SELECT count(*) FROM stories").fetchone()[0]
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            copy.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise UserError(f"could not back up {source_path}: {exc}") from exc
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size, int(stories), str(revision))
