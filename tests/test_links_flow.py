"""Links, cards and reply controls end to end: approval reads the page (a real local web
server), the preview shows the card (CLI and web), and the posts reach the fake platforms
through their real SDKs (atproto against the fake PDS, tweepy, Mastodon.py)."""

from __future__ import annotations

import io
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from infobot.app import App
from infobot.service.linkcards import LinkCards
from infobot.service.webfetch import GuardedHttp
from tests.conftest import Cli, story_row, write_csv
from tests.harness_bluesky import FakePds, fake_pds
from tests.support import local_web
from tests.support.local_web import LocalWeb, huge, page, redirect, slow
from tests.web_support import Site, follow, post, text_of

UTM = "utm_medium=social&utm_campaign=infostory"
OG_TITLE = "Nurses in Wales & their stories"
OG_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Nurses in Wales &amp; their stories">
<meta property="og:description" content="Ten stories from the ward.">
<meta property="og:image" content="/card.png">
</head><body><h1>Hello</h1></body></html>"""


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    yield from local_web.serving()


@pytest.fixture
def pds() -> Iterator[FakePds]:
    with fake_pds() as server:
        yield server


def bluesky_env(pds: FakePds, tmp_path: Path) -> dict[str, str]:
    return {
        "platforms": "bluesky",
        "bluesky__handle": pds.handle,
        "bluesky__app_password": pds.password,
        "bluesky__service_url": pds.url,
        "bluesky__session_file": str(tmp_path / "bluesky-session.txt"),
        "bluesky__timeout_seconds": "5",
        "link_cards_allow_private": "true",
    }


def set_env(values: dict[str, str]) -> None:
    for key, value in values.items():
        os.environ[f"INFOBOT_{key.upper()}"] = value


def serve_story_page(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    web.routes["/card.png"] = page(png(1200, 630), "image/png")


# --------------------------------------------------------------------------- the CLI


def test_a_card_read_at_approval_is_in_the_preview_and_on_the_post(
    cli: Cli, web: LocalWeb, pds: FakePds, tmp_path: Path
) -> None:
    serve_story_page(web)
    set_env(bluesky_env(pds, tmp_path))
    link = web.url("/story")
    write_csv(tmp_path / "stories.csv", [story_row(1, link=link)])
    cli.ok("import", "stories.csv", "--by", "sam")
    assert not web.seen  # nothing is read before approval

    approved = cli.ok("stories", "approve", "1", "--by", "alex")
    assert "Approved story #1." in approved.out and "warning" not in approved.err
    assert [s.path for s in web.seen] == ["/story", "/card.png"]
    ((url, title, mime, size, problem),) = cli.sql(
        "SELECT url, title, thumb_mime, length(thumb), problem FROM link_cards"
    )
    assert (url, title, mime, problem) == (link, OG_TITLE, "image/jpeg", "")
    assert 0 < size <= 1_000_000

    shown = cli.ok("preview", "--days", "1").out
    assert (
        "(link card: Nurses in Wales & their stories — Ten stories from the ward.;"
        f" with a picture; opens {link})"
    ) in shown
    assert "· link card: Nurses in Wales & their stories (with a picture)" in shown
    data = cli.ok("preview", "--days", "1", "--json").json()
    (first,) = data[0]["platforms"]["bluesky"]["posts"]
    assert first["card"] == {
        "url": link,
        "title": "Nurses in Wales & their stories",
        "description": "Ten stories from the ward.",
        "picture": True,
    }
    assert "Nurses in Wales & their stories" in cli.ok("stories", "show", "1").out

    read = len(web.seen)
    sent = cli.ok("post-now")
    assert "bluesky" in sent.out
    assert len(web.seen) == read  # the page is not read again at post time
    (live,) = pds.live()
    assert link in live.value["text"]
    embed = live.value["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    external = embed["external"]
    assert (external["uri"], external["title"], external["description"]) == (
        link,
        "Nurses in Wales & their stories",
        "Ten stories from the ward.",
    )
    mime, thumb = pds.blobs[external["thumb"]["ref"]["$link"]]
    assert mime == "image/jpeg" and len(thumb) <= 1_000_000
    assert Image.open(io.BytesIO(thumb)).size == (1200, 630)
    assert pds.calls["com.atproto.repo.createRecord"] == 1  # no gates: a plain create
    assert pds.calls["com.atproto.repo.applyWrites"] == 0


def test_pages_that_cannot_be_read_warn_at_approval_and_post_without_a_card(
    cli: Cli, web: LocalWeb, pds: FakePds, tmp_path: Path
) -> None:
    web.routes["/slow"] = slow(3.0, page(OG_PAGE))
    web.routes["/huge"] = huge(web, "/huge", b"<html><body>", 8 * 1024 * 1024)
    web.routes["/metadata"] = redirect("http://169.254.169.254/latest/meta-data/")
    web.routes["/bare"] = page("<html><body><p>Nothing to see</p></body></html>")
    set_env({**bluesky_env(pds, tmp_path), "link_card_timeout_seconds": "1"})
    paths = ["/slow", "/huge", "/metadata", "/bare"]
    rows = [story_row(n, link=web.url(path)) for n, path in enumerate(paths, start=1)]
    write_csv(tmp_path / "stories.csv", rows)
    cli.ok("import", "stories.csv", "--by", "sam")

    began = time.monotonic()
    approved = cli.ok("stories", "approve", "1", "2", "3", "4", "--by", "alex")
    assert time.monotonic() - began < 10  # read side by side, each within its second
    reasons = {
        1: "the site took too long to answer",
        2: "the page has no title or description (no og:title or <title>)",
        3: "169.254.169.254 is a link-local address",  # refused before any connection
        4: "the page has no title or description (no og:title or <title>)",
    }
    for n, reason in reasons.items():
        assert f"Approved story #{n}." in approved.out
        warning = next(line for line in approved.err.splitlines() if f"story #{n}:" in line)
        assert warning.startswith(f"warning: story #{n}: bluesky: the page could not be read: ")
        assert reason in warning and warning.endswith("; the post will go out without a card")
    assert "link-local" in approved.err
    assert cli.count("link_cards", "problem != ''") == 4
    assert not any("169.254" in s.path for s in web.seen)

    shown = cli.ok("preview", "--days", "4").out
    assert shown.count("· no link card: the page could not be read: ") == 4
    cli.ok("post-now")
    for n in (2, 3, 4):
        cli.ok("post-now", "--story", str(n))
    posts = pds.live()
    assert len(posts) == 4 and all("embed" not in p.value for p in posts)
    assert cli.sql("SELECT DISTINCT status FROM deliveries") == [("sent",)]


# --------------------------------------------------------------------------- the web page


class Routed:
    """``www.gov.wales`` (a public address, as far as the guard knows) dials the local
    server, so a link on the team's own domain can be read and tracked."""

    def __init__(self, web: LocalWeb) -> None:
        self.web = web

    def resolve(self, host: str, port: int) -> list[str]:
        assert host == "www.gov.wales", host
        return ["93.184.215.14"]

    def connect(self, ip: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.web.port), timeout=timeout)


