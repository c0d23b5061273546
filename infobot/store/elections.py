"""A campaign's pre-election periods and the essential marks of its stories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from infobot.domain.election import ElectionPeriod
from infobot.store import events
from infobot.store.db import Database
from infobot.store.models import Campaign, ElectionPeriodRow, Story
from infobot.store.stories import QUEUE_ORDER, approved_pinned_filter, queue_filter

#: Where a period came from: the team (CLI, web) or the settings (INFOBOT_ELECTION_PERIODS).
TEAM, SETTINGS = "team", "settings"


#: Read at every tick of the daemon: built once, the campaign bound at each call.
_ROWS = (
    select(ElectionPeriodRow)
    .where(ElectionPeriodRow.campaign_id == bindparam("campaign_id"))
    .order_by(ElectionPeriodRow.first_day, ElectionPeriodRow.last_day)
)


def rows(session: Session, campaign_id: int) -> list[ElectionPeriodRow]:
    """The campaign's periods, soonest first."""
    return list(session.scalars(_ROWS, {"campaign_id": campaign_id}))


def periods(session: Session, campaign_id: int) -> tuple[ElectionPeriod, ...]:
    return tuple(period_of(row) for row in rows(session, campaign_id))


def period_of(row: ElectionPeriodRow) -> ElectionPeriod:
    return ElectionPeriod(row.first_day, row.last_day, row.reason)


def find(
    session: Session, campaign_id: int, first: date, last: date | None = None
) -> ElectionPeriodRow | None:
    """The period starting on ``first`` (and ending on ``last``, when given)."""
    stmt = select(ElectionPeriodRow).where(
        ElectionPeriodRow.campaign_id == campaign_id, ElectionPeriodRow.first_day == first
    )
    if last is not None:
        stmt = stmt.where(ElectionPeriodRow.last_day == last)
    return session.scalars(stmt.order_by(ElectionPeriodRow.last_day)).first()


def add(
    session: Session,
    campaign_id: int,
    period: ElectionPeriod,
    *,
    actor: str,
    now: datetime,
    source: str = TEAM,
) -> ElectionPeriodRow:
    row = ElectionPeriodRow(
        campaign_id=campaign_id,
        first_day=period.start,
        last_day=period.end,
        reason=period.reason,
        source=source,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    return row


def from_settings(session: Session, campaign_id: int) -> Sequence[ElectionPeriodRow]:
    return [row for row in rows(session, campaign_id) if row.source == SETTINGS]


# -- essential stories ---------------------------------------------------------------------
def essential_queue(
    session: Session, campaign_id: int, languages: Sequence[str] = (), limit: int | None = None
) -> Sequence[Story]:
    """Approved stories marked essential, in queue order (not pinned)."""
    return session.scalars(
        select(Story)
        .where(queue_filter(campaign_id, languages), Story.essential_reason != "")
        .order_by(*QUEUE_ORDER)
        .limit(limit)
    ).all()


def essential_for(
    session: Session, campaign_id: int, day: date, languages: Sequence[str] = ()
) -> Story | None:
    """The story a day inside a pre-election period posts: an essential story pinned to
    it, else the first essential story in the queue; None when there is neither."""
    pinned = session.scalar(
        select(Story).where(
            approved_pinned_filter(campaign_id, languages),
            Story.pin_date == day,
            Story.essential_reason != "",
        )
    )
    if pinned is not None:
        return pinned
    found = essential_queue(session, campaign_id, languages, limit=1)
    return found[0] if found else None


def sync_all(db: Database, wanted: Sequence[ElectionPeriod], now: datetime) -> None:
    """Make every campaign's periods that come from the settings (``INFOBOT_ELECTION_PERIODS``)
    match them: a pre-election period stops all of a public body's publicity, not one
    campaign's. One read finds the campaigns whose periods differ; only those are written.
    The team's own periods are left alone (one the team already has is kept as theirs)."""
    want = {(p.start, p.end): p.reason for p in wanted}
    with db.read() as session:
        ids = list(session.scalars(select(Campaign.id).order_by(Campaign.id)))
        have: dict[int, dict[tuple[date, date], str]] = {cid: {} for cid in ids}
        theirs: dict[int, set[tuple[date, date]]] = {cid: set() for cid in ids}
        for row in session.scalars(select(ElectionPeriodRow)):
            key = (row.first_day, row.last_day)
            if row.source == SETTINGS:
                have[row.campaign_id][key] = row.reason
            else:
                theirs[row.campaign_id].add(key)
    for campaign_id in ids:
        mine = {key: reason for key, reason in want.items() if key not in theirs[campaign_id]}
        if have[campaign_id] != mine:
            _apply(db, campaign_id, wanted, now)


def give_new_campaign(
    session: Session, campaign_id: int, wanted: Sequence[ElectionPeriod], now: datetime
) -> None:
    """A campaign made while infobot runs gets the settings' periods at once, in the
    transaction that makes it."""
    if not wanted:
        return
    for period in wanted:
        add(session, campaign_id, period, actor="settings", now=now, source=SETTINGS)
    _record(session, campaign_id, now, removed=[], added=[_text(p) for p in wanted])


def _apply(db: Database, campaign_id: int, wanted: Sequence[ElectionPeriod], now: datetime) -> None:
    want = {(p.start, p.end): p for p in wanted}
    with db.write() as session:
        current = {(r.first_day, r.last_day): r for r in rows(session, campaign_id)}
        removed, added = [], []
        for key, row in current.items():
            if row.source == SETTINGS and (key not in want or want[key].reason != row.reason):
                session.delete(row)
                removed.append(_text(period_of(row)))
        session.flush()
        for key, period in want.items():
            existing = current.get(key)
            if existing is None or (
                existing.source == SETTINGS and existing.reason != period.reason
            ):
                add(session, campaign_id, period, actor="settings", now=now, source=SETTINGS)
                added.append(_text(period))
        _record(session, campaign_id, now, removed=removed, added=added)


def _record(
    session: Session, campaign_id: int, now: datetime, *, removed: list[str], added: list[str]
) -> None:
    events.record(
        session,
        at=now,
        actor="settings",
        action="election.configured",
        campaign_id=campaign_id,
        before={"periods": removed} if removed else None,
        after={"periods": added},
        message="pre-election periods from the settings (INFOBOT_ELECTION_PERIODS)",
    )


def _text(period: ElectionPeriod) -> str:
    return f"{period.start.isoformat()}..{period.end.isoformat()} {period.reason}"
