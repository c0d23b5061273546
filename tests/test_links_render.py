"""Links in rendering: campaign tracking in the length rules, the link in a reply, where a
link card goes, and who may reply, as the preview and the posts get them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infobot.domain.links import Tracking
from infobot.domain.render import Card, PlatformRules, RenderOptions, card_link, render
from infobot.domain.render.linking import CARD_IMAGE, CARD_LATER, CARD_STALE, LINK_IN_REPLY
from infobot.domain.replies import (
    Audience,
    WhoCanQuote,
    WhoCanReply,
    check_quotes,
    check_replies,
)
from infobot.domain.story import StoryInput

LINK = "https://www.gov.wales/infostory/joined-up"
TRACKING = Tracking(("gov.wales",), "infostory")
UTM = "utm_medium=social&utm_campaign=infostory"
#: a platform that shows links as written and counts every grapheme (a plug-in, say)
PLAIN = PlatformRules(name="plain", max_length=200, counter="graphemes")
BLUESKY = replace(PlatformRules.bluesky(), link_cards=True)


def story(body: str = "Sharing notes meant help came early.", **fields: str) -> StoryInput:
    return StoryInput(body=body, author="Sam", link=fields.pop("link", LINK), **fields)


def options(tracking: Tracking | None = TRACKING, **kw: str) -> RenderOptions:
    return RenderOptions(tracking=tracking, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- tracking


def test_x_and_mastodon_send_the_tracked_link_and_count_it_as_23() -> None:
    for rules in (PlatformRules.x(), PlatformRules.mastodon()):
        plain = render(story(), rules, options(None))
        tracked = render(story(), rules, options())
        (post,) = tracked.posts
        assert f"{LINK}?utm_source={rules.name}&{UTM}" in post.text
        assert post.length == plain.posts[0].length  # any URL counts 23 there
        assert post.links == ()


def test_mastodon_leaves_a_bare_domain_alone_x_tracks_it() -> None:
    text = "More at gov.wales/infostory today."
    mastodon = render(story(text, link=""), PlatformRules.mastodon(), options())
    assert "gov.wales/infostory today" in mastodon.posts[0].text  # plain text on Mastodon
    x = render(story(text, link=""), PlatformRules.x(), options())
    assert f"gov.wales/infostory?utm_source=x&{UTM} today" in x.posts[0].text


def test_bluesky_keeps_the_visible_link_and_tracks_the_address_it_opens() -> None:
    plain = render(story(), BLUESKY, options(None))
    tracked = render(story(), BLUESKY, options())
    (post,) = tracked.posts
    assert post.text == plain.posts[0].text and LINK in post.text  # as written, no utm_
    assert post.length == plain.posts[0].length  # tracking costs no characters
    assert post.links == ((LINK, f"{LINK}?utm_source=bluesky&{UTM}"),)
    from infobot.domain.render import facets

    (link,) = [f for f in facets(post.text, dict(post.links)) if f.kind == "link"]
    assert link.value == f"{LINK}?utm_source=bluesky&{UTM}"
    assert post.text.encode()[link.byte_start : link.byte_end].decode() == LINK


def test_links_to_other_sites_are_not_tracked() -> None:
    other = "https://www.example.org/report"
    for rules in (PlatformRules.x(), BLUESKY, PLAIN):
        rendered = render(story(link=other), rules, options())
        assert other in rendered.posts[0].text and "utm_" not in rendered.posts[0].text
        assert rendered.posts[0].links == ()


def fitting_story(rules: PlatformRules, *, room: int) -> StoryInput:
    """A story that fits ``rules`` exactly, with ``room`` characters to spare, untracked."""
    base = render(story("x"), rules, options(None)).posts[0].length
    words = ("Sharing notes meant help came early " * 20)[: rules.max_length - base - room]
    return story(words.strip() + ".")


@pytest.mark.parametrize("overflow", ["thread", "reject"])
def test_a_story_that_fits_only_without_tracking_is_threaded_or_refused(overflow: str) -> None:
    tagged = fitting_story(PLAIN, room=10)
    untracked = render(tagged, PLAIN, options(None, overflow=overflow))
    assert untracked.ok and len(untracked.posts) == 1
    tracked = render(tagged, PLAIN, options(overflow=overflow))
    assert f"utm_source=plain&{UTM}" in "".join(p.text for p in tracked.posts)
    if overflow == "thread":
        assert tracked.ok and len(tracked.posts) == 2
        assert all(p.length <= PLAIN.max_length for p in tracked.posts)
    else:
        assert not tracked.ok
        assert "over Plain's 200" in tracked.problems[0]
        assert "allow threads" in tracked.problems[0]
    # the same story on Bluesky and X keeps its length: the link is behind text / 23
    for rules in (BLUESKY, PlatformRules.x()):
        assert render(tagged, rules, options(overflow=overflow)).posts[0].length == (
            render(tagged, rules, options(None, overflow=overflow)).posts[0].length
        )


# --------------------------------------------------------------------------- link in a reply


def test_the_link_goes_in_a_reply_after_the_post() -> None:
    rules = replace(PlatformRules.x(), link_in_reply=True)
    rendered = render(story(), rules, options())
    first, reply = rendered.posts
    assert LINK not in first.text and "#infostory" in first.text
    assert reply.text == f"{LINK}?utm_source=x&{UTM}" and reply.length == 23
    assert rendered.ok and LINK_IN_REPLY in rendered.notes


def test_the_link_reply_follows_a_whole_thread_and_x_without_threads_still_replies() -> None:
    long_body = " ".join(f"Sentence {n} about the joined-up notes." for n in range(30))
    rules = replace(PlatformRules.mastodon(), link_in_reply=True)
    rendered = render(story(long_body), rules, options(None))
    *parts, reply = rendered.posts
    assert len(parts) >= 2 and parts[-1].text.endswith(f"{len(parts)}/{len(parts)}")
    assert reply.text == LINK
    single = replace(PlatformRules.x(), link_in_reply=True, max_parts=1)
    short = render(story(), single, options(None))
    assert short.ok and [p.text for p in short.posts][1] == LINK


def test_no_link_no_reply() -> None:
    rules = replace(PlatformRules.x(), link_in_reply=True)
    rendered = render(story(link=""), rules, options())
    assert len(rendered.posts) == 1 and rendered.notes == ()


# --------------------------------------------------------------------------- link cards


CARD = Card(url=LINK, title="Joined-up care", description="Ten stories", thumb=b"jpg", thumb_size=3)


def test_the_card_goes_on_the_post_that_shows_the_link_and_opens_the_tracked_address() -> None:
    rendered = render(story(), BLUESKY, options(), CARD)
    (post,) = rendered.posts
    assert post.card is not None and post.card.title == "Joined-up care"
    assert post.card.uri == f"{LINK}?utm_source=bluesky&{UTM}"
    assert rendered.notes == ("link card: Joined-up care (with a picture)",)


def test_a_picture_takes_the_only_embed_unless_the_link_goes_in_a_reply() -> None:
    pictured = story(image="queue/images/ward.jpg", image_alt="A ward")
    rendered = render(pictured, BLUESKY, options(), CARD)
    assert rendered.posts[0].card is None and CARD_IMAGE in rendered.notes
    both = render(pictured, replace(BLUESKY, link_in_reply=True), options(), CARD)
    first, reply = both.posts
    assert first.image and first.card is None
    assert reply.card is not None and reply.text == LINK
    assert "link card (on post 2): Joined-up care (with a picture)" in both.notes


def test_a_missing_stale_or_failed_card_is_explained() -> None:
    assert CARD_LATER in render(story(), BLUESKY, options()).notes
    stale = render(story(link="https://www.gov.wales/other"), BLUESKY, options(), CARD)
    assert CARD_STALE in stale.notes and stale.posts[0].card is None
    failed = Card(url=LINK, problem="the page could not be read: the site took too long")
    rendered = render(story(), BLUESKY, options(), failed)
    assert rendered.posts[0].card is None and rendered.ok
    assert rendered.notes == ("no link card: the page could not be read: the site took too long",)


def test_platforms_without_cards_ignore_them() -> None:
    rendered = render(story(), PlatformRules.x(), options(), CARD)
    assert rendered.posts[0].card is None and rendered.notes == ()


def test_the_card_is_read_for_the_link_field_else_the_first_link_in_the_text() -> None:
    assert card_link(story()) == LINK
    assert card_link(story("Read gov.wales/a and https://b.example.org/x", link="")) == (
        "gov.wales/a"
    )
    assert card_link(story("No link here.", link="")) == ""


# --------------------------------------------------------------------------- reply controls


def test_who_may_reply_and_quote_is_in_the_notes() -> None:
    audience = Audience(replies=(WhoCanReply.MENTIONED, WhoCanReply.FOLLOWERS))
    rules = replace(BLUESKY, audience=replace(audience, quotes=WhoCanQuote.NOBODY))
    assert render(story(link=""), rules, options()).notes == (
        "who can reply: accounts the post mentions and the account's followers",
        "who can quote: nobody (quoting is off)",
    )


def test_each_platform_takes_only_the_controls_it_can_enforce() -> None:
    assert check_replies("bluesky", (WhoCanReply.FOLLOWERS, WhoCanReply.MENTIONED)) == (
        WhoCanReply.MENTIONED,
        WhoCanReply.FOLLOWERS,
    )
    with pytest.raises(ValueError, match="X has no 'nobody'"):
        check_replies("x", (WhoCanReply.NOBODY,))
    with pytest.raises(ValueError, match="give one choice"):
        check_replies("x", (WhoCanReply.FOLLOWING, WhoCanReply.MENTIONED))
    with pytest.raises(ValueError, match="give one choice"):
        check_replies("bluesky", (WhoCanReply.NOBODY, WhoCanReply.FOLLOWERS))
    with pytest.raises(ValueError, match="cannot limit replies to verified"):
        check_replies("bluesky", (WhoCanReply.VERIFIED,))
    with pytest.raises(ValueError, match="cannot limit quotes to followers"):
        check_quotes("bluesky", WhoCanQuote.FOLLOWERS)
    assert check_quotes("mastodon", WhoCanQuote.FOLLOWERS) == WhoCanQuote.FOLLOWERS
