"""Bluesky's rich-text facets: where the links and hashtags of a post are, in UTF-8 bytes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from infobot.domain.render.graphemes import _graphemes, _utf8_len
from infobot.domain.render.patterns import _p
from infobot.domain.render.types import Facet
from infobot.domain.render.urls import _x_urls

TAG_MAX_GRAPHEMES = 64  # Bluesky's app.bsky.richtext.facet#tag limit


def facets(text: str, opens: Mapping[str, str] | None = None) -> list[Facet]:
    """Bluesky rich-text facets for the links and hashtags in ``text``.

    Links are found as twitter-text finds them (bare domains included, with ``https://``
    added to the URI); tags as ``has_hashtag`` sees them, outside links, at most 64
    graphemes. Offsets are UTF-8 byte offsets, end exclusive, in text order. ``opens``
    gives the address a link opens when it is not its text (campaign tracking:
    ``Post.links``).
    """
    found: list[tuple[int, int, Literal["tag", "link"], str]] = []
    links = _x_urls(text)
    for start, end, _size in links:
        url = text[start:end]
        uri = (opens or {}).get(url) or (url if "://" in url else f"https://{url}")
        found.append((start, end, "link", uri))
    if "#" in text or "＃" in text:
        for m in _p().any_tag.finditer(text):
            start, end = m.span()
            if any(s < end and e > start for s, e, _size in links):
                continue
            tag = m.group(1)
            if _graphemes(tag) > TAG_MAX_GRAPHEMES:
                continue
            found.append((start, end, "tag", tag))
    found.sort(key=lambda f: f[0])
    result: list[Facet] = []
    for start, end, kind, value in found:
        byte_start = _utf8_len(text[:start])
        result.append(Facet(kind, byte_start, byte_start + _utf8_len(text[start:end]), value))
    return result
