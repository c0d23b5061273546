"""YAML and JSON story files.

YAML: a list of stories (mappings), or a mapping with a ``stories:`` list. Several documents
separated by ``---`` are read one after the other. The file is *composed*, not constructed:
every scalar is kept as the text that was written (so ``title: no`` is the word "no", not
``False``, and ``2026-11-03`` is checked as a date by validation), each field knows its own
line, and aliases are never expanded (no "billion laughs").

JSON: an array of objects or ``{"stories": [...]}``, decoded with the :mod:`json` module (so
every JSON escape, surrogate pairs included, means what JSON says) while walking the
top-level structure by hand to know where each story starts. A field's own line is worked
out only when a story has a problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from infobot.domain.errors import Problem
from infobot.domain.validate import normalise_header
from infobot.service.importers import Advance, RawRecord

__all__ = ["decode_utf8", "mapping_values", "parse_yaml", "read", "read_json"]

_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(_Base):  # type: ignore[misc]
    """Composes nodes; a plain scalar is text unless it is one of YAML's ways to say null.

    Only null matters here (every other value is kept as the text written), so the
    standard resolver's regular expressions for booleans, numbers and timestamps are
    skipped: that is most of the time YAML takes on a big file.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _NULL if implicit[0] and value in _NULL_WORDS else _STR
        return str(super().resolve(kind, value, implicit))


# What YAML refuses to read (outside its printable set).
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: Save As › Encoding › UTF-8)"


def decode_utf8(data: bytes, display: str) -> str | Problem:
    """The file's text, or a problem naming the line and the first byte that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem(
            display, 1, "file", f"this file is saved as UTF-16, not UTF-8; {_SAVE_AS_UTF8}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(
            display,
            line,
            "file",
            f"byte 0x{data[exc.start]:02X} (byte {column} of the line) is not valid UTF-8; "
            + _SAVE_AS_UTF8,
        )


# --- YAML -----------------------------------------------------------------------------------


def _yaml_problem(exc: yaml.YAMLError, text: str, display: str, offset: int) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        bad = _NOT_YAML.search(text)
        if bad is not None:
            index = bad.start()
            line = text.count("\n", 0, index) + 1 + offset
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            return Problem(
                display,
                line,
                "file",
                f"contains the invisible control character U+{ord(bad.group()):04X} at character "
                f"{column} of the line, which YAML does not allow; remove it",
            )
        return Problem(display, None, "file", f"is not valid YAML ({exc.reason})")
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        what = exc.problem or "unreadable"
        context = f" {exc.context}" if exc.context else ""
        return Problem(
            display,
            mark.line + 1 + offset,
            "file",
            f"is not valid YAML:{context} {what} (column {mark.column + 1})",
        )
    return Problem(display, None, "file", f"is not valid YAML ({exc})")


def parse_yaml(
    text: str, display: str, offset: int = 0
) -> tuple[list[yaml.Node | None], Problem | None]:
    """The documents' node trees (not constructed), or the syntax problem."""
    try:
        return list(yaml.compose_all(text, Loader=_Loader)), None
    except yaml.YAMLError as exc:
        return [], _yaml_problem(exc, text, display, offset)


def _scalar(node: yaml.Node) -> object:
    """A field's value: its text as written, ``None`` for null, stand-ins for containers."""
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _NULL else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return []
    return {}


def mapping_values(
    node: yaml.MappingNode, display: str, offset: int = 0
) -> tuple[dict[str, object], dict[str, int], list[Problem]]:
    """One story's fields as written, the line of each, and problems with the keys."""
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(display, line, "story", "a field name must be plain text"))
            continue
        key = str(key_node.value)
        if key in lines:
            problems.append(
                Problem(
                    display, line, key, f"given twice (lines {lines[key]} and {line}); keep one"
                )
            )
            continue
        values[key] = _scalar(value_node)
        lines[key] = line
    return values, lines, problems


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _yaml_records(node: yaml.Node, display: str, base_dir: Path) -> Iterator[RawRecord | Problem]:
    if isinstance(node, yaml.MappingNode):
        stories: yaml.Node | None = None
        looks_like_a_story = False
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
            if key == "stories":
                stories = value_node
            elif normalise_header(key) is not None:
                looks_like_a_story = True
            else:
                yield Problem(
                    display,
                    _line(key_node),
                    "file",
                    f"unexpected '{key[:60]}' at the top level; the stories go in a list "
                    "under 'stories:'",
                )
        if stories is None:
            hint = (
                " (for a single story, start its first line with '- ')"
                if looks_like_a_story
                else ""
            )
            yield Problem(
                display,
                _line(node),
                "file",
                f"expected a list of stories, or a 'stories:' list{hint}",
            )
            return
        node = stories
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return
    if not isinstance(node, yaml.SequenceNode):
        yield Problem(
            display,
            _line(node),
            "file",
            "expected a list of stories, each starting with '- body: ...'",
        )
        return
    for item in node.value:
        if isinstance(item, yaml.ScalarNode) and item.tag == _NULL:
            yield RawRecord(display, _line(item), {}, base_dir)
            continue
        if not isinstance(item, yaml.MappingNode):
            yield Problem(
                display,
                _line(item),
                "story",
                "expected a story made of fields such as 'body: ...', found "
                + ("a list" if isinstance(item, yaml.SequenceNode) else "plain text"),
            )
            continue
        values, lines, problems = mapping_values(item, display)
        yield RawRecord(display, _line(item), values, base_dir, lines, problems=tuple(problems))


def read(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """Records from a YAML file."""
    text = decode_utf8(path.read_bytes(), display)
    if isinstance(text, Problem):
        yield text
        return
    documents, problem = parse_yaml(text, display)
    if problem is not None:
        yield problem
        return
    for document in documents:
        if document is not None:
            yield from _yaml_records(document, display, path.parent)


# --- JSON -----------------------------------------------------------------------------------

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


_DECODER = json.JSONDecoder(object_pairs_hook=_object)


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
        self._mark = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        """Line of ``pos``; positions must only move forward."""
        self._line += self.text.count("\n", self._mark, pos)
        self._mark = pos
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
                        f'unexpected "{key[:60]}" at the top level; the stories go in a '
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
            value, pos = _DECODER.raw_decode(text, pos)
            line = self.line_at(start)
            if isinstance(value, _Object):
                fields = _FieldLines(text, start, line)
                twice = tuple(
                    Problem(self.display, fields.get(name, line), name, "given twice; keep one")
                    for name in value.duplicates
                )
                yield RawRecord(self.display, line, value, self.base_dir, fields, problems=twice)
            elif value is None:
                yield RawRecord(self.display, line, {}, self.base_dir)
            else:
                yield Problem(
                    self.display,
                    line,
                    "story",
                    'expected a story: an object such as {"body": "..."}',
                )
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


def read_json(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """Records from a JSON file."""
    text = decode_utf8(path.read_bytes(), display)
    if isinstance(text, Problem):
        yield text
        return
    reader = _JSONReader(text, display, path.parent, advance)
    try:
        yield from reader.records()
    except json.JSONDecodeError as exc:
        yield Problem(
            display,
            exc.lineno,
            "file",
            f"is not valid JSON: {exc.msg} (column {exc.colno})",
        )
