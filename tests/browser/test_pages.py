"""More of the web page in a real browser: editing with the live preview, sending a story
back, withdrawing, pausing, blackout dates, error pages and a phone-sized screen.

Each test makes its own stories, so the tests do not depend on each other's order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import PASSWORD, TIMEOUT_MS, UI, Server, calendar_cell, story_id

MONTH = "/calendar?month=2026-11"
# WCAG 2.2 success criterion 1.4.10 (Reflow): no sideways scrolling at 320 CSS pixels.
PHONE = {"width": 320, "height": 640}
# Elements sticking out past the right edge of the screen, outside data tables (which
# may scroll sideways under 1.4.10's exception for content that needs two dimensions).
OVERFLOW = """() => {
    const limit = document.documentElement.clientWidth + 1;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        if (el.closest('table') || el.closest('.govuk-visually-hidden, .govuk-skip-link')) continue;
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > limit) {
            const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
            out.push(`${name} (right edge at ${Math.round(r.right)}px): ` +
                     (el.innerText || '').trim().slice(0, 40));
        }
    }
    return out.slice(0, 5);
}"""


def add_story(ui: UI, title: str) -> None:
    ui.goto("/stories/new", "add a story")
    ui.page.fill("#title", title)
    ui.page.fill("#body", f"{title}: the shared record meant one visit instead of three.")
    ui.page.fill("#author", "Sam Example")
    ui.page.fill("#consent_by", "Sam Example")
    ui.page.fill("#consent_date", "2026-10-01")
    ui.click("Save as draft", check="story added")


def status_of(server: Server, sid: int) -> str:
    return str(server.sql("SELECT status FROM stories WHERE id = ?", sid)[0][0])


def test_edit_with_live_preview_send_back_and_withdraw(
    server: Server, make_ui: Callable[..., UI]
) -> None:
    editor = make_ui(server, "editor")
    editor.login("erin")
    add_story(editor, "Preview story")
    add_story(editor, "Withdrawn story")
    preview, withdrawn = story_id(server, "Preview story"), story_id(server, "Withdrawn story")

    # The live preview follows the typing (app.js fetches it: the page's scripts run).
    editor.goto(f"/stories/{preview}", "story to edit")
    editor.page.locator("#body").press_sequentially(" Extra words", delay=5)
    editor.expect_text("Extra words", "#preview")
    editor.check("live preview", screenshot=True)
    editor.click("Save changes", check="story saved")
    assert "Extra words" in str(server.sql("SELECT body FROM stories WHERE id = ?", preview)[0][0])

    approver = make_ui(server, "approver")
    approver.login("alex")
    approver.goto("/review", "review")
    approver.page.fill(f"#reason-{preview}", "Please name the team")
    approver.click(f"Reject story #{preview}", check="sent back")
    assert status_of(server, preview) == "rejected"
    approver.goto(f"/stories/{preview}", "rejected story")
    approver.expect_text("Please name the team", "main")

    approver.goto("/review", "review")
    approver.click(f"Approve story #{withdrawn}", check="approved")
    approver.goto(f"/stories/{withdrawn}/withdraw", "withdraw")
    approver.page.fill("#reason", "Consent withdrawn by phone")
    approver.click("Withdraw", check="withdrawn")
    assert status_of(server, withdrawn) == "withdrawn"

    for ui in (editor, approver):
        ui.assert_clean()


def test_pause_and_blackout_show_on_the_calendar(
    server: Server, make_ui: Callable[..., UI]
) -> None:
    ui = make_ui(server)
    ui.login("alex")
    ui.goto("/campaign", "campaign")
    ui.page.fill("#blackout-date", "2026-11-26")
    ui.page.fill("#blackout-reason", "Staff training day")
    ui.click("Add blackout date", check="blackout added")
    ui.goto(MONTH, "calendar with blackout")
    assert "Blackout" in calendar_cell(ui, "26 November")

    ui.goto("/campaign", "campaign")
    ui.page.fill("#until", "2026-11-28")
    ui.page.fill("#pause-reason", "Election period")
    ui.click("Pause", check="paused")
    ui.expect_text("Paused", "main")
    ui.goto(MONTH, "calendar paused", shot=True)
    assert "Paused" in calendar_cell(ui, "27 November")

    ui.goto("/campaign", "campaign")
    ui.click("Resume", check="resumed")
    ui.goto(MONTH, "calendar resumed")
    assert "Paused" not in calendar_cell(ui, "27 November")
    ui.goto("/campaign", "campaign")
    ui.click("Remove blackout on 26 November 2026", check="blackout removed")
    assert server.count("blackouts") == 0
    ui.assert_clean()


def test_error_pages_are_accessible(server: Server, make_ui: Callable[..., UI]) -> None:
    ui = make_ui(server)
    ui.goto("/no-such-page", "not found signed out", status=404)
    ui.goto("/login", "sign in")
    ui.page.fill("#username", "erin")
    ui.page.fill("#password", "not the password at all")
    ui.click("Sign in", check="sign-in refused", shot=True)
    ui.expect_text("There is a problem", ".govuk-error-summary")
    assert ui.page.title().startswith("Error:"), ui.page.title()
    ui.login("erin")
    ui.goto("/no-such-page", "not found", status=404, shot=True)
    ui.goto("/stories/999999", "no such story", status=404)
    ui.assert_clean()


def test_phone_screen_menu_and_reflow(server: Server, make_ui: Callable[..., UI]) -> None:
    ui = make_ui(server)
    ui.page.set_viewport_size(PHONE)
    ui.login("ada")

    # GOV.UK Frontend's script ran (loaded by app.js under the page's CSP): on a small
    # screen the menu folds behind a "Menu" button that opens it.
    assert "govuk-frontend-supported" in (ui.page.locator("body").get_attribute("class") or "")
    menu = ui.page.get_by_role("button", name="Menu")
    assert menu.is_visible(), "the Menu button is missing on a small screen"
    review = ui.page.get_by_role("link", name="Review", exact=True)
    assert not review.is_visible()
    menu.click()
    assert review.is_visible()
    ui.check("phone menu open", screenshot=True)

    overflowing = {}
    for path in ("/queue", "/review", "/import", "/calendar", "/campaign", "/stories/new"):
        ui.goto(path)
        found = ui.page.evaluate(OVERFLOW)
        if found:
            overflowing[path] = found
            ui.screenshot(f"phone overflow {path}")
    assert not overflowing, "sideways scrolling at 320 px (WCAG 1.4.10 Reflow):\n" + "\n".join(
        f"{path}: {'; '.join(found)}" for path, found in overflowing.items()
    )
    ui.assert_clean()


def test_works_without_javascript(browser: Any, server: Server) -> None:
    """The README promises the page works without JavaScript: sign in, add, approve, move."""
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(server.url("/login"))
        page.fill("#username", "erin")
        page.fill("#password", PASSWORD)
        with page.expect_event("load"):
            page.get_by_role("button", name="Sign in").click()
        for title in ("No-script story A", "No-script story B"):
            page.goto(server.url("/stories/new"))
            page.fill("#title", title)
            page.fill("#body", f"{title}: one phone call instead of five forms.")
            page.fill("#author", "Kim Example")
            page.fill("#consent_by", "Kim Example")
            page.fill("#consent_date", "2026-10-01")
            with page.expect_event("load"):
                page.get_by_role("button", name="Save as draft").click()
        a, b = story_id(server, "No-script story A"), story_id(server, "No-script story B")
        with page.expect_event("load"):
            page.get_by_role("button", name="Sign out").click()

        page.goto(server.url("/login"))
        page.fill("#username", "alex")
        page.fill("#password", PASSWORD)
        with page.expect_event("load"):
            page.get_by_role("button", name="Sign in").click()
        page.goto(server.url("/review"))
        for sid in (a, b):
            with page.expect_event("load"):
                page.get_by_role("button", name=f"Approve story #{sid}", exact=True).click()
        assert status_of(server, a) == status_of(server, b) == "approved"
        page.goto(server.url("/queue"))
        rows = page.locator("#queue-table tr[data-story-id]")
        before = rows.evaluate_all("rs => rs.map(r => Number(r.dataset.storyId))")
        with page.expect_event("load"):  # the move is a form: read the page it leads to
            page.get_by_role("button", name=f"Move up story #{b}", exact=True).click()
        after = rows.evaluate_all("rs => rs.map(r => Number(r.dataset.storyId))")
        i = before.index(b)
        assert after[i - 1] == b and after[i] == a, (before, after)
    finally:
        context.close()


def test_admin_adds_an_account_that_can_sign_in(server: Server, make_ui: Callable[..., UI]) -> None:
    admin = make_ui(server, "admin")
    admin.login("ada")
    admin.goto("/users", "accounts", shot=True)
    admin.expect_text("erin", "main")
    admin.page.fill("#name", "Kim Park")
    admin.page.select_option("#role", "editor")
    admin.page.fill("#password", "short")
    admin.page.fill("#password_confirm", "short")
    admin.click("Add account", check="account refused")
    admin.expect_text("12 characters", ".govuk-error-summary")
    admin.page.fill("#password", "kim's long enough password")
    admin.page.fill("#password_confirm", "kim's long enough password")
    admin.click("Add account", check="account added")
    admin.expect_text("Kim Park", "table")

    kim = make_ui(server, "kim")
    kim.login("Kim Park", "kim's long enough password")
    assert kim.page.get_by_role("link", name="Accounts").count() == 0  # an editor
    for ui in (admin, kim):
        ui.assert_clean()
