"""The public share form (issue 16): a story from someone with no account arrives as
``submitted``, with its consent record, and is never posted without approval. Every
refusal says what to do and stores nothing."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from infobot.domain.intake import token_digest
from tests.support.pictures import has_metadata, jpeg_with_gps, png
from tests.support.share import ANSWERS, form_token, link_of, send
from tests.support.smtp import smtp_server
from tests.web_support import Site, post, site_fixture, text_of

FORM = "/share/infostory"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, share_form="true", media_max_bytes="100000")


def stored(site: Site) -> tuple[int, int, int]:
    """Stories, consent records and files in the media folder."""
    media = site.tmp / "media"
    files = len([p for p in media.iterdir() if p.is_file()]) if media.is_dir() else 0
    return site.count("stories"), site.count("submissions"), files


def noise(size: int) -> bytes:
    """A PNG of about ``size`` bytes (random pixels do not compress)."""
    side = int((size / 3) ** 0.5) + 1
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_the_form_is_closed_unless_switched_on(tmp_path: Path) -> None:
    site = Site(tmp_path)
    try:
        visitor = site.browser()
        page = visitor.get(FORM)
        assert page.status_code == 404 and "There is no form here" in page.text
        assert visitor.get("/share/another-campaign").status_code == 404
    finally:
        site.close()


def test_a_story_arrives_as_submitted_with_its_consent_record(site: Site) -> None:
    visitor = site.browser()
    page = visitor.get(FORM)
    assert page.status_code == 200
    assert "set-cookie" not in page.headers, "the public form sets no cookie"
    assert "How we use your story" in page.text and "Consent text version 1." in page.text
    done = send(
        visitor,
        image=("walk.jpg", jpeg_with_gps(), "image/jpeg"),
        image_alt="A ward corridor",
        consent=["post", "role"],  # name not to be shown
        email="jo@example.org",
    )
    assert done.status_code == 200, text_of(done.text)[:500]
    assert "set-cookie" not in done.headers
    assert "Story received" in done.text
    link = link_of(done)
    (row,) = site.sql(
        "SELECT id, status, author, role, organisation, consent_by, consent_scope, image, "
        "image_alt, source, created_by FROM stories"
    )
    story_id, status, author, role, org, consent_by, scope, image, alt, source, by = row
    assert status == "submitted"
    assert author == ""  # the storyteller did not agree to their name being shown
    assert (role, org) == ("Community nurse", "Riverside NHS Trust")
    assert consent_by == "Jo Bloggs"
    assert scope == "share form, consent text 1: posting; name not shown; role shown"
    assert (source, by, alt) == ("share form", "storyteller", "A ward corridor")
    picture = (site.tmp / "media" / image).read_bytes()
    assert not has_metadata(picture), "the picture is stored without its GPS and camera"
    (record,) = site.sql(
        "SELECT consent_version, consent_post, consent_name, consent_role, consented_at, "
        "name, email, token_digest FROM submissions"
    )
    assert record[:4] == ("1", 1, 0, 1)
    assert record[4].startswith("2026-11-23 08:00")
    assert record[5:7] == ("Jo Bloggs", "jo@example.org")
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 32  # 192 random bits, URL-safe
    assert record[7] == token_digest(token) and token not in str(
        site.sql("SELECT * FROM submissions")
    )
    (event,) = site.sql("SELECT actor, action, message FROM events WHERE story_id = ?", story_id)
    assert event[:2] == ("storyteller", "story.submitted")
    assert "consent text 1: post, role" in event[2]


def test_the_team_sees_it_first_and_it_never_posts_without_approval(site: Site) -> None:
    send(site.browser(), body="My email is jo.private@example.org, ask me anything.")
    (story_id,) = site.sql("SELECT id FROM stories")[0]
    approver = site.signed_in("Alex", "approver")
    queue = approver.get("/queue")
    assert "New from the form" in queue.text and f"/stories/{story_id}" in queue.text
    page = text_of(approver.get(f"/stories/{story_id}").text)
    assert "From the share form" in page and "consent text version 1" in page
    assert "New from the form" in page  # its status
    claim = site.app.publisher().claim(date(2026, 11, 23))
    assert claim.story_id is None, "a story from the form never posts unapproved"
    response = post(approver, f"/stories/{story_id}/approve", {"return_to": "/queue"})
    assert response.status_code == 303
    after = text_of(approver.get("/queue").text)
    assert f"Approved story #{story_id}" in after
    assert "Looks like personal data (email address" in after  # the same checks as any story
    assert site.sql("SELECT status FROM stories")[0][0] == "approved"


def test_editing_a_story_from_the_form_makes_it_a_draft(site: Site) -> None:
    send(site.browser())
    story_id = site.sql("SELECT id FROM stories")[0][0]
    site.app.editorial().edit(story_id, {"title": "Better title"}, actor="Erin")
    assert site.sql("SELECT status FROM stories")[0][0] == "draft"


def test_the_link_is_emailed_when_mail_is_set_up(tmp_path: Path) -> None:
    with smtp_server() as box:
        url = f"mailto://127.0.0.1:{box.port}?mode=insecure&from=team@example.org"
        site = Site(
            tmp_path, share_form="true", mail_url=url, web_public_url="https://stories.example"
        )
        try:
            done = send(site.browser(), email="jo@example.org")
            assert "We have also emailed it to jo@example.org" in done.text
        finally:
            site.close()
    (mail,) = box.messages
    assert mail.recipients == ["jo@example.org"]
    link = "https://stories.example" + link_of(done)
    assert link in mail.data.replace("=\r\n", "").replace("=\n", "")
    assert "password" not in mail.data.lower()


# -- refusals: each says what to do, and nothing is stored ------------------------------


def test_an_oversize_picture_is_refused(site: Site) -> None:
    visitor = site.browser()
    big = noise(150_000)
    refused = send(visitor, image=("big.png", big, "image/png"), image_alt="Noise")
    assert refused.status_code == 400
    assert "The picture must be smaller than 0.1 MB" in refused.text
    assert "Jo Bloggs" in refused.text  # the answers are kept
    huge = send(visitor, image=("huge.png", noise(500_000), "image/png"), image_alt="Noise")
    assert huge.status_code == 413
    assert "The picture must be smaller than 0.1 MB" in huge.text
    assert stored(site) == (0, 0, 0)


def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(site: Site) -> None:
    refused = send(
        site.browser(),
        image=("holiday.jpg", b"name,salary\nAlex,52000\n" * 50, "image/jpeg"),
        image_alt="A beach",
    )
    assert refused.status_code == 400
    assert "The picture must be a PNG, JPEG, GIF or WebP picture" in refused.text
    assert stored(site) == (0, 0, 0)


def test_a_picture_needs_its_description(site: Site) -> None:
    refused = send(site.browser(), image=("ward.png", png(), "image/png"), image_alt="")
    assert refused.status_code == 400
    assert "Describe the picture for people who cannot see it (alt text)" in refused.text
    assert 'href="#image_alt"' in refused.text  # the error summary links to the question
    assert stored(site) == (0, 0, 0)


def test_a_robot_that_fills_in_the_hidden_field_is_refused(site: Site) -> None:
    refused = send(site.browser(), website="https://cheap-pills.example")
    assert refused.status_code == 400
    assert "a field meant to be left empty was filled in" in refused.text
    assert stored(site) == (0, 0, 0)


def test_the_eleventh_story_from_one_address_in_an_hour_is_refused(site: Site) -> None:
    visitor = site.browser(peer="203.0.113.7")
    for n in range(10):
        done = send(visitor, body=f"Story {n}: sharing the letter meant the right help came.")
        assert done.status_code == 200, (n, text_of(done.text)[:300])
    refused = send(visitor, body="Story 11: one too many from this address.")
    assert refused.status_code == 429
    assert "You have sent 10 stories in the last hour" in refused.text
    assert "Your story was not sent" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert stored(site)[:2] == (10, 10)
    other = send(site.browser(peer="198.51.100.2"), body="From another place, still welcome.")
    assert other.status_code == 200  # the limit is per address
    site.clock.advance(timedelta(hours=1, seconds=1))
    again = send(visitor, body="An hour later, this address may send again.")
    assert again.status_code == 200
    assert stored(site)[:2] == (12, 12)


def test_a_campaign_takes_so_many_stories_an_hour(tmp_path: Path) -> None:
    site = Site(tmp_path, share_form="true", share_limit_per_campaign="2")
    try:
        for n in range(2):
            assert send(site.browser(peer=f"192.0.2.{n}"), body=f"Story {n}.").status_code == 200
        refused = send(site.browser(peer="192.0.2.9"), body="The third in the hour.")
        assert refused.status_code == 429
        assert "We have received a lot of stories in the last hour" in refused.text
        assert site.count("stories") == 2
    finally:
        site.close()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"body": ""}, "Enter your story"),
        ({"name": ""}, "Enter your name"),
        ({"consent": ["name", "role"]}, "Select that you agree to your story being posted"),
        ({"email": "jo@example"}, "Enter an email address in the correct format"),
        ({"email": "a,b@example.org"}, "Enter an email address in the correct format"),
        ({"body": "x" * 5_001}, "Your story must be 5,000 characters or fewer"),
        ({"title": "t" * 121}, "Title must be 120 characters or fewer"),
        ({"body": "Hidden \u202e direction override"}, "Your story:"),
    ],
)
def test_answers_are_checked(site: Site, answers: dict[str, object], message: str) -> None:
    refused = send(site.browser(), **answers)
    assert refused.status_code == 400
    assert message in text_of(refused.text)
    assert "There is a problem" in refused.text
    assert stored(site) == (0, 0, 0)


def test_a_form_token_is_needed_genuine_fresh_and_used_once(site: Site) -> None:
    visitor = site.browser()
    for token in ("", "forged.1700000000.0000000000", form_token(visitor) + "x"):
        refused = send(visitor, token=token)
        assert refused.status_code == 400 and "The form was open too long" in refused.text
    token = form_token(visitor)
    site.clock.advance(timedelta(hours=4))
    assert send(visitor, token=token).status_code == 400  # too old
    token = form_token(visitor)
    assert send(visitor, token=token).status_code == 200
    again = send(visitor, token=token, body="The same form sent twice, other words.")
    assert again.status_code == 400 and "already been sent" in again.text
    assert stored(site)[:2] == (1, 1)


def test_a_form_sent_from_another_site_is_refused(site: Site) -> None:
    visitor = site.browser()
    token = form_token(visitor)
    data = {**ANSWERS, "form_token": token}
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        refused = visitor.post(FORM, data=data, headers=headers)
        assert refused.status_code == 403
    assert stored(site) == (0, 0, 0)


def test_nothing_from_the_form_is_rendered_unescaped(site: Site) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    done = send(site.browser(), title=attack, body=f"Story {attack} here.", role=attack)
    assert done.status_code == 200
    story_id = site.sql("SELECT id FROM stories")[0][0]
    storyteller = site.browser().get(link_of(done))
    team = site.signed_in("Erin", "editor")
    for page in (storyteller.text, team.get("/queue").text, team.get(f"/stories/{story_id}").text):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    refused = send(site.browser(), title=attack, body="")
    assert "<script>alert" not in refused.text
