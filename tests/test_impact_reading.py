"""The daemon's engagement reads on a real SQLite file, with scripted platforms that offer
a metrics read: bands and backoff, failures, 429s, deleted and withdrawn posts, and the
rule that posting comes first."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.engagement import Counts
from infobot.domain.errors import RateLimited, TransientError
from infobot.domain.impact import READ_MARGIN, read_window
from infobot.domain.schedule import PostingSchedule
from infobot.platforms.metrics_parse import MetricsPage
from infobot.settings import load_settings
from infobot.store import engagement
from infobot.store.models import Alert, Delivery, EngagementPost
from tests.conftest import story_row, write_csv
from tests.fake_platform import ScriptedPlatform
from tests.support.impact_world import run_until

LONDON = ZoneInfo("Europe/London")
MON = date(2026, 11, 23)
POSTED = datetime(2026, 11, 23, 9, tzinfo=UTC)


@dataclass
class Counting(ScriptedPlatform):
    """A scripted platform that offers the engagement read: ``reads`` scripts each call
    ("ok", "rate_limited", "transient", "gone", "none"); counts grow by one like per read
    unless ``still``."""

    reads: list[str] = field(default_factory=list)
    asked: list[list[str]] = field(default_factory=list)
    still: bool = False
    metrics_batch: int = 100
    retry_in: timedelta = timedelta(minutes=30)
    clock: FixedClock | None = None

    def metrics(self, remote_ids: list[str], *, recent: int | None = None) -> MetricsPage:  # type: ignore[override]
        self.asked.append(list(remote_ids))
        action = self.reads.pop(0) if self.reads else "ok"
        if action == "rate_limited":
            assert self.clock is not None
            raise RateLimited(
                "slow down", retry_at=self.clock.now() + self.retry_in, platform=self.name
            )
        if action == "transient":
            raise TransientError("the server said 503", platform=self.name)
        if action == "gone":
            return MetricsPage({}, frozenset(remote_ids), frozenset(remote_ids))
        likes = 5 if self.still else len(self.asked)
        counts = {i: Counts(likes=likes, reposts=1) for i in remote_ids}
        return MetricsPage(counts, frozenset(), frozenset(remote_ids))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'r.db'}",
        platforms="alpha,beta",
        campaign_end=MON + timedelta(days=3),
    )
    clock = FixedClock(datetime(2026, 11, 23, 8, tzinfo=UTC))
    fakes = {name: Counting(name, clock=clock) for name in ("alpha", "beta")}
    application = App.open(settings, clock, platforms=fakes)
    yield application
    application.close()


def clock(app: App) -> FixedClock:
    assert isinstance(app.clock, FixedClock)
    return app.clock


def fake(app: App, name: str) -> Counting:
    platform = app.platforms.get(name)
    assert isinstance(platform, Counting)
    return platform


def post_one(app: App, tmp_path: Path) -> int:
    rows = [story_row(1)]
    added = (
        app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam").added_ids
    )
    app.editorial().approve(added, actor="alex")
    clock(app).set(POSTED)
    app.daemon("d").tick()
    return added[0]


def reads(app: App, platform: str) -> list[float]:
    with app.db.read() as session:
        delivery = session.scalars(select(Delivery).where(Delivery.platform == platform)).one()
        assert delivery.sent_at is not None
        return [
            (t - delivery.sent_at) / timedelta(hours=1)
            for t in engagement.reads_of(session, delivery.id)
        ]


def schedule_of(app: App, platform: str) -> EngagementPost:
    with app.db.read() as session:
        return session.scalars(
            select(EngagementPost).where(EngagementPost.platform == platform)
        ).one()


def alerts(app: App) -> list[str]:
    with app.db.read() as session:
        return [a.kind for a in session.scalars(select(Alert).order_by(Alert.id))]


def run(app: App, hours: int, step: timedelta = timedelta(minutes=30)) -> None:
    daemon = app.daemon("d")
    end = clock(app).now() + timedelta(hours=hours)
    while clock(app).now() < end:
        clock(app).advance(step)
        daemon.tick()


def test_unchanged_counts_double_the_interval(app: App, tmp_path: Path) -> None:
    fake(app, "alpha").still = True
    post_one(app, tmp_path)
    run_until(app, clock(app), POSTED + timedelta(days=31))
    # each unchanged read doubles its band's interval, up to 8 times: 1 h, 2 h, 4 h, then
    # 8 h (3 h band), 24 h x8, 24 h x8, then the once read at 30 days
    assert reads(app, "alpha") == [1, 2, 4, 8, 32, 128, 320, 720]
    assert len(reads(app, "beta")) == 21  # counts that change: every band time


def test_a_failing_read_is_retried_at_the_next_band_without_an_alert(
    app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    post_one(app, tmp_path)
    fake(app, "alpha").reads = ["transient", "transient", "transient"]
    with caplog.at_level(logging.WARNING, logger="infobot.engagement"):
        run(app, 5, step=timedelta(hours=1))
    assert reads(app, "alpha") == [4, 5]  # 1, 2, 3 h failed: read again an hour later each
    assert reads(app, "beta") == [1, 2, 3, 4, 5]
    assert schedule_of(app, "alpha").failures == 0
    assert [a for a in alerts(app) if a != "runway"] == []
    failed = [r for r in caplog.records if "could not read the counts" in r.getMessage()]
    assert len(failed) == 3  # one line per failed round, not per post


def test_a_429_pushes_back_that_platforms_reads_only(app: App, tmp_path: Path) -> None:
    post_one(app, tmp_path)
    fake(app, "alpha").reads = ["rate_limited"]
    clock(app).set(POSTED + timedelta(hours=1))
    app.daemon("d").tick()
    assert schedule_of(app, "alpha").next_read_at == POSTED + timedelta(hours=1, minutes=30)
    assert reads(app, "beta") == [1]
    run(app, 2, step=timedelta(minutes=30))
    assert reads(app, "alpha") == [1.5, 2.5]


def test_a_post_deleted_on_the_platform_is_alerted_once_and_no_longer_read(
    app: App, tmp_path: Path
) -> None:
    story = post_one(app, tmp_path)
    fake(app, "alpha").reads = ["ok", "gone"]
    run(app, 6, step=timedelta(hours=1))
    assert reads(app, "alpha") == [1]
    post = schedule_of(app, "alpha")
    assert post.state == "gone" and post.next_read_at is None
    assert alerts(app).count("post_gone") == 1
    with app.db.read() as session:
        message = session.scalars(select(Alert.message).where(Alert.kind == "post_gone")).one()
    assert f"Story #{story}'s post on alpha was deleted on alpha, not by infobot" in message
    report = app.impact.report()
    assert report.stories[0].cells["alpha"].state.value == "gone"
    assert report.stories[0].cells["alpha"].counts.first.likes == 1  # as last read


def test_a_withdrawn_story_stops_being_read(app: App, tmp_path: Path) -> None:
    story = post_one(app, tmp_path)
    run(app, 2, step=timedelta(hours=1))
    app.editorial().withdraw(story, reason="Consent withdrawn", actor="alex")
    run(app, 5, step=timedelta(hours=1))
    assert reads(app, "alpha") == [1, 2]
    assert {schedule_of(app, n).state for n in ("alpha", "beta")} == {"withdrawn"}
    assert app.impact.report().empty  # a withdrawn story is not reported


def test_a_platform_without_a_read_is_not_read(app: App, tmp_path: Path) -> None:
    plain = ScriptedPlatform("alpha")
    app.platforms.add("alpha", plain)
    post_one(app, tmp_path)
    run(app, 3, step=timedelta(hours=1))
    assert schedule_of(app, "alpha").next_read_at is None
    assert reads(app, "alpha") == [] and reads(app, "beta") == [1, 2, 3]


def test_reads_can_be_turned_off(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'r.db'}", platforms="alpha", engagement_reads=False
    )
    clock_ = FixedClock(datetime(2026, 11, 23, 8, tzinfo=UTC))
    counting = Counting("alpha", clock=clock_)
    application = App.open(settings, clock_, platforms={"alpha": counting})
    try:
        post_one(application, tmp_path)
        run(application, 3)
        assert counting.asked == []
    finally:
        application.close()


# -- posting comes first --------------------------------------------------------------------


def test_read_window_keeps_clear_of_the_post() -> None:
    schedule = PostingSchedule(LONDON, datetime(2026, 1, 1, 9).time(), timedelta(hours=6))
    calendar = CampaignCalendar(weekdays=frozenset(range(7)))
    due = datetime(2026, 11, 23, 9, tzinfo=UTC)
    tomorrow = due + timedelta(days=1) - READ_MARGIN
    assert read_window(schedule, calendar, due - timedelta(hours=1), today_taken=False) == (
        due - READ_MARGIN
    )
    assert read_window(schedule, calendar, due - timedelta(minutes=1), today_taken=False) is None
    assert read_window(schedule, calendar, due, today_taken=False) is None  # post first
    assert read_window(schedule, calendar, due, today_taken=True) == tomorrow


def test_a_read_due_at_post_time_waits_for_the_post(app: App, tmp_path: Path) -> None:
    post_one(app, tmp_path)
    rows = [story_row(2)]
    added = (
        app.importer().import_files([write_csv(tmp_path / "t.csv", rows)], actor="sam").added_ids
    )
    app.editorial().approve(added, actor="alex")
    # The day-1 post's reads are due every few hours; at 08:59 the next day nothing is read.
    clock(app).set(POSTED + timedelta(days=1) - timedelta(minutes=1))
    before = len(fake(app, "alpha").asked)
    app.daemon("d").tick()
    assert len(fake(app, "alpha").asked) == before
    clock(app).set(POSTED + timedelta(days=1))
    actions = app.daemon("d").tick().actions
    assert actions.index("2026-11-24: posting story #2") < next(
        n for n, a in enumerate(actions) if a.startswith("engagement:")
    )


def test_a_run_stops_when_its_time_is_up(app: App, tmp_path: Path) -> None:
    for n in range(3):
        rows = [story_row(10 + n)]
        added = (
            app.importer()
            .import_files([write_csv(tmp_path / f"{n}.csv", rows)], actor="s")
            .added_ids
        )
        app.editorial().approve(added, actor="alex")
        clock(app).set(POSTED + timedelta(days=n))
        app.daemon("d").tick()
    fake(app, "alpha").metrics_batch = 1
    ticks = iter([0.0, 0.0, 100.0])
    reader = app.engagement()
    reader.platforms.get("beta").reads = ["rate_limited"] * 5  # type: ignore[attr-defined]
    reader.monotonic = lambda: next(ticks, 100.0)
    reader.run_seconds = 10
    clock(app).set(POSTED + timedelta(days=3))
    report = reader.run()
    assert report.read == 1  # one batch, then out of time: the rest are due next time
    with app.db.read() as session:
        assert len(engagement.due(session, clock(app).now())) >= 2
