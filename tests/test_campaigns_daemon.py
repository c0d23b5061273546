"""Campaigns side by side: the daemon posts for each at its own local time, once a day.

Two campaigns on one SQLite file: the one the settings make (09:00 in London, to alpha and
beta) and one the team makes (18:00 in New York, to beta only, its own hashtag). The
daemon's tick runs every hour of a simulated month across both daylight-saving changes
(London on 25 October, New York on 1 November 2026), the way ``infobot run`` ticks them:
the running campaigns are read afresh at each tick.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.campaign import CampaignField
from infobot.store.models import Alert, Delivery, Slot, Story
from tests.conftest import story_row, write_csv
from tests.fake_platform import ScriptedPlatform

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
FIRST = date(2026, 10, 15)
DAYS = 31  # to 14 November: both clock changes inside
EVENING = "evening-ny"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    from infobot.settings import load_settings

    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", platforms="alpha,beta")
    fakes = {name: ScriptedPlatform(name) for name in ("alpha", "beta")}
    start = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)  # the day before: nothing due
    application = App.open(settings, FixedClock(start), platforms=fakes)
    yield application
    application.close()


def approve_stories(app: App, tmp_path: Path, count: int, tag: str) -> None:
    rows = [story_row(f"{tag}-{n}") for n in range(1, count + 1)]
    report = app.importer().import_files([write_csv(tmp_path / f"{tag}.csv", rows)], actor="sam")
    app.editorial().approve(report.added_ids, actor="alex")


def fake(app: App, name: str) -> ScriptedPlatform:
    platform = app.platforms.get(name)
    assert isinstance(platform, ScriptedPlatform)
    return platform


def expected(day: date, zone: ZoneInfo, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@pytest.mark.slow
def test_two_campaigns_each_post_once_a_day_at_their_own_time_through_dst(
    app: App, tmp_path: Path
) -> None:
    app.campaign_admin().create(
        {
            CampaignField.NAME: EVENING,
            CampaignField.HASHTAG: "#eveningstory",
            CampaignField.TIMEZONE: "America/New_York",
            CampaignField.POST_TIME: "18:00",
            CampaignField.START: FIRST.isoformat(),
            CampaignField.PLATFORMS: ["beta"],
        },
        actor="ada",
    )
    evening = app.using(EVENING)
    approve_stories(app, tmp_path, DAYS, "london")
    approve_stories(evening, tmp_path, DAYS, "ny")
    clock = app.clock
    assert isinstance(clock, FixedClock)

    instant = datetime.combine(FIRST, time(0), tzinfo=UTC)
    end = datetime.combine(FIRST + timedelta(days=DAYS), time(6), tzinfo=UTC)
    ticks = 0
    while instant < end:
        clock.set(instant)
        for campaign in app.campaign_daemons("d1"):
            campaign.daemon.tick()
        ticks += 1
        instant += timedelta(hours=1)

    with app.db.read() as session:
        slots = session.scalars(select(Slot).order_by(Slot.campaign_id, Slot.local_date)).all()
        deliveries = session.execute(
            select(Story.campaign_id, Delivery.platform, Delivery.status).join(Story)
        ).all()
        alerts = [a.kind for a in session.scalars(select(Alert))]
    by_campaign: dict[int, list[Slot]] = {}
    for slot in slots:
        by_campaign.setdefault(slot.campaign_id, []).append(slot)
    days = [FIRST + timedelta(days=n) for n in range(DAYS)]
    for campaign_id, zone, at in (
        (app.campaign_id, LONDON, time(9)),
        (evening.campaign_id, NEW_YORK, time(18)),
    ):
        mine = by_campaign[campaign_id]
        assert [s.local_date for s in mine] == days  # one slot a day, none twice
        for slot in mine:
            due = expected(slot.local_date, zone, at)
            assert slot.status == "posted", slot.local_date
            assert slot.due_at == due, slot.local_date
            # claimed by the first tick at or after its own local time: an hour early or
            # late (a daylight-saving slip) would show here
            assert slot.claimed_at == due, (slot.local_date, slot.claimed_at, due)

    # the clock changes really were crossed: the UTC post instants moved by an hour
    london = {s.local_date: s.due_at for s in by_campaign[app.campaign_id]}
    ny = {s.local_date: s.due_at for s in by_campaign[evening.campaign_id]}
    assert london[date(2026, 10, 24)].hour == 8 and london[date(2026, 10, 26)].hour == 9
    assert ny[date(2026, 10, 31)].hour == 22 and ny[date(2026, 11, 2)].hour == 23

    sent = Counter((cid, platform) for cid, platform, status in deliveries if status == "sent")
    assert sent == {
        (app.campaign_id, "alpha"): DAYS,
        (app.campaign_id, "beta"): DAYS,
        (evening.campaign_id, "beta"): DAYS,
    }
    assert len(deliveries) == 3 * DAYS
    alpha, beta = fake(app, "alpha").posts, fake(app, "beta").posts
    assert len(alpha) == DAYS and len(beta) == 2 * DAYS
    assert all("#infostory" in p.text and "#eveningstory" not in p.text for p in alpha)
    assert sum("#eveningstory" in p.text for p in beta) == DAYS
    assert not [kind for kind in alerts if kind in ("missed_day", "dead_man", "delivery_failed")]
    assert ticks == DAYS * 24 + 6


def test_a_campaign_made_after_its_post_time_starts_the_next_day(app: App, tmp_path: Path) -> None:
    """Nothing is missed or caught up for the days before a campaign existed."""
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2026, 10, 20, 14, 0, tzinfo=UTC))  # 15:00 in London, 10:00 in New York
    app.campaign_admin().create(
        {
            CampaignField.NAME: "late-start",
            CampaignField.TIMEZONE: "Europe/London",
            CampaignField.POST_TIME: "09:00",
        },
        actor="ada",
    )
    late = app.using("late-start")
    approve_stories(late, tmp_path, 3, "late")
    for campaign in app.campaign_daemons("d1"):
        campaign.daemon.tick()
    assert late.health(every=False) == (True, "healthy: heartbeat 0 s ago; today: not yet due")
    with app.db.read() as session:
        mine = session.scalars(select(Slot).where(Slot.campaign_id == late.campaign_id)).all()
        alerts = [(a.kind, a.message) for a in session.scalars(select(Alert))]
    assert mine == []
    assert not [m for k, m in alerts if "late-start" in m and k in ("missed_day", "dead_man")]
    assert late.reads.campaign.status().next_post is not None
    clock.set(datetime(2026, 10, 21, 8, 0, tzinfo=UTC))  # 09:00 the next day
    reports = [c.daemon.tick() for c in app.campaign_daemons("d1")]
    assert any("late-start: 2026-10-21: posting story #" in a for r in reports for a in r.actions)


def test_the_runner_keeps_one_post_time_job_per_campaign_time(app: App) -> None:
    """``infobot run`` fires at each campaign's own post time; a campaign made or changed on
    the web gets its job at the next minute's tick."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from infobot.runtime.jobs import PostJobs
    from infobot.runtime.runner import post_times

    runner = app.runner()
    scheduler = BlockingScheduler(timezone="UTC")
    post_jobs = PostJobs(scheduler, runner.tick)

    def jobs() -> set[str]:
        return {str(job.trigger) for job in scheduler.get_jobs()}

    post_jobs.keep(post_times(runner.running()))
    assert jobs() == {"cron[hour='9', minute='0', second='0']"}
    app.campaign_admin().create(
        {
            CampaignField.NAME: EVENING,
            CampaignField.TIMEZONE: "America/New_York",
            CampaignField.POST_TIME: "18:00",
        },
        actor="ada",
    )
    running = runner.tick()  # the minute's tick reads the campaigns again
    assert [c.name for c in running] == ["infostory", EVENING]
    post_jobs.keep(post_times(running))
    zones = {str(job.trigger.timezone) for job in scheduler.get_jobs()}
    assert jobs() == {
        "cron[hour='9', minute='0', second='0']",
        "cron[hour='18', minute='0', second='0']",
    }
    assert zones == {"Europe/London", "America/New_York"}
    app.campaign_admin().edit(EVENING, {CampaignField.POST_TIME: "19:30"}, actor="ada")
    post_jobs.keep(post_times(runner.tick()))
    assert jobs() == {
        "cron[hour='9', minute='0', second='0']",
        "cron[hour='19', minute='30', second='0']",
    }
