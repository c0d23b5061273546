"""Hashtags: whether a tag is valid, and where a tag stands in a text (never inside a URL)."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from infobot.domain.render.patterns import _TAG_CHARS, _TW_SPACE_SET, _std
from infobot.domain.render.urls import _token_urls

if TYPE_CHECKING:
    import regex


@cache
def _hashtag_pattern(name: str) -> regex.Pattern[str]:
    import regex

    return regex.compile(
        rf"(?<![&{_TAG_CHARS}])[#＃]{regex.escape(name)}(?![{_TAG_CHARS}])(?![#＃]|://)",
        regex.IGNORECASE,
    )


def _valid_hashtag(tag: str) -> bool:
    name = tag[1:]
    return (
        tag[:1] in ("#", "＃")
        and bool(name)
        and all(c.isalnum() or c == "_" or unicodedata.category(c).startswith("M") for c in name)
        and any(c.isalpha() or unicodedata.category(c).startswith("M") for c in name)
    )


def _inside_url(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a URL (looked for in its whitespace-free token)."""
    if start == 0 or text[start - 1] in _TW_SPACE_SET:
        return False  # a URL never starts with '#'
    lo = start
    while lo > 0 and text[lo - 1] not in _TW_SPACE_SET:
        lo -= 1
    space = _std().tw_space.search(text, end)
    hi = space.start() if space else len(text)
    if "." not in text[lo:hi]:
        return False
    return any(s < end and e > start for s, e, _size in _token_urls(text, lo, hi, True))


def _hashtag_spans(text: str, hashtag: str) -> list[tuple[int, int]]:
    name = hashtag.lstrip("#＃")
    if not name or ("#" not in text and "＃" not in text):
        return []
    return [
        m.span()
        for m in _hashtag_pattern(name).finditer(text)
        if not _inside_url(text, m.start(), m.end())
    ]


def has_hashtag(text: str, hashtag: str) -> bool:
    """Whether ``text`` has ``hashtag`` as a whole tag, in any letter case (``#InfoStory``
    yes; ``#infostory2``, ``abc#infostory`` and ``https://x.org/#infostory`` no)."""
    return bool(_hashtag_spans(text, hashtag))


def count_hashtag(text: str, hashtag: str) -> int:
    """How many times ``hashtag`` occurs in ``text``, by the rules of ``has_hashtag``."""
    return len(_hashtag_spans(text, hashtag))
