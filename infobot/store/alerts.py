"""Alerts raised: one row per distinct alert (a unique key), so each goes out once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from infobot.store.models import Alert


def was_raised(session: Session, key: str) -> bool:
    return session.scalar(select(Alert.id).where(Alert.key == key)) is not None


_RAISED = select(Alert.key).where(Alert.key.in_(bindparam("keys", expanding=True)))


def raised(session: Session, keys: Sequence[str]) -> set[str]:
    """Those of ``keys`` raised before (asked at every tick of the daemon: the statement
    is built once)."""
    return set(session.scalars(_RAISED, {"keys": list(keys)}))


def add(session: Session, key: str, kind: str, at: datetime, message: str) -> None:
    """Record the alert (the unique key refuses it when another process was first)."""
    session.add(Alert(key=key, kind=kind, at=at, message=message))
