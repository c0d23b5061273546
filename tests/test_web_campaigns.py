"""The Campaigns page and the campaign each page shows, through real HTTP forms against a
real SQLite file (the way tests/test_web_pages.py drives the page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infobot.domain.campaign import CampaignField
from tests.conftest import story_row
from tests.web_support import Site, follow, post, site_fixture, text_of

FORM = {
    "name": "winter-2026",
    "hashtag": "#winterstory",
    "timezone": "America/New_York",
    "post_time": "18:30",
    "days": ["mon", "wed", "fri"],
    "start": "",
    "end": "2027-01-31",
    "platforms": ["outbox"],
    "languages": "en, cy",
    "active": "yes",
}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def send(client: object, path: str, data: dict[str, object]) -> object:
    from starlette.testclient import TestClient

    assert isinstance(client, TestClient)
    return post(client, path, data, token_from="/campaigns")  # type: ignore[arg-type]


def test_an_admin_creates_a_campaign_checking_it_first(site: Site) -> None:
    admin = site.signed_in("Ada", "admin")
    form = admin.get("/campaigns/new")
    assert form.status_code == 200
    assert 'value="Europe/London"' in form.text and 'value="09:00"' in form.text

    bad = send(admin, "/campaigns/new", FORM | {"post_time": "6pm", "timezone": "Mars/Base"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    page = bad.text  # type: ignore[attr-defined]
    assert "There is a problem" in page and "<title>Error: Create a campaign" in page
    assert '<a href="#post_time">Enter the post time in 24-hour' in page
    assert '<a href="#timezone">Mars/Base is not a time zone infobot knows' in page
    assert 'value="6pm"' in page  # what was typed is shown again
    assert site.count("campaigns") == 1

    check = send(admin, "/campaigns/new", FORM | {"step": "check"})
    assert check.status_code == 200  # type: ignore[attr-defined]
    shown = text_of(check.text)  # type: ignore[attr-defined]
    assert "Check the new campaign" in shown
    assert "Its first posts" in shown
    assert "Monday 23 November 2026, 18:30 EST" in shown  # NOW is Monday 08:00 in London
    assert "Tuesday 24 November" not in shown
    assert site.count("campaigns") == 1  # checked, not saved

    back = send(admin, "/campaigns/new", FORM | {"step": "change"})
    assert 'value="winter-2026"' in back.text  # type: ignore[attr-defined]
    saved = send(admin, "/campaigns/new", FORM | {"step": "save"})
    listing = text_of(follow(admin, saved).text)  # type: ignore[arg-type]
    assert "Campaign winter-2026 created." in listing
    assert "#winterstory at 18:30 (America/New_York) on Monday, Wednesday, Friday" in listing
    assert site.sql("SELECT name, post_time, weekdays, languages FROM campaigns ORDER BY id") == [
        ("infostory", "09:00", "0123456", "en"),
        ("winter-2026", "18:30", "024", "en,cy"),
    ]
    assert site.sql("SELECT actor, message FROM events WHERE action = 'campaign.created'") == [
        ("Ada", "campaign 'winter-2026' created")
    ]
    again = send(admin, "/campaigns/new", FORM | {"step": "save"})
    assert "There is already a campaign called winter-2026" in again.text  # type: ignore[attr-defined]


def test_a_change_of_post_time_shows_the_next_posts_before_it_is_saved(site: Site) -> None:
    admin = site.signed_in("Ada", "admin")
    form = admin.get("/campaigns/infostory/edit")
    assert form.status_code == 200
    version = re.search(r'name="version" value="([^"]+)"', form.text)
    assert version is not None
    values = {
        "name": "infostory",
        "hashtag": "#infostory",
        "timezone": "Europe/London",
        "post_time": "07:45",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "platforms": ["outbox"],
        "languages": "en",
        "active": "yes",
        "version": version.group(1),
    }
    check = send(admin, "/campaigns/infostory/edit", values | {"step": "check"})
    shown = text_of(check.text)  # type: ignore[attr-defined]
    assert "Check your change to infostory" in shown
    assert "Post time 09:00 → changes to 07:45" in shown  # the arrow is hidden from readers
    assert "The next posts now Monday 23 November 2026, 09:00 GMT" in shown
    # 07:45 today has passed (it is 08:00): the first post after the change is tomorrow's
    assert "After this change Tuesday 24 November 2026, 07:45 GMT" in shown
    assert site.sql("SELECT post_time FROM campaigns") == [("09:00",)]

    saved = send(admin, "/campaigns/infostory/edit", values | {"step": "save"})
    assert "Campaign infostory changed." in text_of(follow(admin, saved).text)  # type: ignore[arg-type]
    assert site.sql("SELECT post_time FROM campaigns") == [("07:45",)]
    [(actor, before, after)] = site.sql(
        "SELECT actor, before, after FROM events WHERE action = 'campaign.edited'"
    )
    assert (actor, before, after) == ("Ada", '{"post_time": "09:00"}', '{"post_time": "07:45"}')
    # the form checked against 09:00; saving it again now would undo someone's change
    stale = send(
        admin, "/campaigns/infostory/edit", values | {"step": "save", "post_time": "08:15"}
    )
    assert "someone changed campaign infostory" in text_of(follow(admin, stale).text)  # type: ignore[arg-type]
    assert site.sql("SELECT post_time FROM campaigns") == [("07:45",)]


def test_only_admins_change_campaigns(site: Site) -> None:
    approver = site.signed_in("Robin", "approver")
    assert approver.get("/campaigns").status_code == 200
    assert approver.get("/campaigns/new").status_code == 403
    assert approver.get("/campaigns/infostory/edit").status_code == 403
    refused = send(approver, "/campaigns/new", FORM | {"step": "save"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert site.count("campaigns") == 1


def test_each_page_says_which_campaign_it_shows_and_switches(site: Site) -> None:
    first_ids = site.import_stories(2)
    site.approve(first_ids)
    admin = site.signed_in("Ada", "admin")
    assert "Campaign shown" not in admin.get("/queue").text  # one campaign: as before
    site.app.campaign_admin().create(
        {CampaignField.NAME: "second", CampaignField.HASHTAG: "#secondstory"}, actor="Ada"
    )
    second = site.app.using("second")

    path = site.csv("second.csv", [story_row("s1")])
    [second_id] = second.importer().import_files([path], actor="sam").added_ids
    second.editorial().approve([second_id], actor="Ada")

    queue = admin.get("/queue").text
    assert '<option value="infostory" selected>' in queue and "Campaign shown" in queue
    assert f"#{first_ids[0]}" in text_of(queue) and "Story s1" not in text_of(queue)
    switched = admin.get("/queue?campaign=second").text
    assert '<option value="second" selected>' in switched and "Story s1" in text_of(switched)
    # the choice is remembered, so the next pages (and bookmarks) show the same campaign
    assert '<option value="second" selected>' in admin.get("/calendar").text
    assert "#secondstory" in admin.get("/campaign").text
    # a story's page shows its own campaign, whatever was chosen
    assert '<option value="infostory" selected>' in admin.get(f"/stories/{first_ids[0]}").text
    # a form names the campaign its page showed
    send(admin, "/campaign/pause", {"campaign": "second", "reason": "purdah"})
    assert site.sql("SELECT name, paused FROM campaigns ORDER BY id") == [
        ("infostory", 0),
        ("second", 1),
    ]
    assert second_id not in first_ids
    missing = admin.get("/queue?campaign=third")
    assert missing.status_code == 404
    assert "the campaigns are: infostory, second" in text_of(missing.text)
    listing = text_of(admin.get("/campaigns").text)
    assert "infostory" in listing and "second" in listing and "Paused" in listing
