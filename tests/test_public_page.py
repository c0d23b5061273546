"""The campaign's public page and Atom feed (issue 16): every posted story, newest first, in
full, cached and revalidated, no cookie; a withdrawn story leaves both at once."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.support.pictures import has_metadata, jpeg_with_gps
from tests.support.share import link_of, send
from tests.web_support import Site, site_fixture, text_of

PAGE = "/stories/infostory"
FEED = "/stories/infostory/feed.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, share_form="true", public_page="true")


def post_on(site: Site, story_id: int, day: date) -> None:
    site.clock.set(site.clock.now().replace(year=day.year, month=day.month, day=day.day))
    site.approve([story_id])
    assert site.app.publisher().claim(day).story_id == story_id
    site.app.publisher().deliver(story_id)


def test_the_page_is_closed_unless_switched_on(tmp_path: Path) -> None:
    site = Site(tmp_path)
    try:
        assert site.browser().get(PAGE).status_code == 404
        assert site.browser().get(FEED).status_code == 404
    finally:
        site.close()


def test_posted_stories_newest_first_in_full_as_consented(site: Site) -> None:
    first = send(
        site.browser(),
        body="First story.\n\nIt has two paragraphs, in full.",
        image=("walk.jpg", jpeg_with_gps(), "image/jpeg"),
        image_alt="A red square on a walk",
        consent=["post", "role"],  # no name
    )
    assert first.status_code == 200
    send(site.browser(), body="Second story, with my name.", consent=["post", "name"])
    send(site.browser(), body="Third story, never approved.")
    one, two, _ = (row[0] for row in site.sql("SELECT id FROM stories ORDER BY id"))
    post_on(site, one, date(2026, 11, 23))
    post_on(site, two, date(2026, 11, 24))
    visitor = site.browser()
    page = visitor.get(PAGE)
    assert page.status_code == 200 and "set-cookie" not in page.headers
    text = text_of(page.text)
    assert text.index("Second story") < text.index("First story")  # newest first
    assert "It has two paragraphs, in full." in text
    assert "Third story" not in text  # only what was posted
    assert "— Jo Bloggs" in text and "— Community nurse, Riverside NHS Trust" in text
    assert "Tuesday 24 November 2026" in text and "Monday 23 November 2026" in text
    assert 'alt="A red square on a walk"' in page.text
    assert "Read it on: Outbox" in text
    picture = site.sql("SELECT image FROM stories WHERE id = ?", one)[0][0]
    served = visitor.get(f"{PAGE}/pictures/{picture}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert not has_metadata(served.content)
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (64, 48)
    unposted = send(
        site.browser(),
        body="Fourth, with a picture, not posted.",
        image=("b.png", jpeg_with_gps(8, 8), "image/jpeg"),
        image_alt="x",
    )
    assert unposted.status_code == 200
    other = site.sql("SELECT image FROM stories WHERE id = 4")[0][0]
    assert visitor.get(f"{PAGE}/pictures/{other}").status_code == 404  # not shown: not served
    assert visitor.get(f"{PAGE}/pictures/../infobot.db").status_code == 404


def test_the_feed_is_atom_with_the_same_stories(site: Site) -> None:
    send(site.browser(), body="A story for the feed & its <followers>.")
    post_on(site, 1, date(2026, 11, 23))
    feed = site.browser().get(FEED)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    assert root.tag == f"{ATOM}feed"
    (entry,) = root.findall(f"{ATOM}entry")
    content = entry.findtext(f"{ATOM}content") or ""
    assert content.startswith("A story for the feed & its <followers>.")
    assert "— Jo Bloggs, Community nurse, Riverside NHS Trust" in content
    assert entry.findtext(f"{ATOM}id") == "https://infobot.test/stories/infostory#story-1"
    assert "<followers>" not in feed.text  # escaped in the XML


def test_cached_revalidated_and_a_withdrawn_story_leaves_both_at_once(site: Site) -> None:
    done = send(site.browser(), body="Soon to be withdrawn.")
    post_on(site, 1, date(2026, 11, 23))
    visitor = site.browser()
    page, feed = visitor.get(PAGE), visitor.get(FEED)
    for response in (page, feed):
        assert response.headers["cache-control"] == "public, no-cache"
        assert response.headers["etag"] and response.headers["last-modified"]
    again = visitor.get(PAGE, headers={"if-none-match": page.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    since = visitor.get(FEED, headers={"if-modified-since": feed.headers["last-modified"]})
    assert since.status_code == 304
    site.clock.advance(timedelta(minutes=5))
    site.app.storyteller().withdraw(link_of(done).rsplit("/", 1)[1])
    page2 = visitor.get(PAGE, headers={"if-none-match": page.headers["etag"]})
    feed2 = visitor.get(FEED, headers={"if-none-match": feed.headers["etag"]})
    assert page2.status_code == 200 and "Soon to be withdrawn" not in page2.text
    assert feed2.status_code == 200 and "Soon to be withdrawn" not in feed2.text
    assert "No stories have been posted yet." in page2.text


def test_a_team_members_cookie_is_neither_read_nor_set_on_public_pages(site: Site) -> None:
    team = site.signed_in("Erin", "editor")
    for path in (PAGE, FEED, "/share/infostory"):
        response = team.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers, path
        assert "Signed in as" not in response.text
    assert team.get("/queue").status_code == 200  # still signed in on the team's pages
    assert team.get("/stories/new").status_code == 200  # the team's own /stories/… pages


def test_a_campaign_named_like_a_team_page_does_not_hide_it(site: Site) -> None:
    from infobot.web.public import is_public_path

    assert is_public_path("/stories/infostory") and is_public_path("/stories/2026-winter")
    assert not is_public_path("/stories/new") and not is_public_path("/stories/12")
    assert not is_public_path("/stories/12/withdraw") and not is_public_path("/queue")
