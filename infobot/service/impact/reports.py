"""The impact report and the first figures, read from the store for the CLI and the web.

The figures come from the store as typed rows and are handed to the pure report model
(:func:`infobot.service.report_model.build_report`), which owns every rule (periods,
totals, ranking, spend by month). A post's campaign date is its slot's day (the day it was
posted for), else the local date it was sent. Stories whose consent was withdrawn are left
out of the report altogether.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from infobot.clock import Clock
from infobot.domain.engagement import UNKNOWN, ThreadCounts
from infobot.service.report_model import (
    TOP,
    Growth,
    LedgerRow,
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


class ImpactReads:
    def __init__(self, db: Database, clock: Clock, campaign_id: int, tz: ZoneInfo) -> None:
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id
        self.tz = tz

    def report(
        self, start: date | None = None, end: date | None = None, *, top: int = TOP
    ) -> Report:
        """The report for campaign dates from ``start`` to ``end`` (both included)."""
        since = self._instant(start) - MARGIN if start else None
        until = self._instant(end + timedelta(days=1)) + MARGIN if end else None
        with self.db.read() as session:
            facts = engagement.posts(session, self.campaign_id, since, until)
            spend_from = datetime.combine(start, time(), UTC) if start else None
            spend_to = datetime.combine(end + timedelta(days=1), time(), UTC) if end else None
            ledger = [LedgerRow(*row) for row in xledger.rows(session, spend_from, spend_to)]
        rows = [self._row(f) for f in facts]
        return build_report(rows, (), ledger, start=start, end=end, top=top)

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
