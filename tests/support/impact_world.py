"""A campaign in accelerated time against the three local fakes, through the real SDKs.

``world(tmp_path, ...)`` starts the fake X, Mastodon and Bluesky servers, builds their
adapters on the test's :class:`~infobot.clock.FixedClock` (so rate-limit resets and the
counts' growth follow it), and opens the real App over a SQLite file with them. The test
moves the clock and ticks the daemon; nothing in infobot is patched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.platforms.base import Platform
from infobot.settings import load_settings
from infobot.store.models import EngagementPost
from tests.conftest import story_row, write_csv
from tests.harness_bluesky import BlueskyHarness, fake_pds
from tests.harness_mastodon import FakeMastodon, fake_mastodon
from tests.harness_mastodon import make_platform as mastodon_platform
from tests.harness_x import FakeX, XHarness
from tests.harness_x import make_harness as x_harness

MONDAY = date(2026, 11, 23)
START = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 08:00 in London (GMT), before the post


@dataclass
class World:
    app: App
    clock: FixedClock
    x: XHarness
    mastodon: FakeMastodon
    bluesky: BlueskyHarness
    tmp: Path

    @property
    def fake_x(self) -> FakeX:
        return self.x.fake

    def stories(self, count: int, **extra: str) -> list[int]:
        rows = [story_row(n, **extra) for n in range(1, count + 1)]
        report = self.app.importer().import_files(
            [write_csv(self.tmp / "s.csv", rows)], actor="sam"
        )
        self.app.editorial().approve(report.added_ids, actor="alex")
        return report.added_ids

    def tick(self, worker: str = "d1") -> list[str]:
        return self.app.daemon(worker).tick().actions

    def run_hourly(self, until: datetime, worker: str = "d1") -> None:
        daemon = self.app.daemon(worker)
        while self.clock.now() < until:
            self.clock.advance(timedelta(hours=1))
            daemon.tick()

    def run_until(self, until: datetime, worker: str = "d1") -> int:
        return run_until(self.app, self.clock, until, worker)


def run_until(app: App, clock: FixedClock, until: datetime, worker: str = "d1") -> int:
    """Tick at every moment something is due (a post time, a read), at least every 6 hours:
    what a daemon ticking every minute does, without the idle minutes."""
    daemon = app.daemon(worker)
    ticks = 0
    while clock.now() < until:
        clock.set(min(next_event(app, clock.now()), until))
        daemon.tick()
        ticks += 1
    return ticks


def next_event(app: App, now: datetime) -> datetime:
    schedule = app.schedule
    today = schedule.local_date(now)
    posts = [schedule.due_at(today + timedelta(days=n)) for n in (0, 1)]
    with app.db.read() as session:
        read = session.scalar(
            select(func.min(EngagementPost.next_read_at)).where(
                EngagementPost.state == "live", EngagementPost.next_read_at > now
            )
        )
    later = [t for t in (*posts, read) if t is not None and t > now]
    return min([*later, now + timedelta(hours=6)])


@contextmanager
def world(
    tmp_path: Path, *, platforms: str = "x,mastodon,bluesky", **settings: Any
) -> Iterator[World]:
    clock = FixedClock(START)
    with ExitStack() as stack:
        xh = stack.enter_context(x_harness(tmp_path, clock=clock, timeout=5.0))
        server = stack.enter_context(fake_mastodon())
        pds = stack.enter_context(fake_pds())
        bluesky = BlueskyHarness(pds, tmp_path)
        stack.callback(bluesky.close)
        bluesky.platform.close()
        sky = bluesky.make_platform(clock=clock, timeout=5.0)
        toot = mastodon_platform(server, clock=clock, timeout=5.0)
        stack.callback(toot.close)
        for fake in (xh.fake.engagement, server.fake.engagement, pds.engagement):
            fake.now = clock.now
        adapters: Mapping[str, Platform] = {"x": xh.platform, "mastodon": toot, "bluesky": sky}
        chosen = {name: adapters[name] for name in platforms.split(",")}
        config = load_settings(
            database_url=f"sqlite:///{tmp_path / 'impact.db'}", platforms=platforms, **settings
        )
        app = App.open(config, clock, platforms=chosen)
        stack.callback(app.close)
        yield World(app, clock, xh, server.fake, bluesky, tmp_path)
