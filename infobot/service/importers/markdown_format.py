"""Markdown stories: one ``.md`` file per story, or a folder of them (sorted by name).

::

    ---
    author: Amina Okafor
    consent_by: Amina Okafor
    consent_date: 2026-10-01
    ---
    The text of the story, which becomes its body.

The front matter (between the ``---`` lines) is YAML; everything after it is the body,
stripped of surrounding blank lines. A ``body:`` in the front matter is fine when nothing
follows the front matter, and a problem when both are given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from infobot.domain.errors import Problem
from infobot.domain.validate import normalise_header
from infobot.service.importers import (
    MAX_ROWS,
    SIZE_LIMITS,
    Advance,
    RawRecord,
    rows_over_limit,
    too_big,
)
from infobot.service.importers.text import decode_utf8
from infobot.service.importers.yaml_format import front_matter

__all__ = ["read", "read_folder"]

_EXTENSIONS = (".md", ".markdown")


def _first_text_line(lines: list[str], start: int) -> int:
    """1-based number of the first non-blank line at or after index ``start``."""
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index + 1
    return start + 1


def _story(path: Path, display: str) -> Iterator[RawRecord | Problem]:
    text = decode_utf8(path.read_bytes(), display)
    if isinstance(text, Problem):
        yield text
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    base_dir = path.parent

    if lines[0].rstrip() != "---":
        body_line = _first_text_line(lines, 0)
        yield RawRecord(display, 1, {"body": text}, base_dir, {"body": body_line})
        return

    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        yield Problem(
            display,
            1,
            "file",
            "the front matter that starts with '---' on line 1 is never closed; add a line "
            "with just '---' after the last field",
        )
        return
    fields = front_matter("\n".join(lines[1:close]), display, offset=1)
    if isinstance(fields, Problem):
        yield fields
        return
    values, field_lines, problems = fields

    body = "\n".join(lines[close + 1 :])
    body_key = next((k for k in values if normalise_header(k) == "body"), None)
    if body_key is None:
        values["body"] = body
        field_lines["body"] = _first_text_line(lines, close + 1)
    elif body.strip():
        yield Problem(
            display,
            field_lines[body_key],
            "body",
            f"the story text is given twice: as '{body_key}:' in the front matter and as the "
            f"text below it (from line {_first_text_line(lines, close + 1)}); keep one",
        )
        return
    yield RawRecord(display, 1, values, base_dir, field_lines, problems=tuple(problems))


def read(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """The story in one Markdown file."""
    yield from _story(path, display)


def read_folder(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """The stories in every Markdown file of a folder (not its subfolders), by file name."""
    files = sorted(
        (
            entry
            for entry in path.iterdir()
            if entry.suffix.lower() in _EXTENSIONS
            and not entry.name.startswith(".")
            and entry.is_file()
        ),
        key=lambda entry: entry.name,
    )
    done = 0
    for count, entry in enumerate(files, start=1):
        shown = str(Path(display) / entry.name)
        if count > MAX_ROWS:
            yield rows_over_limit(shown, 1)
            return
        size = entry.stat().st_size
        limit = SIZE_LIMITS[entry.suffix.lower()]
        if size > limit:
            yield too_big(size, limit, shown)
        else:
            yield from _story(entry, shown)
        done += size
        advance(done)
