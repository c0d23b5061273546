"""Grapheme clusters and UTF-8 bytes: how Bluesky and the outbox count (and Mastodon, after
its rewrites)."""

from __future__ import annotations

from infobot.domain.render.patterns import _p


def _graphemes(text: str) -> int:
    if text.isascii():
        return len(text) - text.count("\r\n")
    p = _p()
    if p.complex.search(text) is None:
        return len(text)
    return len(p.grapheme.findall(text))


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
