"""Links in a post and campaign tracking on the team's own domains (infobot.domain.links)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infobot.domain.links import (
    Tracking,
    add_tracking,
    entities,
    find_links,
    host_of,
    is_own_domain,
    track_links,
)
from infobot.domain.render import facets

OWN = Tracking(("gov.wales", "llyw.cymru"), "infostory")
UTM = "utm_source=bluesky&utm_medium=social&utm_campaign=infostory"


# --------------------------------------------------------------------------- finding


def test_finds_links_with_and_without_scheme_like_the_renderer() -> None:
    text = "Read https://www.gov.wales/infostory?a=1#top, or gov.uk/x. Mail info@gov.wales."
    links = find_links(text)
    assert [link.text for link in links] == ["https://www.gov.wales/infostory?a=1#top", "gov.uk/x"]
    assert [link.uri for link in links] == [
        "https://www.gov.wales/infostory?a=1#top",
        "https://gov.uk/x",
    ]
    assert [link.bare for link in links] == [False, True]
    for link in links:
        assert text[link.start : link.end] == link.text


def test_offsets_are_string_indexes_after_non_ascii_text() -> None:
    text = "Café 👩🏽‍⚕️ stori: https://llyw.cymru/stori #StraeonGwybodaeth"
    found = entities(text)
    assert [(e.kind, e.text) for e in found] == [
        ("link", "https://llyw.cymru/stori"),
        ("tag", "#StraeonGwybodaeth"),
    ]
    assert len(found) == len(facets(text))
    for e in found:
        assert text[e.start : e.end] == e.text


def test_no_links_in_plain_text() -> None:
    assert find_links("No link here, just words. And #InfoStory") == []
    assert find_links("") == []


# --------------------------------------------------------------------------- domains


@pytest.mark.parametrize(
    ("host", "own"),
    [
        ("gov.wales", True),
        ("www.gov.wales", True),
        ("WWW.Gov.Wales.", True),
        ("a.b.llyw.cymru", True),
        ("notgov.wales", False),
        ("gov.wales.evil.example", False),
        ("example.com", False),
    ],
)
def test_own_domain_includes_subdomains_only(host: str, own: bool) -> None:
    assert is_own_domain(host, OWN.domains) is own


def test_host_of_reads_bare_domains_and_survives_bad_ports() -> None:
    assert host_of("gov.wales/x") == "gov.wales"
    assert host_of("https://WWW.gov.wales:8443/x") == "www.gov.wales"
    assert host_of("gov.wales:8443/x") == "gov.wales"
    assert host_of("mailto:team@gov.wales") == ""
    assert host_of("https://[::1/x") == ""  # an unclosed IPv6 literal


@pytest.mark.parametrize("bad", ["", "https://gov.wales", "gov.wales/page", "wales", "a b.c"])
def test_tracking_refuses_what_is_not_a_domain(bad: str) -> None:
    with pytest.raises(ValueError, match="not a domain"):
        Tracking((bad,), "infostory")


def test_tracking_needs_a_campaign() -> None:
    with pytest.raises(ValueError, match="campaign name"):
        Tracking(("gov.wales",), " ")


# --------------------------------------------------------------------------- tagging


@pytest.mark.parametrize(
    ("url", "tagged"),
    [
        ("https://gov.wales/story", f"https://gov.wales/story?{UTM}"),
        ("https://gov.wales", f"https://gov.wales/?{UTM}"),
        ("https://www.gov.wales/s?id=7&lang=cy", f"https://www.gov.wales/s?id=7&lang=cy&{UTM}"),
        ("https://gov.wales/s?id=7#part-2", f"https://gov.wales/s?id=7&{UTM}#part-2"),
        ("https://gov.wales/s#", f"https://gov.wales/s?{UTM}#"),
        ("https://gov.wales/s?", f"https://gov.wales/s?{UTM}"),
        ("https://gov.wales/s?a=1&", f"https://gov.wales/s?a=1&{UTM}"),
        ("gov.wales/story", f"gov.wales/story?{UTM}"),
        ("https://gov.wales/%7Esp%20ace?q=a%2Bb", f"https://gov.wales/%7Esp%20ace?q=a%2Bb&{UTM}"),
    ],
)
def test_adds_the_three_parameters_keeping_the_rest(url: str, tagged: str) -> None:
    assert add_tracking(url, "bluesky", OWN) == tagged


def test_never_doubles_a_parameter_already_there() -> None:
    url = "https://gov.wales/s?utm_source=newsletter&x=1"
    tagged = add_tracking(url, "x", OWN)
    assert tagged == url + "&utm_medium=social&utm_campaign=infostory"
    full = "https://gov.wales/s?utm_campaign=spring&utm_medium=email&utm_source=n"
    assert add_tracking(full, "x", OWN) == full


def test_other_sites_are_left_alone() -> None:
    others = (
        "https://example.com/a",
        "https://notgov.wales/a",
        "mailto:a@gov.wales",
        "ftp://gov.wales/a",
        "https://user@gov.wales/a",
    )
    for url in others:
        assert add_tracking(url, "x", OWN) == url


def test_campaign_and_platform_are_encoded() -> None:
    tracking = Tracking(("gov.wales",), "Info Story & more")
    assert add_tracking("https://gov.wales/a", "x", tracking) == (
        "https://gov.wales/a?utm_source=x&utm_medium=social&utm_campaign=Info%20Story%20%26%20more"
    )


def test_track_links_tags_only_own_links_in_a_post() -> None:
    text = (
        "Read the story at https://www.gov.wales/infostory?a=1#top.\n"
        "More: https://example.com/x and llyw.cymru/stori\n#InfoStory"
    )
    tagged = track_links(text, "bluesky", OWN)
    assert tagged == (
        f"Read the story at https://www.gov.wales/infostory?a=1&{UTM}#top.\n"
        f"More: https://example.com/x and llyw.cymru/stori?{UTM}\n#InfoStory"
    )
    # the platforms see the whole tagged address as one link
    assert [link.text for link in find_links(tagged)] == [
        f"https://www.gov.wales/infostory?a=1&{UTM}#top",
        "https://example.com/x",
        f"llyw.cymru/stori?{UTM}",
    ]


def test_bare_domains_can_be_left_alone_for_mastodon() -> None:
    mastodon = Tracking(OWN.domains, "infostory", include_bare=False)
    text = "See gov.wales/a and https://gov.wales/b"
    assert track_links(text, "mastodon", mastodon) == (
        "See gov.wales/a and https://gov.wales/b"
        "?utm_source=mastodon&utm_medium=social&utm_campaign=infostory"
    )


def test_no_tracking_configured_changes_nothing() -> None:
    assert track_links("See https://gov.wales/a", "x", None) == "See https://gov.wales/a"


# --------------------------------------------------------------------------- properties

_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_~", min_size=1, max_size=8)
_params = st.lists(
    st.tuples(st.sampled_from(["id", "lang", "utm_source", "utm_medium", "q", "page"]), _segment),
    max_size=4,
)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    host = draw(st.sampled_from(["gov.wales", "www.gov.wales", "example.com", "llyw.cymru"]))
    scheme = draw(st.sampled_from(["https://", "http://", ""]))
    path = "/".join(draw(st.lists(_segment, max_size=3)))
    query = "&".join(f"{k}={v}" for k, v in draw(_params))
    fragment = draw(st.one_of(st.just(""), _segment))
    url = f"{scheme}{host}/{path}"
    if query:
        url += f"?{query}"
    if fragment:
        url += f"#{fragment}"
    return url


@given(_urls(), st.sampled_from(["x", "mastodon", "bluesky"]))
def test_tracking_is_idempotent_and_keeps_everything(url: str, platform: str) -> None:
    once = add_tracking(url, platform, OWN)
    assert add_tracking(once, platform, OWN) == once
    before = urlsplit(url if "://" in url else f"https://{url}")
    after = urlsplit(once if "://" in once else f"https://{once}")
    assert after.fragment == before.fragment
    assert after.path == before.path
    assert after.query.startswith(before.query)
    old = parse_qsl(before.query, keep_blank_values=True)
    new = parse_qsl(after.query, keep_blank_values=True)
    assert new[: len(old)] == old
    names = [name for name, _ in new]
    if once == url and is_own_domain(before.hostname or "", OWN.domains):
        # left as written only where a query would end the link early on the platforms
        base, hash_mark, fragment = url.partition("#")
        probe = f"{base}{'&' if '?' in base else '?'}utm_source=x{hash_mark}{fragment}"
        found = find_links(probe)
        assert [(link.start, link.end) for link in found] != [(0, len(probe))]
        return
    for name in ("utm_source", "utm_medium", "utm_campaign"):
        if is_own_domain(before.hostname or "", OWN.domains):
            assert names.count(name) == max(1, [n for n, _ in old].count(name))
        else:
            assert once == url


@given(st.lists(_urls(), min_size=1, max_size=3), st.sampled_from([" ", "\n", " and "]))
def test_track_links_is_idempotent_on_whole_posts(urls: list[str], sep: str) -> None:
    text = "Story" + sep + sep.join(urls) + "\n#InfoStory"
    once = track_links(text, "x", OWN)
    assert track_links(once, "x", OWN) == once
    assert len(find_links(once)) == len(find_links(text))


def test_an_address_the_parameters_would_cut_short_stays_as_written() -> None:
    """Found by the idempotence property: X ends a link's path before a "~" followed by a
    query, so "https://gov.wales/~?utm_source=…" would link only "https://gov.wales/"."""
    assert find_links("https://gov.wales/~?utm_source=x")[0].text == "https://gov.wales/"
    assert add_tracking("https://gov.wales/~#0", "x", OWN) == "https://gov.wales/~#0"
    text = "Story https://gov.wales/ https://gov.wales/~#0\n#InfoStory"
    once = track_links(text, "x", OWN)
    assert "https://gov.wales/~#0" in once and track_links(once, "x", OWN) == once
    assert add_tracking("https://gov.wales/~x", "x", OWN).startswith("https://gov.wales/~x?")
