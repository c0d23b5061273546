"""pytest fixtures for the throw-away PostgreSQL server.

Import them into a conftest (or a test module) with::

    from tests.support.pg_fixtures import postgres_server, postgres_url  # noqa: F401

``postgres_server`` starts one server per test session (skipping, with the reason,
when PostgreSQL is unavailable here); ``postgres_url`` gives every test its own
fresh, empty database on it.

The running server is shared process-wide with a reference count, so importing
these fixtures into several modules/conftests still starts only one server.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest

from tests.support.postgres import InitdbError, PostgresServer, skip_reason

__all__ = ["postgres_server", "postgres_url"]

_lock = threading.Lock()
_shared: PostgresServer | None = None
_users = 0
_db_counter = 0


def _acquire() -> PostgresServer:
    global _shared, _users
    with _lock:
        if _shared is None:
            server = PostgresServer()
            server.start()
            _shared = server
        _users += 1
        return _shared


def _release() -> None:
    global _shared, _users
    with _lock:
        _users -= 1
        if _users <= 0 and _shared is not None:
            _shared.stop()
            _shared = None
            _users = 0


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running throw-away PostgreSQL server, shared by the whole session."""
    reason = skip_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    try:
        server = _acquire()
    except InitdbError as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield server
    finally:
        _release()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    """SQLAlchemy URL of a brand-new empty database for this test."""
    global _db_counter
    with _lock:
        _db_counter += 1
        number = _db_counter
    slug = re.sub(r"[^a-z0-9_]+", "_", request.node.name.lower()).strip("_")
    return postgres_server.create_database(f"t{number}_{slug}"[:63])
