"""Sign in and approve a story with the keyboard alone (Tab, Enter, Space).

Every element the Tab key reaches must show that it has the focus: its look must change
when it gets the focus. The skip link must be the first stop and must move past the menu.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.browser.conftest import PASSWORD, UI, Server
from tests.conftest import story_row, write_csv

# What the focus changes: the element's own look, its ::before/::after (GOV.UK's
# checkboxes and radios draw the focus ring on the label's ::before), and its label's.
FOCUS_LOOK = """el => {
    const parts = [el, el.labels && el.labels[0]].filter(Boolean);
    const looks = [];
    for (const part of parts) {
        for (const pseudo of [null, '::before', '::after']) {
            const s = getComputedStyle(part, pseudo);
            looks.push([s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
                        s.backgroundColor, s.color, s.textDecorationLine,
                        s.textDecorationThickness, s.borderColor].join(' '));
        }
    }
    return looks.join(' | ');
}"""
DESCRIBE = """el => {
    const r = el.getBoundingClientRect();
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return {tag: el.tagName.toLowerCase(), id: el.id, text: text.replace(/\\s+/g, ' '),
            name: el.getAttribute('name'), width: r.width, height: r.height};
}"""


class Keyboard:
    """Moves through a page with Tab and checks every stop shows the focus."""

    def __init__(self, ui: UI) -> None:
        self.ui = ui
        self.page = ui.page
        self.unclear: list[str] = []

    def focused(self) -> Any:
        return self.page.evaluate_handle("document.activeElement")

    def describe(self, handle: Any) -> dict[str, Any]:
        info: dict[str, Any] = handle.evaluate(DESCRIBE)
        return info

    def tab(self) -> dict[str, Any]:
        """Press Tab; check the newly focused element is visible and looks focused."""
        self.page.keyboard.press("Tab")
        handle = self.focused()
        info = self.describe(handle)
        if info["tag"] == "body":
            return info
        focused_look = handle.evaluate(FOCUS_LOOK)
        # Look at the same element without the focus, then give the focus back (after a
        # key press, the browser keeps :focus-visible for focus() too).
        handle.evaluate("el => el.blur()")
        plain_look = handle.evaluate(FOCUS_LOOK)
        handle.evaluate("el => el.focus()")
        where = f"<{info['tag']} id={info['id']!r} name={info['name']!r}> {info['text'][:40]!r}"
        if focused_look == plain_look:
            self.unclear.append(f"no visible focus style on {where} at {self.page.url}")
        if info["width"] < 2 or info["height"] < 2:
            self.unclear.append(f"focused element is invisible: {where} at {self.page.url}")
        return info

    def tab_until(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        for _ in range(60):
            info = self.tab()
            if wanted(info):
                return info
        raise AssertionError(f"Tab never reached {what} on {self.page.url}")


def test_sign_in_and_approve_with_the_keyboard_only(
    server: Server, make_ui: Callable[..., UI], tmp_path: Path
) -> None:
    csv = write_csv(tmp_path / "one.csv", [story_row("keyboard")])
    server.cli("import", str(csv), "--by", "erin")
    story = int(server.sql("SELECT id FROM stories WHERE title = 'Story keyboard'")[0][0])

    ui = make_ui(server)
    keys = Keyboard(ui)
    page = ui.page
    ui.goto("/login", "sign in")

    # The skip link comes first, shows when focused, and jumps past the header.
    skip = keys.tab()
    assert skip["text"] == "Skip to main content", skip
    ui.screenshot("keyboard skip link")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    field = keys.tab()
    assert field["id"] == "username", f"after the skip link, Tab went to {field}"

    page.keyboard.type("alex")
    assert keys.tab()["id"] == "password"
    page.keyboard.type(PASSWORD)
    button = keys.tab()
    assert button["tag"] == "button" and button["text"] == "Sign in", button
    page.keyboard.press("Space")
    page.wait_for_url("**/queue**")
    ui.expect_text("Signed in as alex")
    ui.check("queue after keyboard sign-in")

    # Through the menu to the review page.
    keys.tab_until(lambda i: i["tag"] == "a" and i["text"] == "Review", "the Review link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/review")
    ui.check("review by keyboard")

    approve = f"Approve story #{story}"
    keys.tab_until(lambda i: i["tag"] == "button" and i["text"] == approve, approve)
    focused_name = page.evaluate("document.activeElement.closest('form').getAttribute('action')")
    assert focused_name == f"/stories/{story}/approve", focused_name
    ui.screenshot("keyboard approve focused")
    page.keyboard.press("Space")
    ui.expect_text(f"Approved story #{story}.", ".govuk-notification-banner")
    ui.check("approved by keyboard")
    assert server.sql("SELECT status FROM stories WHERE id = ?", story)[0][0] == "approved"

    assert not keys.unclear, "\n".join(keys.unclear)
    ui.assert_clean()


def test_focus_check_catches_a_hidden_focus(make_ui: Callable[..., UI]) -> None:
    """The check above is not vacuous: a page that hides the focus is caught."""
    ui = make_ui(None)
    ui.page.set_content(
        "<html lang='en'><head><title>t</title><style>a:focus{outline:none}</style></head>"
        "<body><main><a href='#a'>Plain link</a> <button>Fine button</button></main></body>"
        "</html>"
    )
    keys = Keyboard(ui)
    assert keys.tab()["text"] == "Plain link"
    assert keys.tab()["text"] == "Fine button"  # the browser's own focus ring
    assert len(keys.unclear) == 1 and "Plain link" in keys.unclear[0], keys.unclear
