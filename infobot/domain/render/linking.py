"""Links in the rendered posts: campaign tracking, the link in a reply, and the link card.

**Tracking** (``RenderOptions.tracking``) adds ``utm_source=<platform>&utm_medium=social&
utm_campaign=<campaign>`` to links on the team's own domains (:mod:`infobot.domain.links`),
before the text is measured, so the length rules see what is sent:

* X and Mastodon count any link as 23 characters, so tracking never changes a length
  there; Mastodon links only ``http(s)://`` addresses, so a bare domain stays as written.
* Bluesky counts the visible text. A link there is a facet over the text, and the text a
  link shows need not be its address (``PlatformRules.links_behind_text``): the visible
  text stays as the team wrote it and the tracked address goes into the facet
  (``Post.links``), so tracking costs no characters. Bluesky's app warns only when a
  link's text names another host than its address; here the host is the same.
* Any other platform (the outbox, a plug-in) shows the tracked address in full and counts
  it: a story that fits without tracking may need a thread with it.

**The link in a reply** (``PlatformRules.link_in_reply``): the story's ``link`` field
leaves the post and goes out as a reply after the last part, as a post of its own.

**The link card** (``PlatformRules.link_cards``, Bluesky): read at approval for the
story's link (or else the first link in its text, :func:`card_link`) and carried by the
first post that shows that link. A post has one embed on Bluesky (an
``app.bsky.embed.recordWithMedia`` joins media to a *quoted post*, never to a card), so on
a post with a picture the picture wins and the post has no card.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from infobot.domain.links import add_tracking, find_links, track_links
from infobot.domain.render.compose import _clean_body, _clean_field
from infobot.domain.render.types import Card, Post

if TYPE_CHECKING:
    from infobot.domain.render.types import PlatformRules, RenderOptions
    from infobot.domain.story import StoryInput

#: What the preview says about a card in each case.
CARD_LATER = "link card: read from the page when the story is approved"
CARD_STALE = "link card: read again when the story is approved (the link has changed)"
CARD_IMAGE = (
    "no link card: the picture takes the post's only embed (Bluesky allows one);"
    " with the link in a reply, the reply carries the card"
)
LINK_IN_REPLY = "the link goes in a reply to the post"


def card_link(story: StoryInput) -> str:
    """The link a story's card is read for: its ``link`` field, else the first link in its
    text ("" when it has none)."""
    link = _clean_field(story.link)
    if link:
        return link
    body = _clean_body(story.body)
    if "." not in body:
        return ""
    found = find_links(body)
    return found[0].text if found else ""


def split_link(story: StoryInput, rules: PlatformRules) -> tuple[StoryInput, str]:
    """The story without its link and the link, when the platform puts it in a reply."""
    if not rules.link_in_reply:
        return story, ""
    link = _clean_field(story.link)
    return (replace(story, link=""), link) if link else (story, "")


def tracked(
    text: str, rules: PlatformRules, options: RenderOptions
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The text to post, and the links whose address differs from their text."""
    tracking = options.tracking
    if tracking is None or "." not in text:
        return text, ()
    if rules.counter == "mastodon" and tracking.include_bare:
        tracking = replace(tracking, include_bare=False)  # bare domains are plain text there
    if not rules.links_behind_text:
        return track_links(text, rules.name, tracking), ()
    pairs: dict[str, str] = {}
    for link in find_links(text):
        target = add_tracking(link.text, rules.name, tracking)
        if target != link.text:
            pairs[link.text] = target if "://" in target else f"https://{target}"
    return text, tuple(pairs.items())


def links_in(text: str, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(pair for pair in pairs if pair[0] in text)


def with_card(
    posts: list[Post], story: StoryInput, rules: PlatformRules, card: Card | None
) -> tuple[list[Post], list[str]]:
    """The posts with the card on the first post that shows its link, and a note for the
    preview saying what happened to it."""
    if not rules.link_cards:
        return posts, []
    link = card_link(story)
    if not link:
        return posts, []
    if card is None:
        return posts, [CARD_LATER]
    if card.url != link:
        return posts, [CARD_STALE]
    if not card.usable:
        return posts, [f"no link card: {card.problem}"]
    for index, post in enumerate(posts):
        if link not in post.text:
            continue
        if post.image:
            return posts, [CARD_IMAGE]
        opens = dict(post.links).get(link) or (link if "://" in link else f"https://{link}")
        placed = replace(post, card=replace(card, uri=opens))
        where = f" (on post {index + 1})" if len(posts) > 1 else ""
        return [*posts[:index], placed, *posts[index + 1 :]], [
            f"link card{where}: {card.title}" + (" (with a picture)" if card.thumb_size else "")
        ]
    return posts, []
