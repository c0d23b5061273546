"""The Campaigns page in a real browser: an admin creates a campaign and changes its post
time, checking each change first; the team switches between campaigns. axe-core checks
every page at 1280 and at 320 px, and nothing scrolls sideways on a phone.

The module has a server of its own, so the campaigns it makes do not show on the pages the
other browser tests look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.browser.conftest import UI, USERS, Server, start_server, stop_server
from tests.browser.test_pages import OVERFLOW, PHONE

NEW = "/campaigns/new"


@pytest.fixture(scope="module")
def campaign_server(
    browser: object, axe_source: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    own, proc = start_server(tmp_path_factory, USERS)
    try:
        yield own
    finally:
        stop_server(proc)


def fill_new_campaign(ui: UI, name: str, *, post_time: str = "18:30") -> None:
    ui.page.fill("#name", name)
    ui.page.fill("#hashtag", "#eveningstory")
    ui.page.fill("#timezone", "America/New_York")
    ui.page.fill("#post_time", post_time)
    for day in ("sat", "sun"):
        ui.page.uncheck(f"input[name=days][value={day}]")


def test_an_admin_creates_and_changes_a_campaign(
    campaign_server: Server, make_ui: Callable[..., UI]
) -> None:
    server = campaign_server
    ui = make_ui(server, "admin")
    ui.login("ada")
    ui.goto("/campaigns", "campaigns, one", shot=True)
    ui.page.get_by_role("button", name="Create a campaign").click()
    ui.page.wait_for_url("**/campaigns/new")
    ui.check("create a campaign", screenshot=True)

    fill_new_campaign(ui, "Evening Stories", post_time="6.30pm")
    ui.click("Continue", check="campaign refused", shot=True)
    ui.expect_text("There is a problem", ".govuk-error-summary")
    assert ui.page.title().startswith("Error:"), ui.page.title()
    ui.page.get_by_role(
        "link", name="Enter the post time in 24-hour hours and minutes, for example 09:00"
    ).click()
    assert ui.page.evaluate("document.activeElement.id") == "post_time"
    assert server.count("campaigns") == 1

    fill_new_campaign(ui, "evening")
    ui.click("Continue", check="check the new campaign", shot=True)
    ui.expect_text("Monday 23 November 2026, 18:30 EST", "main")
    assert server.count("campaigns") == 1
    ui.click("Create the campaign", check="campaign created")
    ui.expect_text("Campaign evening created", "main")
    assert server.sql("SELECT name, timezone, post_time, weekdays FROM campaigns ORDER BY id") == [
        ("infostory", "Europe/London", "09:00", "0123456"),
        ("evening", "America/New_York", "18:30", "01234"),
    ]

    ui.goto("/campaigns/evening/edit", "change a campaign")
    ui.page.fill("#post_time", "07:15")
    ui.click("Continue", check="check the change", shot=True)
    ui.expect_text("After this change", "main")
    ui.expect_text("Monday 23 November 2026, 07:15 EST", "main")
    ui.click("Save the change", check="campaign changed")
    assert server.sql("SELECT post_time FROM campaigns WHERE name = 'evening'") == [("07:15",)]
    assert server.sql(
        "SELECT actor, action FROM events WHERE action IN ('campaign.created', 'campaign.edited')"
    ) == [
        ("ada", "campaign.created"),
        ("ada", "campaign.edited"),
    ]

    # two campaigns: every page names the one it shows, and switches
    ui.goto("/queue", "queue with the campaign bar", shot=True)
    ui.page.select_option("#campaign-switch", "evening")
    with ui.page.expect_event("load"):
        ui.page.get_by_role("button", name="Show", exact=True).click()
    ui.check("queue of the second campaign")
    assert "campaign=evening" in ui.page.url
    ui.goto("/campaign", "campaign page of the second campaign", shot=True)
    ui.expect_text("Campaign: evening", "h1")
    ui.expect_text("#eveningstory at 7:15am (America/New_York)", "main")
    ui.assert_clean()


def test_campaign_pages_on_a_phone(campaign_server: Server, make_ui: Callable[..., UI]) -> None:
    server = campaign_server
    if server.count("campaigns") < 2:
        server.cli("campaign", "create", "phone-check", "--timezone", "Asia/Kolkata")
    ui = make_ui(server, "phone")
    ui.page.set_viewport_size(PHONE)
    ui.login("ada")
    overflowing = {}
    for path in ("/campaigns", NEW, "/campaigns/infostory/edit", "/queue", "/campaign"):
        ui.goto(path, f"phone {path}")
        found = ui.page.evaluate(OVERFLOW)
        if found:
            overflowing[path] = found
            ui.screenshot(f"phone overflow {path}")
    ui.goto("/campaigns/infostory/edit")
    ui.page.fill("#post_time", "10:00")
    ui.click("Continue", check="phone check the change", shot=True)
    found = ui.page.evaluate(OVERFLOW)
    if found:
        overflowing["check"] = found
    assert not overflowing, "sideways scrolling at 320 px (WCAG 1.4.10 Reflow):\n" + "\n".join(
        f"{path}: {'; '.join(found)}" for path, found in overflowing.items()
    )
    ui.assert_clean()
