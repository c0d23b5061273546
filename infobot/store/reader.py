"""The read interface: SQL over the DB-API driver, one text for SQLite and PostgreSQL.

The read side's queries (:mod:`infobot.store.queries`) are plain SQL with ``:name``
parameters, run by a :class:`Reader` inside one read transaction. A reader wraps a DB-API
connection (``sqlite3`` or ``psycopg``), so it works the same inside the full application,
where SQLAlchemy's engine hands over its pooled connection (``Database.reader``), and on the
lean path of the everyday commands, which opens the driver itself (:func:`connect`) and
never imports SQLAlchemy.

Values cross the boundary in one shape: parameters may be ``date``, aware ``datetime``
(sent as naive UTC, as the columns store them), enums (sent as their value), ``bool``,
``int`` and ``str``; results are converted by the row types in :mod:`infobot.store.rows`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

BUSY_TIMEOUT_SECONDS = 30.0
_NAME = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_PYFORMAT: dict[str, str] = {}


def pyformat(sql: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s`` (and a literal ``%`` doubled)."""
    found = _PYFORMAT.get(sql)
    if found is None:
        found = _PYFORMAT[sql] = _NAME.sub(r"%(\1)s", sql.replace("%", "%%"))
    return found


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        # SQLAlchemy's SQLite DateTime text: naive UTC with microseconds, so that text
        # comparisons in SQL order instants correctly
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _postgres_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def sql_value(dialect: str, value: Any) -> Any:
    """``value`` as a reader on ``dialect`` binds it (see the module)."""
    return _sqlite_value(value) if dialect == "sqlite" else _postgres_value(value)


class Reader:
    """Queries inside one read transaction the caller holds open."""

    def __init__(self, connection: Any, dialect: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"no reader for {dialect!r}")
        self.connection = connection
        self.dialect = dialect
        self._sqlite = dialect == "sqlite"

    def _run(self, sql: str, params: Mapping[str, Any]) -> Any:
        cursor = self.connection.cursor()
        if self._sqlite:
            cursor.execute(sql, {k: _sqlite_value(v) for k, v in params.items()})
        else:
            cursor.execute(pyformat(sql), {k: _postgres_value(v) for k, v in params.items()})
        return cursor

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        cursor = self._run(sql, params)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def row(self, sql: str, **params: Any) -> tuple[Any, ...] | None:
        cursor = self._run(sql, params)
        try:
            found = cursor.fetchone()
            return tuple(found) if found is not None else None
        finally:
            cursor.close()

    def scalar(self, sql: str, **params: Any) -> Any:
        found = self.row(sql, **params)
        return found[0] if found else None

    def execute(self, sql: str, **params: Any) -> int:
        """A write (inside :meth:`LeanSource.write` only); the rows it changed."""
        cursor = self._run(sql, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


def placeholders(prefix: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """``(:p0, :p1, ...)`` and its parameters, for ``IN`` lists (never empty: callers
    return early for no values)."""
    params = {f"{prefix}{n}": value for n, value in enumerate(values)}
    return "(" + ", ".join(":" + name for name in params) + ")", params


def page(limit: int | None, offset: int = 0) -> str:
    """A ``LIMIT``/``OFFSET`` clause (parameters ``limit`` and ``offset``) or nothing."""
    if limit is None:
        if offset:
            raise ValueError("an offset needs a limit")
        return ""
    return " LIMIT :limit OFFSET :offset"


#: Opens a read transaction and yields its reader (``Database.reader``, ``LeanSource.read``).
ReadSource = Callable[[], AbstractContextManager[Reader]]


# -- the lean path: the driver without SQLAlchemy ------------------------------------------
class Unsupported(Exception):
    """The lean path cannot serve this (the caller takes the full path instead)."""


def sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///PATH`` URL, as SQLAlchemy reads it; None for any
    other form (memory, URI filenames, query options, escapes, ``~``)."""
    for scheme in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(scheme):
            path = url[len(scheme) :]
            if not path or path == ":memory:" or path.startswith(("file:", "~")):
                return None
            if any(ch in path for ch in "?%#"):
                return None
            return path
    return None


def postgres_arguments(url: str) -> dict[str, str] | None:
    """psycopg's keyword arguments for a ``postgresql://`` URL, as SQLAlchemy's psycopg
    dialect builds them; None for anything unusual."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    for scheme in ("postgresql://", "postgresql+psycopg://"):
        if url.startswith(scheme):
            break
    else:
        return None
    try:
        parts = urlsplit("postgresql://" + url[len(scheme) :])
        port = parts.port
    except ValueError:
        return None
    if parts.fragment or "," in (parts.netloc or "") or "%" in parts.path:
        return None
    arguments: dict[str, str] = {}
    if parts.username:
        arguments["user"] = unquote(parts.username)
    if parts.password is not None:
        arguments["password"] = unquote(parts.password)
    if parts.hostname:
        if "%" in parts.hostname:
            return None
        arguments["host"] = parts.hostname
    if port is not None:
        arguments["port"] = str(port)
    database = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if database:
        arguments["dbname"] = database
    for key, value in parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False):
        if key in arguments or key in ("dbname",):
            return None
        arguments[key] = value
    return arguments


class LeanSource:
    """One DB-API connection for a short command; each :meth:`read` is one transaction."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect

    @contextmanager
    def read(self) -> Iterator[Reader]:
        if self.dialect == "sqlite":
            self.connection.execute("BEGIN")
            try:
                yield Reader(self.connection, "sqlite")
            finally:
                self.connection.execute("COMMIT")
        else:
            try:
                yield Reader(self.connection, "postgresql")
            finally:
                self.connection.rollback()

    @contextmanager
    def write(self) -> Iterator[Reader]:
        """One write transaction: committed when the block ends, rolled back if it raises
        (SQLite takes the write lock at once, as the full application's writes do)."""
        if self.dialect == "sqlite":
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield Reader(self.connection, "sqlite")
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        else:
            try:
                yield Reader(self.connection, "postgresql")
            except BaseException:
                self.connection.rollback()
                raise
            self.connection.commit()

    def reader(self) -> AbstractContextManager[Reader]:
        """:meth:`read` (by the name ``Database`` gives it)."""
        return self.read()

    @contextmanager
    def bulk_writer(self) -> Iterator[Reader]:
        """:meth:`write` for a bulk insert whose rows refer only to rows that exist or
        that it adds itself (``Database.bulk_writer``): this connection does not check
        foreign keys row by row (SQLite's default, set here all the same)."""
        if self.dialect == "sqlite":
            self.connection.execute("PRAGMA foreign_keys=OFF")
        with self.write() as r:
            yield r

    def close(self) -> None:
        self.connection.close()


def connect(url: str) -> LeanSource:
    """Open the database at ``url`` for reading; :class:`Unsupported` when the lean path
    cannot (a URL form it does not know, a file that does not exist yet)."""
    path = sqlite_path(url)
    if path is not None:
        import sqlite3
        from urllib.parse import quote

        try:
            connection = sqlite3.connect(
                f"file:{quote(path)}?mode=rw",
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_SECONDS,
                check_same_thread=False,
            )
        except sqlite3.OperationalError as exc:  # no such file yet: the full path creates it
            raise Unsupported(str(exc)) from None
        connection.execute("PRAGMA synchronous=NORMAL")  # as the full application's (WAL)
        return LeanSource(connection, "sqlite")
    arguments = postgres_arguments(url)
    if arguments is not None:
        import psycopg
        from psycopg.conninfo import make_conninfo

        return LeanSource(psycopg.connect(make_conninfo("", **arguments)), "postgresql")
    raise Unsupported("a database URL the lean path does not read")
