"""Heartbeats: one row per running daemon, proving its scheduler is alive."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm import Session

from infobot.domain.overdue import DaemonState as DaemonState
from infobot.store.models import Heartbeat

_BEAT = (
    update(Heartbeat)
    .where(Heartbeat.worker == bindparam("of_worker"))  # not a column's name (SQLAlchemy)
    .values(beat_at=bindparam("at"), state=bindparam("now_state"))
    .execution_options(synchronize_session=False)
)


def beat(
    session: Session, worker: str, pid: int, now: datetime, state: DaemonState = DaemonState.RUNNING
) -> None:
    """This worker's row says it is alive at ``now`` (added at its first beat). One UPDATE
    on every beat after the first: the daemon beats at every tick."""
    # built once (above); an UPDATE's result is a cursor's, with its row count
    found = session.execute(_BEAT, {"of_worker": worker, "at": now, "now_state": str(state)})
    if cast("CursorResult[Any]", found).rowcount == 0:
        session.add(Heartbeat(worker=worker, pid=pid, started_at=now, beat_at=now, state=state))


def latest(session: Session) -> Heartbeat | None:
    return session.scalar(select(Heartbeat).order_by(Heartbeat.beat_at.desc()).limit(1))
