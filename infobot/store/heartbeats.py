"""Heartbeats: one row per running daemon, proving its scheduler is alive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infobot.domain.overdue import DaemonState as DaemonState
from infobot.store.models import Heartbeat


def beat(
    session: Session, worker: str, pid: int, now: datetime, state: DaemonState = DaemonState.RUNNING
) -> None:
    row = session.scalar(select(Heartbeat).where(Heartbeat.worker == worker))
    if row is None:
        session.add(Heartbeat(worker=worker, pid=pid, started_at=now, beat_at=now, state=state))
    else:
        row.beat_at = now
        row.state = state


def first_started(session: Session) -> datetime | None:
    """When the first daemon ever started against this database."""
    return session.scalar(select(func.min(Heartbeat.started_at)))


def latest(session: Session) -> Heartbeat | None:
    return session.scalar(select(Heartbeat).order_by(Heartbeat.beat_at.desc()).limit(1))


def latest_beat_at(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Heartbeat.beat_at)))
