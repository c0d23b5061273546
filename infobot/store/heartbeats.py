"""Heartbeats: one row per running daemon, proving its scheduler is alive."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from infobot.domain.overdue import DaemonState as DaemonState
from infobot.store.models import Heartbeat


def beat(
    session: Session, worker: str, pid: int, now: datetime, state: DaemonState = DaemonState.RUNNING
) -> None:
    """This worker's row says it is alive at ``now`` (added at its first beat). One UPDATE
    on every beat after the first: the daemon beats at every tick."""
    found = session.execute(  # an UPDATE's result is a cursor's (it has a row count)
        update(Heartbeat)
        .where(Heartbeat.worker == worker)
        .values(beat_at=now, state=str(state))
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", found).rowcount == 0:
        session.add(Heartbeat(worker=worker, pid=pid, started_at=now, beat_at=now, state=state))


def first_started(session: Session) -> datetime | None:
    """When the first daemon ever started against this database."""
    return session.scalar(select(func.min(Heartbeat.started_at)))


def latest(session: Session) -> Heartbeat | None:
    return session.scalar(select(Heartbeat).order_by(Heartbeat.beat_at.desc()).limit(1))


def latest_beat_at(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Heartbeat.beat_at)))
