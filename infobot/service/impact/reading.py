"""Engagement read back: the public counts of every live post, on a schedule by its age.

One :meth:`EngagementReader.run` (the daemon calls it after the day's posting work):

1. every delivery that went out gets a read schedule (its first read one band after it was
   sent); deliveries infobot deleted, and withdrawn stories, stop being read;
2. the posts whose next read has come are read, per platform, in the platform's batches
   (:class:`~infobot.platforms.base.ReadsMetrics`), until ``deadline`` (the next post time
   minus a margin, see :func:`infobot.domain.impact.read_window`) or the run's time is up;
3. each read is a snapshot row, and the post's next read follows the bands
   (:func:`infobot.domain.engagement.next_read`: unchanged counts double the interval);
4. what goes wrong stays small: a platform's 429 moves that platform's due reads to its
   reset time (no other platform waits); any other failure is logged once per platform and
   the posts are read again at their next band; a post the platform says is gone is marked
   so, stops being read and is returned for one alert; X reads stop when the month's budget,
   less what its planned posts will cost, would not cover them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from infobot.clock import Clock
from infobot.domain.costs import BillingMonth
from infobot.domain.engagement import (
    UNKNOWN,
    Bands,
    PostState,
    ThreadCounts,
    next_read,
    unchanged_streak,
)
from infobot.domain.errors import RateLimited
from infobot.platforms.base import ReadsMetrics, metrics_reader
from infobot.platforms.metrics_parse import MetricsPage
from infobot.service.impact.spending import X, XSpending
from infobot.service.pool import PlatformPool
from infobot.store import engagement, events
from infobot.store.db import Database
from infobot.store.engagement import DueRead

log = logging.getLogger("infobot.engagement")

#: Wall-clock seconds one run may spend reading (the daemon ticks every 60 s).
RUN_SECONDS = 30.0
#: The soonest a rate-limited platform is read again.
RATE_LIMIT_FLOOR = timedelta(minutes=1)
#: The most posts one run looks at (the rest are due at the next run).
MOST_PER_RUN = 50_000
#: The audit event of a post found deleted on its platform.
GONE = "delivery.gone"


@dataclass(frozen=True)
class GonePost:
    delivery_id: int
    story_id: int
    platform: str


@dataclass
class ReadReport:
    scheduled: int = 0
    read: int = 0
    failed: int = 0
    gone: list[GonePost] = field(default_factory=list)
    postponed: dict[str, datetime] = field(default_factory=dict)  # platform -> until
    skipped: dict[str, str] = field(default_factory=dict)  # platform -> why

    def lines(self) -> list[str]:
        parts = [f"engagement: {self.read} read"]
        if self.failed:
            parts.append(f"{self.failed} failed (read again at their next band)")
        for name, until in self.postponed.items():
            parts.append(f"{name} asked to wait until {until:%H:%M} UTC")
        parts.extend(f"{name} skipped: {why}" for name, why in self.skipped.items())
        parts.extend(f"{g.platform} post of story #{g.story_id} is gone" for g in self.gone)
        return ["; ".join(parts)] if self.read or len(parts) > 1 else []


class EngagementReader:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        platforms: PlatformPool,
        bands: Bands,
        *,
        spending: XSpending | None = None,
        reserve: Callable[[], Decimal] | None = None,
        run_seconds: float = RUN_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        campaign_id: int | None = None,
    ) -> None:
        self.campaign_id = campaign_id  # None: every campaign's posts
        self.db = db
        self.clock = clock
        self.platforms = platforms
        self.bands = bands
        self.spending = spending
        self.reserve = reserve or (lambda: Decimal(0))
        self.run_seconds = run_seconds
        self.monotonic = monotonic

    # -- one run ---------------------------------------------------------------------------
    def run(self, deadline: datetime | None = None) -> ReadReport:
        report = ReadReport()
        now = self.clock.now()
        report.scheduled = self.schedule(now)
        with self.db.read() as session:
            due = engagement.due(session, now, MOST_PER_RUN, self.campaign_id)
        by_platform: dict[str, list[DueRead]] = {}
        for post in due:
            by_platform.setdefault(post.platform, []).append(post)
        stop_at = self.monotonic() + self.run_seconds
        for name, posts in by_platform.items():
            self._platform(name, posts, report, deadline, stop_at)
        return report

    def schedule(self, now: datetime) -> int:
        """Give new deliveries a read schedule; stop reading deleted and withdrawn ones.
        (A read first: most ticks have nothing to change and take no write lock.)"""
        with self.db.read() as session:
            if not engagement.unscheduled(session, 1) and not engagement.withdrawn(session):
                return 0
        try:
            with self.db.write() as session:
                engagement.stop(session, engagement.withdrawn(session))
                new = engagement.unscheduled(session)
                engagement.schedule(session, new, [self._first_read(p.sent_at) for p in new])
        except IntegrityError:  # another daemon scheduled them first
            return 0
        return len(new)

    def _first_read(self, sent_at: datetime) -> datetime:
        return next_read(sent_at, None, 0, sent_at, self.bands) or sent_at

    def _out_of_time(self, deadline: datetime | None, stop_at: float) -> bool:
        late = deadline is not None and self.clock.now() >= deadline
        return late or self.monotonic() >= stop_at

    def _platform(
        self,
        name: str,
        posts: list[DueRead],
        report: ReadReport,
        deadline: datetime | None,
        stop_at: float,
    ) -> None:
        try:
            reader = metrics_reader(self.platforms.get(name))
        except Exception as exc:  # the adapter cannot be built (settings): read it later
            self._failed(posts, f"cannot use {name}: {exc}", report, name)
            return
        if reader is None:
            self._save([self._stop(p) for p in posts], [])  # not offered: nothing to read
            return
        recent = self._recent(name, posts)
        done = 0
        for chunk in _chunks(posts, reader.metrics_batch):
            left = posts[done:]
            done += len(chunk)
            if self._out_of_time(deadline, stop_at):
                return  # still due: the next run reads them
            if not self._budget_allows(name, chunk, left, report):
                return
            try:
                page = self._read(reader, chunk, recent)
            except RateLimited as exc:
                now = self.clock.now()
                until = max(exc.retry_at or now, now + RATE_LIMIT_FLOOR)
                self._postpone(name, left, until, report)
                log.warning("%s: engagement reads wait until %s: %s", name, until.isoformat(), exc)
                return
            except Exception as exc:  # logged once; each post is read again at its next band
                self._failed(left, str(exc), report, name)
                return
            if page is None:
                self._save([self._stop(p) for p in chunk], [])
                continue
            self._apply(chunk, page, report)

    def _budget_allows(
        self, name: str, chunk: list[DueRead], left: list[DueRead], report: ReadReport
    ) -> bool:
        """X reads stop, until the next billing month, before any post would be refused."""
        if name != X or self.spending is None or self.spending.budget is None:
            return True
        wanted = sum(len(p.remote_ids) for p in chunk)
        decision = self.spending.check_read(wanted, self.reserve())
        if decision.allowed:
            return True
        self._postpone(name, left, BillingMonth.of(self.clock.now()).end, report)
        report.skipped[name] = decision.reason
        log.warning("%s", decision.reason)
        return False

    def _read(
        self, reader: ReadsMetrics, chunk: Sequence[DueRead], recent: int | None
    ) -> MetricsPage | None:
        ids = [remote_id for post in chunk for remote_id in post.remote_ids]
        return reader.metrics(ids, recent=recent)

    def _recent(self, name: str, posts: list[DueRead]) -> int | None:
        """How many of the account's own posts are at least as new as the oldest due one
        (the posts infobot sent; the account may hold more)."""
        if name != X or not posts:
            return None
        oldest = min(p.sent_at for p in posts)
        with self.db.read() as session:
            return engagement.parts_since(session, name, oldest)

    # -- outcomes --------------------------------------------------------------------------
    def _apply(self, chunk: Sequence[DueRead], page: MetricsPage, report: ReadReport) -> None:
        now = self.clock.now()
        changes: list[dict[str, Any]] = []
        snaps: list[dict[str, Any]] = []
        missing = 0
        for post in chunk:
            if any(remote_id in page.gone for remote_id in post.remote_ids):
                changes.append(
                    {"id": post.id, "state": PostState.GONE.value, "next_read_at": None}
                    | {"gone_at": now, "last_read_at": now}
                )
                report.gone.append(GonePost(post.delivery_id, post.story_id, post.platform))
                continue
            head = post.remote_ids[0] if post.remote_ids else ""
            if head not in page.counts:
                missing += 1
                changes.append(self._retry(post, now, "the platform did not answer for this post"))
                continue
            parts = [page.counts.get(remote_id, UNKNOWN) for remote_id in post.remote_ids]
            counts = ThreadCounts.of(parts)
            changes.append(self._read_ok(post, counts, now))
            snaps.append(
                {"delivery_id": post.delivery_id, "read_at": now} | engagement.count_values(counts)
            )
            report.read += 1
        report.failed += missing
        gone = [g for g in report.gone if g.delivery_id in {p.delivery_id for p in chunk}]
        self._save(changes, snaps, gone)

    def _read_ok(self, post: DueRead, counts: ThreadCounts, now: datetime) -> dict[str, Any]:
        before = post.counts.total if post.counts is not None else None
        unchanged = unchanged_streak(before, counts.total, post.unchanged)
        return {
            "id": post.id,
            "next_read_at": next_read(post.sent_at, now, unchanged, now, self.bands),
            "last_read_at": now,
            "read_at": now,
            "unchanged": unchanged,
            "failures": 0,
            "error": "",
            "reads": post.reads + 1,
            **engagement.count_values(counts),
        }

    def _retry(self, post: DueRead, now: datetime, error: str) -> dict[str, Any]:
        return {
            "id": post.id,
            "next_read_at": next_read(post.sent_at, now, post.unchanged, now, self.bands),
            "last_read_at": now,
            "failures": post.failures + 1,
            "error": error[:500],
        }

    def _stop(self, post: DueRead) -> dict[str, Any]:
        return {"id": post.id, "next_read_at": None}

    def _failed(self, posts: Sequence[DueRead], error: str, report: ReadReport, name: str) -> None:
        log.warning(
            "%s: could not read the counts of %d post%s (read again at their next band): %s",
            name,
            len(posts),
            "" if len(posts) == 1 else "s",
            error,
        )
        now = self.clock.now()
        self._save([self._retry(p, now, error) for p in posts], [])
        report.failed += len(posts)

    def _postpone(
        self, name: str, posts: Sequence[DueRead], until: datetime, report: ReadReport
    ) -> None:
        with self.db.write() as session:
            engagement.postpone(session, [p.id for p in posts], until)
        report.postponed[name] = until

    def _save(
        self,
        changes: list[dict[str, Any]],
        snaps: list[dict[str, Any]],
        gone: Sequence[GonePost] = (),
    ) -> None:
        if changes or snaps:
            with self.db.write() as session:
                engagement.save_reads(session, changes, snaps)
                for post in gone:  # in the audit trail too: the team did not do this
                    events.record(
                        session,
                        at=self.clock.now(),
                        actor="infobot",
                        action=GONE,
                        story_id=post.story_id,
                        delivery_id=post.delivery_id,
                        after={"platform": post.platform, "state": PostState.GONE.value},
                        message=f"{post.platform}: the post was deleted on the platform, "
                        "not by infobot; it is no longer read",
                    )


def _chunks(posts: Sequence[DueRead], size: int) -> Iterator[list[DueRead]]:
    """Posts in batches of at most ``size`` remote ids (a thread's parts stay together)."""
    chunk: list[DueRead] = []
    ids = 0
    for post in posts:
        n = max(len(post.remote_ids), 1)
        if chunk and ids + n > size:
            yield chunk
            chunk, ids = [], 0
        chunk.append(post)
        ids += n
    if chunk:
        yield chunk
