"""Where a text may be cut into posts, and an estimate of its length up to any point.

The composed text is cut only at breaks: runs of whitespace that are grapheme clusters of
their own (so never inside a cluster, a URL or a hashtag), or right after 。！？. A post
ends before a break and the next starts after it; the break's whitespace is dropped.
Lengths are planned with an additive estimate (the weight of text[0:p] as a sorted list of
corrections to p), then every part is measured exactly (see ``split``).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from infobot.domain.render.graphemes import _graphemes
from infobot.domain.render.mastodon import _mastodon_entities
from infobot.domain.render.patterns import _CONTROL_SET, _p, _Patterns, _std
from infobot.domain.render.x import _x_entities, _x_plain

if TYPE_CHECKING:
    from infobot.domain.render.types import Counter

_PARAGRAPH, _SENTENCE, _WORD = 2, 1, 0
_OTHER_LINE_BREAKS = frozenset("\x0b\x0c\x85\u2028\u2029")
_SENTENCE_ENDS = frozenset(".!?…‽。！？")
_CLOSERS = frozenset("\"'”’»)]」』）】〕〉》")
_CJK_STOPS = frozenset("。！？")


class _Layout:
    __slots__ = ("ends", "positions", "starts", "sums", "text")

    def __init__(
        self, text: str, breaks: list[tuple[int, int]], events: list[tuple[int, int]]
    ) -> None:
        self.text = text
        self.starts = [start for start, _end in breaks]  # where each break starts
        self.ends = [end for _start, end in breaks]  # and ends
        events.sort()
        self.positions = [pos for pos, _delta in events]
        self.sums = [0]
        total = 0
        for _pos, delta in events:
            total += delta
            self.sums.append(total)

    def at(self, pos: int) -> int:
        """Estimated weight of text[0:pos] (exact at breaks when counting is context-free)."""
        return pos + self.sums[bisect.bisect_left(self.positions, pos)]

    def tier(self, t: int) -> int:
        start, end = self.starts[t], self.ends[t]
        gap = self.text[start:end]
        if "\n" in gap or not _OTHER_LINE_BREAKS.isdisjoint(gap):
            return _PARAGRAPH
        k = start - 1
        while k > 0 and self.text[k] in _CLOSERS:
            k -= 1
        return _SENTENCE if self.text[k] in _SENTENCE_ENDS else _WORD


def _separators(text: str, p: _Patterns) -> list[tuple[int, int]]:
    """Runs of whitespace that are grapheme clusters of their own (a space followed by a
    combining mark, or after a Prepend character, belongs to its neighbour's cluster)."""
    seps: list[tuple[int, int]] = []
    size = len(text)
    for m in _std().space_run.finditer(text):
        start, end = m.span()
        if (
            end < size
            and text[end] > "\x7f"
            and text[end - 1] not in _CONTROL_SET
            and p.glue_after.match(text, end)
        ):
            end -= 1
        if (
            start > 0
            and text[start - 1] > "\x7f"
            and text[start] not in _CONTROL_SET
            and p.prepend.match(text, start - 1)
        ):
            start += 1
        if start < end:
            seps.append((start, end))
    return seps


def _layout(text: str, counter: Counter) -> _Layout:
    p = _p()
    seps = _separators(text, p)
    size = len(text)
    breaks = [(start, end) for start, end in seps if start > 0 and end < size]
    if not _CJK_STOPS.isdisjoint(text):
        breaks = _add_cjk_breaks(text, breaks, p)
    if counter == "x_weighted":
        events = _x_events(text)
    else:
        events = _grapheme_events(text, seps)
        if counter == "mastodon":
            events.extend(
                (start, _graphemes(replacement) - _graphemes(text[start:end]))
                for start, end, replacement in _mastodon_entities(text)
            )
    return _Layout(text, breaks, events)


def _x_events(text: str) -> list[tuple[int, int]]:
    events = [(m.start(), 1) for m in _std().x_heavy.finditer(text)]
    events.extend(
        (start, weight - _x_plain(text, start, start + size))
        for start, size, weight in _x_entities(text)
    )
    return events


def _grapheme_events(text: str, seps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """-(n-1) at the start of every cluster of n code points."""
    events: list[tuple[int, int]] = []
    if text.isascii():
        return events
    p = _p()
    sep_starts = [start for start, _end in seps]
    done = 0
    for m in p.complex.finditer(text):
        if m.start() < done:
            continue
        # Separators are clusters of their own: the word around the match can be
        # segmented alone.
        k = bisect.bisect_right(sep_starts, m.start())
        lo = seps[k - 1][1] if k else 0
        hi = sep_starts[k] if k < len(seps) else len(text)
        for cluster in p.grapheme.finditer(text, lo, hi):
            n = cluster.end() - cluster.start()
            if n > 1:
                events.append((cluster.start(), 1 - n))
        done = hi
    return events


def _add_cjk_breaks(
    text: str, breaks: list[tuple[int, int]], p: _Patterns
) -> list[tuple[int, int]]:
    """Breaks after 。！？ (no space follows them), except in tokens that may hold a URL,
    a hashtag or a mention."""
    bounds = [0]
    for start, end in breaks:
        bounds.extend((start, end))
    bounds.append(len(text))
    extra: list[tuple[int, int]] = []
    for i in range(0, len(bounds), 2):
        lo, hi = bounds[i], bounds[i + 1]
        if p.cjk_protect.search(text, lo, hi):
            continue
        extra.extend(
            (m.end(), m.end()) for m in p.cjk_stop.finditer(text, lo, hi) if lo < m.end() < hi
        )
    return sorted(breaks + extra)
