"""The storyteller's own link (issue 16): where the story stands, withdrawing consent
(posts deleted on every platform, the audit trail and the team told), a link that cannot
be guessed and stops working, and erasure after the retention period."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.pictures import png
from tests.support.share import link_of, send
from tests.web_support import Site, site_fixture, text_of

DAY = date(2026, 11, 23)
GONE = "This link does not work"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(
        tmp_path, share_form="true", campaign_end="2026-12-31", share_retention_days="180"
    )


def submitted(site: Site, **answers: object) -> tuple[int, str]:
    done = send(site.browser(), **answers)
    assert done.status_code == 200, text_of(done.text)[:300]
    story_id = int(site.sql("SELECT max(id) FROM stories")[0][0])
    return story_id, link_of(done)


def posted(site: Site, story_id: int) -> None:
    site.approve([story_id])
    site.app.publisher().claim(DAY)
    delivered = site.app.publisher().deliver(story_id)
    assert [o.status for o in delivered.outcomes] == ["sent"]


def outbox(site: Site) -> tuple[set[str], set[str]]:
    """The outbox's posts and the ids deleted from it."""
    records = [json.loads(line) for line in site.outbox.read_text().splitlines() if line]
    return {r["id"] for r in records if "id" in r}, {
        r["deleted_id"] for r in records if "deleted_id" in r
    }


def test_the_page_follows_the_story(site: Site) -> None:
    story_id, link = submitted(site)
    visitor = site.browser()
    page = visitor.get(link)
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert "Received: the campaign team will read it" in text_of(page.text)
    assert "Withdraw my story" in page.text
    site.approve([story_id])
    shown = text_of(visitor.get(link).text)
    assert "Approved: to be posted on Monday 23 November 2026" in shown
    posted(site, story_id)
    page = visitor.get(link)
    shown = text_of(page.text)
    assert "Posted on Monday 23 November 2026" in shown
    assert "Your story on Outbox" in shown
    (live,), _ = outbox(site)
    assert f"#{live}" in page.text  # the link to the post itself


def test_withdrawing_deletes_the_posts_and_tells_the_team(site: Site) -> None:
    story_id, link = submitted(site)
    posted(site, story_id)
    visitor = site.browser()
    question = visitor.get(f"{link}/withdraw")
    assert "Are you sure you want to withdraw your story?" in question.text
    assert "we delete its posts on Outbox" in text_of(question.text)
    token = re.search(r'name="form_token" value="([^"]+)"', question.text)
    assert token is not None
    done = visitor.post(f"{link}/withdraw", data={"form_token": token.group(1)})
    assert done.status_code == 200
    shown = text_of(done.text)
    assert "Your story is withdrawn" in shown
    assert "Your story's post on Outbox is deleted." in shown
    live, deleted = outbox(site)
    assert live == deleted, "every post of the story is deleted on the platform"
    assert site.sql("SELECT status FROM stories WHERE id = ?", story_id) == [("withdrawn",)]
    actions = site.sql(
        "SELECT actor, action FROM events WHERE story_id = ? OR delivery_id IN "
        "(SELECT id FROM deliveries WHERE story_id = ?) ORDER BY id",
        story_id,
        story_id,
    )
    assert ("storyteller", "story.withdrawn") in actions
    assert ("storyteller", "delivery.deleted") in actions
    (alert,) = site.sql("SELECT kind, message FROM alerts WHERE kind = 'consent_withdrawn'")
    assert f"story #{story_id}" in alert[1] and "deleted from Outbox" in alert[1]
    team = site.signed_in("Ada", "admin")
    audit = text_of(team.get("/audit").text)
    assert "Consent withdrawn by the storyteller through their private link" in audit
    again = visitor.post(f"{link}/withdraw", data={"form_token": token.group(1)})
    assert "You had already withdrawn it" in again.text
    assert "You withdrew your consent" in visitor.get(link).text


def test_withdrawing_before_it_posts_stops_it_for_good(site: Site) -> None:
    story_id, link = submitted(site)
    site.approve([story_id])
    report = site.app.storyteller().withdraw(link.rsplit("/", 1)[1])
    assert report.removed == [] and report.not_removed == []
    assert site.app.publisher().claim(DAY).story_id is None


def test_a_token_cannot_be_guessed(site: Site) -> None:
    story_id, link = submitted(site)
    visitor = site.browser()
    assert visitor.get(link).status_code == 200
    wrong = [f"/your-story/{story_id}", "/your-story/" + secrets.token_urlsafe(24)]
    wrong.append(link[:-1] + ("A" if link[-1] != "A" else "B"))
    for path in wrong:
        page = visitor.get(path)
        assert page.status_code == 404 and GONE in page.text, path
        assert visitor.post(path + "/withdraw", data={"form_token": "x"}).status_code == 404
    digests = site.sql("SELECT token_digest FROM submissions")
    assert link.rsplit("/", 1)[1] not in str(digests)  # only its digest is kept


