"""JSON story files: an array of objects, or ``{"stories": [...]}``.

Values are decoded with the :mod:`json` module (so every JSON escape, surrogate pairs
included, means what JSON says) while the top-level structure is walked by hand to know
where each story starts. A field's own line is worked out only when a story has a problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path

from infobot.domain.errors import Problem
from infobot.domain.validate import show_name
from infobot.service.importers import Advance, RawRecord
from infobot.service.importers.text import decode_utf8

__all__ = ["read"]

_TWICE = "given twice; keep one"
_WS = re.compile(r"[ \t\n\r]*")


class _Object(dict[str, object]):
    """A JSON object that remembers the names it saw twice."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in pairs:
            if key in seen:
                twice.append(key)
            seen.add(key)
        obj.duplicates = tuple(twice)
    return obj


#: Longer integers are kept as the digits written: Python refuses to convert an integer
#: of more than 4,300 digits, and as text validation can say what is wrong with it.
_MAX_DIGITS = 640


def _integer(digits: str) -> int | str:
    return int(digits) if len(digits) <= _MAX_DIGITS else digits


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer)


class _FieldLines(Mapping[str, int]):
    """The line of each field of one JSON object, worked out only if somebody asks."""

    def __init__(self, text: str, start: int, line: int) -> None:
        self._text = text
        self._start = start
        self._line = line
        self._lines: dict[str, int] | None = None

    def _load(self) -> dict[str, int]:
        if self._lines is None:
            text, pos, line = self._text, self._start, self._line
            lines: dict[str, int] = {}
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            mark = self._start
            while pos < len(text) and text[pos] == '"':
                line += text.count("\n", mark, pos)
                mark = pos
                key, pos = _DECODER.raw_decode(text, pos)
                lines.setdefault(key, line)
                pos = _WS.match(text, pos).end() + 1  # type: ignore[union-attr]  # ':'
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                _, pos = _DECODER.raw_decode(text, pos)
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                if pos >= len(text) or text[pos] != ",":
                    break
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            self._lines = lines
        return self._lines

    def __getitem__(self, key: str) -> int:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class _JSONReader:
    def __init__(self, text: str, display: str, base_dir: Path, advance: Advance) -> None:
        self.text = text
        self.display = display
        self.base_dir = base_dir
        self.advance = advance
        self.mark = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        """Line of ``pos``; positions must only move forward."""
        self._line += self.text.count("\n", self.mark, pos)
        self.mark = pos
        return self._line

    def ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def expect(self, pos: int, char: str, what: str) -> int:
        if self.text.startswith(char, pos):
            return self.ws(pos + 1)
        raise json.JSONDecodeError(f"Expecting {what}", self.text, pos)

    def problem(self, pos: int, field: str, message: str) -> Problem:
        return Problem(self.display, self.line_at(pos), field, message)

    def records(self) -> Iterator[RawRecord | Problem]:
        text = self.text
        pos = self.ws(0)
        if pos == len(text):
            return
        if text[pos] == "[":
            pos = yield from self.array(pos)
        elif text[pos] == "{":
            pos = yield from self.top_object(pos)
        else:
            _, pos = _DECODER.raw_decode(text, pos)
            yield self.problem(0, "file", 'expected a list of stories: [{"body": ...}, ...]')
        if self.ws(pos) != len(text):
            raise json.JSONDecodeError("Extra data", text, self.ws(pos))

    def top_object(self, pos: int) -> Generator[RawRecord | Problem, None, int]:
        text = self.text
        where = Problem(self.display, self.line_at(pos), "file", 'expected a "stories" list')
        pos = self.ws(pos + 1)
        found = False
        while not text.startswith("}", pos):
            if not text.startswith('"', pos):
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", text, pos
                )
            key_pos = pos
            key, pos = _DECODER.raw_decode(text, pos)
            pos = self.expect(self.ws(pos), ":", "':' delimiter")
            if key == "stories" and text.startswith("[", pos):
                found = True
                pos = yield from self.array(pos)
            else:
                _, pos = _DECODER.raw_decode(text, pos)
                if key == "stories":
                    yield self.problem(key_pos, "file", '"stories" must be a list: [...]')
                    found = True
                else:
                    yield self.problem(
                        key_pos,
                        "file",
                        f'unexpected "{show_name(key)}" at the top level; the stories go in a '
                        '"stories" list',
                    )
            pos = self.ws(pos)
            if text.startswith(",", pos):
                pos = self.ws(pos + 1)
            elif not text.startswith("}", pos):
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
        if not found:
            yield where
        return pos + 1

    def array(self, pos: int) -> Generator[RawRecord | Problem, None, int]:
        text = self.text
        pos = self.ws(pos + 1)
        if text.startswith("]", pos):
            return pos + 1
        count = 0
        while True:
            start = pos
            line = self.line_at(start)
            value, pos = _DECODER.raw_decode(text, pos)
            if isinstance(value, _Object):
                fields = _FieldLines(text, start, line)
                twice = tuple(
                    Problem(self.display, fields.get(name, line), show_name(name), _TWICE)
                    for name in value.duplicates
                )
                yield RawRecord(self.display, line, value, self.base_dir, fields, problems=twice)
            elif value is None:
                yield RawRecord(self.display, line, {}, self.base_dir)
            else:  # not a story: this record's problem, the others still count
                problem = Problem(
                    self.display,
                    line,
                    "story",
                    'expected a story: an object such as {"body": "..."}',
                )
                yield RawRecord(self.display, line, {}, self.base_dir, problems=(problem,))
            count += 1
            if count % 1024 == 0:
                self.advance(pos)
            pos = self.ws(pos)
            if text.startswith(",", pos):
                pos = self.ws(pos + 1)
            elif text.startswith("]", pos):
                return pos + 1
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def read(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """Records from a JSON file."""
    text = decode_utf8(path.read_bytes(), display)
    if isinstance(text, Problem):
        yield text
        return
    reader = _JSONReader(text, display, path.parent, advance)
    try:
        yield from reader.records()
    except RecursionError:  # json's decoder refuses nesting deeper than the stack allows
        message = "lists or objects are nested too deeply here; infobot stopped reading"
        yield Problem(display, reader.line_at(reader.mark), "file", message)
    except json.JSONDecodeError as exc:
        yield Problem(
            display,
            exc.lineno,
            "file",
            f"is not valid JSON: {exc.msg} (column {exc.colno})",
        )
