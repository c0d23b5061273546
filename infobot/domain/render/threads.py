"""Splitting a text into a numbered thread that fits the platform, at the best breaks.

The composed text is cut only at breaks: runs of whitespace that are grapheme clusters of
their own (so never inside a cluster, a URL or a hashtag), or right after 。！？. A post
ends before a break and the next starts after it; the break's whitespace is dropped.
Lengths are planned with an additive estimate (the weight of text[0:p] as a sorted list of
corrections to p), then every part is measured exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

from infobot.domain.platform_names import display_name
from infobot.domain.render.graphemes import _graphemes, _utf8_len
from infobot.domain.render.mastodon import _mastodon_entities
from infobot.domain.render.patterns import _CONTROL_SET, _p, _Patterns, _std
from infobot.domain.render.x import _x_entities, _x_plain

if TYPE_CHECKING:
    from infobot.domain.render.types import Counter, PlatformRules

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


# A plan: the parts as (start, end, exact length) in the text, and a problem or "".
_Plan = tuple[tuple[tuple[int, int, int], ...], str]


def _numbering(k: int, total: int) -> str:
    return f" {k}/{total}"


def _plan(
    layout: _Layout,
    rules: PlatformRules,
    weigh: Callable[[str], int],
    tag_line: str,
    digits: int,
    prefer: bool,
) -> _Plan:
    """Greedy split; each part is then measured exactly and shortened if need be."""
    text, starts, ends = layout.text, layout.starts, layout.ends
    size, last = len(text), len(starts)  # candidate t ends at starts[t]; t == last: the end
    max_bytes = rules.max_bytes
    parts: list[tuple[int, int, int]] = []
    a = 0  # where the current part starts
    lo = 0  # the first break after a
    k = 1
    while True:
        head = tag_line if k == 1 else ""
        suffix = _numbering(k, 10**digits - 1)  # the widest numbering of that many digits
        extra = weigh(head + suffix)
        cap = rules.max_length - extra
        ceiling = layout.at(a) + cap
        room = max_bytes - _utf8_len(head + suffix) if max_bytes is not None else 0

        def fits(t: int, a: int = a, ceiling: int = ceiling, room: int = room) -> bool:
            end = starts[t] if t < last else size
            if layout.at(end) > ceiling:
                return False
            return max_bytes is None or _utf8_len(text[a:end]) <= room

        t_lo, t_hi = lo, last  # the largest t in [lo, last] that fits, by bisection
        if not fits(t_lo):
            t = lo - 1
        else:
            while t_lo < t_hi:
                mid = (t_lo + t_hi + 1) // 2
                if fits(mid):
                    t_lo = mid
                else:
                    t_hi = mid - 1
            t = t_lo
            if prefer and t < last:
                t = _preferred_end(layout, a, lo, t, cap)
        while True:
            if t < lo:
                return tuple(parts), _unsplittable(layout, a, lo, rules, weigh, extra)
            end = starts[t] if t < last else size
            candidate = text[a:end] + head + suffix
            length = weigh(candidate)
            if length <= rules.max_length and (
                max_bytes is None or _utf8_len(candidate) <= max_bytes
            ):
                break
            t -= 1  # the estimate was short (context-dependent counting): one break back
        parts.append((a, end, length))
        if t == last:
            return tuple(parts), ""
        a, lo, k = ends[t], t + 1, k + 1


def _preferred_end(layout: _Layout, a: int, lo: int, t: int, cap: int) -> int:
    """End at a paragraph, else a sentence, if the post is still at least half full."""
    floor = layout.at(a) + cap // 2
    starts = layout.starts
    low, high = lo, t  # the first candidate at or above the floor
    while low < high:
        mid = (low + high) // 2
        if layout.at(starts[mid]) < floor:
            low = mid + 1
        else:
            high = mid
    sentence = -1
    for candidate in range(t, low - 1, -1):
        tier = layout.tier(candidate)
        if tier == _PARAGRAPH:
            return candidate
        if tier == _SENTENCE and sentence < 0:
            sentence = candidate
    return sentence if sentence >= 0 else t


def _unsplittable(
    layout: _Layout, a: int, lo: int, rules: PlatformRules, weigh: Callable[[str], int], extra: int
) -> str:
    end = layout.starts[lo] if lo < len(layout.starts) else len(layout.text)
    word = layout.text[a:end]
    preview = word if len(word) <= 40 else word[:39] + "…"
    return (
        f"“{preview}” is {weigh(word)} characters with no place to split it, and a post on"
        f" {display_name(rules.name)} has room for {rules.max_length - extra}."
        " Break it up with spaces, or shorten it"
    )


def _split(
    layout: _Layout, rules: PlatformRules, weigh: Callable[[str], int], tag_line: str
) -> tuple[list[str], list[int], str]:
    parts: tuple[tuple[int, int, int], ...] = ()
    problem = ""
    for prefer in (True, False):
        digits = 1
        while True:
            parts, problem = _plan(layout, rules, weigh, tag_line, digits, prefer)
            if problem or len(str(len(parts))) <= digits:
                break
            digits += 1
        if problem or len(parts) <= rules.max_parts:
            break
    if problem:
        return [], [], problem
    total = len(parts)
    texts = [
        layout.text[a:end] + (tag_line if k == 1 else "") + _numbering(k, total)
        for k, (a, end, _length) in enumerate(parts, start=1)
    ]
    # The numbering was measured with 9s in it: every digit weighs 1 on every platform.
    lengths = [length for _a, _end, length in parts]
    if total > rules.max_parts:
        problem = (
            f"the story needs a thread of {total} posts, {total - rules.max_parts} more than"
            f" the {rules.max_parts} {display_name(rules.name)} allows. Shorten the story"
        )
    return texts, lengths, problem
