"""The X ledger: one row per request infobot made to X, with its cost in micro-dollars
(integers, so sums are exact on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from infobot.domain.costs import XRequest
from infobot.store.models import XCharge

MICROS = Decimal(1_000_000)


def to_micros(amount: Decimal) -> int:
    return int((amount * MICROS).to_integral_value())


def from_micros(micros: int) -> Decimal:
    return Decimal(micros) / MICROS


def add(
    session: Session, at: datetime, kind: XRequest, units: int, status: int, cost: Decimal
) -> None:
    session.add(
        XCharge(at=at, kind=kind.value, units=units, status=status, cost_micros=to_micros(cost))
    )


def spent(session: Session, start: datetime, end: datetime) -> Decimal:
    """What the requests from ``start`` (included) to ``end`` (excluded) cost."""
    total = session.scalar(
        select(func.coalesce(func.sum(XCharge.cost_micros), 0)).where(
            XCharge.at >= start, XCharge.at < end
        )
    )
    return from_micros(int(total or 0))


def rows(
    session: Session, start: datetime | None = None, end: datetime | None = None
) -> list[tuple[datetime, XRequest, Decimal]]:
    """Every request in the period, oldest first: when, what, what it cost."""
    query = select(XCharge.at, XCharge.kind, XCharge.cost_micros).order_by(XCharge.id)
    if start is not None:
        query = query.where(XCharge.at >= start)
    if end is not None:
        query = query.where(XCharge.at < end)
    return [(at, XRequest(kind), from_micros(cost)) for at, kind, cost in session.execute(query)]


def by_month(
    session: Session, start: datetime | None = None, end: datetime | None = None
) -> list[tuple[int, int, XRequest, int, Decimal]]:
    """Requests in the period per billing month (UTC) and kind: year, month, kind, how many,
    what they cost; oldest first. (The sums are made by the database: a year is 8,000 rows.)"""
    year, month = extract("year", XCharge.at), extract("month", XCharge.at)
    query = (
        select(year, month, XCharge.kind, func.count(), func.sum(XCharge.cost_micros))
        .group_by(year, month, XCharge.kind)
        .order_by(year, month)
    )
    if start is not None:
        query = query.where(XCharge.at >= start)
    if end is not None:
        query = query.where(XCharge.at < end)
    return [
        (int(y), int(m), XRequest(kind), int(n), from_micros(int(cost or 0)))
        for y, m, kind, n, cost in session.execute(query)
    ]
