"""Stories from the public, in a real browser against a real ``infobot web`` (issue 16).

A storyteller meets the share form's refusals (a picture with no description, a file that
is not a picture, a picture too big, the hidden field a robot fills in), then shares a
story with a picture. The team sees it first on the queue, approves it and posts it to the
fake platform (the outbox). The story shows on the campaign's public page. The storyteller
opens their link, sees the post and withdraws: the post is deleted from the outbox, the
story leaves the public page and the audit trail says who did what. axe-core checks every
page at 1280 and at 320 pixels wide, where nothing may scroll sideways.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import UI, Server, start_server, stop_server
from tests.browser.test_pages import OVERFLOW, PHONE
from tests.support.pictures import jpeg_with_gps, png

WIDE = {"width": 1280, "height": 900}
MAX_BYTES = 200_000


@pytest.fixture(scope="module")
def share_server(
    _shared_server: Callable[[], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    _shared_server()  # the shared server starts meanwhile, for the tests after
    own, proc = start_server(
        tmp_path_factory,
        {"erin": "editor", "alex": "approver"},
        {
            "INFOBOT_SHARE_FORM": "true",
            "INFOBOT_PUBLIC_PAGE": "true",
            "INFOBOT_MEDIA_MAX_BYTES": str(MAX_BYTES),
        },
    )
    try:
        yield own
    finally:
        stop_server(proc)


def both_widths(ui: UI, name: str, *, shot: bool = False) -> None:
    """axe-core at 1280 px (and a screenshot), then at 320 px with no sideways scrolling."""
    ui.check(f"{name} at 1280 px", screenshot=shot)
    ui.page.set_viewport_size(PHONE)
    ui.check(f"{name} at 320 px", screenshot=shot)
    overflowing = ui.page.evaluate(OVERFLOW)
    assert not overflowing, f"{name}: sideways scrolling at 320 px: {overflowing}"
    ui.page.set_viewport_size(WIDE)


def fill_form(ui: UI, body: str, *, alt: str = "") -> None:
    page = ui.page
    page.fill("#title", "Joined up at last")
    page.fill("#body", body)
    page.fill("#name", "Jo Bloggs")
    page.fill("#role", "Community nurse")
    page.fill("#organisation", "Riverside NHS Trust")
    page.fill("#image_alt", alt)
    if not page.is_checked("#consent"):
        page.check("#consent")


def picture(ui: UI, name: str, data: bytes, mime: str = "image/jpeg") -> None:
    ui.page.set_input_files("#image", files=[{"name": name, "mimeType": mime, "buffer": data}])


def refused(ui: UI, server: Server, name: str, message: str) -> None:
    ui.click("Send your story")
    ui.expect_text(message, ".govuk-error-summary")
    both_widths(ui, name)
    assert server.count("stories") == 0 and server.count("submissions") == 0, name


def noise(size: int) -> bytes:
    side = int((size / 3) ** 0.5) + 1
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_a_storyteller_shares_a_story_sees_it_posted_and_withdraws_it(
    share_server: Server, make_ui: Callable[..., UI]
) -> None:
    server = share_server
    teller = make_ui(server, "storyteller")
    teller.goto("/share/infostory", "share form")
    both_widths(teller, "share form", shot=True)
    body = "The GP saw the discharge letter the same morning, so Dad's medicines were right."

    # -- what the form refuses, each with its message and nothing stored ----------------
    fill_form(teller, body)
    picture(teller, "ward.png", png(), "image/png")
    refused(teller, server, "a picture without a description", "Describe the picture")
    fill_form(teller, body, alt="A ward corridor")
    picture(teller, "holiday.jpg", b"name,salary\nAlex,52000\n" * 40)
    refused(teller, server, "a file that is not a picture", "The picture must be a PNG, JPEG")
    fill_form(teller, body, alt="A ward corridor")
    picture(teller, "big.png", noise(MAX_BYTES + 50_000), "image/png")
    refused(teller, server, "a picture too big", "The picture must be smaller than 0.2 MB")
    fill_form(teller, body, alt="A ward corridor")
    teller.page.evaluate("document.getElementById('website').value = 'https://spam.example'")
    refused(teller, server, "a robot's answer", "a field meant to be left empty was filled in")

    # -- the story, with a picture that carries a GPS position ---------------------------
    fill_form(teller, body, alt="A ward corridor with a nurse's station")
    picture(teller, "walk.jpg", jpeg_with_gps())
    teller.page.check("#consent-name")  # the name shown, the role and organisation not
    teller.click("Send your story")
    teller.expect_text("Story received", ".govuk-panel")
    both_widths(teller, "story received", shot=True)
    link = teller.page.locator(".app-private-link a").inner_text()
    path = link.removeprefix(server.base_url)
    assert path.startswith("/your-story/")
    assert teller.page.context.cookies() == [], "the public pages set no cookie"
    story = server.sql("SELECT id, status FROM stories")
    assert [status for _, status in story] == ["submitted"]
    sid = story[0][0]

    teller.goto(path, "the storyteller's page, received")
    teller.expect_text("Received: the campaign team will read it", "#story-stage")
    both_widths(teller, "the storyteller's page, received")

    # -- the team sees it first, approves it and posts it --------------------------------
    team = make_ui(server, "approver")
    team.login("alex")
    team.goto("/queue", "queue with a story from the form")
    team.expect_text("New from the form", "#new-from-form")
    both_widths(team, "queue with a story from the form", shot=True)
    with team.page.expect_event("load"):
        team.page.locator("#new-from-form-list a").first.click()
    team.expect_text("From the share form", "#main-content")
    both_widths(team, "a story from the form")
    team.click(f"Approve story #{sid}", check="approved")
    team.expect_text(f"Approved story #{sid}", ".govuk-notification-banner")
    team.goto("/queue", "queue, approved")
    team.click("Post now", check="post now asks first")
    team.click("Yes, post it now on Outbox", check="posted now")
    posts = [json.loads(line) for line in server.outbox.read_text().splitlines() if line]
    sent = [p for p in posts if "id" in p]
    assert len(sent) == 1 and sent[0]["image_alt"] == "A ward corridor with a nurse's station"
    assert server.sql("SELECT status FROM stories") == [("posted",)]

    follower = make_ui(server, "follower")
    follower.goto("/stories/infostory", "the public page")
    follower.expect_text("The GP saw the discharge letter", "main")
    follower.expect_text("— Jo Bloggs", "main")  # as agreed: the name, not the role
    assert "Community nurse" not in follower.page.locator("main").inner_text()
    both_widths(follower, "the public page", shot=True)
    assert follower.page.locator("article img").get_attribute("alt") == (
        "A ward corridor with a nurse's station"
    )

    # -- the storyteller sees the post and withdraws -------------------------------------
    teller.goto(path, "the storyteller's page, posted")
    teller.expect_text("Posted on", "#story-stage")
    teller.expect_text("Your story on Outbox", "#story-posts")
    both_widths(teller, "the storyteller's page, posted", shot=True)
    with teller.page.expect_event("load"):
        teller.page.get_by_role("button", name="Withdraw my story").click()
    teller.expect_text("Are you sure you want to withdraw your story?", "h1")
    both_widths(teller, "withdraw, are you sure")
    teller.click("Yes, withdraw my story")
    teller.expect_text("Your story is withdrawn", ".govuk-panel")
    teller.expect_text("Your story's post on Outbox is deleted.", "#removed")
    both_widths(teller, "withdrawn", shot=True)

    posts = [json.loads(line) for line in server.outbox.read_text().splitlines() if line]
    assert {p["deleted_id"] for p in posts if "deleted_id" in p} == {sent[0]["id"]}
    assert server.sql("SELECT status FROM stories") == [("withdrawn",)]
    follower.goto("/stories/infostory", "the public page, after the withdrawal")
    follower.expect_text("No stories have been posted yet.", "main")

    team.goto("/audit", "the audit trail after the withdrawal")
    team.expect_text("Consent withdrawn by the storyteller through their private link", "main")
    actions = server.sql("SELECT actor, action FROM events WHERE actor = 'storyteller' ORDER BY id")
    assert actions == [
        ("storyteller", "story.submitted"),
        ("storyteller", "story.withdrawn"),
        ("storyteller", "delivery.deleted"),
    ]


def test_public_error_pages_are_accessible(
    share_server: Server, make_ui: Callable[..., UI]
) -> None:
    ui = make_ui(share_server, "visitor")
    ui.goto("/your-story/not-a-real-link", "an unknown link", status=404)
    ui.expect_text("This link does not work", "main")
    both_widths(ui, "an unknown link")
    ui.goto("/share/no-such-campaign", "no such form", status=404)
    both_widths(ui, "no such form")
