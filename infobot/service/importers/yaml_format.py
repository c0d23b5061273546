"""YAML story files.

A list of stories (mappings), or a mapping with a ``stories:`` list. Several documents
separated by ``---`` are read one after the other. The file is read as parser events, not
constructed: every scalar is kept as the text that was written (so ``title: no`` is the
word "no", not ``False``, and ``2026-11-03`` is checked as a date by validation), each
field knows its own line, aliases are never expanded (no "billion laughs") and nesting is
capped (no stack exhaustion, no minutes spent on 100,000 nested brackets).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from infobot.domain.errors import Problem
from infobot.domain.validate import normalise_header, show_name
from infobot.service.importers import Advance, RawRecord
from infobot.service.importers.text import not_utf8, utf16

__all__ = ["MAX_NESTING", "front_matter", "read"]

_NULL = "tag:yaml.org,2002:null"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


# What YAML refuses to read (outside its printable set).
_SCAN_CHUNK = 1 << 20
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


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


def _not_yaml(display: str, line: int, column: int, char: str) -> Problem:
    return Problem(
        display,
        line,
        "file",
        f"contains the invisible control character U+{ord(char):04X} at character "
        f"{column} of the line, which YAML does not allow; remove it",
    )


def _yaml_problem(exc: yaml.YAMLError, text: str | None, display: str, offset: int) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        bad = _NOT_YAML.search(text) if text is not None else None
        if bad is not None and text is not None:
            index = bad.start()
            line = text.count("\n", 0, index) + 1 + offset
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            return _not_yaml(display, line, column, bad.group())
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
                problems.append(Problem(self.display, line, show_name(key), message))
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
                shown = show_name(key) if isinstance(key, str) else "?"
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


def _unreadable(path: Path, display: str) -> Problem | None:
    """What makes the file unreadable as YAML, found in one streamed pass: UTF-16, the
    first byte that is not UTF-8, or else the first character YAML does not allow."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
    line = 1
    chars = width = 0  # characters and bytes of the current line in earlier chunks
    control: Problem | None = None
    with path.open("rb") as raw:
        if raw.read(4).startswith((b"\xff\xfe", b"\xfe\xff")):
            return utf16(display)
        raw.seek(0)
        while True:
            chunk = raw.read(_SCAN_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            for bad in _NOT_YAML.finditer(text):
                index = bad.start()
                newline = text.rfind("\n", 0, index)
                prefix = text[newline + 1 : index]
                at = line + text.count("\n", 0, index)
                char = bad.group()
                if "\udc80" <= char <= "\udcff":  # surrogate escape: a byte that is not UTF-8
                    before = (width if newline < 0 else 0) + len(_encoded(prefix))
                    return not_utf8(display, at, before + 1, ord(char) - 0xDC00)
                if control is None:
                    before = (chars if newline < 0 else 0) + len(prefix)
                    control = _not_yaml(display, at, before + 1, char)
            last = text.rfind("\n")
            if last >= 0:
                line += text.count("\n")
                chars = width = 0
            tail = text[last + 1 :]
            chars += len(tail)
            width += len(_encoded(tail))
            if not chunk:
                return control


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def read(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """Records from a YAML file (every document in it), streamed: the file is checked in
    one pass, then parsed from the file, never held whole."""
    problem = _unreadable(path, display)
    if problem is not None:
        yield problem
        return
    with path.open("rb") as raw:
        events = _Events(yaml.parse(raw, Loader=_Loader), display, advance=advance)
        try:
            for root in events.documents():
                yield from events.stories(root, path.parent)
        except yaml.YAMLError as exc:
            yield _yaml_problem(exc, None, display, 0)
        except _Refused as exc:
            yield Problem(display, exc.line, "file", exc.message)
