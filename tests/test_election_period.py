"""Pre-election periods: not a pause but dates and a reason; every post between them stops
but a story an approver marked essential. In the calendar, status, the daemon (a simulated
month), post-now, the command line and the web page."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.errors import UserError
from infobot.settings import load_settings
from infobot.store.models import Alert, Slot
from tests.conftest import Cli, story_row, write_csv
from tests.fake_platform import ScriptedPlatform
from tests.web_support import Site, follow, post, site_fixture, text_of

LONDON = ZoneInfo("Europe/London")
MON = date(2026, 11, 23)  # the clock of the CLI tests: 08:00 that day


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON).astimezone(UTC)


# -- the command line ----------------------------------------------------------------------------
def test_add_list_and_remove_a_period_and_see_it_in_status(cli: Cli, tmp_path: Path) -> None:
    rows = [story_row(n) for n in range(1, 6)]
    cli.ok("import", str(write_csv(tmp_path / "s.csv", rows)), "--by", "sam")
    cli.ok("stories", "approve", "1", "2", "3", "4", "5", "--by", "alex")
    cli.ok("stories", "pin", "5", "2026-11-25")
    added = cli.ok(
        "campaign", "election", "add", "2026-11-24", "2026-11-26", "--reason", "Senedd by-election"
    )
    assert "Nothing will post from 24 November 2026 to 26 November 2026" in added.out
    assert "story #5 is pinned to 2026-11-25, inside the period" in added.err
    listed = cli.ok("campaign", "election", "list").out
    assert listed.strip() == "2026-11-24..2026-11-26  Senedd by-election"
    status = cli.ok("status").out
    assert (
        "Pre-election period from 24 November until 26 November (Senedd by-election):"
        " no posts then." in status
    )
    preview = cli.ok("preview", "--days", "5", "--json").json()
    assert [(d["date"], d["story_id"]) for d in preview] == [
        ("2026-11-23", 1),
        ("2026-11-24", None),
        ("2026-11-25", 5),  # pinned inside the period: shown, but it does not post
        ("2026-11-26", None),
        ("2026-11-27", 2),
    ]
    assert preview[1]["reason"] == ("pre-election period (Senedd by-election) until 26 November")
    assert preview[2]["state"] == "off"
    attention = cli.ok("status", "--json").json()["attention"]
    assert any(
        "story #5 is pinned to Wednesday 25 November 2026 but nothing posts that day"
        " (pre-election period" in a["message"]
        for a in attention
    )
    # inside the period, status says until when
    os.environ["INFOBOT_CLOCK_START"] = "2026-11-24T10:00:00+00:00"
    inside = cli.ok("status", "--json").json()
    assert inside["election"] == (
        "Pre-election period until 26 November (Senedd by-election): no posts"
    )
    removed = cli.ok("campaign", "election", "remove", "2026-11-24")
    assert "those days post again" in removed.out
    assert cli.ok("campaign", "election", "list").out.strip() == "No pre-election periods."
    actions = [a for (a,) in cli.sql("SELECT action FROM events WHERE action LIKE 'election.%'")]
    assert actions == ["election.added", "election.removed"]


def test_bad_periods_are_refused_plainly(cli: Cli) -> None:
    backwards = cli("campaign", "election", "add", "2026-12-10", "2026-12-01", "--reason", "x")
    assert backwards.code == 2 and "swap the dates" in backwards.err
    past = cli("campaign", "election", "add", "2026-11-01", "2026-11-02", "--reason", "x")
    assert past.code == 2 and "in the past" in past.err
    missing = cli("campaign", "election", "remove", "2026-12-01")
    assert missing.code == 2 and "no pre-election period starts on 2026-12-01" in missing.err


def test_periods_from_the_settings_are_listed_and_kept(cli: Cli) -> None:
    os.environ["INFOBOT_ELECTION_PERIODS"] = "2027-03-26..2027-05-06 Senedd election"
    listed = cli.ok("campaign", "election", "list").out
    assert "2027-03-26..2027-05-06  Senedd election  (from the settings)" in listed
    refused = cli("campaign", "election", "remove", "2027-03-26")
    assert refused.code == 2 and "INFOBOT_ELECTION_PERIODS" in refused.err
    del os.environ["INFOBOT_ELECTION_PERIODS"]
    assert cli.ok("campaign", "election", "list").out.strip() == "No pre-election periods."


def test_periods_from_the_settings_hold_for_every_campaign(cli: Cli) -> None:
    """Purdah stops all of a public body's publicity: a campaign that existed before the
    setting and one made while it is set both get the settings' period, and status says so."""
    cli.ok("campaign", "create", "before", "--hashtag", "beforestory")
    os.environ["INFOBOT_ELECTION_PERIODS"] = "2026-11-20..2026-12-10 Council by-election"
    try:
        cli.ok("campaign", "create", "during", "--hashtag", "duringstory")
        for name in ("infostory", "before", "during"):
            listed = cli.ok("campaign", "election", "list", "--campaign", name).out
            assert "2026-11-20..2026-12-10  Council by-election  (from the settings)" in listed
            status = cli.ok("status", "--campaign", name).out
            assert "Pre-election period until 10 December (Council by-election)" in status
        made = cli.ok("campaign", "election", "list", "--campaign", "during", "--json").out
        assert json.loads(made)[0]["source"] == "settings"
    finally:
        del os.environ["INFOBOT_ELECTION_PERIODS"]
    for name in ("infostory", "before", "during"):
        listed = cli.ok("campaign", "election", "list", "--campaign", name).out
        assert listed.strip() == "No pre-election periods."


