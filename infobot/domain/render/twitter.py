"""The ``twitter_text`` package, loaded on first use (it takes about 0.3 s to import).

Only its URL extractor and its emoji list are used; the emoji list is turned into lookups
(see ``_tw``), as its own 2,500-way regex alternation is slow.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any, cast


class _Twitter:
    __slots__ = ("extract_urls", "multi", "prefilter", "single")

    def __init__(
        self,
        extract_urls: Callable[..., Any],
        multi: dict[str, tuple[tuple[int, ...], frozenset[str]]],
        single: frozenset[str],
        prefilter: re.Pattern[str],
    ) -> None:
        self.extract_urls = extract_urls  # twitter_text.extract_urls_with_indices
        # first code point -> (lengths, longest first; the sequences): multi-code-point emoji
        self.multi = multi
        self.single = single  # one-code-point emoji
        self.prefilter = prefilter  # a superset of the places an emoji can start


def _pkg_resources_stand_in() -> types.ModuleType:
    """``twitter_text`` reads its emoji list with ``pkg_resources``, which new setuptools
    releases no longer ship. This provides the one function it calls."""
    from importlib import resources

    def resource_string(module: str, name: str) -> bytes:
        package = sys.modules[module].__package__ or module.rpartition(".")[0]
        return resources.files(package).joinpath(name).read_bytes()

    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = resource_string  # type: ignore[attr-defined]
    return stand_in


@cache
def _tw() -> _Twitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pkg_resources' deprecation warning
        missing = object()
        previous: object = sys.modules.get("pkg_resources", missing)
        stand_in = None
        try:
            importlib.import_module("pkg_resources")
        except ImportError:
            stand_in = _pkg_resources_stand_in()
            sys.modules["pkg_resources"] = stand_in
        try:
            import twitter_text
            from twitter_text.regexp import emoji as twitter_emoji
        finally:
            if stand_in is not None:  # leave sys.modules as it was
                if previous is missing:
                    del sys.modules["pkg_resources"]
                else:
                    sys.modules["pkg_resources"] = cast(types.ModuleType, previous)

    # The same data and the same matching order as twitter_text's emoji regex
    # (``multi-code-point sequences, longest first | [single code points]``), as lookups.
    multi: dict[str, set[str]] = {}
    for entry in twitter_emoji.emoji_list:
        points = entry.codepoint.split()
        if len(points) > 1:
            seq = "".join(chr(int(p, 16)) for p in points)
            multi.setdefault(seq[0], set()).add(seq)
    single = {
        chr(c) for lo, hi in twitter_emoji.single_codepoint_emoji_ranges for c in range(lo, hi + 1)
    }
    # The prefilter: keycaps (#, *, 0-9 before U+FE0F or U+20E3), then every other first
    # code point within a few coarse ranges (a long character class is slow in ``re``).
    starts = sorted({ord(c) for c in single} | {ord(c) for c in multi if ord(c) > 0x7F})
    ranges: list[list[int]] = []
    for point in starts:
        if ranges and point - ranges[-1][1] <= 64:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    coarse = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    return _Twitter(
        extract_urls=twitter_text.extract_urls_with_indices,
        multi={
            first: (tuple(sorted({len(q) for q in seqs}, reverse=True)), frozenset(seqs))
            for first, seqs in multi.items()
        },
        single=frozenset(single),
        prefilter=re.compile(f"[#*0-9](?=[\\ufe0f\\u20e3])|[{coarse}]"),
    )
