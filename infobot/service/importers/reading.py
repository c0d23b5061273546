"""Reading story files a few stories at a time: :func:`stream`, and :func:`load` on top.

:func:`stream` yields the new valid stories as soon as they are read and checked (a
:class:`StoryRun` per batch of rows: a column per field; a batch of rows that are all
valid and new is checked and handed on as columns, with no story made), then a
:class:`FileEnd` after each path, saying whether
the file turned out unreadable further on (its stories must then not be used: half a file
is not what anyone meant to import).
Problems, notes and counts collect in the :class:`LoadResult` it is given. To find the
same story twice it keeps, per story, a short print of its fields, not the story
(:mod:`infobot.service.importers.seen`).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from infobot.domain.errors import Problem
from infobot.domain.story import STORY_FIELDS, StoryInput, fingerprints, fingerprints_of
from infobot.domain.validate import (
    COLUMNS_ARE_STORIES,
    check_rows_by_field,
    checked_columns,
    validate_record,
    with_defaults,
)
from infobot.domain.validate.record import _DEFAULTS
from infobot.service.importers import (
    EXTENSIONS,
    MAX_BLANK_NOTES,
    SIZE_LIMITS,
    Advance,
    LoadResult,
    Parsed,
    RawRecord,
    Reader,
    RowBatch,
    StoryRun,
    too_big,
)
from infobot.service.importers.seen import Seen
from infobot.service.media import LocalPictures, MediaFolder

__all__ = ["FileEnd", "load", "reader_for", "stream"]


class FileEnd(NamedTuple):
    """The end of one path's stories."""

    display: str
    #: The file could not be read to its end: the stories already yielded from it must
    #: not be used.
    broken: bool


def _blank(values: Mapping[str, object]) -> bool:
    for value in values.values():
        if value is None or (type(value) is str and (not value or value.isspace())):
            continue
        return False
    return True


def reader_for(path: Path, require_consent: bool) -> Reader | str:
    """The reader for ``path``, or why there is none."""
    if path.is_dir():
        from infobot.service.importers import markdown_format

        return markdown_format.read_folder
    ext = path.suffix.lower()
    if not path.exists():
        return "file not found"
    if not path.is_file():
        return "not a regular file"
    limit = SIZE_LIMITS.get(ext)
    if limit is not None and (size := path.stat().st_size) > limit:
        return too_big(size, limit, "").message
    if ext in (".csv", ".tsv"):
        from infobot.service.importers import csv_format

        return functools.partial(csv_format.read, require_consent=require_consent)
    if ext == ".xlsx":
        from infobot.service.importers import xlsx_format

        return functools.partial(xlsx_format.read, require_consent=require_consent)
    if ext in (".yaml", ".yml"):
        from infobot.service.importers import yaml_format

        return yaml_format.read
    if ext == ".json":
        from infobot.service.importers import json_format

        return json_format.read
    if ext in (".md", ".markdown"):
        from infobot.service.importers import markdown_format

        return markdown_format.read
    if ext in (".xls", ".xlsm", ".ods", ".numbers"):
        return (
            f"infobot cannot read '{ext}' spreadsheets; save it as Excel Workbook (.xlsx) "
            "or as 'CSV UTF-8'"
        )
    kinds = ", ".join(EXTENSIONS)
    shown = f"'{ext}' files" if ext else "files without an extension"
    return f"infobot cannot read {shown}; use one of {kinds}, or a folder of .md files"


def _size(path: Path) -> int:
    try:
        if path.is_dir():
            return sum(
                p.stat().st_size
                for p in path.iterdir()
                if p.suffix.lower() in (".md", ".markdown") and p.is_file()
            )
        return path.stat().st_size
    except OSError:
        return 0


def _ignore(done: int) -> None:
    return None


def _advance(
    progress: Callable[[int, int], None] | None, before: int, size: int, total: int
) -> Advance:
    """Turn "bytes done in this file" into a call of ``progress(done, total)``."""
    if progress is None:
        return _ignore
    report = progress

    def advance(done: int) -> None:
        report(before + min(done, size), total)

    return advance