@pytest.fixture
def gated(tmp_path: Path, web: LocalWeb, pds: FakePds) -> Iterator[Site]:
    env = {
        **bluesky_env(pds, tmp_path),
        "tracking_domains": "gov.wales",
        "bluesky__link_in_reply": "true",
        "bluesky__replies": "followers",
        "bluesky__quotes": "nobody",
    }
    site = Site(tmp_path, **env)
    routed = Routed(web)
    http = GuardedHttp(resolver=routed.resolve, connector=routed.connect)
    # Every campaign's App (the web page builds one per request) reads through ``http``.
    original = App.link_cards
    App.link_cards = lambda self: LinkCards(site.clock, http=http)  # type: ignore[method-assign]
    try:
        yield site
    finally:
        App.link_cards = original  # type: ignore[method-assign]
        site.close()


def test_on_the_web_page_the_card_tracking_and_reply_controls_show_and_go_out_together(
    gated: Site, web: LocalWeb, pds: FakePds
) -> None:
    serve_story_page(web)
    link = f"http://www.gov.wales:{web.port}/story"
    tracked = f"{link}?utm_source=bluesky&{UTM}"
    eve = gated.signed_in("Eve", "approver")
    fields = {
        "body": "The ward and the GP saw the same notes.",
        "author": "Ada",
        "link": link,
        "consent_by": "Ada",
        "consent_date": "2026-10-01",
    }
    assert post(eve, "/stories/new", fields).status_code == 303
    draft = text_of(eve.get("/stories/1").text)
    assert "link card: read from the page when the story is approved" in draft
    approved = follow(eve, post(eve, "/stories/1/approve", {"return_to": "/stories/1"}))
    assert "Approved story #1." in text_of(approved.text)

    shown = text_of(eve.get("/stories/1").text)
    for expected in (
        "Link card: Nurses in Wales & their stories",
        "Ten stories from the ward.",
        f"With a picture. Opens {tracked}",
        f"The link opens {tracked}",
        "the link goes in a reply to the post",
        "link card (on post 2): Nurses in Wales & their stories (with a picture)",
        "who can reply: the account's followers",
        "who can quote: nobody (quoting is off)",
    ):
        assert expected in shown, expected

    sent = follow(eve, post(eve, "/post-now", {"story": "", "confirm": "yes"}))
    assert "Bluesky: posted" in text_of(sent.text)
    assert pds.calls["com.atproto.repo.createRecord"] == 0
    first, reply = (body["writes"] for body in pds.apply_bodies)
    # the post and its gates in one write, all with the post's own record key
    assert [w["collection"] for w in first] == [
        "app.bsky.feed.post",
        "app.bsky.feed.threadgate",
        "app.bsky.feed.postgate",
    ]
    rkey = first[0]["rkey"]
    post_uri = f"at://{pds.did}/app.bsky.feed.post/{rkey}"
    assert {w["rkey"] for w in first} == {rkey}
    threadgate, postgate = first[1]["value"], first[2]["value"]
    assert threadgate["post"] == post_uri and postgate["post"] == post_uri
    assert threadgate["allow"] == [{"$type": "app.bsky.feed.threadgate#followerRule"}]
    assert postgate["embeddingRules"] == [{"$type": "app.bsky.feed.postgate#disableRule"}]
    assert pds.records[f"at://{pds.did}/app.bsky.feed.threadgate/{rkey}"] == threadgate
    assert link not in first[0]["value"]["text"] and "embed" not in first[0]["value"]
    # the reply: the link as written, opening the tracked address, with the card
    assert [w["collection"] for w in reply] == ["app.bsky.feed.post", "app.bsky.feed.postgate"]
    value: dict[str, Any] = reply[0]["value"]
    assert value["text"] == link
    assert value["reply"]["parent"]["uri"] == post_uri
    (facet,) = value["facets"]
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": tracked}]
    assert value["embed"]["external"]["uri"] == tracked
    assert value["embed"]["external"]["thumb"]["ref"]["$link"] in pds.blobs
    assert len(pds.live()) == 2


def test_approval_on_the_web_page_shows_why_there_is_no_card(
    tmp_path: Path, web: LocalWeb, pds: FakePds
) -> None:
    web.routes["/bare"] = page("<html><body>no tags</body></html>")
    site = Site(tmp_path, **bluesky_env(pds, tmp_path))
    try:
        eve = site.signed_in("Eve", "approver")
        fields = {
            "body": "A story with a link.",
            "link": web.url("/bare"),
            "consent_by": "Ada",
            "consent_date": "2026-10-01",
        }
        post(eve, "/stories/new", fields)
        approved = text_of(follow(eve, post(eve, "/stories/1/approve", {})).text)
        assert "Approved story #1." in approved
        assert "Bluesky: the page could not be read: the page has no title" in approved
        shown = text_of(eve.get("/stories/1").text)
        assert "no link card: the page could not be read: the page has no title" in shown
    finally:
        site.close()
