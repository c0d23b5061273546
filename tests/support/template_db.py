"""A migrated schema made once per test process and laid into each fresh SQLite file.

Most tests open a brand-new SQLite database, and opening it migrates it: eleven Alembic
revisions, about 0.2 s of CPU each time, paid by hundreds of tests. Here the migrations run
once, for real, into a template file; its schema (the ``CREATE`` statements as SQLite keeps
them) and its rows (``alembic_version``) are then replayed into every fresh, empty SQLite
database that asks for ``head``, in one ``BEGIN IMMEDIATE`` transaction, so two processes
opening the same new file at once still see either nothing or the whole schema.

What keeps this honest:
- the template is made by the real ``infobot.store.migrate.upgrade``, in this process, from
  the migrations of this tree; ``tests/test_template_db.py`` checks that a database made from
  it and one migrated by Alembic have the same ``sqlite_master`` and rows;
- only an *empty* SQLite file at revision ``head`` takes the shortcut: a database at an older
  revision, PostgreSQL, another target revision, and every ``infobot`` started as its own
  process (the container, the daemons, the web server) still run Alembic;
- tests marked ``real_migrations`` (``tests/test_migrations.py``) run Alembic every time.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infobot.store.db import Database

Upgrade = Callable[..., "str | None"]


@dataclass(frozen=True)
class Schema:
    statements: tuple[str, ...]  # CREATE TABLE / INDEX / TRIGGER / VIEW, in SQLite's order
    rows: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]  # (table, its rows)


_lock = threading.Lock()
_schema: Schema | None = None
_real: Upgrade | None = None
#: Off while a test marked ``real_migrations`` runs (the conftest switches it).
enabled = True


def read_schema(path: Path) -> Schema:
    """The schema and rows of the SQLite file at ``path`` (internal tables left out)."""
    with sqlite3.connect(path) as conn:
        found = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
        tables = [name for kind, name, _ in found if kind == "table"]
        rows = tuple(
            (name, tuple(conn.execute(f'SELECT * FROM "{name}"').fetchall())) for name in tables
        )
    conn.close()
    return Schema(tuple(sql for _, _, sql in found), tuple((t, r) for t, r in rows if r))


def _template(real: Upgrade) -> Schema:
    global _schema
    with _lock:
        if _schema is None:
            from infobot.store.db import Database

            folder = Path(tempfile.mkdtemp(prefix="infobot-template-db-"))
            path = folder / "template.db"
            db = Database(f"sqlite:///{path}")
            try:
                real(db)
            finally:
                db.dispose()
            _schema = read_schema(path)
            for leftover in folder.iterdir():
                leftover.unlink()
            folder.rmdir()
        return _schema


def _lay(db: Database, schema: Schema) -> bool:
    """Lay the schema into ``db`` if it is empty (one BEGIN IMMEDIATE transaction)."""
    with db.engine.begin() as conn:  # the engine's hook makes it BEGIN IMMEDIATE
        if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
            return False
        for statement in schema.statements:
            conn.exec_driver_sql(statement)
        for table, rows in schema.rows:
            marks = ", ".join("?" for _ in rows[0])
            conn.exec_driver_sql(f'INSERT INTO "{table}" VALUES ({marks})', list(rows))
    return True


def install() -> None:
    """Route ``infobot.store.migrate.upgrade`` (and so ``ensure_current``) through here."""
    global _real
    from infobot.store import migrate

    if _real is not None:
        return
    real: Upgrade = migrate.upgrade
    _real = real

    def upgrade(db: Database, revision: str = "head") -> str | None:
        database = db.engine.url.database or ""
        if (
            enabled
            and revision == "head"
            and db.is_sqlite
            and database not in ("", ":memory:")
            and not database.startswith("file:")
            and _lay(db, _template(real))
        ):
            return None  # it was empty, as Alembic would have said
        return real(db, revision)

    migrate.upgrade = upgrade