def load(
    paths: Sequence[Path],
    *,
    require_consent: bool = True,
    progress: Callable[[int, int], None] | None = None,
    labels: Sequence[str] | None = None,
    media: MediaFolder | None = None,
) -> LoadResult:
    """Read and validate every story in ``paths`` (files, or folders of Markdown files).

    A story's picture is named by its path in ``media`` (the media folder); without a
    media folder a local picture is refused.

    ``progress(done, total)`` is called now and then with bytes read so far. ``labels``
    names each path in problems and sources (default: the path as given), e.g. the
    original name of a file uploaded to a temporary folder.
    """
    result = LoadResult()
    first_item = 0
    for event in stream(
        paths,
        result,
        require_consent=require_consent,
        progress=progress,
        labels=labels,
        media=media,
    ):
        if isinstance(event, FileEnd):
            if event.broken:
                del result.items[first_item:]
            first_item = len(result.items)
        else:
            result.items.extend(event.parsed())
    return result


def stream(
    paths: Sequence[Path],
    found: LoadResult,
    *,
    require_consent: bool = True,
    progress: Callable[[int, int], None] | None = None,
    labels: Sequence[str] | None = None,
    media: MediaFolder | None = None,
) -> Iterator[StoryRun | FileEnd]:
    """The new valid stories in ``paths`` as they are read, in runs (a batch of rows at a
    time), and a :class:`FileEnd` after each path; problems, notes and counts go into
    ``found`` (its ``items`` are left alone)."""
    # Nothing made here forms reference cycles; 100,000s of new objects would otherwise
    # trigger many full collections that find nothing (about a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield from _stream(paths, found, require_consent, progress, labels, media)
    finally:
        if collecting:
            gc.enable()


