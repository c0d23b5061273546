"""The impact report and the first figures, read from the store for the CLI and the web.

The figures come from the store as typed rows and are handed to the pure report model
(:func:`infobot.service.report_model.build_report`), which owns every rule (periods,
totals, ranking, spend by month). A post's campaign date is its slot's day (the day it was
posted for), else the local date it was sent. Stories whose consent was withdrawn are left
out of the report altogether.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from infobot.clock import Clock
from infobot.domain.costs import BillingMonth, XRequest
from infobot.domain.engagement import UNKNOWN, ThreadCounts
from infobot.service.report_model import (
    TOP,
    Growth,
    MonthSpend,
    PostRow,
    Report,
    Snapshot,
    build_report,
)
from infobot.store import engagement, xledger
from infobot.store.db import Database
from infobot.store.engagement import PostFacts

#: Sending times are searched this far around the period (a slot's day and its sending
#: time differ by the time zone, or by a late post).
MARGIN = timedelta(days=2)
#: Reports kept for the web page (periods asked for lately).
KEPT = 8


class ImpactReads:
    def __init__(self, db: Database, clock: Clock, campaign_id: int, tz: ZoneInfo) -> None:
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id
        self.tz = tz
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[object, ...], Report] = OrderedDict()

    def report(
        self, start: date | None = None, end: date | None = None, *, top: int = TOP
    ) -> Report:
        """The report for campaign dates from ``start`` to ``end`` (both included). The
        last few are kept until anything they are made of changes (the web page asks for
        the same report again and again between two reads)."""
        since = self._instant(start) - MARGIN if start else None
        until = self._instant(end + timedelta(days=1)) + MARGIN if end else None
        spend_from = datetime.combine(start, time(), UTC) if start else None
        spend_to = datetime.combine(end + timedelta(days=1), time(), UTC) if end else None
        with self.db.read() as session:
            key = (start, end, top, *engagement.marker(session))
            with self._lock:
                kept = self._cache.get(key)
            if kept is not None:
                return kept
            facts = engagement.posts(session, self.campaign_id, since, until)
            months = xledger.by_month(session, spend_from, spend_to)
        rows = [self._row(f) for f in facts]
        report = replace(build_report(rows, start=start, end=end, top=top), spend=spend_of(months))
        with self._lock:
            self._cache[key] = report
            while len(self._cache) > KEPT:
                self._cache.popitem(last=False)
        return report

    def growth(self, story_id: int) -> tuple[Growth, ...]:
        """One story's counts over its first week, per platform, from every read."""
        with self.db.read() as session:
            facts = engagement.posts(session, self.campaign_id, story_ids=[story_id])
            reads = engagement.snapshots(session, [f.delivery_id for f in facts])
        platform_of = {f.delivery_id: f.platform for f in facts}
        snaps = [
            Snapshot(story_id, platform_of[d_id], at, counts.total) for d_id, at, counts in reads
        ]
        report = build_report([self._row(f) for f in facts], snaps)
        return report.growth.get(story_id, ())

    def _instant(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.tz).astimezone(UTC)

    def _row(self, facts: PostFacts) -> PostRow:
        day = facts.day or facts.sent_at.astimezone(self.tz).date()
        return PostRow(
            story_id=facts.story_id,
            title=facts.title,
            storyteller=facts.storyteller,
            campaign_date=day,
            platform=facts.platform,
            counts=facts.counts or ThreadCounts(UNKNOWN),
            url=facts.url or None,
            state=facts.state,
            sent_at=facts.sent_at,
        )


def spend_of(rows: Sequence[tuple[int, int, XRequest, int, Decimal]]) -> tuple[MonthSpend, ...]:
    """X spend per billing month from the ledger's sums per month and kind (as
    :func:`infobot.service.report_model.spend_by_month` adds them from single rows)."""
    months: dict[tuple[int, int], tuple[int, dict[XRequest, Decimal]]] = {}
    for year, month, kind, count, cost in rows:
        requests, kinds = months.get((year, month), (0, {}))
        kinds[kind] = kinds.get(kind, Decimal(0)) + cost
        months[(year, month)] = (requests + count, kinds)
    return tuple(
        MonthSpend(
            BillingMonth(*key),
            requests,
            sum(kinds.values(), Decimal(0)),
            {k: kinds[k] for k in XRequest if k in kinds},
        )
        for key, (requests, kinds) in sorted(months.items())
    )
