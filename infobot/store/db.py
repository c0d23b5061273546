"""Engine set-up: SQLite in WAL mode with BEGIN IMMEDIATE writes, or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from infobot.store.reader import Reader

BUSY_TIMEOUT_MS = 30_000
#: The page size of a new SQLite database (one already made keeps its own). Stories are
#: about a kilobyte each: 16 KiB pages hold sixteen, so an import writes a quarter of the
#: pages, frames and checkpoint copies that 4 KiB pages cost (100,000 stories: 2.49 ->
#: 2.22 s of CPU), and a list or a scan reads fewer pages.
PAGE_SIZE = 16384
READ_ONLY = "infobot_read_only"
#: Connections a SQLite database keeps open. The web page reads from many threads at once
#: (20 busy clients: about 20 reads); past the pool, every read opened a new connection
#: (and set its pragmas) and closed it again. A kept SQLite connection is a file handle
#: and its page cache, which grows only as pages are read.
SQLITE_POOL = 20


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        pool: dict[str, Any] = {}
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": SQLITE_POOL, "max_overflow": SQLITE_POOL}
        engine = create_engine(
            parsed,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **pool,
        )
        _install_sqlite_hooks(engine)
        return engine
    from infobot.store.models import add_postgresql_where

    add_postgresql_where()  # the partial indexes' conditions (see models.partial_index)
    if parsed.drivername == "postgresql":  # prefer psycopg 3, which we depend on
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # no effect once it has tables
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA cache_size=-32768")  # 32 MiB: big imports touch many pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine and hands out sessions: ``write()`` for changes, ``read()`` for views."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One all-or-nothing transaction (BEGIN IMMEDIATE on SQLite)."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def bulk_write(self) -> Iterator[Session]:
        """:meth:`write` for a bulk insert whose rows refer only to rows that exist (locked
        by the transaction) or that it adds itself: on SQLite, foreign keys are not checked
        row by row meanwhile (the pragma takes effect outside a transaction only, so it is
        set before BEGIN and put back after the end). Anywhere else, :meth:`write`."""
        if not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with self._writer(bind=conn) as session, session.begin():
                    yield session
            finally:
                raw.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def bulk_writer(self) -> Iterator[Reader]:
        """:meth:`bulk_write` for SQL over the driver (``infobot.store.imports``): a reader
        on the write transaction's own connection."""
        with self.bulk_write() as session:
            yield reader_of(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """One read transaction for the read side's SQL queries (``infobot.store.queries``),
        on a pooled connection of this engine."""
        with self.read() as session:
            yield reader_of(session)

    def dispose(self) -> None:
        self.engine.dispose()


def reader_of(session: Session) -> Reader:
    """A reader inside the session's own transaction (its pending changes flushed first),
    for code that holds a session and calls the read side's queries."""
    session.flush()
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    return Reader(dbapi, connection.dialect.name)
