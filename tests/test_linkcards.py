"""Bluesky link cards read from real pages on a local HTTP server, and the web guard."""

from __future__ import annotations

import io
import ipaddress
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from infobot.clock import FixedClock
from infobot.service.linkcards import (
    MAX_THUMB_BYTES,
    LinkCard,
    LinkCards,
    LinkCardWarning,
    from_json,
    make_thumbnail,
    read_meta,
    to_json,
)
from infobot.service.webfetch import FetchLimits, FetchRefused, GuardedHttp, address_problem
from tests.support import local_web
from tests.support.local_web import LocalWeb, page, redirect, slow

CLOCK = FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
PUBLIC_IP = "93.184.215.14"  # a global address; the connector below dials the local server


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    yield from local_web.serving()


def cards(allow_private: bool = True, **limits: float) -> LinkCards:
    return LinkCards(CLOCK, allow_private=allow_private, limits=FetchLimits(**limits))  # type: ignore[arg-type]


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (30, 120, 200, 128)[: len(mode)]).save(out, "PNG")
    return out.getvalue()


def noise_jpeg(width: int, height: int, quality: int = 92) -> bytes:
    rng = random.Random(7)
    picture = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


OG_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Nurses in Wales &amp; their stories">
<meta property="og:description" content="  Ten stories from the ward,
   told by the people who work there.  ">
