"""Public-sector publishing in a real browser: an accessibility warning ticked to approve, a
pre-election period added on the campaign page and shown on the calendar, a story marked
essential. axe-core checks every page on the way (at 1280 and 320 px)."""

from __future__ import annotations

from collections.abc import Callable

from tests.browser.conftest import UI, Server, calendar_cell, story_id

LONG = " ".join(["word"] * 30) + "."
PHONE = {"width": 320, "height": 640}


def test_acknowledge_a_warning_add_a_period_and_mark_a_story_essential(
    fresh_server: Server, make_ui: Callable[..., UI]
) -> None:
    server = fresh_server  # its own queue: the other tests count theirs
    editor = make_ui(server, "editor")
    editor.login("erin")
    editor.goto("/stories/new", "add a story with a long sentence")
    editor.page.fill("#title", "Long sentence story")
    editor.page.fill("#body", LONG)
    editor.page.fill("#author", "Sam Example")
    editor.page.fill("#consent_by", "Sam Example")
    editor.page.fill("#consent_date", "2026-10-01")
    editor.click("Save as draft", check="story with a warning added")
    editor.expect_text("has 30 words", "#preview")
    sid = story_id(server, "Long sentence story")
    editor.logout()

    approver = make_ui(server, "approver")
    approver.login("alex")
    approver.goto(f"/stories/{sid}", "a story with an accessibility warning", shot=True)
    approver.expect_text(f"Accessibility warnings on story #{sid}", "main")
    approver.click(f"Approve story #{sid}", check="approval refused without the tick")
    approver.expect_text("Tick each accessibility warning you accept", ".govuk-error-summary")
    assert server.sql("SELECT status FROM stories WHERE id = ?", sid)[0][0] == "draft"
    approver.page.get_by_label("has 30 words", exact=False).check()
    approver.click(f"Approve story #{sid}", check="approved with the warning ticked", shot=True)
    approver.expect_text("Acknowledged:", ".govuk-notification-banner")
    assert server.sql("SELECT status FROM stories WHERE id = ?", sid)[0][0] == "approved"

    approver.goto("/campaign", "campaign page")
    approver.page.fill("#election-first", "2026-11-26")
    approver.page.fill("#election-last", "2026-11-27")
    approver.page.fill("#election-reason", "Council by-election")
    approver.click("Add pre-election period", check="pre-election period added", shot=True)
    approver.expect_text("Council by-election", "#elections")
    approver.goto("/calendar?month=2026-11", "calendar with a pre-election period")
    assert "Pre-election" in calendar_cell(approver, "26 November")

    approver.goto(f"/stories/{sid}", "the story again")
    approver.page.fill("#essential_reason", "Flood warning")
    approver.click("Mark essential", check="story marked essential")
    approver.expect_text("Essential: it may go out inside a pre-election period", "main")

    approver.page.set_viewport_size(PHONE)
    approver.goto("/campaign", "campaign page on a phone")
    approver.goto(f"/stories/{sid}", "an essential story on a phone")
    approver.page.set_viewport_size({"width": 1280, "height": 900})
    approver.goto("/campaign", "campaign page with the period")
    approver.click("Remove pre-election period from 26 November 2026", check="period removed")
