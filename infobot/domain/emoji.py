"""Emoji in a text, as people see them: one per extended grapheme cluster.

Pure code, no I/O; ``regex`` is imported on first use. A family joined with zero-width
joiners, a flag (the Welsh flag is a tag sequence), a keycap and an emoji with a skin
tone are each one emoji. Text-style symbols such as © or ™ count only with the emoji
presentation selector (U+FE0F).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

__all__ = ["Emoji", "find_emoji"]

_VARIANTS = frozenset("\ufe0e\ufe0f")


@dataclass(frozen=True)
class Emoji:
    start: int
    end: int
    text: str

    @property
    def base(self) -> str:
        """The emoji without presentation selectors or skin tones (for "repeated")."""
        return "".join(c for c in self.text if c not in _VARIANTS and not _is_skin_tone(c))


def find_emoji(text: str) -> list[Emoji]:
    """The emoji in ``text``, each one grapheme cluster: ZWJ families, flags (also the
    Welsh flag's tag sequence), keycaps, skin tones. Text-style symbols such as ©
    without an emoji selector are not counted."""
    if text.isascii():
        return []
    p = _patterns()
    found: list[Emoji] = []
    for m in p.grapheme.finditer(text):
        cluster = m.group()
        if cluster.isascii():
            continue
        if (
            p.presentation.search(cluster)
            or "\u20e3" in cluster
            or (p.pictographic.search(cluster) and ("\ufe0f" in cluster or "\u200d" in cluster))
        ):
            found.append(Emoji(m.start(), m.end(), cluster))
    return found


def _is_skin_tone(char: str) -> bool:
    return "\U0001f3fb" <= char <= "\U0001f3ff"


class _Patterns:
    __slots__ = ("grapheme", "pictographic", "presentation")

    def __init__(self) -> None:
        import regex

        self.grapheme: regex.Pattern[str] = regex.compile(r"\X")
        self.presentation: regex.Pattern[str] = regex.compile(
            r"\p{Emoji_Presentation}|\p{Regional_Indicator}"
        )
        self.pictographic: regex.Pattern[str] = regex.compile(r"\p{Extended_Pictographic}")


@cache
def _patterns() -> _Patterns:
    return _Patterns()
