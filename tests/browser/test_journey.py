"""The team's day on the web page, in a real browser, against a real ``infobot web``.

Sign in, import a file with a mistake (listed by line, nothing written), import it fixed,
approve (and be refused approving your own story under four eyes), reorder, pin, see the
calendar change, post now to the outbox and find the live post in the history. axe-core
checks every page on the way; screenshots go to tests/browser/artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.browser.conftest import UI, Server, calendar_cell, queue_order, story_id
from tests.conftest import story_row, write_csv

MONTH = "/calendar?month=2026-11"


def test_team_journey(fresh_server: Server, make_ui: Callable[..., UI], tmp_path: Path) -> None:
    server = fresh_server  # the journey starts from an empty queue
    editor = make_ui(server, "editor")

    # Signed out, every page leads to the sign-in page.
    editor.goto("/queue", "signed out")
    assert "/login" in editor.page.url

    # -- an editor imports a file with a mistake, then the fixed file ------------------
    editor.login("erin")
    editor.goto("/import", "import")

    bad = write_csv(
        tmp_path / "stories.csv",
        [story_row(1), story_row(2, consent_by=""), story_row(3, consent_date="31/02/2026")],
    )
    editor.page.set_input_files("#file", str(bad))
    editor.click("Check the file", check="import with problems", shot=True)
    problems = editor.page.locator("table.app-problems")
    editor.expect_text("nothing was imported", "table.app-problems caption")
    rows = [" | ".join(r.split("\t")) for r in problems.locator("tbody tr").all_inner_texts()]
    assert any(r.startswith("3 |") and "consent_by" in r for r in rows), rows
    assert any(r.startswith("4 |") and "consent_date" in r for r in rows), rows
    assert server.count("stories") == 0, "a file with a problem must write nothing"

    good = write_csv(tmp_path / "stories.csv", [story_row(1), story_row(2), story_row(3)])
    editor.page.set_input_files("#file", str(good))
    editor.click("Check the file", check="import checked", shot=True)
    editor.expect_text("Stories to add", "main")
    assert server.count("stories") == 0, "the check must write nothing"
    editor.click("Import 3 stories", check="import done")
    editor.expect_text("added 3 new stories as drafts", ".govuk-notification-banner")
    one, two, three = (story_id(server, f"Story {n}") for n in (1, 2, 3))
    editor.goto("/review", "review as an editor")
    assert editor.page.get_by_role("button", name=f"Approve story #{one}").count() == 0
    editor.logout()
    assert "/login" in editor.page.url or editor.page.url.endswith("/")

    # -- an approver approves them, and may not approve a story of their own --------------
    approver = make_ui(server, "approver")
    approver.login("alex")
    approver.goto("/review", "review, three drafts", shot=True)
    for sid in (one, two, three):
        approver.click(f"Approve story #{sid}")
        approver.expect_text(f"Approved story #{sid}.", ".govuk-notification-banner")
    approver.check("review, all approved")

    approver.goto("/stories/new", "add a story", shot=True)
    approver.page.fill("#title", "Alex's own story")
    approver.page.fill("#body", "Sharing the discharge notes got a carer to the door the same day.")
    approver.page.fill("#author", "Alex Example")
    approver.page.fill("#consent_by", "Alex Example")
    approver.page.fill("#consent_date", "2026-10-01")
    approver.click("Save as draft", check="story added")
    own = story_id(server, "Alex's own story")
    approver.goto("/review", "review, own story")
    approver.click(f"Approve story #{own}", check="four eyes refusal", shot=True)
    approver.expect_text("four-eyes rule", ".govuk-error-summary")
    assert server.sql("SELECT status FROM stories WHERE id = ?", own)[0][0] == "draft"

    # -- reorder and pin -----------------------------------------------------------------
    approver.goto(MONTH, "calendar before")
    assert f"#{three}" in calendar_cell(approver, "25 November")
    assert "No story" in calendar_cell(approver, "30 November")

    approver.goto("/queue", "queue")
    assert queue_order(approver) == [one, two, three]
    approver.click(f"Move up story #{three}", check="queue, moved up")
    assert queue_order(approver) == [one, three, two]
    approver.click(f"Move down story #{one}", check="queue, moved down")
    assert queue_order(approver) == [three, one, two]

    approver.goto(f"/stories/{two}", "story, to pin")  # pinned on the story's page
    approver.page.fill("#date", "2026-11-30")
    approver.click("Pin", check="story, pinned", shot=True)
    approver.expect_text("30 November 2026", "body")
    approver.goto("/queue", "queue, pinned")
    approver.expect_text("30 November 2026", "body")
    assert queue_order(approver)[:2] == [three, one]

    approver.goto(MONTH, "calendar after", shot=True)
    assert f"#{three}" in calendar_cell(approver, "23 November")
    assert f"#{one}" in calendar_cell(approver, "24 November")
    pinned = calendar_cell(approver, "30 November")
    assert f"#{two}" in pinned and "Pinned" in pinned, pinned

    # -- post now, then find the live post in the history --------------------------------
    approver.goto("/campaign", "campaign", shot=True)
    approver.click("Post now", check="post now asks first", shot=True)
    approver.expect_text("It goes out straight away on Outbox", "main")
    assert not server.outbox.exists() or not server.outbox.read_text("utf-8").strip()
    approver.click("Yes, post it now on Outbox", check="history after post now", shot=True)
    sent = [json.loads(line) for line in server.outbox.read_text("utf-8").splitlines()]
    assert sent, "post now wrote nothing to the outbox"
    assert "#infostory" in json.dumps(sent)
    assert "/history" in approver.page.url
    row = approver.page.locator("table tbody tr", has_text=f"#{three}").first
    link = row.locator("a[href^='file:'], a[href^='http']").last
    assert link.count() == 1, row.inner_text()
    assert link.get_attribute("href").startswith("file:///")  # the outbox's "live post"

    # -- the records pages ---------------------------------------------------------------
    approver.goto("/audit", "audit trail", shot=True)
    approver.expect_text("alex approved story", "main")
    csv_response = approver.page.request.get(server.url("/audit.csv"))
    assert csv_response.ok and "text/csv" in csv_response.headers["content-type"]
    assert "approve" in csv_response.text().lower()
    approver.goto(f"/stories/{two}", "story page", shot=True)
    approver.goto(f"/stories/{one}/withdraw", "withdraw page", shot=True)

    for ui in (editor, approver):
        ui.assert_clean()