class _Checker:
    """Checks what a reader gives, a record or a batch of rows at a time, for one import."""

    def __init__(
        self, result: LoadResult, require_consent: bool, media: MediaFolder | None
    ) -> None:
        self.result = result
        self.require_consent = require_consent
        self.seen = Seen()
        self.pictures = LocalPictures(media)  # each picture name is looked for once
        self.stories = 0  # in the current file
        self.blank_rows = 0

    def batch(self, batch: RowBatch) -> StoryRun:
        """The new valid stories of a batch of rows; the rows the fast check does not
        accept go the way of a record."""
        images = self.pictures
        require_consent = self.require_consent and batch.require_consent
        if COLUMNS_ARE_STORIES:
            checked = checked_columns(
                batch.fields, batch.rows, require_consent=require_consent, images=images
            )
            if checked is not None and not checked[0]:  # every row valid: no story made
                run = self._run(batch, with_defaults(checked[1]))
                if run is not None:
                    return run
        stories, values = check_rows_by_field(
            batch.fields, batch.rows, require_consent=require_consent, images=images
        )
        self.result.rows_seen += len(stories)
        accepted = [story for story in stories if story is not None]
        prints = fingerprints(accepted)
        lines = [line for line, story in zip(batch.lines, stories, strict=True) if story]
        said_all = self.seen.add_all(batch.file, lines, accepted, prints, values)
        self.stories += len(accepted)
        return StoryRun.of(list(self._each(batch, stories, accepted, prints, said_all)))

    def _run(self, batch: RowBatch, values: dict[str, list[object]]) -> StoryRun | None:
        """The stories of ``batch``, every row valid, with ``values`` (the file's fields'
        values, as stories hold them) when every row is a new story; else None (nothing
        remembered: the rows go the usual way)."""
        count = len(batch.lines)
        columns: dict[str, list[Any]] = {
            name: values[name] if name in values else [_DEFAULTS[name]] * count
            for name in STORY_FIELDS
        }
        prints = fingerprints_of(columns["body"], columns["author"], columns["title"])
        if not self.seen.add_new(batch.file, batch.lines, prints, values):
            return None
        self.result.rows_seen += count
        self.stories += count
        columns["versions"] = [()] * count
        return StoryRun([batch.file] * count, list(batch.lines), columns, prints)

    def _each(
        self,
        batch: RowBatch,
        stories: list[StoryInput | None],
        accepted: list[StoryInput],
        prints: list[str],
        said_all: list[tuple[Problem, bool] | None],
    ) -> Iterator[Parsed]:
        """:meth:`batch` row by row, for a batch with rows to look at more closely."""
        said = iter(said_all)
        fresh = iter(zip(accepted, prints, strict=True))
        for line, row, story in zip(batch.lines, batch.rows, stories, strict=True):
            if story is None:
                values = {name: row[position] for position, name in batch.fields}
                record = RawRecord(
                    batch.file, line, values, batch.base_dir, None, batch.require_consent
                )
                self.result.rows_seen -= 1  # counted again as a record
                found = self.record(record)
                if found is not None:
                    yield found
                continue
            story, fingerprint = next(fresh)
            twice = next(said)
            if twice is None:
                yield Parsed(batch.file, line, story, fingerprint)
            else:
                (self.result.notes if twice[1] else self.result.problems).append(twice[0])

    def record(self, item: RawRecord) -> Parsed | None:
        """The record's story if it is valid and new; else ``None``, its problems noted."""
        result = self.result
        result.rows_seen += 1
        body = item.values.get("body")
        if not (type(body) is str and body and not body.isspace()) and _blank(item.values):
            if item.problems:
                result.problems.extend(item.problems)
            else:
                self.blank_rows += 1
                if self.blank_rows <= MAX_BLANK_NOTES:
                    result.notes.append(Problem(item.file, item.line, "row", "blank; skipped"))
            return None
        self.stories += 1
        story, problems = validate_record(
            item.values,
            file=item.file,
            line=item.line,
            field_lines=item.field_lines,
            require_consent=self.require_consent and item.require_consent,
            images=self.pictures,
        )
        if item.problems:
            result.problems.extend(item.problems)
        if story is None:
            result.problems.extend(problems)
            return None
        if item.problems or item.blocked:
            return None
        return self.new(Parsed(item.file, item.line, story, story.fingerprint()))

    def new(self, here: Parsed) -> Parsed | None:
        """``here`` unless the same story was read before (then noted, or a problem)."""
        twice = self.seen.add(here)
        if twice is None:
            return here
        said, only_a_note = twice
        (self.result.notes if only_a_note else self.result.problems).append(said)
        return None

    def file_end(self, display: str, broken: bool) -> None:
        # A file with a bad header, broken quoting or a syntax error gives nothing, even
        # the stories before the damage (a folder: nothing from the damaged file).
        if not broken and self.stories == 0:
            self.result.problems.append(Problem(display, None, "file", "no stories found"))
        if self.blank_rows > MAX_BLANK_NOTES:
            more = self.blank_rows - MAX_BLANK_NOTES
            message = f"and {more:,} more blank rows skipped (not listed)"
            self.result.notes.append(Problem(display, None, "row", message))
        self.stories = self.blank_rows = 0


def _stream(
    paths: Sequence[Path],
    result: LoadResult,
    require_consent: bool,
    progress: Callable[[int, int], None] | None,
    labels: Sequence[str] | None,
    media: MediaFolder | None,
) -> Iterator[StoryRun | FileEnd]:
    checker = _Checker(result, require_consent, media)
    sizes = [_size(Path(p)) for p in paths]
    total = sum(sizes)
    done_before = 0

    shown = list(labels) if labels is not None else [str(p) for p in paths]
    for raw_path, size, display in zip(paths, sizes, shown, strict=True):
        path = Path(raw_path)
        reader = reader_for(path, require_consent)
        if isinstance(reader, str):
            result.problems.append(Problem(display, None, "file", reader))
            yield FileEnd(display, broken=True)
            continue

        advance = _advance(progress, done_before, size, total)
        broken: set[str] = set()  # files the reader could not read completely
        try:
            for item in reader(path, display, advance):
                if isinstance(item, RowBatch):
                    yield checker.batch(item)
                elif isinstance(item, Problem):
                    result.problems.append(item)
                    broken.add(item.file)
                elif (found := checker.record(item)) is not None:
                    yield StoryRun.of([found])
        except OSError as exc:
            result.problems.append(
                Problem(display, None, "file", f"could not be read: {exc.strerror or exc}")
            )
            broken.add(display)
        checker.file_end(display, bool(broken))
        done_before += size
        if progress is not None:
            progress(done_before, total)
        yield FileEnd(display, broken=display in broken)
