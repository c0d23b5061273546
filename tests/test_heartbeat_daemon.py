"""INFOBOT_HEARTBEAT_URL wired into the daemon: a local healthchecks-style server receives
``/start`` when a day's story goes out, the day's result (success, or ``/fail`` with the
reason), and the minute tick at most every 5 minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.election import ElectionPeriod
from infobot.settings import load_settings
from tests.conftest import story_row, write_csv
from tests.fake_platform import ScriptedPlatform
from tests.support import local_web, transcript
from tests.support.local_web import LocalWeb, page

LONDON = ZoneInfo("Europe/London")
MON = date(2026, 11, 23)
KEY = transcript.secret("0b6e2c1d-4f5a-4e3b-9c8d-7a6b5c4d3e2f")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    server = local_web.start()
    for path in (f"/{KEY}", f"/{KEY}/start", f"/{KEY}/fail"):
        server.routes[path] = page(b"OK", "text/plain")
    yield server
    local_web.stop(server)


@pytest.fixture
def app(tmp_path: Path, web: LocalWeb) -> Iterator[App]:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'beat.db'}",
        platforms="alpha",
        heartbeat_url=web.url(f"/{KEY}"),
    )
    application = App.open(
        settings, FixedClock(at(MON, 8)), platforms={"alpha": ScriptedPlatform("alpha")}
    )
    yield application
    application.close()


def pings(web: LocalWeb) -> list[tuple[str, str, str]]:
    """(method, what, body) of each ping received: what is start, fail or tick/success."""
    found = []
    for seen in web.seen:
        what = seen.path.removeprefix(f"/{KEY}").lstrip("/") or "ping"
        found.append((seen.method, what, seen.body.decode("utf-8")))
    web.seen.clear()
    return found


def test_the_days_run_and_the_ticks_reach_the_heartbeat_server(
    app: App, web: LocalWeb, tmp_path: Path
) -> None:
    rows = [story_row(n) for n in range(1, 3)]
    ids = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam").added_ids
    app.editorial().approve(ids, actor="alex")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    daemon = app.daemon("beat")
    daemon.tick()  # 08:00: nothing due; the first tick pings
    assert pings(web) == [("GET", "ping", "")]
    clock.set(at(MON, 9))
    daemon.tick()
    assert pings(web) == [
        ("GET", "start", ""),
        ("POST", "ping", "2026-11-23: story #1 posted"),
    ]
    for minute in range(1, 6):  # minute ticks: one ping in five minutes
        clock.set(at(MON, 9, minute))
        daemon.tick()
    assert pings(web) == [("GET", "ping", "")]

    # the next day the platform refuses the post: the failure ping carries the reason
    fake = app.platforms.get("alpha")
    assert isinstance(fake, ScriptedPlatform)
    fake.script = ["permanent"]
    clock.set(at(MON + timedelta(days=1), 9))
    daemon.tick()
    got = pings(web)
    assert got[0] == ("GET", "start", "")
    assert got[1][:2] == ("POST", "fail")
    assert "2026-11-24: story #2 failed" in got[1][2]
    assert "the platform refused this post" in got[1][2]
    assert len(got) == 2  # ticks are held while the day stands failed
    clock.set(at(MON + timedelta(days=1), 9, 30))
    daemon.tick()
    assert pings(web) == []

    # an empty queue is a failed day too; a day off is a good one
    clock.set(at(MON + timedelta(days=2), 9))
    daemon.tick()
    [(method, what, body)] = pings(web)
    assert (method, what) == ("POST", "fail") and "nothing to post" in body
    app.editorial().election_add(
        ElectionPeriod(MON + timedelta(days=3), MON + timedelta(days=3), "By-election"),
        actor="alex",
    )
    clock.set(at(MON + timedelta(days=3), 9))
    daemon.tick()
    got = pings(web)
    assert got[0][:2] == ("POST", "ping") and "pre-election period (By-election)" in got[0][2]
    assert got[1:] == []  # the result ping was the ping of this minute
    clock.set(at(MON + timedelta(days=3), 9, 5))
    daemon.tick()
    assert pings(web) == [("GET", "ping", "")]  # the good day lets the ticks through again


def test_without_a_url_nothing_is_pinged(tmp_path: Path, web: LocalWeb) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'quiet.db'}", platforms="alpha")
    application = App.open(
        settings, FixedClock(at(MON, 9)), platforms={"alpha": ScriptedPlatform("alpha")}
    )
    try:
        application.daemon("quiet").tick()
    finally:
        application.close()
    assert web.seen == []


def test_the_heartbeat_url_never_reaches_the_log(
    app: App, web: LocalWeb, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    local_web.stop(web)  # the server is gone: the ping fails and is logged
    app.daemon("beat").tick()
    assert "could not be sent" in caplog.text
    assert KEY not in caplog.text


def test_the_runner_keeps_each_campaigns_daemon_and_one_switch_between_ticks(
    app: App, web: LocalWeb, tmp_path: Path
) -> None:
    """Through the runner (which reads the campaigns at every tick): the minute ticks ping
    once in five minutes, a failed day holds them back, and with two campaigns a good day
    of one does not clear the other's failure."""
    from infobot.domain.campaign import CampaignField

    rows = [story_row(n) for n in range(1, 3)]
    ids = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam").added_ids
    app.editorial().approve(ids, actor="alex")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    runner = app.runner()
    for minute in range(6):  # 08:00 to 08:05: the first tick pings, then one in 5 minutes
        clock.set(at(MON, 8, minute))
        runner.tick()
    assert [what for _, what, _ in pings(web)] == ["ping", "ping"]
    first = runner.running()[0].daemon
    assert runner.running()[0].daemon is first, "the same daemon from tick to tick"

    fake = app.platforms.get("alpha")
    assert isinstance(fake, ScriptedPlatform)
    fake.script = ["permanent"]
    clock.set(at(MON, 9))
    runner.tick()
    assert [what for _, what, _ in pings(web)] == ["start", "fail"]
    for minute in range(1, 12):
        clock.set(at(MON, 9, minute))
        runner.tick()
    assert pings(web) == [], "ticks are held while the day stands failed"

    app.campaign_admin().create(
        {
            CampaignField.NAME: "second",
            CampaignField.HASHTAG: "#secondstory",
            CampaignField.POST_TIME: "10:00",
            CampaignField.PLATFORMS: "alpha",
        },
        actor="test",
    )
    second = app.using("second")
    path = write_csv(tmp_path / "two.csv", [story_row(7)])
    added = second.importer().import_files([path], actor="sam").added_ids
    second.editorial().approve(added, actor="alex")
    assert runner.running()[0].daemon is not first, "named now that two campaigns run"
    clock.set(at(MON, 10))
    runner.tick()
    got = pings(web)
    assert [what for _, what, _ in got] == ["start", "fail"]
    assert got[1][2].startswith("second: 2026-11-23: story #3 posted; still failed: 2026-11-23")
    assert "the platform refused this post" in got[1][2]
    clock.set(at(MON, 10, 30))
    runner.tick()
    assert pings(web) == []
    fake.script = []
    clock.set(at(MON + timedelta(days=1), 9))  # the first campaign's good day clears it
    runner.tick()
    got = pings(web)
    assert [what for _, what, _ in got] == ["start", "ping"]
    assert got[1][2] == "infostory: 2026-11-24: story #2 posted"
    clock.set(at(MON + timedelta(days=1), 9, 5))
    runner.tick()
    assert [what for _, what, _ in pings(web)] == ["ping"]


def test_a_day_in_flight_at_start_gets_its_result_pinged(
    app: App, web: LocalWeb, tmp_path: Path
) -> None:
    """A day whose story an earlier process (a daemon before a restart, or an earlier
    worker of ``infobot run``) was still sending: its result goes out when it ends."""
    rows = [story_row(1)]
    ids = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam").added_ids
    app.editorial().approve(ids, actor="alex")
    fake = app.platforms.get("alpha")
    assert isinstance(fake, ScriptedPlatform)
    fake.script = ["transient"]
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.set(at(MON, 9))
    app.daemon("first").tick()  # claims the day; the platform fails for now
    assert [what for _, what, _ in pings(web)] == ["start"]
    clock.set(at(MON, 9, 10))
    app.daemon("second").tick()  # another daemon: the retry goes out
    assert pings(web) == [("POST", "ping", "2026-11-23: story #1 posted")]
