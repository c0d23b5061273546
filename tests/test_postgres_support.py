"""Tests for the throw-away PostgreSQL test server (tests/support/postgres.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.support import pg_fixtures
from tests.support.postgres import PG_BIN_ENV, PostgresServer, find_pg_bin, skip_reason

# Make the fixtures available here even without a conftest importing them.  (If a
# conftest does too, both resolve to the same process-wide server.)
postgres_server = pg_fixtures.postgres_server
postgres_url = pg_fixtures.postgres_url

_DDL = "CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL UNIQUE)"


@pytest.mark.postgres
def test_unique_constraint_and_database_isolation(postgres_server: PostgresServer) -> None:
    url_a = postgres_server.create_database("support_a")
    url_b = postgres_server.create_database("support_b")
    assert url_a.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert url_a.endswith("/support_a")

    engine_a = sa.create_engine(url_a)
    engine_b = sa.create_engine(url_b)
    try:
        with engine_a.begin() as conn:
            conn.execute(sa.text(_DDL))
            conn.execute(sa.text("INSERT INTO item (name) VALUES ('alpha')"))

        with pytest.raises(IntegrityError), engine_a.begin() as conn:
            conn.execute(sa.text("INSERT INTO item (name) VALUES ('alpha')"))

        with engine_a.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM item")).scalar_one() == 1

        # Database B is separate: the table does not exist there ...
        assert not sa.inspect(engine_b).has_table("item")
        # ... and creating it there is independent of A.
        with engine_b.begin() as conn:
            conn.execute(sa.text(_DDL))
            conn.execute(sa.text("INSERT INTO item (name) VALUES ('alpha')"))
            assert conn.execute(sa.text("SELECT count(*) FROM item")).scalar_one() == 1
    finally:
        engine_a.dispose()
        engine_b.dispose()


@pytest.mark.postgres
def test_postgres_url_gives_a_fresh_empty_database(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar_one() == "postgres"
    finally:
        engine.dispose()


def test_create_database_rejects_unsafe_names() -> None:
    with pytest.raises(ValueError, match="must match"):
        PostgresServer(bindir=Path("/nonexistent")).create_database('x"; DROP')


def test_skip_reason_when_bin_dir_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PG_BIN_ENV, str(tmp_path))
    assert find_pg_bin() is None
    reason = skip_reason()
    assert isinstance(reason, str)
    assert str(tmp_path) in reason
    assert "initdb" in reason
