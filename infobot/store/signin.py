"""Counts of failed sign-ins (see :mod:`infobot.domain.accounts`), shared by every web
replica through the database.

:func:`locked` makes the rows it is asked for when they are missing and locks them for the
rest of the transaction (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
holds the only write lock), so two replicas counting the same failure at once both count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from infobot.store.models import SignInFailures

Key = tuple[str, str]  # (scope, key)


def _insert_missing(session: Session, keys: Sequence[Key], now: datetime) -> None:
    rows = [
        {"scope": scope, "key": key, "failures": 0, "last_at": now, "wait_until": None}
        for scope, key in keys
    ]
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(SignInFailures).values(rows).on_conflict_do_nothing()
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(SignInFailures).values(rows).on_conflict_do_nothing()
    else:  # pragma: no cover - infobot runs on SQLite and PostgreSQL only
        present = {(row.scope, row.key) for row in _select(session, keys)}
        for row in rows:
            if (row["scope"], row["key"]) not in present:
                session.add(SignInFailures(**row))
        session.flush()
        return
    session.execute(statement)


def _select(session: Session, keys: Sequence[Key], *, lock: bool = False) -> list[SignInFailures]:
    wanted = or_(*(and_(SignInFailures.scope == s, SignInFailures.key == k) for s, k in keys))
    query = select(SignInFailures).where(wanted).order_by(SignInFailures.id)
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def locked(session: Session, keys: Sequence[Key], now: datetime) -> dict[Key, SignInFailures]:
    """The rows for ``keys`` (made with no failures when missing), locked until commit."""
    ordered = sorted(set(keys))  # one order everywhere: no deadlock between replicas
    _insert_missing(session, ordered, now)
    return {(row.scope, row.key): row for row in _select(session, ordered, lock=True)}


def clear(session: Session, keys: Sequence[Key]) -> None:
    wanted = or_(*(and_(SignInFailures.scope == s, SignInFailures.key == k) for s, k in keys))
    session.execute(delete(SignInFailures).where(wanted))


def prune(session: Session, quiet_since: datetime, now: datetime) -> None:
    """Forget counts with no failure since ``quiet_since`` and no wait still running."""
    session.execute(
        delete(SignInFailures).where(
            SignInFailures.last_at < quiet_since,
            or_(SignInFailures.wait_until.is_(None), SignInFailures.wait_until <= now),
        )
    )