def test_a_team_period_with_the_settings_dates_stays_theirs_and_writes_nothing(cli: Cli) -> None:
    cli.ok("campaign", "election", "add", "2027-03-26", "2027-05-06", "--reason", "Senedd")
    os.environ["INFOBOT_ELECTION_PERIODS"] = "2027-03-26..2027-05-06 Senedd election"
    try:
        cli.ok("status")
        before = cli.sql("SELECT count(*) FROM events")
        cli.ok("status")
        cli.ok("campaign", "election", "list")
        assert cli.sql("SELECT count(*) FROM events") == before  # no empty event per open
        assert cli.sql("SELECT source, reason FROM election_periods") == [("team", "Senedd")]
    finally:
        del os.environ["INFOBOT_ELECTION_PERIODS"]


def test_marking_a_story_essential_is_an_audited_decision(cli: Cli, tmp_path: Path) -> None:
    cli.ok("import", str(write_csv(tmp_path / "s.csv", [story_row(1)])), "--by", "sam")
    no_reason = cli("stories", "essential", "1", "--by", "alex")
    assert no_reason.code == 2 and "say why the story is essential" in no_reason.err
    cli.ok("stories", "essential", "1", "--reason", "Public health advice", "--by", "alex")
    shown = cli.ok("stories", "show", "1", "--json").json()
    assert (shown["essential_reason"], shown["essential_by"]) == ("Public health advice", "alex")
    [(after, message)] = cli.sql(
        "SELECT after, message FROM events WHERE action = 'story.essential'"
    )
    assert json.loads(after)["essential_reason"] == "Public health advice"
    assert message == "marked essential: Public health advice"
    cli.ok("stories", "essential", "1", "--remove", "--by", "alex")
    assert cli.sql("SELECT essential_reason FROM stories") == [("",)]


def test_post_now_inside_a_period_sends_only_an_essential_story(cli: Cli, tmp_path: Path) -> None:
    rows = [story_row(n) for n in range(1, 3)]
    cli.ok("import", str(write_csv(tmp_path / "s.csv", rows)), "--by", "sam")
    cli.ok("stories", "approve", "1", "2", "--by", "alex")
    cli.ok("campaign", "election", "add", "2026-11-23", "2026-11-30", "--reason", "By-election")
    refused = cli("post-now")
    assert refused.code == 2 and "nothing to post today: pre-election period" in refused.err
    named = cli("post-now", "--story", "1")
    assert named.code == 2 and "Only a story an approver marked essential" in named.err
    assert cli.sql("SELECT local_date, story_id, status FROM slots") == [
        ("2026-11-23", None, "skipped")
    ]
    cli.ok("stories", "essential", "2", "--reason", "Flood warning", "--by", "alex")
    cli.ok("post-now", "--story", "2")
    assert cli.sql("SELECT story_id, platform, status FROM deliveries") == [(2, "outbox", "sent")]


# -- the daemon: a simulated month -------------------------------------------------------------
@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'month.db'}",
        platforms="alpha",
        campaign_start=MON,
        campaign_end=MON + timedelta(days=29),
    )
    application = App.open(
        settings, FixedClock(at(MON, 8)), platforms={"alpha": ScriptedPlatform("alpha")}
    )
    yield application
    application.close()


