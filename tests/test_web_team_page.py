"""The team's page as a comms officer meets it (issue 16), and the edges (issue 12 item 11).

Post now asks first; a late post says why; "Add a story" previews; the calendar tells the
truth about a pause and shows each day's posts; dates and numbers out of range are refused
at the edge (400 on the page, exit 2 on the command line) and extreme dates already stored
break nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from infobot.app import App
from infobot.store import heartbeats
from tests.conftest import Cli, story_row, write_csv
from tests.fake_platform import ScriptedPlatform
from tests.web_support import Site, follow, post, site_fixture, text_of

TEN_27 = datetime(2026, 11, 23, 10, 27, tzinfo=UTC)  # London is on GMT in November


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


# -- post now asks first -------------------------------------------------------------------
def test_post_now_asks_first_naming_the_platforms(tmp_path: Path) -> None:
    for site in site_fixture(tmp_path, platforms="outbox"):
        site.approve(site.import_stories(2))
        browser = site.signed_in("Alex", "approver")
        queue = browser.get("/queue").text
        assert 'href="/post-now"' in queue  # a link to the question, not a one-click form
        asked = browser.get("/post-now")
        assert asked.status_code == 200
        page = text_of(asked.text)
        assert "Post story #1 now?" in page
        assert "It goes out straight away on Outbox" in page
        assert "Yes, post it now on Outbox" in page
        assert "#infostory" in asked.text  # what the platform gets, in a <details>
        assert not site.outbox.exists()  # asking sends nothing
        # A form that posts without the answer is asked too.
        unasked = post(browser, "/post-now")
        assert unasked.status_code == 200 and "Post story #1 now?" in text_of(unasked.text)
        assert not site.outbox.exists()
        sent = follow(browser, post(browser, "/post-now", {"confirm": "yes"}))
        assert "Outbox: posted" in text_of(sent.text)
        assert len(site.outbox.read_text().splitlines()) == 1
        # today's story is out: the question says what to do instead
        again = browser.get("/post-now")
        assert "already posted; to send another story as well, name it" in text_of(again.text)
        named = browser.get("/post-now?story=2")
        assert "Post story #2 now?" in text_of(named.text)


# -- a late post says why ------------------------------------------------------------------
def test_the_queue_says_a_late_post_is_overdue_and_why(site: Site) -> None:
    site.approve(site.import_stories(3))
    browser = site.signed_in("Erin", "editor")
    on_time = text_of(browser.get("/queue").text)
    assert "Monday 23 November 2026 at 9:00am: story #1" in on_time
    assert "Overdue" not in on_time

    site.clock.set(TEN_27)
    never = text_of(browser.get("/queue").text)
    assert "Overdue Today's post was due at 9:00am and has not gone out" in never
    assert "no infobot daemon has ever run against this database" in never
    assert "Monday 23 November 2026 at 9:00am: story" not in never  # not "Next post today"
    assert never.count("was due at 9:00am") == 1  # not twice (the attention list)

    with site.app.db.write() as session:
        heartbeats.beat(session, "old-host:1", 1, datetime(2026, 11, 23, 8, 12, tzinfo=UTC))
    stopped = text_of(browser.get("/queue").text)
    assert (
        "the infobot daemon is not running (its last heartbeat was at 23 November 2026 at "
        "8:12am)" in stopped
    )

    failing = ScriptedPlatform("outbox", script=["transient"])
    daemon_app = App.open(site.settings, site.clock, platforms={"outbox": failing})
    try:
        daemon_app.daemon("host:2").tick()  # posts late; the platform says 503
    finally:
        daemon_app.close()
    retrying = text_of(browser.get("/queue").text)
    assert "Today's post was due at 9:00am and has not gone out on Outbox" in retrying
    assert "it could not be sent there yet (server said 503); infobot tries again at" in retrying
    status = site.app.reads.campaign.status()
    assert status.overdue is not None and status.overdue.cause == "retrying"


def test_status_on_the_command_line_says_overdue_and_why(cli: Cli) -> None:
    import os

    cli.ok("import", str(write_csv(cli.tmp / "s.csv", [story_row(1), story_row(2)])))
    cli.ok("stories", "approve", "1", "2", "--by", "alex")
    os.environ["INFOBOT_CLOCK_START"] = TEN_27.isoformat()
    human = cli.ok("status").out
    assert "Overdue: Today's post was due at 9:00am and has not gone out" in human
    assert "Today's story (overdue): Monday 23 November 2026: story #1" in human
    assert "Next post: Monday 23 November" not in human
    data = cli.ok("status", "--json").json()
    assert data["overdue"]["cause"] == "no_daemon"
    assert data["overdue"]["due_at"] == "2026-11-23T09:00:00+00:00"


# -- add a story previews as you type ------------------------------------------------------
def test_add_a_story_has_the_live_preview(site: Site) -> None:
    browser = site.signed_in("Eve", "editor")
    form = browser.get("/stories/new").text
    assert 'data-preview="/stories/new/preview"' in form and 'id="preview"' in form
    assert "Nothing to show yet" in text_of(form)
    shown = browser.get(
        "/stories/new/preview", params={"body": "word " * 110, "author": "Jo", "title": "Long"}
    )
    assert shown.status_code == 200
    text = text_of(shown.text)
    assert "Outbox: 2 posts (a thread)" in text and "#infostory" in text
    assert site.count("stories") == 0  # a preview saves nothing
    refused = post(browser, "/stories/new", {"body": "Too short to post alone?", "author": "Jo"})
    assert refused.status_code == 400  # no consent: the form says so, beside its preview
    assert "Too short to post alone?" in refused.text.split('id="preview"')[1]


# -- the calendar --------------------------------------------------------------------------
def test_a_paused_calendar_does_not_mark_past_days_or_claim_the_stories_last(site: Site) -> None:
    site.approve(site.import_stories(3))
    site.clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))  # Wednesday
    site.app.editorial().pause(until=None, reason="Election", actor="Sam")
    browser = site.signed_in("Alex", "approver")
    page = browser.get("/calendar?month=2026-11").text
    text = text_of(page)
    assert "The campaign is paused until someone resumes it" in text
    assert "last to the end of the campaign" not in text
    monday = page.split("Monday </span>23<")[1].split("</td>")[0]
    assert "Paused" not in monday  # before the pause: never said to be paused
    friday = page.split("Friday </span>27<")[1].split("</td>")[0]
    assert "Paused" in friday
    status = site.app.reads.campaign.status()
    assert "paused until someone resumes it" in status.runway

    site.app.editorial().resume(actor="Sam")
    page = browser.get("/calendar?month=2026-11").text
    cell = page.split("Wednesday </span>25<")[1].split("</td>")[0]
    assert "#1" in cell
    assert "<details" in cell and "Post text" in cell  # collapsed
    assert "Outbox" in cell and "#infostory" in cell and "Story number 1" in cell


# -- out of range at the edge, and robust to what is stored --------------------------------
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/campaign/pause", {"until": "9999-12-31", "reason": "typo"}),
        ("/campaign/blackouts", {"date": "1900-01-01", "reason": "typo"}),
        ("/stories/1/pin", {"date": "2150-01-01"}),
        ("/stories/1/move", {"to": "position", "position": "99999999999999999999"}),
        ("/post-now", {"story": "99999999999999999999", "confirm": "yes"}),
    ],
)
def test_out_of_range_input_is_a_400_that_changes_nothing(
    site: Site, path: str, data: dict[str, str]
) -> None:
    site.approve(site.import_stories(2))
    browser = site.signed_in("Alex", "approver")
    before = site.count("events")
    answer = post(browser, path, data)
    assert answer.status_code == 400, answer.text
    page = text_of(answer.text)
    assert "That is out of range" in page and "Nothing was changed" in page
    assert site.count("events") == before


@pytest.mark.parametrize(
    "path",
    [
        "/stories/99999999999999999999",
        "/stories/2147483648/withdraw",
        "/audit?story=99999999999999999999",
        "/calendar?month=9999-12",
        "/post-now?story=99999999999999999999",
    ],
)
def test_out_of_range_addresses_are_a_400(site: Site, path: str) -> None:
    browser = site.signed_in("Alex", "approver", raise_errors=False)
    answer = browser.get(path)
    assert answer.status_code == 400, (path, answer.status_code)
    assert "out of range" in text_of(answer.text)


def sql_write(db_path: Path, query: str) -> None:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        conn.execute(query)


def test_pages_and_status_survive_extreme_dates_already_stored(site: Site) -> None:
    site.approve(site.import_stories(2))
    # as a pause or a pin made before the edges were checked would be
    sql_write(
        site.db_path,
        "UPDATE campaigns SET paused = 1, paused_until = '9999-12-31', pause_reason = 'typo'",
    )
    sql_write(site.db_path, "UPDATE stories SET pin_date = '9999-12-30' WHERE id = 2")
    browser = site.signed_in("Alex", "approver")
    for path in ("/queue", "/campaign", "/calendar", "/stories/2", "/review", "/history"):
        assert browser.get(path).status_code == 200, path
    status = site.app.reads.campaign.status()
    assert status.paused_until == date(9999, 12, 31)
    assert "Friday 31 December 9999" in text_of(browser.get("/campaign").text)


def test_the_command_line_refuses_out_of_range_with_exit_2(cli: Cli) -> None:
    cli.ok("import", str(write_csv(cli.tmp / "s.csv", [story_row(1), story_row(2)])))
    for args in (
        ("campaign", "pause", "--until", "9999-12-31"),
        ("campaign", "blackout", "add", "1999-12-31"),
        ("stories", "pin", "1", "2100-01-01"),
        ("stories", "show", "99999999999999999999"),
        ("stories", "approve", "1", "2147483648"),
        ("stories", "move", "1", "--position", "99999999999999999999"),
        ("post-now", "--story", "99999999999999999999"),
    ):
        result = cli(*args)
        assert result.code == 2, (args, result)
        assert "out of range" in result.err or "a whole number from 1 to" in result.err, result.err
    assert cli.count("events", "action NOT IN ('story.imported', 'campaign.configured')") == 0
    sql_write(cli.db_path, "UPDATE campaigns SET paused = 1, paused_until = '9999-12-31'")
    shown = cli.ok("status")
    assert "PAUSED until Friday 31 December 9999" in shown.out
    assert json.loads(cli.ok("status", "--json").out)["paused_until"] == "9999-12-31"
    assert cli.ok("preview", "--days", "3").code == 0


def test_a_file_with_a_date_out_of_range_names_file_line_and_field(cli: Cli) -> None:
    path = write_csv(cli.tmp / "far.csv", [story_row(1, consent_date="01/01/9999")])
    result = cli("import", str(path))
    assert result.code == 2
    assert f"{path}:2: consent_date: 1 January 9999 is out of range" in result.err
    assert cli.count("stories") == 0
