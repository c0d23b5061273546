"""What the daemon's tick (``infobot.runtime.daemon``) acts on, and what the supervisor of
``infobot run`` (``infobot.runtime.supervisor``) reads and writes between its workers: the
heartbeat, and the facts that say whether a tick has work to do."""

from __future__ import annotations

from datetime import date, datetime

from infobot.domain.delivery import OPEN
from infobot.domain.overdue import DaemonState
from infobot.domain.story import StoryStatus
from infobot.store.queries import literal, literals
from infobot.store.reader import Reader
from infobot.store.rows import as_date, as_day, as_utc


def beat(w: Reader, worker: str, pid: int, now: datetime, state: DaemonState) -> None:
    """This worker's row says it is alive at ``now`` (added at its first beat), inside
    :meth:`~infobot.store.reader.LeanSource.write` (``infobot.store.heartbeats.beat``)."""
    changed = w.execute(
        "UPDATE heartbeats SET beat_at = :at, state = :state WHERE worker = :worker",
        at=now,
        state=state,
        worker=worker,
    )
    if changed == 0:
        w.execute(
            "INSERT INTO heartbeats (worker, pid, started_at, beat_at, state)"
            " VALUES (:worker, :pid, :at, :at, :state)",
            worker=worker,
            pid=pid,
            at=now,
            state=state,
        )


def first_started(r: Reader) -> datetime | None:
    """When the first daemon ever started against this database."""
    return as_utc(r.scalar("SELECT min(started_at) FROM heartbeats"))


def taken_days(r: Reader, campaign_id: int, first: date, last: date) -> set[date]:
    """The days from ``first`` to ``last`` that have a slot."""
    rows = r.rows(
        "SELECT local_date FROM slots WHERE campaign_id = :cid"
        " AND local_date >= :first AND local_date <= :last",
        cid=campaign_id,
        first=first,
        last=last,
    )
    return {as_day(day) for (day,) in rows}


def open_deliveries(
    r: Reader, campaign_id: int
) -> list[tuple[int, int, str, datetime | None, date | None]]:
    """The campaign's open deliveries: id, story id, status, next attempt and its slot's
    day."""
    rows = r.rows(
        "SELECT d.id, d.story_id, d.status, d.next_attempt_at, sl.local_date FROM deliveries d"
        " JOIN stories s ON s.id = d.story_id LEFT JOIN slots sl ON sl.id = d.slot_id"
        f" WHERE s.campaign_id = :cid AND d.status IN {literals(OPEN)} ORDER BY d.id",
        cid=campaign_id,
    )
    return [
        (int(d_id), int(story_id), str(status), as_utc(next_at), as_date(day))
        for d_id, story_id, status, next_at, day in rows
    ]


def unsettled(r: Reader, campaign_id: int) -> list[int]:
    """Scheduled stories none of whose deliveries is still open: a crash came between the
    last result and the story's own status."""
    rows = r.rows(
        "SELECT s.id FROM stories s WHERE s.campaign_id = :cid"
        f" AND s.status = {literal(StoryStatus.SCHEDULED)}"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.story_id = s.id"
        f" AND d.status IN {literals(OPEN)}) ORDER BY s.id",
        cid=campaign_id,
    )
    return [int(story_id) for (story_id,) in rows]


def delivery_stats(r: Reader) -> list[tuple[str, str, int, int, datetime | None]]:
    """Per platform and status: how many, how many attempts, the latest sent time (the
    metrics' figures)."""
    rows = r.rows(
        "SELECT platform, status, count(*), coalesce(sum(attempts), 0), max(sent_at)"
        " FROM deliveries GROUP BY platform, status"
    )
    return [(str(p), str(s), int(n), int(tried), as_utc(sent)) for p, s, n, tried, sent in rows]
