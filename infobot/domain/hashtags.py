"""Hashtags in camel case: ``#InfoStory`` reads as two words to a screen reader.

Pure code, no I/O. Hashtags match in any letter case on every platform (X, Mastodon and
Bluesky all fold case when they search and link tags), so writing the campaign's tag in
camel case keeps it the same tag. The campaign gives its display form
(``INFOBOT_HASHTAG_DISPLAY=#InfoStory``); other tags can be split with a word list.
"""

from __future__ import annotations

from collections.abc import Iterable

from infobot.domain.links import entities

__all__ = ["apply_display", "camel_case"]


def camel_case(tag: str, words: Iterable[str] = (), display: Iterable[str] = ()) -> str | None:
    """The camel-case form of ``tag``, or None when it cannot be worked out.

    A configured display form wins (``camel_case("#infostory", display=["#InfoStory"])``);
    otherwise the tag is split into ``words`` (and runs of digits or ``_``): with words
    ``["info", "story"]``, ``#infostory`` gives ``#InfoStory``. A word given with capitals
    keeps them (``NHS``). A tag that is one word, or cannot be split, gives None.
    """
    name = tag.lstrip("#＃")
    for form in display:
        if form.lstrip("#＃").casefold() == name.casefold():
            return "#" + form.lstrip("#＃")
    parts = _segment(name, words)
    if parts is None or sum(1 for p in parts if p[:1].isalpha()) < 2:
        return None
    return "#" + "".join(parts)


def apply_display(text: str, display: Iterable[str]) -> str:
    """``text`` with every hashtag that is a display form in another letter case rewritten
    in the display form (``#infostory`` -> ``#InfoStory``); nothing else changes."""
    display = tuple(display)
    if not display or ("#" not in text and "＃" not in text):
        return text
    out: list[str] = []
    pos = 0
    for entity in entities(text):
        if entity.kind != "tag":
            continue
        known = camel_case(entity.text, display=display)
        if known is not None:
            out.append(text[pos : entity.start] + entity.text[0] + known[1:])
            pos = entity.end
    out.append(text[pos:])
    return "".join(out)


def _segment(name: str, words: Iterable[str]) -> list[str] | None:
    """Split ``name`` into the fewest pieces that are words, digit runs or underscores."""
    vocabulary: dict[str, str] = {}
    for word in words:
        word = word.strip()
        if word:
            capital = word if any(c.isupper() for c in word) else word[:1].upper() + word[1:]
            vocabulary.setdefault(word.casefold(), capital)
    folded = name.casefold()
    if len(folded) != len(name):  # casefold changed the length (ß): no safe mapping back
        return None
    best: list[list[str] | None] = [None] * (len(name) + 1)
    best[0] = []
    for i in range(len(name)):
        path = best[i]
        if path is None:
            continue
        for j in range(i + 1, len(name) + 1):
            piece = folded[i:j]
            shown: str | None = vocabulary.get(piece)
            if shown is None and (piece.isdigit() or set(piece) == {"_"}):
                shown = name[i:j]
            current = best[j]
            if shown is not None and (current is None or len(path) + 1 < len(current)):
                best[j] = [*path, shown]
    return best[len(name)]
