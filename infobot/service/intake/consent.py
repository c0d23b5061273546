"""The consent text the share form shows in full, versioned: ``infobot/data/consent_vN.txt``.

The newest version (the highest N) is shown; a submission records the version its
storyteller was shown. A changed text is a new file with the next number, never an edit of
an old one, so that each consent record keeps meaning what it meant. The text may name
``{platforms}``, ``{hashtag}`` and ``{retention_days}``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "data"
_NAME = re.compile(r"consent_v(\d+)\.txt")


@dataclass(frozen=True)
class ConsentText:
    version: str  # "1", "2", ...
    title: str
    paragraphs: tuple[str, ...]

    def filled(self, *, platforms: str, hashtag: str, retention_days: int) -> tuple[str, ...]:
        """The paragraphs with the campaign's own values."""
        values = {"platforms": platforms, "hashtag": hashtag, "retention_days": retention_days}
        return tuple(paragraph.format(**values) for paragraph in self.paragraphs)


def _read(path: Path, version: str) -> ConsentText:
    blocks = [" ".join(b.split()) for b in path.read_text(encoding="utf-8").split("\n\n")]
    blocks = [b for b in blocks if b]
    return ConsentText(version, blocks[0], tuple(blocks[1:]))


@functools.cache
def versions() -> dict[str, Path]:
    found = {}
    for path in DATA.glob("consent_v*.txt"):
        match = _NAME.fullmatch(path.name)
        if match:
            found[str(int(match.group(1)))] = path
    return dict(sorted(found.items(), key=lambda item: int(item[0])))


@functools.cache
def current() -> ConsentText:
    """The text the form shows now."""
    version, path = list(versions().items())[-1]
    return _read(path, version)


def of_version(version: str) -> ConsentText | None:
    path = versions().get(version)
    return None if path is None else _read(path, version)
