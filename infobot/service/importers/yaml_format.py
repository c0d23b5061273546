"""YAML and JSON story files.

YAML: a list of stories (mappings), or a mapping with a ``stories:`` list. Several documents
separated by ``---`` are read one after the other. The file is read as parser events, not
constructed: every scalar is kept as the text that was written (so ``title: no`` is the
word "no", not ``False``, and ``2026-11-03`` is checked as a date by validation), each
field knows its own line, aliases are never expanded (no "billion laughs") and nesting is
capped (no stack exhaustion, no minutes spent on 100,000 nested brackets).

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

__all__ = ["MAX_NESTING", "decode_utf8", "front_matter", "read", "read_json"]

_NULL = "tag:yaml.org,2002:null"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


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

#: How deep lists and mappings may nest inside a field before the file is refused. A story
#: needs none; the limit keeps a hostile file (100,000 nested brackets) from taking minutes.
MAX_NESTING = 64
_TOO_DEEP = f"lists or fields are nested more than {MAX_NESTING} deep here; infobot stopped reading"


class _Refused(Exception):
    """Something YAML allows but a story file must not do; reading stops there."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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
        if "nesting depth" in (exc.problem or ""):  # PyYAML 6.0.3+ has a limit of its own
            return Problem(display, mark.line + 1 + offset, "file", _TOO_DEEP)
        what = exc.problem or "unreadable"
        context = f" {exc.context}" if exc.context else ""
        return Problem(
            display,
            mark.line + 1 + offset,
            "file",
            f"is not valid YAML:{context} {what} (column {mark.column + 1})",
        )
    return Problem(display, None, "file", f"is not valid YAML ({exc})")


class _Story(dict[str, object]):
    """The fields of an anchored story, for ``<<: *name`` in later ones."""


def _is_null(event: yaml.ScalarEvent) -> bool:
    if event.tag is None:
        return bool(event.implicit[0]) and event.value in _NULL_WORDS
    return bool(event.tag == _NULL)


