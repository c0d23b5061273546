"""Splitting a text into a numbered thread that fits the platform, at the best breaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from infobot.domain.render.graphemes import _utf8_len
from infobot.domain.render.layout import _PARAGRAPH, _SENTENCE, _Layout

if TYPE_CHECKING:
    from infobot.domain.render.types import PlatformRules

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
        f"too long for {rules.name}: “{preview}” is {weigh(word)} characters with no place"
        f" to split it, and a post has room for {rules.max_length - extra}"
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
            f"too long for {rules.name}: it needs a thread of {total} posts and at most"
            f" {rules.max_parts} are allowed"
        )
    return texts, lengths, problem