<meta property="og:image" content="/card.png">
<meta name="description" content="not this one">
</head><body><h1>Hello</h1></body></html>"""


# --------------------------------------------------------------------------- pages


def test_a_normal_page_gives_a_card_with_a_thumbnail(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    web.routes["/card.png"] = page(png(1200, 630), "image/png")
    card = cards().fetch(web.url("/story"))
    assert isinstance(card, LinkCard), card
    assert card.url == web.url("/story")
    assert card.title == "Nurses in Wales & their stories"
    assert card.description == "Ten stories from the ward, told by the people who work there."
    assert card.image_url == web.url("/card.png")
    assert card.fetched_at == CLOCK.now()
    assert card.thumb_mime == "image/jpeg" and card.thumb_bytes is not None
    assert len(card.thumb_bytes) <= MAX_THUMB_BYTES
    assert Image.open(io.BytesIO(card.thumb_bytes)).size == (1200, 630)
    assert card.notes == ()
    page_request = web.seen[0]
    assert page_request.headers["Accept-Encoding"] == "identity"
    assert page_request.headers["Host"] == f"127.0.0.1:{web.port}"


def test_without_open_graph_the_title_and_description_tags_are_used(web: LocalWeb) -> None:
    web.routes["/plain"] = page(
        "<html><head><title>\n  Plain   page </title>"
        '<meta name="Description" content="About the campaign"></head><body>x</body></html>'
    )
    card = cards().fetch(web.url("/plain"))
    assert isinstance(card, LinkCard)
    assert (card.title, card.description, card.thumb_bytes) == (
        "Plain page",
        "About the campaign",
        None,
    )


def test_a_page_with_no_tags_gives_a_warning(web: LocalWeb) -> None:
    web.routes["/bare"] = page("<html><body><p>Nothing to see</p></body></html>")
    warning = cards().fetch(web.url("/bare"))
    assert isinstance(warning, LinkCardWarning)
    assert warning.message == (
        "the page could not be read: the page has no title or description (no og:title or"
        " <title>); the post will go out without a card"
    )
    assert warning.fetched_at == CLOCK.now()


def test_a_slow_page_times_out_quickly(web: LocalWeb) -> None:
    web.routes["/slow"] = slow(10.0, page(OG_PAGE))
    began = time.monotonic()
    warning = cards(read_seconds=0.5, total_seconds=1.0).fetch(web.url("/slow"))
    assert time.monotonic() - began < 4  # well under the 10 s answer, even on a busy host
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "the site took too long to answer"


def test_a_page_that_trickles_in_is_stopped_by_the_time_budget(web: LocalWeb) -> None:
    web.routes["/drip"] = local_web.drip(web, "/drip", b"<!-- -->", every=0.2, times=40)
    began = time.monotonic()
    warning = cards(read_seconds=1.0, total_seconds=1.2).fetch(web.url("/drip"))
    assert time.monotonic() - began < 4.5  # the drip lasts 8 s
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "the site took too long to answer"


def test_a_huge_page_is_read_only_up_to_the_cap(web: LocalWeb) -> None:
    head = OG_PAGE.split("<body>")[0].encode() + b"<body>"
    total = 64 * 1024 * 1024
    web.routes["/huge"] = local_web.huge(web, "/huge", head, total)
    web.routes["/card.png"] = page(png(600, 315), "image/png")
    card = cards().fetch(web.url("/huge"))
    assert isinstance(card, LinkCard) and card.title == "Nurses in Wales & their stories"
    fetched = GuardedHttp(allow_private=True).request(
        "GET", web.url("/huge"), max_bytes=1024 * 1024, truncate=True
    )
    assert fetched.truncated and len(fetched.body) == 1024 * 1024
    time.sleep(0.2)
    assert web.sent_bytes["/huge"] < total  # the server was cut off, not read to the end


def test_a_huge_page_with_its_tags_past_the_cap_has_no_card(web: LocalWeb) -> None:
    web.routes["/late"] = local_web.huge(web, "/late", b"<html><body>", 8 * 1024 * 1024)
    warning = cards().fetch(web.url("/late"))
    assert isinstance(warning, LinkCardWarning)
    assert "no title" in warning.reason


def test_something_that_is_not_a_page(web: LocalWeb) -> None:
    web.routes["/report.pdf"] = page(b"%PDF-1.7", "application/pdf")
    warning = cards().fetch(web.url("/report.pdf"))
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "the link is not a web page (it is application/pdf)"


def test_a_missing_page(web: LocalWeb) -> None:
    warning = cards().fetch(web.url("/gone"))
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "the site answered 404 Not Found"


def test_redirects_are_followed_a_few_times_only(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    web.routes["/r1"] = redirect("/r2", 301)
    web.routes["/r2"] = redirect(web.url("/story"), 308)
    assert isinstance(cards().fetch(web.url("/r1")), LinkCard)
    web.routes["/loop"] = redirect("/loop")
    warning = cards().fetch(web.url("/loop"))
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "the site redirected more than 3 times"
    assert [s.path for s in web.seen].count("/loop") == 4


# --------------------------------------------------------------------------- addresses


class Routed:
    """DNS and dialling for tests: ``www.council.example`` is a public address that
    reaches the local server, so its redirects can be checked as they would be live."""

    def __init__(self, web: LocalWeb, names: dict[str, list[str]] | None = None) -> None:
        self.web = web
        self.names = {"www.council.example": [PUBLIC_IP], **(names or {})}
        self.dialled: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        if host in self.names:
            return self.names[host]
        return [str(ipaddress.ip_address(host))]

    def connect(self, ip: str, port: int, timeout: float) -> socket.socket:
        self.dialled.append(ip)
        target = "127.0.0.1" if ip == PUBLIC_IP else ip
        return socket.create_connection((target, self.web.port), timeout=timeout)

    def cards(self, allow_private: bool) -> LinkCards:
        http = GuardedHttp(
            allow_private=allow_private, resolver=self.resolve, connector=self.connect
        )
        return LinkCards(CLOCK, http=http)


def test_a_redirect_to_the_cloud_metadata_address_is_refused_always(web: LocalWeb) -> None:
    web.routes["/story"] = redirect("http://169.254.169.254/latest/meta-data/")
    routed = Routed(web)
    for allow_private in (False, True):
        warning = routed.cards(allow_private).fetch("http://www.council.example/story")
        assert isinstance(warning, LinkCardWarning)
        assert warning.reason == (
            "169.254.169.254 is a link-local address (where cloud metadata services answer),"
            " which infobot does not read"
        )
    assert "169.254.169.254" not in routed.dialled


def test_a_redirect_to_this_machine_is_refused_unless_private_is_allowed(web: LocalWeb) -> None:
    web.routes["/start"] = redirect(f"http://127.0.0.1:{web.port}/story")
    web.routes["/story"] = page(OG_PAGE)
    routed = Routed(web)
    warning = routed.cards(allow_private=False).fetch("http://www.council.example/start")
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == (
        "127.0.0.1 is this machine's own address, which infobot does not read"
    )
    assert routed.dialled == [PUBLIC_IP]
    card = routed.cards(allow_private=True).fetch("http://www.council.example/start")
    assert isinstance(card, LinkCard) and card.title.startswith("Nurses in Wales")


def test_a_page_on_this_machine_is_refused_by_default(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    warning = LinkCards(CLOCK).fetch(web.url("/story"))
    assert isinstance(warning, LinkCardWarning)
    assert "this machine's own address" in warning.reason
    assert web.seen == []


def test_every_address_of_a_name_is_checked(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    routed = Routed(web, {"mixed.example": [PUBLIC_IP, "10.0.0.7"]})
    warning = routed.cards(allow_private=False).fetch("http://mixed.example/story")
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == (
        "mixed.example is at 10.0.0.7, a private network address, which infobot does not read"
    )
    assert routed.dialled == []


@pytest.mark.parametrize(
    ("address", "private_ok", "problem"),
    [
        ("93.184.215.14", False, None),
        ("2606:4700::1111", False, None),
        ("127.0.0.1", False, "this machine's own address"),
        ("127.0.0.1", True, None),
        ("::1", False, "this machine's own address"),
        ("10.1.2.3", False, "private network address"),
        ("192.168.0.1", True, None),
        ("fd00::1", False, "private network address"),
        ("169.254.169.254", True, "link-local"),
        ("fe80::1", True, "link-local"),
        ("::ffff:169.254.169.254", True, "link-local"),
        ("::ffff:127.0.0.1", False, "this machine's own address"),
        ("2002:7f00:1::", False, "this machine's own address"),  # 6to4 around 127.0.0.1
        ("224.0.0.1", True, "multicast"),
        ("0.0.0.0", True, "an unspecified address"),
        ("240.0.0.1", True, "reserved"),
    ],
)
def test_address_rules(address: str, private_ok: bool, problem: str | None) -> None:
    found = address_problem(ipaddress.ip_address(address), private_ok)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://gov.wales/a", "only addresses starting http:// or https:// are read"),
        ("file:///etc/passwd", "only addresses starting http:// or https:// are read"),
        ("http://user:pw@gov.wales/", "addresses with a user name or password in them"),
        ("http://gov.wales:99999/", "the address is not a valid web address"),
        ("https:///nohost", "the address has no site name"),
    ],
)
def test_only_plain_web_addresses_are_read(url: str, reason: str) -> None:
    warning = LinkCards(CLOCK).fetch(url)
    assert isinstance(warning, LinkCardWarning) and warning.reason.startswith(reason)


def test_https_to_a_server_that_does_not_speak_it(web: LocalWeb) -> None:
    warning = cards().fetch(f"https://127.0.0.1:{web.port}/story")
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "a secure connection to the site could not be made"


def test_nothing_escapes_as_an_exception() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise RuntimeError("resolver bug")

    warning = LinkCards(CLOCK, http=GuardedHttp(resolver=broken)).fetch("https://gov.wales/a")
    assert isinstance(warning, LinkCardWarning)
    assert warning.reason == "unexpected error (RuntimeError)"


def test_a_bare_domain_is_read_over_https() -> None:
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        raise OSError("no network in tests")

    warning = LinkCards(CLOCK, http=GuardedHttp(resolver=resolver)).fetch("gov.wales/infostory")
    assert isinstance(warning, LinkCardWarning) and warning.url == "gov.wales/infostory"
    assert warning.reason == "the site's name gov.wales could not be found"
    assert asked == [("gov.wales", 443)]


def test_a_guarded_post_does_not_follow_redirects(web: LocalWeb) -> None:
    web.routes["/ping"] = redirect("/elsewhere", 307)
    with pytest.raises(FetchRefused, match="redirect that was not followed"):
        GuardedHttp(allow_private=True).request("POST", web.url("/ping"), body=b"x", max_bytes=100)


# --------------------------------------------------------------------------- pictures


def test_a_huge_picture_is_resized_under_1_mb(web: LocalWeb) -> None:
    big = noise_jpeg(2400, 1600)
    assert 1_000_000 < len(big) < 5 * 1024 * 1024
    web.routes["/story"] = page(OG_PAGE.replace("/card.png", "/big.jpg"))
    web.routes["/big.jpg"] = page(big, "image/jpeg")
    card = cards().fetch(web.url("/story"))
    assert isinstance(card, LinkCard) and card.thumb_bytes is not None
    assert len(card.thumb_bytes) <= MAX_THUMB_BYTES
    thumb = Image.open(io.BytesIO(card.thumb_bytes))
    assert thumb.format == "JPEG" and max(thumb.size) <= 1600
    assert abs(thumb.size[0] / thumb.size[1] - 1.5) < 0.01  # the shape is kept


def test_a_picture_over_the_download_cap_is_not_used(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE.replace("/card.png", "/poster.jpg"))
    web.routes["/poster.jpg"] = page(b"\xff\xd8" + b"0" * (6 * 1024 * 1024), "image/jpeg")
    card = cards().fetch(web.url("/story"))
    assert isinstance(card, LinkCard) and card.thumb_bytes is None and card.thumb_mime == ""
    assert card.notes == (
        "the picture could not be used: the answer is larger than 5 MiB; the card has no picture",
    )


def test_an_og_image_that_is_not_a_picture(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    web.routes["/card.png"] = page("<html>login</html>")
    card = cards().fetch(web.url("/story"))
    assert isinstance(card, LinkCard) and card.thumb_bytes is None
    assert card.notes == (
        "the picture could not be used: it is not a picture (the site says text/html);"
        " the card has no picture",
    )
    web.routes["/card.png"] = page(b"GIF89a but not really", "image/png")
    card = cards().fetch(web.url("/story"))
    assert isinstance(card, LinkCard)
    assert card.notes == (
        "the picture could not be used: it is not a picture infobot can read; the card has no"
        " picture",
    )


def test_thumbnails_lose_their_metadata_and_stand_upright() -> None:
    picture = Image.new("RGB", (400, 200), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show
    exif[0x010F] = "Camera maker"
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), icc_profile=b"\0" * 200)
    data, mime = make_thumbnail(out.getvalue())
    thumb = Image.open(io.BytesIO(data))
    assert mime == "image/jpeg"
    assert thumb.size == (200, 400)
    assert dict(thumb.getexif()) == {}
    assert "icc_profile" not in thumb.info and "exif" not in thumb.info


def test_transparent_pictures_stay_png_when_they_fit() -> None:
    data, mime = make_thumbnail(png(300, 300, "RGBA"))
    assert mime == "image/png"
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


def test_a_transparent_picture_too_big_for_png_becomes_jpeg() -> None:
    rng = random.Random(3)
    noisy = Image.frombytes("RGBA", (800, 800), rng.randbytes(800 * 800 * 4))
    out = io.BytesIO()
    noisy.save(out, "PNG")
    data, mime = make_thumbnail(out.getvalue())
    assert mime == "image/jpeg" and len(data) <= MAX_THUMB_BYTES


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(ValueError, match="too many pixels"):
        make_thumbnail(png(8000, 6000, "L"))


def test_a_tight_limit_shrinks_the_picture_until_it_fits() -> None:
    data, mime = make_thumbnail(noise_jpeg(800, 600), max_bytes=20_000)
    assert mime == "image/jpeg" and len(data) <= 20_000
    with pytest.raises(ValueError, match="could not be made smaller than 10 bytes"):
        make_thumbnail(noise_jpeg(100, 100), max_bytes=10)


# --------------------------------------------------------------------------- parsing


def test_read_meta_takes_the_first_of_each_and_the_charset() -> None:
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        '<meta property="og:title" content="Caf\xe9 one"><meta property="og:title" content="two">'
        "<title>T</title></head><body><title>not me</title></body></html>"
    ).encode("cp1252")
    meta = read_meta(body)
    assert meta["og:title"] == "Café one"
    assert meta["title"] == "T"
    assert read_meta("<title>Café</title>".encode(), "utf-8")["title"] == "Café"
    assert read_meta(b"<title>x</title>", "no-such-charset")["title"] == "x"


def test_long_titles_are_cut_at_a_word(web: LocalWeb) -> None:
    web.routes["/long"] = page(f"<title>{'word ' * 200}</title>")
    card = cards().fetch(web.url("/long"))
    assert isinstance(card, LinkCard)
    assert len(card.title) <= 300 and card.title.endswith("word…")


@given(st.binary(max_size=2000), st.sampled_from(["", "utf-8", "latin-1", "bogus"]))
def test_read_meta_never_fails(body: bytes, charset: str) -> None:
    meta = read_meta(body, charset)
    assert "title" in meta


# --------------------------------------------------------------------------- keeping


def test_a_card_and_a_warning_survive_being_stored(web: LocalWeb) -> None:
    web.routes["/story"] = page(OG_PAGE)
    web.routes["/card.png"] = page(png(120, 63), "image/png")
    card = cards().fetch(web.url("/story"))
    assert isinstance(card, LinkCard)
    assert from_json(to_json(card)) == card
    warning = LinkCardWarning("gov.wales/x", "the site took too long to answer", CLOCK.now())
    assert from_json(to_json(warning)) == warning
    bare = LinkCard("gov.wales/x", "T", "", None, "", CLOCK.now())
    assert from_json(to_json(bare)) == bare and bare.uri == "https://gov.wales/x"
    with pytest.raises(ValueError, match="not a stored link card"):
        from_json('{"url": "x"}')
