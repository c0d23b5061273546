"""URLs as twitter-text finds them, which is how X and Mastodon charge for links."""

from __future__ import annotations

import re

from infobot.domain.render.patterns import _TW_SPACE_SET, _std
from infobot.domain.render.twitter import _tw

URL_LENGTH = 23  # what X (t.co) and Mastodon charge for any URL


def _urls(text: str, bare: bool) -> list[tuple[int, int, int]]:
    """URLs as twitter-text finds them: (start, end, length of the URL text). ``bare``:
    domains without a scheme too (X), or only ``http(s)://`` URLs (Mastodon).

    twitter-text's URL regex is slow (about 0.4 ms per 1,000 characters), so it is run
    only on the whitespace-free tokens that can hold a URL (a dot before a letter or
    digit, or a "://"). No URL contains twitter-text whitespace, so the result is the same.
    """
    if ("." not in text) if bare else ("://" not in text):
        return []
    std = _std()
    found: list[tuple[int, int, int]] = []
    covered = 0
    for m in (std.dot_word if bare else std.scheme).finditer(text):
        if m.start() < covered:
            continue
        lo = m.start()
        while lo > 0 and text[lo - 1] not in _TW_SPACE_SET:
            lo -= 1
        space = std.tw_space.search(text, m.end())
        hi = space.start() if space else len(text)
        found.extend(_token_urls(text, lo, hi, bare))
        covered = hi
    return found


def _token_urls(text: str, lo: int, hi: int, bare: bool) -> list[tuple[int, int, int]]:
    """The URLs in the token text[lo:hi]. The whitespace before the token goes with it:
    twitter-text's regex takes the character before a URL as context, and at the start of
    a string it would take the token's own first character instead."""
    if _SIMPLE_URL.fullmatch(text, lo, hi):
        # the everyday case, a plain link: no need to load twitter-text (about 0.3 s)
        return [(lo, hi, hi - lo)]
    if lo > 0:
        lo -= 1
    return [
        (lo + int(url["indices"][0]), lo + int(url["indices"][1]), len(url["url"]))
        for url in _tw().extract_urls(text[lo:hi], bare)
    ]


#: A whole token that twitter-text certainly reads as one URL, all of it: ASCII, a scheme,
#: a host under a common top-level domain, an optional port and a path of safe characters
#: that does not end in punctuation. Anything else goes to twitter-text itself.
_SIMPLE_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:uk|com|org|net|gov|edu|int|eu|io|info|scot|wales|cymru)"
    r"(?::[0-9]{2,5})?(?:/(?:[a-z0-9_/.-]*[a-z0-9_/-])?)?",
    re.ASCII | re.IGNORECASE,
)


def _x_urls(text: str) -> list[tuple[int, int, int]]:
    return _urls(text, bare=True)