class _Events:
    """Stories from a stream of YAML parser events.

    Events rather than composed nodes: the walk is flat (it never recurses into what a field
    holds, it counts its way past it), so no input can exhaust the stack, and it stops at
    :data:`MAX_NESTING` before libyaml's slow path for deep nesting. Every scalar is kept as
    the text written; only null (``~``, ``null``, nothing) is told apart.
    """

    def __init__(
        self,
        events: Iterator[yaml.Event],
        display: str,
        offset: int = 0,
        advance: Advance | None = None,
    ) -> None:
        self.events = events
        self.display = display
        self.offset = offset
        self.advance = advance
        self.anchors: dict[str, object] = {}
        self.count = 0

    def line(self, event: yaml.Event) -> int:
        mark = event.start_mark
        return (int(mark.line) if mark is not None else 0) + 1 + self.offset

    def problem(self, event: yaml.Event, field: str, message: str) -> Problem:
        return Problem(self.display, self.line(event), field, message)

    def next(self) -> yaml.Event:
        return next(self.events)

    def documents(self) -> Iterator[yaml.Event]:
        """The first event of each document's root node."""
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                yield self.next()
            elif isinstance(event, yaml.DocumentEndEvent | yaml.StreamStartEvent):
                continue

    def skip(self, event: yaml.Event) -> object:
        """Read past the node ``event`` starts; its value as a field sees it."""
        if isinstance(event, yaml.ScalarEvent):
            value: object = None if _is_null(event) else str(event.value)
        elif isinstance(event, yaml.AliasEvent):
            name = str(event.anchor)
            if name not in self.anchors:
                raise _Refused(self.line(event), f"uses *{name} but no &{name} comes before it")
            return self.anchors[name]
        else:
            value = [] if isinstance(event, yaml.SequenceStartEvent) else {}
            depth = 1
            while depth:
                inner = self.next()
                if isinstance(inner, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_NESTING:
                        raise _Refused(self.line(inner), _TOO_DEEP)
                elif isinstance(inner, yaml.CollectionEndEvent):
                    depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.anchors[str(anchor)] = value
        return value

    def mapping(
        self, anchor: str | None = None
    ) -> tuple[dict[str, object], dict[str, int], list[Problem]]:
        """The fields of the mapping just started: values as written, lines, key problems.

        ``<<: *name`` (YAML's merge key) fills in the fields not given here from the story
        anchored as ``&name``; ``anchor`` is this mapping's own anchor, if any.
        """
        values: dict[str, object] = {}
        lines: dict[str, int] = {}
        problems: list[Problem] = []
        merged: list[tuple[dict[str, object], int]] = []
        while True:
            event = self.next()
            if isinstance(event, yaml.MappingEndEvent):
                for fields, line in merged:
                    for name, given in fields.items():
                        if name not in values:
                            values[name] = given
                            lines[name] = line
                if anchor is not None:
                    self.anchors[anchor] = _Story(values)
                return values, lines, problems
            line = self.line(event)
            key = self.skip(event)
            value = self.skip(self.next())
            if key == "<<" and isinstance(value, _Story):
                merged.append((value, line))
            elif not isinstance(key, str):
                problems.append(self.problem(event, "story", "a field name must be plain text"))
            elif key in lines:
                message = f"given twice (lines {lines[key]} and {line}); keep one"
                problems.append(Problem(self.display, line, key, message))
            else:
                values[key] = value
                lines[key] = line

    def records(self, base_dir: Path) -> Iterator[RawRecord | Problem]:
        """The stories in the sequence just started."""
        while True:
            event = self.next()
            if isinstance(event, yaml.SequenceEndEvent):
                return
            line = self.line(event)
            self.count += 1
            if self.advance is not None and self.count % 512 == 0 and event.start_mark:
                self.advance(int(event.start_mark.index))  # characters, near enough bytes
            if isinstance(event, yaml.MappingStartEvent):
                values, lines, problems = self.mapping(event.anchor)
                yield RawRecord(
                    self.display, line, values, base_dir, lines, problems=tuple(problems)
                )
            elif isinstance(event, yaml.ScalarEvent) and _is_null(event):
                yield RawRecord(self.display, line, {}, base_dir)
            else:  # not a story: reported as this record's problem, the others still count
                if isinstance(event, yaml.AliasEvent):
                    message = (
                        f"*{event.anchor} repeats a whole story; write each story out (or use "
                        f"'<<: *{event.anchor}' inside one to copy its fields)"
                    )
                else:
                    found = self.skip(event)
                    kind = "a list" if isinstance(found, list) else "plain text"
                    message = f"expected a story made of fields such as 'body: ...', found {kind}"
                problem = self.problem(event, "story", message)
                yield RawRecord(self.display, line, {}, base_dir, problems=(problem,))

    def stories(self, root: yaml.Event, base_dir: Path) -> Iterator[RawRecord | Problem]:
        """The stories in one document: a list, or a mapping with a ``stories:`` list."""
        if isinstance(root, yaml.SequenceStartEvent):
            yield from self.records(base_dir)
            return
        if isinstance(root, yaml.ScalarEvent) and _is_null(root):
            return  # an empty document
        if not isinstance(root, yaml.MappingStartEvent):
            self.skip(root)
            yield self.problem(
                root, "file", "expected a list of stories, each starting with '- body: ...'"
            )
            return
        found = False
        looks_like_a_story = False
        while True:
            event = self.next()
            if isinstance(event, yaml.MappingEndEvent):
                break
            key = self.skip(event)
            value = self.next()
            if key == "stories" and isinstance(value, yaml.SequenceStartEvent):
                found = True
                yield from self.records(base_dir)
                continue
            self.skip(value)
            if key == "stories":
                found = True
                if not (isinstance(value, yaml.ScalarEvent) and _is_null(value)):
                    yield self.problem(value, "file", "'stories:' must be a list of stories")
            elif isinstance(key, str) and normalise_header(key) is not None:
                looks_like_a_story = True
            else:
                shown = key[:60] if isinstance(key, str) else "?"
                yield self.problem(
                    event,
                    "file",
                    f"unexpected '{shown}' at the top level; the stories go in a list under "
                    "'stories:'",
                )
        if not found:
            hint = (
                " (for a single story, start its first line with '- ')"
                if looks_like_a_story
                else ""
            )
            yield self.problem(
                root, "file", f"expected a list of stories, or a 'stories:' list{hint}"
            )


def front_matter(
    text: str, display: str, offset: int
) -> tuple[dict[str, object], dict[str, int], list[Problem]] | Problem:
    """The fields of a Markdown file's front matter (``offset`` lines into the file)."""
    events = _Events(yaml.parse(text, Loader=_Loader), display, offset)
    try:
        for root in events.documents():
            if isinstance(root, yaml.MappingStartEvent):
                return events.mapping()
            if isinstance(root, yaml.ScalarEvent) and _is_null(root):
                break
            return events.problem(
                root, "file", "the front matter must be fields such as 'author: ...', one per line"
            )
    except yaml.YAMLError as exc:
        return _yaml_problem(exc, text, display, offset)
    except _Refused as exc:
        return Problem(display, exc.line, "file", exc.message)
    return {}, {}, []


def read(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """Records from a YAML file (every document in it)."""
    text = decode_utf8(path.read_bytes(), display)
    if isinstance(text, Problem):
        yield text
        return
    events = _Events(yaml.parse(text, Loader=_Loader), display, advance=advance)
    try:
        for root in events.documents():
            yield from events.stories(root, path.parent)
    except yaml.YAMLError as exc:
        yield _yaml_problem(exc, text, display, 0)
    except _Refused as exc:
        yield Problem(display, exc.line, "file", exc.message)


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
            line = self.line_at(start)
            value, pos = _DECODER.raw_decode(text, pos)
            if isinstance(value, _Object):
                fields = _FieldLines(text, start, line)
                twice = tuple(
                    Problem(self.display, fields.get(name, line), name, "given twice; keep one")
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


def read_json(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
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
