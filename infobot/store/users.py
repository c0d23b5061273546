"""Queries on the team's accounts. Names are looked up by their key (see
:func:`infobot.domain.accounts.name_key`), never with SQL ``lower()``, which is ASCII-only
on SQLite."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infobot.store.models import User


def by_key(session: Session, key: str) -> User | None:
    return session.scalar(select(User).where(User.name_key == key))


def by_name(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def other_active_admins(session: Session, user_id: int) -> int:
    """How many enabled admins there are besides the account ``user_id``."""
    found = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.disabled.is_(False), User.id != user_id)
    )
    return int(found or 0)
