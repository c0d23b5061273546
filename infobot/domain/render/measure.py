"""The length of a text as a platform counts it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from infobot.domain.render.graphemes import _graphemes
from infobot.domain.render.mastodon import _mastodon_length
from infobot.domain.render.x import _x_length

if TYPE_CHECKING:
    from infobot.domain.render.types import Counter, PlatformRules


def measure(text: str, rules: PlatformRules) -> int:
    """Length of ``text`` as the platform counts it (never ``len()``)."""
    return _counter(rules.counter)(text)


def _counter(counter: Counter) -> Callable[[str], int]:
    if counter == "x_weighted":
        return _x_length
    if counter == "mastodon":
        return _mastodon_length
    return _graphemes