def test_a_month_with_a_pre_election_period_and_two_essential_stories(
    app: App, tmp_path: Path
) -> None:
    from infobot.domain.election import ElectionPeriod

    rows = [story_row(n) for n in range(1, 31)]
    ids = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam").added_ids
    editorial = app.editorial()
    editorial.approve(ids, actor="alex")
    first, last = date(2026, 12, 1), date(2026, 12, 10)
    editorial.election_add(ElectionPeriod(first, last, "Senedd by-election"), actor="alex")
    with pytest.raises(UserError, match="mark it essential first"):
        editorial.pin(ids[29], date(2026, 12, 5), actor="alex")
    editorial.mark_essential(ids[29], reason="Flood warning", actor="alex")
    editorial.pin(ids[29], date(2026, 12, 5), actor="alex")
    editorial.mark_essential(ids[27], reason="Vaccine clinic", actor="alex")
    status = app.reads.campaign.status()
    assert status.election == (  # up to 14 days ahead, status says when it starts
        "Pre-election period from 1 December until 10 December (Senedd by-election): no posts then"
    )
    daemon = app.daemon("month")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    for offset in range(30):
        day = MON + timedelta(days=offset)
        clock.set(at(day, 9))
        daemon.tick()
        if day == first:
            status = app.reads.campaign.status()
            assert status.election == (
                "Pre-election period until 10 December (Senedd by-election): no posts"
            )
    with app.db.read() as session:
        days = {
            s.local_date: (s.status, s.story_id, s.reason)
            for s in session.scalars(select(Slot).order_by(Slot.local_date))
        }
        alerts = [a.kind for a in session.scalars(select(Alert))]
    assert len(days) == 30
    inside = {d: v for d, v in days.items() if first <= d <= last}
    outside = {d: v for d, v in days.items() if not first <= d <= last}
    # inside the period: the first essential story of the queue on its first day, the pinned
    # essential story on its date, and nothing else
    assert inside.pop(first)[:2] == ("posted", ids[27])
    assert inside.pop(date(2026, 12, 5))[:2] == ("posted", ids[29])
    assert {v[:2] for v in inside.values()} == {("skipped", None)}
    assert {v[2] for v in inside.values()} == {
        "pre-election period (Senedd by-election) until 10 December"
    }
    # outside: the queue in order, never the essential stories again
    assert [v[1] for v in outside.values()] == [
        sid for sid in ids if sid not in (ids[27], ids[29])
    ][: len(outside)]
    assert all(v[0] == "posted" for v in outside.values())
    assert "missed_day" not in alerts
    platform = app.platforms.get("alpha")
    assert isinstance(platform, ScriptedPlatform)
    assert len(platform.posts) == len(outside) + 2


def test_the_calendar_shows_the_period(app: App) -> None:
    from infobot.domain.election import ElectionPeriod

    app.editorial().election_add(
        ElectionPeriod(date(2026, 11, 25), date(2026, 11, 26), "Council by-election"),
        actor="alex",
    )
    view = app.reads.calendar.month(2026, 11)
    cells = {c.day: c for week in view.weeks for c in week}
    assert cells[date(2026, 11, 25)].election == (
        "pre-election period (Council by-election) until 26 November"
    )
    assert cells[date(2026, 11, 24)].election is None


# -- the web page --------------------------------------------------------------------------------
@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def test_the_campaign_page_manages_periods_and_the_calendar_shows_them(site: Site) -> None:
    [sid] = site.import_stories(1)
    browser = site.signed_in("alex", "approver")
    period = {"first": "2026-11-24", "last": "2026-11-26", "reason": "Senedd by-election"}
    answer = follow(browser, post(browser, "/campaign/elections", period))
    shown = text_of(answer.text)
    assert "Nothing will post from 24 November 2026 to 26 November 2026" in shown
    assert "Pre-election periods: nothing posts but essential stories" in shown
    assert "Senedd by-election" in shown and "Pre-election period from 24 November" in shown
    calendar = text_of(browser.get("/calendar?month=2026-11").text)
    assert "Pre-election pre-election period (Senedd by-election) until 26 November" in calendar
    bad = follow(browser, post(browser, "/campaign/elections", {**period, "first": "2026-12-01"}))
    assert "swap the dates" in text_of(bad.text)
    marked = follow(
        browser,
        post(browser, f"/stories/{sid}/essential", {"essential_reason": "Flood warning"}),
    )
    assert "Essential: it may go out inside a pre-election period (Flood warning" in text_of(
        marked.text
    )
    assert site.sql("SELECT essential_by FROM stories") == [("alex",)]
    removed = follow(browser, post(browser, "/campaign/elections/2026-11-24/delete"))
    assert "those days post again" in text_of(removed.text)
    editor = site.signed_in("erin", "editor")
    assert post(editor, "/campaign/elections", period).status_code == 403


def test_an_essential_story_that_posts_before_the_period_is_not_planned_again(
    app: App, tmp_path: Path
) -> None:
    from infobot.domain.election import ElectionPeriod

    rows = [story_row(n) for n in range(1, 6)]
    ids = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam").added_ids
    editorial = app.editorial()
    editorial.approve(ids, actor="alex")
    editorial.mark_essential(ids[0], reason="Flood warning", actor="alex")
    period = ElectionPeriod(MON + timedelta(days=2), MON + timedelta(days=3), "By-election")
    editorial.election_add(period, actor="alex")
    plan = app.reads.plan.preview(5)
    assert [(day.state.value, day.story_id) for day in plan] == [
        ("scheduled", ids[0]),
        ("scheduled", ids[1]),
        ("off", None),
        ("off", None),
        ("scheduled", ids[2]),
    ]
