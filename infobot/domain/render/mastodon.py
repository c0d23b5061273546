"""Mastodon's length: its ``StatusLengthValidator``.

``http(s)://`` URLs count 23 and ``@user@domain`` counts as ``@user``; then grapheme
clusters.
"""

from __future__ import annotations

from infobot.domain.render.graphemes import _graphemes
from infobot.domain.render.patterns import _p
from infobot.domain.render.urls import URL_LENGTH, _urls


def _mastodon_entities(text: str) -> list[tuple[int, int, str]]:
    """What Mastodon rewrites before counting: (start, end, replacement), no overlaps."""
    entities: list[tuple[int, int, str]] = []
    entities.extend((start, end, "x" * URL_LENGTH) for start, end, _size in _urls(text, False))
    if "@" in text:
        p = _p()
        for m in p.mention.finditer(text):
            if p.mention_end.match(text, m.end()):
                continue
            entities.append((m.start(), m.end(), "@" + m.group(1)))
    entities.sort(key=lambda e: e[0])
    kept: list[tuple[int, int, str]] = []
    for entity in entities:
        if kept and entity[0] < kept[-1][1]:  # overlaps the one before: twitter-text drops it
            continue
        kept.append(entity)
    return kept


def _mastodon_length(text: str) -> int:
    """Mastodon's StatusLengthValidator: URLs with a scheme are 23 'x', and
    ``@user@domain`` is counted as ``@user``; then grapheme clusters."""
    if text.isascii() and ":" not in text and "@" not in text:
        return len(text) - text.count("\r\n")
    entities = _mastodon_entities(text)
    if not entities:
        return _graphemes(text)
    out: list[str] = []
    pos = 0
    for start, end, replacement in entities:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return _graphemes("".join(out))
