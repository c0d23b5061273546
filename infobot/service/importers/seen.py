"""Finding the same story read twice in one import, without keeping the stories.

:class:`Seen` remembers, per story, its fingerprint, where it was read and a hash of each
field (a short packed record), so that a story read again is named with the line it was
first read on, and with the fields in which the two differ.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import attrgetter

from infobot.domain.errors import Problem
from infobot.domain.story import STORY_FIELDS, StoryInput
from infobot.domain.validate.record import _DEFAULTS
from infobot.service.importers import Parsed

__all__ = ["Seen"]

_FIELD_GETTERS = tuple(map(attrgetter, STORY_FIELDS))
#: What is kept of a story: its file's number, its line and a hash of each field.
_SHAPE = struct.Struct(f"<II{len(STORY_FIELDS)}q")


class Seen:
    """The stories read so far, to find one read twice: by fingerprint, where it was and a
    hash of each field (about 250 bytes a story, not the story)."""

    def __init__(self) -> None:
        self.prints: dict[bytes, bytes] = {}
        self.files: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, item: Parsed) -> tuple[Problem, bool] | None:
        """``None`` for a story not seen before (remembered now); otherwise what to say of
        a story read twice, and whether that is only a note (the very same story)."""
        return self.add_all(item.file, [item.line], [item.story], [item.fingerprint])[0]

    def add_new(
        self,
        file: str,
        lines: Sequence[int],
        prints: Sequence[str],
        values: Mapping[str, Sequence[object]],
    ) -> bool:
        """Remember the stories of one file with ``values`` (as :meth:`add_all`) if every
        one of them is new (True); else remember nothing (False)."""
        keys = list(map(bytes.fromhex, prints))
        if not self._all_new(keys):
            return False
        self.prints.update(zip(keys, self._shapes(file, lines, None, values), strict=False))
        return True

    def add_all(
        self,
        file: str,
        lines: Sequence[int],
        stories: Sequence[StoryInput] | None,
        prints: Sequence[str],
        values: Mapping[str, Sequence[object]] | None = None,
    ) -> list[tuple[Problem, bool] | None]:
        """:meth:`add` for many stories of one file; ``values``, if given, holds the
        stories' values of some fields, a list per field (the other fields: each story
        holds the field's default), and then ``stories`` may be None."""
        keys = list(map(bytes.fromhex, prints))
        shapes = self._shapes(file, lines, stories, values)
        if self._all_new(keys):
            self.prints.update(zip(keys, shapes, strict=False))  # (shapes: as many as keys)
            return [None] * len(keys)
        said: list[tuple[Problem, bool] | None] = []
        first_of = self.prints.setdefault
        for key, line, shape in zip(keys, lines, shapes, strict=True):
            first = first_of(key, shape)
            if first is shape:
                said.append(None)
            else:
                said.append(self._twice(first, shape, file, line))
        return said

    def _all_new(self, keys: list[bytes]) -> bool:
        """Whether none of ``keys`` was seen before, nor is there twice."""
        return self.prints.keys().isdisjoint(keys) and len(set(keys)) == len(keys)

    def _shapes(
        self,
        file: str,
        lines: Sequence[int],
        stories: Sequence[StoryInput] | None,
        values: Mapping[str, Sequence[object]] | None,
    ) -> Iterator[bytes]:
        """What is kept of each story (see :data:`_SHAPE`): a hash of each field, a column
        at a time; then each story's record, in one go."""
        number = self.index.get(file)
        if number is None:
            number = self.index[file] = len(self.files)
            self.files.append(file)
        hashes: list[Iterable[int]]
        if values is None:
            assert stories is not None
            hashes = [list(map(hash, map(value, stories))) for value in _FIELD_GETTERS]
        else:
            hashes = [
                map(hash, values[name]) if name in values else repeat(hash(_DEFAULTS[name]))
                for name in STORY_FIELDS
            ]
        return map(_SHAPE.pack, repeat(number), lines, *hashes)

    def _twice(self, first: bytes, shape: bytes, file: str, line: int) -> tuple[Problem, bool]:
        first_number, first_line, *hashes = _SHAPE.unpack(first)
        _, _, *mine = _SHAPE.unpack(shape)
        first_file = self.files[first_number]
        where = f"line {first_line}" if first_file == file else f"{first_file} line {first_line}"
        if hashes == mine:
            return Problem(file, line, "story", f"same story as {where}; skipped"), True
        differ = ", ".join(n for n, a, b in zip(STORY_FIELDS, hashes, mine, strict=True) if a != b)
        message = (
            f"same story (same body, author and title) as {where} but with a different "
            f"{differ}; remove one or make them match"
        )
        return Problem(file, line, "story", message), False
