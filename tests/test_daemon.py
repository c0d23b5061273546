"""The daemon's tick against an injected clock, a real SQLite file and scripted platforms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.store.models import Alert, Delivery, Slot, Story
from tests.conftest import story_row, write_csv
from tests.fake_platform import ScriptedPlatform

LONDON = ZoneInfo("Europe/London")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON).astimezone(UTC)


MON = date(2026, 11, 23)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    from infobot.settings import load_settings

    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'd.db'}", platforms="alpha,beta")
    fakes = {name: ScriptedPlatform(name) for name in ("alpha", "beta")}
    application = App.open(settings, FixedClock(at(MON, 8)), platforms=fakes)
    yield application
    application.close()


def clock(app: App) -> FixedClock:
    assert isinstance(app.clock, FixedClock)
    return app.clock


def fake(app: App, name: str) -> ScriptedPlatform:
    platform = app.platforms.get(name)
    assert isinstance(platform, ScriptedPlatform)
    return platform


def add_approved(app: App, tmp_path: Path, count: int, start: int = 1) -> list[int]:
    rows = [story_row(n) for n in range(start, start + count)]
    report = app.importer().import_files([write_csv(tmp_path / f"s{start}.csv", rows)], actor="sam")
    app.editorial().approve(report.added_ids, actor="alex")
    return report.added_ids


def slots(app: App) -> dict[date, tuple[str, int | None]]:
    with app.db.read() as session:
        return {s.local_date: (s.status, s.story_id) for s in session.scalars(select(Slot))}


def alerts(app: App) -> list[str]:
    with app.db.read() as session:
        return [a.kind for a in session.scalars(select(Alert).order_by(Alert.id))]


def test_posts_at_the_post_time_and_only_once(app: App, tmp_path: Path) -> None:
    ids = add_approved(app, tmp_path, 3)
    daemon = app.daemon("d1")
    assert daemon.tick().actions == []  # 08:00: not yet
    clock(app).set(at(MON, 9))
    daemon.tick()
    daemon.tick()
    app.daemon("d2").tick()
    assert slots(app) == {MON: ("posted", ids[0])}
    assert len(fake(app, "alpha").live()) == len(fake(app, "beta").live()) == 1


def test_late_start_inside_the_window_still_posts(app: App, tmp_path: Path) -> None:
    [sid] = add_approved(app, tmp_path, 1)
    clock(app).set(at(MON, 14, 30))  # 5.5 hours late, window is 6
    app.daemon().tick()
    assert slots(app) == {MON: ("posted", sid)}


def test_after_the_window_the_day_is_missed_and_alerted_once(app: App, tmp_path: Path) -> None:
    add_approved(app, tmp_path, 2)
    daemon = app.daemon()
    daemon.tick()  # 08:00 Monday: the daemon has been running since before the post time
    clock(app).set(at(MON, 15, 30))  # it was down from 08:00 until after 15:00
    daemon.tick()
    daemon.tick()
    assert slots(app)[MON][0] == "missed"
    assert alerts(app).count("missed_day") == 1
    assert fake(app, "alpha").live() == []
    clock(app).set(at(MON + timedelta(days=1), 9))
    daemon.tick()
    assert slots(app)[MON + timedelta(days=1)][0] == "posted"


def test_paused_and_blackout_days_are_recorded_as_skipped(app: App, tmp_path: Path) -> None:
    add_approved(app, tmp_path, 3)
    app.editorial().pause(until=MON, reason="purdah", actor="sam")
    app.editorial().blackout_add(MON + timedelta(days=1), reason="mourning", actor="sam")
    daemon = app.daemon()
    for offset in range(3):
        clock(app).set(at(MON + timedelta(days=offset), 9))
        daemon.tick()
    result = slots(app)
    assert result[MON][0] == "skipped"
    assert result[MON + timedelta(days=1)][0] == "skipped"
    assert result[MON + timedelta(days=2)][0] == "posted"


def test_empty_queue_is_recorded_and_alerted(app: App) -> None:
    clock(app).set(at(MON, 9))
    app.daemon().tick()
    assert slots(app) == {MON: ("skipped", None)}
    assert "missed_day" in alerts(app)


def test_transient_failure_is_retried_then_given_up_at_the_window(app: App, tmp_path: Path) -> None:
    [sid] = add_approved(app, tmp_path, 1)
    fake(app, "beta").script = ["transient", "transient"] + ["transient"] * 50
    daemon = app.daemon()
    clock(app).set(at(MON, 9))
    daemon.tick()
    with app.db.read() as session:
        beta = session.scalars(select(Delivery).where(Delivery.platform == "beta")).one()
        assert beta.status == "retry_wait"
    for minute in range(10, 6 * 60 + 20, 10):
        clock(app).set(at(MON, 9) + timedelta(minutes=minute))
        daemon.tick()
    with app.db.read() as session:
        beta = session.scalars(select(Delivery).where(Delivery.platform == "beta")).one()
        assert beta.status == "failed" and "late window" in beta.error
        assert session.get_one(Story, sid).status == "partly_posted"
    assert fake(app, "alpha").live() and not fake(app, "beta").live()
    assert "delivery_failed" in alerts(app)


def test_rejected_credentials_raise_their_own_alert_once(app: App, tmp_path: Path) -> None:
    add_approved(app, tmp_path, 20)
    fake(app, "beta").script = ["rejected"]
    daemon = app.daemon()
    clock(app).set(at(MON, 9))
    daemon.tick()
    clock(app).set(at(MON, 9, 5))
    daemon.tick()
    kinds = alerts(app)
    assert kinds.count("credentials_rejected") == 1
    assert "delivery_failed" not in kinds
    assert fake(app, "alpha").live() and not fake(app, "beta").live()
    with app.db.read() as session:
        message = session.scalars(select(Alert.message)).one()
    assert "Beta refused infobot's credentials" in message


def test_in_doubt_is_reconciled_with_backoff_not_every_minute(app: App, tmp_path: Path) -> None:
    add_approved(app, tmp_path, 20)
    fake(app, "beta").script = ["in_doubt"] * 10
    daemon = app.daemon()
    start = at(MON, 9)
    for minute in range(0, 12):
        clock(app).set(start + timedelta(minutes=minute))
        daemon.tick()
    tries = [call for call in fake(app, "beta").calls if call.startswith("in_doubt")]
    # 1, 2 and 4 minutes apart (±20 %): 3 or 4 tries in 12 minutes, not 12
    assert 3 <= len(tries) <= 4
    with app.db.read() as session:
        beta = session.scalars(select(Delivery).where(Delivery.platform == "beta")).one()
        assert beta.status == "in_doubt" and beta.next_attempt_at is not None


def test_dead_man_and_runway_alerts_fire_once(app: App, tmp_path: Path) -> None:
    add_approved(app, tmp_path, 5)
    fake(app, "alpha").script = ["in_doubt"] * 3
    daemon = app.daemon()
    clock(app).set(at(MON, 9))
    daemon.tick()
    clock(app).set(at(MON, 9, 31))
    daemon.tick()
    daemon.tick()
    kinds = alerts(app)
    assert kinds.count("dead_man") == 1
    assert kinds.count("runway") == 1  # 4 days left: the 7-day threshold, once


@pytest.mark.slow
def test_a_simulated_year(tmp_path: Path) -> None:
    """365 days through both DST changes, with pauses, blackouts, a week with an empty
    queue, pins, outages and platforms failing in every way of the taxonomy."""
    from infobot.settings import load_settings

    start = date(2026, 1, 1)
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'year.db'}",
        platforms="alpha,beta",
        campaign_days="mon,tue,wed,thu,fri",
    )
    alpha, beta = ScriptedPlatform("alpha"), ScriptedPlatform("beta")
    app = App.open(settings, FixedClock(at(start, 7)), platforms={"alpha": alpha, "beta": beta})
    faults = ["transient", "rate_limited", "in_doubt", "accept_then_timeout", "permanent"]
    alpha.retry_at = None
    first = add_approved(app, tmp_path, 120)
    editorial = app.editorial()
    editorial.pin(first[-1], date(2026, 3, 30), actor="sam")  # the Monday after spring DST
    editorial.blackout_add(date(2026, 5, 8), reason="VE day", actor="sam")
    down = {date(2026, 6, 10), date(2026, 6, 11)}  # the daemon is down all day
    daemon = app.daemon("year")
    topped_up = False
    day = start
    while day < start + timedelta(days=365):
        if day == date(2026, 4, 1):
            editorial.pause(until=date(2026, 4, 7), reason="Easter", actor="sam")
        if day.day == 15:  # a fault on each platform now and then
            alpha.script = [faults[day.month % len(faults)]]
            beta.script = [faults[(day.month + 2) % len(faults)]]
        if day == date(2026, 7, 6) and not topped_up:  # queue ran dry: refill after a week
            with app.db.read() as session:
                empty_days = [
                    s
                    for s in session.scalars(select(Slot))
                    if s.status == "skipped" and s.reason.startswith("no approved")
                ]
            if empty_days:
                add_approved(app, tmp_path, 200, start=1000)
                topped_up = True
        if day not in down:
            for hh, mm in ((9, 0), (9, 20), (20, 0)):
                app.clock.set(at(day, hh, mm))  # type: ignore[attr-defined]
                daemon.tick()
        day += timedelta(days=1)
    with app.db.read() as session:
        all_slots = session.scalars(select(Slot)).all()
        deliveries = session.scalars(select(Delivery)).all()
    posted_days = [s for s in all_slots if s.story_id is not None]
    # one story per day, each story on one day only
    assert len({s.local_date for s in all_slots}) == len(all_slots)
    assert len({s.story_id for s in posted_days}) == len(posted_days)
    # each story at most once per platform (no part of any delivery twice)
    for platform in (alpha, beta):
        keys = [m.key for m in platform.posts]
        assert len(keys) == len(set(keys))
    # every weekday of the year is accounted for, with a reason when nothing went out
    weekdays = {
        start + timedelta(days=n) for n in range(365) if (start + timedelta(days=n)).weekday() < 5
    }
    assert weekdays == {s.local_date for s in all_slots}
    for s in all_slots:
        assert s.status in ("posted", "partly_posted", "failed", "skipped", "missed")
        if s.status in ("skipped", "missed"):
            assert s.reason
    by_day = {s.local_date: s for s in all_slots}
    assert by_day[date(2026, 3, 30)].story_id == first[-1]  # the pin held across DST
    assert by_day[date(2026, 5, 8)].status == "skipped"
    assert all(by_day[d].status == "missed" for d in down)
    assert by_day[date(2026, 4, 2)].reason.startswith("campaign paused")
    assert any(s.reason.startswith("no approved") for s in all_slots)  # the empty week
    # posts went out at 09:00 local time on both sides of both DST changes
    for d in (date(2026, 3, 27), date(2026, 3, 30), date(2026, 10, 23), date(2026, 10, 26)):
        assert by_day[d].status in ("posted", "partly_posted")
        assert by_day[d].due_at is not None
        local = by_day[d].due_at.astimezone(LONDON)
        assert (local.hour, local.minute) == (9, 0)
    # nothing left open, every failure visible
    assert all(d.status in ("sent", "failed") for d in deliveries)
    with app.db.read() as session:
        kinds = [a.key for a in session.scalars(select(Alert))]
    assert len(kinds) == len(set(kinds))
    assert any(k.startswith("missed:") for k in kinds)
    assert any(k.startswith("delivery:") for k in kinds)
    app.close()


def test_a_story_left_unsettled_by_a_crash_is_settled_next_tick(app: App, tmp_path: Path) -> None:
    [sid] = add_approved(app, tmp_path, 1)
    clock(app).set(at(MON, 9))
    daemon = app.daemon()
    daemon.tick()
    with app.db.write() as session:  # as if killed between the last result and the settle
        session.get_one(Story, sid).status = "scheduled"
        session.scalars(select(Slot)).one().status = "claimed"
    clock(app).set(at(MON, 9, 1))
    daemon.tick()
    assert slots(app) == {MON: ("posted", sid)}
    assert "dead_man" not in alerts(app)


def test_attempts_that_went_out_do_not_count_as_doubt(app: App, tmp_path: Path) -> None:
    long_body = " ".join(f"Sentence {n} says why sharing notes helps people." for n in range(40))
    rows = [story_row(1, body=long_body)]
    report = app.importer().import_files([write_csv(tmp_path / "long.csv", rows)], actor="sam")
    app.editorial().approve(report.added_ids, actor="alex")
    alpha = fake(app, "alpha")
    alpha.script = ["ok", "ok", "ok", "ok", "in_doubt"]  # four parts out, then one doubt
    daemon = app.daemon()
    clock(app).set(at(MON, 9))
    daemon.tick()
    clock(app).set(at(MON, 9, 10))
    daemon.tick()
    with app.db.read() as session:
        row = session.scalars(select(Delivery).where(Delivery.platform == "alpha")).one()
    assert row.status == "sent" and row.attempts >= 5
    assert len({m.key for m in alpha.live()}) == len(alpha.live())
