"""How a post X returns is matched with the post infobot meant (its text, its parent)."""

from __future__ import annotations

import html
from typing import Any

from infobot.platforms.common import LINK, comparable


def same_text(returned: str, wanted: str, *, media_link: bool) -> bool:
    """Whether a post's text from X (HTML-escaped, links as t.co) is ``wanted``.

    X adds a t.co link to the media at the end of a post with an image; ``media_link``
    allows one trailing link more than ``wanted`` has.
    """
    have = comparable(html.unescape(returned), mask_links=True)
    if have == wanted:
        return True
    return media_link and have.removesuffix(LINK).rstrip() == wanted


def parent_of(tweet: Any) -> str:
    """The id of the post a tweet replies to ("" for none), from ``referenced_tweets``."""
    for ref in getattr(tweet, "referenced_tweets", None) or ():
        if str(getattr(ref, "type", "")) == "replied_to":
            return str(ref.id)
    return ""
