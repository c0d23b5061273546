"""The web page's journeys, through real HTTP forms against a real SQLite file.

Each test drives the page the way a communicator does (sign in, press buttons, fill in
forms) and then looks at the database, the outbox or the next page.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import story_row
from tests.web_support import PASSWORD, Site, follow, login, post, site_fixture, text_of

if TYPE_CHECKING:
    import httpx
    from starlette.testclient import TestClient

PAGES = (
    "/queue",
    "/review",
    "/import",
    "/calendar",
    "/calendar?month=2027-01",
    "/history",
    "/impact",
    "/audit",
    "/campaign",
    "/stories/new",
    "/stories/1",
    "/stories/1/preview",
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1\b", html))


# -- every page, every role ----------------------------------------------------------------
@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_every_page_renders_for_every_role(site: Site, role: str) -> None:
    site.approve(site.import_stories(3)[:2])
    browser = site.signed_in("Robin", role)
    for path in PAGES:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.text[:3000])
        if not path.endswith("/preview"):
            assert h1_count(response.text) == 1, path
            assert '<html lang="en"' in response.text
            assert "Signed in as <strong>Robin</strong>" in response.text
    users = browser.get("/users")
    assert users.status_code == (200 if role == "admin" else 403)
    queue = text_of(browser.get("/queue").text)
    assert ("Move down" in queue) == (role != "editor")
    assert ("Post now" in queue) == (role != "editor")
    review = text_of(browser.get("/review").text)
    assert ("Approve" in review) == (role != "editor")
    assert ("Accounts" in queue) == (role == "admin")


def test_signing_in_and_out(site: Site) -> None:
    site.add_user("Sam Patel", "editor")
    browser = site.browser()
    first = browser.get("/queue?page=1")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/queue%3Fpage%3D1"
    wrong = login(browser, "Sam Patel", "not the password at all")
    assert wrong.status_code == 400
    assert "The name or password is not right" in wrong.text
    assert 'href="#username"' in wrong.text  # the error summary links to the field
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
    assert token
    signed = browser.post(
        "/login",
        data={
            "username": "sam patel",  # names are not case-sensitive
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/calendar",
        },
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/calendar"
    assert browser.get("/calendar").status_code == 200
    out = follow(browser, post(browser, "/logout", token_from="/queue"))
    assert "Sign in to infobot" in out.text
    assert browser.get("/queue").status_code == 303


# -- import --------------------------------------------------------------------------------
def test_import_shows_every_problem_by_line_and_writes_nothing_then_imports_the_fixed_file(
    site: Site,
) -> None:
    browser = site.signed_in("Imogen", "editor")
    bad = site.csv(
        "stories.csv",
        [
            story_row(1),
            story_row(2, consent_date=""),
            story_row(3, consent_date="31/02/2026"),
        ],
    )
    with bad.open("rb") as handle:
        response = post(browser, "/import", files={"file": ("stories.csv", handle, "text/csv")})
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Nothing was imported" in page
    assert re.search(r"3 consent_date is empty", page), page
    assert re.search(r"4 consent_date .*not a real date", page), page
    assert 'href="#file"' in response.text
    assert site.count("stories") == 0
    assert site.count("events", "action = 'story.imported'") == 0

    good = site.csv(
        "stories.csv",
        [story_row(1), story_row(2), story_row(3, consent_date="28/02/2026")],
    )
    with good.open("rb") as handle:  # the check: still nothing written
        checked = post(browser, "/import", files={"file": ("stories.csv", handle, "text/csv")})
    assert checked.status_code == 200
    assert "Stories to add 3 new, as drafts for review" in text_of(checked.text)
    assert "Import 3 stories" in text_of(checked.text)
    assert site.count("stories") == 0
    done = follow(browser, confirm_import(browser, checked))
    assert "Imported stories.csv: added 3 new stories as drafts" in text_of(done.text)
    rows = site.sql("SELECT source, created_by, status FROM stories ORDER BY id")
    assert rows == [
        ("stories.csv:2", "Imogen", "draft"),
        ("stories.csv:3", "Imogen", "draft"),
        ("stories.csv:4", "Imogen", "draft"),
    ]
    with good.open("rb") as handle:  # again: nothing twice
        again = post(browser, "/import", files={"file": ("stories.csv", handle, "text/csv")})
    assert "Already in the queue 3" in text_of(again.text)
    assert "nothing new to import" in text_of(again.text)
    assert site.count("stories") == 3


def confirm_import(browser: TestClient, checked: httpx.Response) -> httpx.Response:
    """Press "Import" on the check page."""
    token = re.search(r'name="token" value="([^"]+)"', checked.text)
    assert token, text_of(checked.text)
    return post(browser, "/import/confirm", {"token": token.group(1)}, token_from="/import")


def test_import_of_markdown_and_of_an_unreadable_file(site: Site) -> None:
    browser = site.signed_in("Imogen", "editor")
    story = (
        "---\ntitle: From Markdown\nauthor: Jo\nconsent_by: Jo\nconsent_date: 2026-10-01\n"
        "---\nSharing one record saved us a week of phone calls.\n"
    )
    checked = post(browser, "/import", files={"file": ("jo.md", story.encode(), "text/markdown")})
    done = follow(browser, confirm_import(browser, checked))
    assert "added 1 new story as drafts" in text_of(done.text)
    nope = post(browser, "/import", files={"file": ("old.xls", b"\x00\x01", "application/x")})
    assert nope.status_code == 400
    assert "save it as Excel Workbook (.xlsx)" in text_of(nope.text)
    missing = post(browser, "/import", {})
    assert missing.status_code == 400
    assert "Choose a file to import" in missing.text
    assert site.count("stories") == 1


# -- stories -------------------------------------------------------------------------------
def test_add_edit_and_preview_a_story(site: Site) -> None:
    browser = site.signed_in("Eve", "editor")
    fields = {
        "title": "Joined-up care",
        "body": "The ward and the GP saw the same notes.",
        "author": "Ada",
        "consent_by": "Ada",
        "consent_date": "not a date",
        "language": "en",
    }
    refused = post(browser, "/stories/new", fields)
    assert refused.status_code == 400
    assert 'href="#consent_date"' in refused.text
    assert 'value="Joined-up care"' in refused.text  # what was typed is kept
    assert site.count("stories") == 0
    fields["consent_date"] = "2026-10-01"
    added = post(browser, "/stories/new", fields)
    assert added.status_code == 303
    story_page = follow(browser, added)
    assert "Added story #1 as a draft" in text_of(story_page.text)
    assert "of 500 characters" in story_page.text

    preview = browser.get(
        "/stories/1/preview", params={"body": "Call me on 07700 900123. " + "word " * 120}
    )
    assert preview.status_code == 200
    text = text_of(preview.text)
    assert "Personal data?" in text and "phone number" in text
    assert "posts (a thread)" in text
    assert site.sql("SELECT body FROM stories")[0][0] == fields["body"]  # nothing saved

    site.approve([1])
    fields["body"] = "The ward and the GP saw the same notes, at last."
    saved = follow(browser, post(browser, "/stories/1", fields))
    assert "Saved story #1" in text_of(saved.text)
    assert "back in draft" in text_of(saved.text)
    assert site.sql("SELECT status, updated_by FROM stories") == [("draft", "Eve")]


def test_approve_reject_and_the_four_eyes_rule(tmp_path: Path) -> None:
    site = Site(tmp_path, four_eyes="true")
    try:
        ann = site.signed_in("Ann", "approver")
        post(
            ann,
            "/stories/new",
            {"body": "A story Ann wrote.", "consent_by": "Jo", "consent_date": "2026-10-01"},
        )
        post(
            ann,
            "/stories/new",
            {"body": "Another story.", "consent_by": "Jo", "consent_date": "2026-10-01"},
        )
        refused = post(ann, "/stories/1/approve", {"return_to": "/review"})
        page = follow(ann, refused)
        assert (
            "you added or last edited it, so someone else must approve it (four-eyes rule)"
            in text_of(page.text)
        )
        assert 'class="govuk-error-summary"' in page.text
        assert "<title>Error: Review – infobot</title>" in page.text
        assert site.sql("SELECT status FROM stories WHERE id = 1") == [("draft",)]

        bob = site.signed_in("Bob", "approver")
        approved = follow(bob, post(bob, "/stories/1/approve", {"return_to": "/review"}))
        assert "Approved story #1" in text_of(approved.text)
        assert site.sql("SELECT status, approved_by FROM stories WHERE id = 1") == [
            ("approved", "Bob")
        ]
        no_reason = follow(bob, post(bob, "/stories/2/reject", {"reason": " "}))
        assert "give a reason" in text_of(no_reason.text)
        rejected = follow(bob, post(bob, "/stories/2/reject", {"reason": "Name the team"}))
        assert "Rejected story #2" in text_of(rejected.text)
        assert site.sql("SELECT status, status_reason FROM stories WHERE id = 2") == [
            ("rejected", "Name the team")
        ]
        actors = site.sql("SELECT action, actor FROM events WHERE story_id IS NOT NULL")
        assert ("story.approved", "Bob") in actors
        assert ("story.rejected", "Bob") in actors
        assert ("story.added", "Ann") in actors
    finally:
        site.close()


def queue_order(site: Site) -> list[int]:
    return [
        sid
        for (sid,) in site.sql(
            "SELECT id FROM stories WHERE status = 'approved' AND pin_date IS NULL "
            "ORDER BY sort_key, id"
        )
    ]


def test_reorder_the_queue(site: Site) -> None:
    site.approve(site.import_stories(4))
    browser = site.signed_in("Alex", "approver")
    assert queue_order(site) == [1, 2, 3, 4]
    moved = post(browser, "/stories/1/move", {"to": "down", "return_to": "/queue?page=1"})
    assert moved.headers["location"] == "/queue?page=1#story-1"
    assert queue_order(site) == [2, 1, 3, 4]
    post(browser, "/stories/4/move", {"to": "top"})
    assert queue_order(site) == [4, 2, 1, 3]
    post(browser, "/stories/4/move", {"to": "up"})  # already first: stays
    post(browser, "/stories/2/move", {"to": "position", "position": "4"})
    assert queue_order(site) == [4, 1, 3, 2]
    page = follow(browser, post(browser, "/stories/2/move", {"to": "down"}))
    assert "position must be between 1 and 4" in text_of(page.text)
    queue = browser.get("/queue").text
    assert queue.index('id="story-4"') < queue.index('id="story-1"') < queue.index('id="story-2"')
    assert site.sql("SELECT actor FROM events WHERE action = 'story.moved'") == [("Alex",)] * 4


def test_queue_pages_through_many_stories(site: Site) -> None:
    site.approve(site.import_stories(120))
    browser = site.signed_in("Alex", "approver")
    first = browser.get("/queue")
    assert "page 1 of 3, 120 in all" in text_of(first.text)
    assert first.text.count('class="govuk-table__row app-queue__row"') == 50
    last = browser.get("/queue?page=3")
    assert last.text.count('class="govuk-table__row app-queue__row"') == 20
    assert 'id="story-120"' in last.text
    assert "Move down" not in text_of(last.text.split('id="story-120"')[1].split("</tr>")[0])


def test_pin_shows_on_the_calendar_and_unpin(site: Site) -> None:
    site.approve(site.import_stories(3))
    browser = site.signed_in("Alex", "approver")
    pinned = post(browser, "/stories/3/pin", {"date": "2026-12-10", "return_to": "/queue"})
    assert "will post on Thursday 10 December 2026" in text_of(follow(browser, pinned).text)
    december = browser.get("/calendar?month=2026-12").text
    cell = december.split("Thursday </span>10<")[1].split("</td>")[0]
    assert "#3" in cell and "Pinned" in cell
    assert "Queue runs dry" in december or "Queue runs dry" in browser.get("/calendar").text
    past = follow(browser, post(browser, "/stories/2/pin", {"date": "2026-11-01"}))
    assert "1 November 2026 is in the past" in text_of(past.text)
    bad = follow(browser, post(browser, "/stories/2/pin", {"date": "tomorrow"}))
    assert "YYYY-MM-DD" in text_of(bad.text)
    post(browser, "/stories/3/unpin")
    assert site.sql("SELECT pin_date FROM stories WHERE id = 3") == [(None,)]
    assert (
        "#3"
        not in browser.get("/calendar?month=2026-12")
        .text.split("Thursday </span>10<")[1]
        .split("</td>")[0]
    )


def test_calendar_shows_posts_pauses_blackouts_and_navigates(site: Site) -> None:
    site.approve(site.import_stories(2))
    browser = site.signed_in("Alex", "approver")
    post(browser, "/campaign/blackouts", {"date": "2026-11-25", "reason": "Staff day"})
    post(browser, "/campaign/pause", {"until": "2026-11-28", "reason": "Election"})
    page = browser.get("/calendar")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "November 2026" in text
    assert 'href="/calendar?month=2026-10"' in page.text
    assert 'href="/calendar?month=2026-12"' in page.text
    day25 = page.text.split("Wednesday </span>25<")[1].split("</td>")[0]
    assert "Blackout" in day25 and "Staff day" in day25
    day26 = page.text.split("Thursday </span>26<")[1].split("</td>")[0]
    assert "Paused" in day26
    assert 'aria-current="date"' in page.text
    assert "The queue runs dry on" in text
    assert browser.get("/calendar?month=nonsense").status_code == 200


# -- posting, history, withdrawal ----------------------------------------------------------
def test_post_now_history_and_withdrawal(site: Site) -> None:
    site.approve(site.import_stories(2))
    editor = site.signed_in("Eve", "editor")
    assert post(editor, "/post-now").status_code == 403
    browser = site.signed_in("Alex", "approver")
    sent = follow(browser, post(browser, "/post-now", {"confirm": "yes"}))
    assert "Sending story #1 as today's story." in text_of(sent.text)
    records = [json.loads(line) for line in site.outbox.read_text().splitlines()]
    assert len(records) == 1 and "#infostory" in records[0]["text"]
    url = site.sql("SELECT remote_url FROM deliveries WHERE story_id = 1")[0][0]
    assert url
    history = browser.get("/history").text
    assert f'href="{url}"' in history
    again = follow(browser, post(browser, "/post-now", {"confirm": "yes"}))
    assert "already posted" in text_of(again.text)

    confirm = browser.get("/stories/1/withdraw")
    assert confirm.status_code == 200
    assert "These live posts will be deleted" in confirm.text
    assert url in confirm.text
    assert site.count("stories", "status = 'withdrawn'") == 0  # GET changes nothing
    missing = post(browser, "/stories/1/withdraw", {"reason": ""})
    assert missing.status_code == 400
    assert 'href="#reason"' in missing.text
    done = follow(browser, post(browser, "/stories/1/withdraw", {"reason": "Consent withdrawn"}))
    assert "Withdrew story #1" in text_of(done.text)
    assert "Deleted its post" in text_of(done.text)
    assert site.sql("SELECT status FROM stories WHERE id = 1") == [("withdrawn",)]
    assert site.sql("SELECT actor FROM events WHERE action = 'story.withdrawn'") == [("Alex",)]
    deleted = [json.loads(line) for line in site.outbox.read_text().splitlines()]
    assert deleted[-1] == {"deleted_id": records[0]["id"]}


def test_campaign_pause_resume_and_blackouts(site: Site) -> None:
    browser = site.signed_in("Alex", "approver")
    paused = follow(browser, post(browser, "/campaign/pause", {"reason": "Purdah"}))
    assert "Paused: nothing posts until you resume" in text_of(paused.text)
    assert "Resume" in paused.text
    resumed = follow(browser, post(browser, "/campaign/resume"))
    assert "Resumed" in text_of(resumed.text)
    added = follow(
        browser, post(browser, "/campaign/blackouts", {"date": "2026-12-25", "reason": "Christmas"})
    )
    assert "Nothing will post on Friday 25 December 2026" in text_of(added.text)
    assert "Christmas" in added.text
    twice = follow(browser, post(browser, "/campaign/blackouts", {"date": "2026-12-25"}))
    assert "already a blackout date" in text_of(twice.text)
    removed = follow(browser, post(browser, "/campaign/blackouts/2026-12-25/delete"))
    assert "is a posting day again" in text_of(removed.text)
    actions = [a for (a,) in site.sql("SELECT action FROM events WHERE actor = 'Alex'")]
    assert actions == ["campaign.paused", "campaign.resumed", "blackout.added", "blackout.removed"]


# -- records -------------------------------------------------------------------------------
def test_audit_page_and_csv_export(site: Site) -> None:
    path = site.csv("formula.csv", [story_row(1, title='=HYPERLINK("http://x")')])

    site.app.importer().import_files([path], actor="Imogen")
    browser = site.signed_in("Alex", "approver")
    post(browser, "/stories/1/approve")
    audit = browser.get("/audit")
    assert "Alex approved story 1." in text_of(audit.text)
    one = browser.get("/audit?story=1")
    assert "Imogen imported story 1 from " in text_of(one.text)
    assert "formula.csv:2." in text_of(one.text)
    export = browser.get("/audit.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    assert export.content.startswith(b"\xef\xbb\xbf")  # opens as UTF-8 in Excel
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "id",
        "at",
        "actor",
        "action",
        "story_id",
        "delivery_id",
        "message",
        "before",
        "after",
        "what_happened",
    ]
    assert ["story.approved", "Alex approved story 1."] in [[r[3], r[9]] for r in rows]
    actors = {row[2] for row in rows[1:]}
    assert {"Alex", "Imogen"} <= actors
    flat = export.content.decode("utf-8-sig")
    assert "=HYPERLINK" not in flat.replace("'=HYPERLINK", "")  # never a bare formula


# -- accounts ------------------------------------------------------------------------------
def test_accounts_page(site: Site) -> None:
    admin = site.signed_in("Ada", "admin")
    mismatch = post(
        admin,
        "/users",
        {
            "name": "Sam",
            "role": "editor",
            "password": PASSWORD,
            "password_confirm": "something else entirely",
        },
    )
    assert mismatch.status_code == 400
    assert 'href="#password_confirm"' in mismatch.text
    short = post(
        admin,
        "/users",
        {"name": "Sam", "role": "editor", "password": "short", "password_confirm": "short"},
    )
    assert "at least 12 characters" in short.text
    added = follow(
        admin,
        post(
            admin,
            "/users",
            {"name": "Sam", "role": "editor", "password": PASSWORD, "password_confirm": PASSWORD},
        ),
    )
    assert "Added Sam as editor" in text_of(added.text)
    post(admin, "/users/Sam/role", {"role": "approver"}, token_from="/users")
    assert site.sql("SELECT role FROM users WHERE name = 'Sam'") == [("approver",)]
    sam = site.browser()
    assert login(sam, "Sam", PASSWORD).status_code == 303
    post(admin, "/users/Sam/disable", token_from="/users")
    assert sam.get("/queue").status_code == 303  # signed out at once
    assert login(site.browser(), "Sam", PASSWORD).status_code == 400
    last = follow(admin, post(admin, "/users/Ada/disable", token_from="/users"))
    assert "only admin account left" in text_of(last.text)
    hashes = site.sql("SELECT password_hash FROM users")
    assert all(h.startswith("$argon2") for (h,) in hashes)
    assert PASSWORD not in json.dumps(site.sql("SELECT * FROM events"))


def test_not_found_and_service_errors_read_plainly(site: Site) -> None:
    browser = site.signed_in("Alex", "approver", raise_errors=False)
    missing = browser.get("/stories/999")
    assert missing.status_code == 404
    assert "there is no story #999" in text_of(missing.text)
    nowhere = browser.get("/no/such/page")
    assert nowhere.status_code == 404
    assert "Page not found" in nowhere.text
    wrong_method = browser.put("/queue")
    assert wrong_method.status_code in (403, 405)
    for response in (missing, nowhere):
        assert "Traceback" not in response.text
        assert h1_count(response.text) == 1
