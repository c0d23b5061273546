"""Turn a story into the exact posts each platform will accept.

Pure code: no I/O and no SDK imports. Every platform measures length its own way and this
package reproduces each one (see ``measure``):

* ``x_weighted`` (module ``x``): twitter-text v3, the algorithm of ``twitter_text.parse_tweet``,
  re-implemented because ``parse_tweet`` is slow.
* ``mastodon`` (module ``mastodon``): grapheme clusters, ``http(s)://`` URLs count 23,
  ``@user@domain`` counts as ``@user`` (Mastodon's ``StatusLengthValidator``).
* ``graphemes`` (module ``graphemes``): extended grapheme clusters (Bluesky, the outbox);
  ``max_bytes`` adds a UTF-8 byte limit.

The modules, from the bottom up: ``patterns`` (shared character sets and patterns),
``twitter`` (the lazily loaded ``twitter_text``), ``urls``, the counters above and
``measure``, ``hashtags``, ``types`` (the public dataclasses), ``compose`` (the full text),
``threads`` (splitting), ``linking`` (tracking, the link in a reply, link cards), ``posts``
(``render`` itself) and ``bluesky`` (facets).

``regex`` and ``twitter_text`` are imported on first use: ``twitter_text`` alone takes about
0.3 s to import, which the CLI should not pay just to import this package.
"""

from __future__ import annotations

from infobot.domain.render.bluesky import TAG_MAX_GRAPHEMES, facets
from infobot.domain.render.compose import compose
from infobot.domain.render.hashtags import count_hashtag, has_hashtag
from infobot.domain.render.linking import card_link
from infobot.domain.render.measure import measure
from infobot.domain.render.posts import render
from infobot.domain.render.types import (
    TEMPLATE_FIELDS,
    Card,
    Counter,
    Facet,
    Overflow,
    PlatformRules,
    Post,
    Rendered,
    RenderOptions,
)
from infobot.domain.render.urls import URL_LENGTH

__all__ = [
    "TAG_MAX_GRAPHEMES",
    "TEMPLATE_FIELDS",
    "URL_LENGTH",
    "Card",
    "Counter",
    "Facet",
    "Overflow",
    "PlatformRules",
    "Post",
    "RenderOptions",
    "Rendered",
    "card_link",
    "compose",
    "count_hashtag",
    "facets",
    "has_hashtag",
    "measure",
    "render",
]