def test_the_link_stops_working_after_the_campaign_ends(site: Site) -> None:
    _, link = submitted(site)
    visitor = site.browser()
    question = visitor.get(f"{link}/withdraw")
    token = re.search(r'name="form_token" value="([^"]+)"', question.text)
    assert token is not None
    # the campaign ends on 31 December 2026; the link works 180 days more, until the end of
    # 29 June 2027 in London (23:00 UTC, summer time)
    site.clock.set(datetime(2027, 6, 29, 22, 59, tzinfo=UTC))
    page = visitor.get(link)
    assert page.status_code == 200 and "This link works until" in page.text
    site.clock.set(datetime(2027, 6, 29, 23, 0, tzinfo=UTC))
    for response in (
        visitor.get(link),
        visitor.get(f"{link}/withdraw"),
        visitor.post(f"{link}/withdraw", data={"form_token": token.group(1)}),
    ):
        assert response.status_code == 404 and GONE in response.text
    assert site.sql("SELECT status FROM stories") == [("submitted",)]


def test_a_withdrawn_storys_personal_fields_are_erased_after_retention(site: Site) -> None:
    story_id, link = submitted(
        site,
        image=("ward.png", png(), "image/png"),
        image_alt="Jo at the ward desk",
        email="jo@example.org",
    )
    picture = site.sql("SELECT image FROM stories")[0][0]
    site.app.storyteller().withdraw(link.rsplit("/", 1)[1])
    daemon = site.app.daemon("test")
    site.clock.advance(timedelta(days=179))
    daemon.tick()
    assert site.sql("SELECT erased_at FROM stories") == [(None,)]
    assert site.browser().get(link).status_code == 200  # the campaign is not over yet
    site.clock.advance(timedelta(days=2))
    report = daemon.tick()
    assert f"erased the personal fields of withdrawn stories #{story_id}" in report.actions
    (story,) = site.sql(
        "SELECT title, body, author, role, organisation, image, image_alt, consent_by, "
        "consent_scope, status, erased_at FROM stories"
    )
    assert story[:9] == ("", "[erased]", "", "", "", "", "", "", "")
    assert story[9] == "withdrawn" and story[10] is not None
    (record,) = site.sql("SELECT name, role, organisation, email, token_digest FROM submissions")
    assert record == ("", "", "", "", None)
    everything = json.dumps(site.sql("SELECT actor, before, after, message FROM events"))
    for personal in ("Jo Bloggs", "Community nurse", "Riverside", "jo@example.org", "discharge"):
        assert personal not in everything, personal
    actions = [a for (a,) in site.sql("SELECT action FROM events WHERE story_id = ?", story_id)]
    assert actions[-1] == "story.erased" and "story.submitted" in actions  # anonymous trail
    assert not (site.tmp / "media" / picture).exists()
    assert site.browser().get(link).status_code == 404
    assert site.app.retention().erase_due().story_ids == []  # once


def test_the_erase_command(cli: Cli, tmp_path: Path) -> None:
    cli.ok(
        "stories", "add", "--body", "A story.", "--consent-by", "Jo", "--consent-date", "2026-10-01"
    )
    cli.ok("stories", "withdraw", "1", "--reason", "Consent withdrawn by phone", "--by", "Sam")
    assert "Due for erasure: none" in cli.ok("share", "erase", "--dry-run").out
    cli.ok("share", "erase")
    assert cli.sql("SELECT body FROM stories") == [("A story.",)]
    import os

    os.environ["INFOBOT_CLOCK_START"] = "2027-06-01T08:00:00+00:00"
    assert "Due for erasure: #1" in cli.ok("share", "erase", "--dry-run").out
    out = cli.ok("share", "erase").out
    assert "Erased the personal fields of 1 withdrawn story (#1)" in out
    assert cli.sql("SELECT body, consent_by FROM stories") == [("[erased]", "")]


def test_a_story_sent_to_another_campaign_follows_that_campaigns_plan(site: Site) -> None:
    """The link page plans, withdraws and deletes with the story's own campaign, not the
    first one (its queue, its calendar, its platforms)."""
    from infobot.domain.campaign import CampaignField

    site.app.campaign_admin().create(
        {
            CampaignField.NAME: "second",
            CampaignField.HASHTAG: "#secondstory",
            CampaignField.POST_TIME: "12:00",
            CampaignField.TIMEZONE: "America/New_York",
            CampaignField.SHARE_FORM: "true",
        },
        actor="test",
    )
    site.import_stories(3)  # the first campaign has a queue of its own
    site.approve([1, 2, 3])
    done = send(site.browser(), path="/share/second")
    assert done.status_code == 200, text_of(done.text)[:300]
    link = link_of(done)
    story_id = int(site.sql("SELECT max(id) FROM stories")[0][0])
    assert site.sql("SELECT c.name FROM stories s JOIN campaigns c ON c.id = s.campaign_id "
                    "WHERE s.id = ?", story_id) == [("second",)]  # fmt: skip
    second = site.app.using("second")
    second.editorial().approve([story_id], actor="boss")
    with second.db.read() as session:
        planned = [d.day for d in second.planner.plan(session, 30) if d.story is not None]
    assert planned, "the second campaign plans its story"
    shown = text_of(site.browser().get(link).text)
    assert f"Approved: to be posted on {planned[0]:%A %-d %B %Y}" in shown
    report = site.app.storyteller().withdraw(link.rsplit("/", 1)[1])
    assert report.removed == [] and report.not_removed == []
    assert site.sql("SELECT status FROM stories WHERE id = ?", story_id) == [("withdrawn",)]
    with second.db.read() as session:
        assert all(d.story is None for d in second.planner.plan(session, 30))
