"""Load stories from the files the team exports: CSV, Excel, YAML, JSON and Markdown.

``load(paths)`` reads every file, validates every record and returns a :class:`LoadResult`.
It never writes anything: the caller decides (any problem means nothing is written, unless
the user asked to skip invalid stories, in which case ``items`` holds the valid ones).

``stream(paths, found)`` does the same a few stories at a time (a :class:`StoryRun`, the
stories a column per field, per batch of rows),
keeping only what it must (a short print of each story, to find the same story twice):
:mod:`infobot.service.importing` checks and writes as it reads, so 100,000 stories never
sit in memory together.

Each format module exposes ``read(path, display, advance)`` (the tabular ones also take
``require_consent=``), a generator of :class:`RawRecord` (one per record, blank ones
included), :class:`RowBatch` (many rows of text, checked together) and :class:`Problem`
(the file itself cannot be read, or its header is wrong).
``advance(n)`` reports how many bytes of the file have been read so far. The format modules
import from this one, so this one imports them only when a file needs them.

A file the reader reports a problem for gives no stories at all, not even those before the
damage: half a file is not what anyone meant to import.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from infobot.domain.errors import Problem
from infobot.domain.story import STORY_FIELDS, StoryInput

__all__ = [
    "EXTENSIONS",
    "MAX_CELLS",
    "MAX_ROWS",
    "SIZE_LIMITS",
    "FileEnd",
    "LoadResult",
    "Parsed",
    "RawRecord",
    "RowBatch",
    "StoryRun",
    "load",
    "reader_for",
    "rows_over_limit",
    "size_limit",
    "stream",
    "too_big",
]

#: File extensions infobot reads (and folders of .md files).
EXTENSIONS: tuple[str, ...] = (
    ".csv",
    ".tsv",
    ".xlsx",
    ".yaml",
    ".yml",
    ".json",
    ".md",
    ".markdown",
)

_MB = 1024 * 1024
#: The largest file of each format infobot reads, in bytes, checked before anything is
#: read. CSV and YAML are streamed (the limit bounds the time a file can take); JSON is
#: read whole (the limit bounds the memory); a Markdown file holds one story.
SIZE_LIMITS: dict[str, int] = {
    ".csv": 256 * _MB,
    ".tsv": 256 * _MB,
    ".xlsx": 64 * _MB,
    ".yaml": 128 * _MB,
    ".yml": 128 * _MB,
    ".json": 64 * _MB,
    ".md": 1 * _MB,
    ".markdown": 1 * _MB,
}
#: Records read from one file at most, blank ones included: a sheet that goes on past
#: this (a cell at row 10,000,000, millions of blank rows) is refused there.
MAX_ROWS = 200_000
#: Spreadsheet cells read from one sheet at most (rows as wide as their last cell).
MAX_CELLS = 20_000_000
#: Blank rows noted one by one; the rest are counted in one last note.
MAX_BLANK_NOTES = 100

Advance = Callable[[int], None]
Reader = Callable[[Path, str, Advance], Iterator["RawRecord | RowBatch | Problem"]]


class Parsed(NamedTuple):
    """A valid story and where it came from (a tuple: made 100,000s of times)."""

    file: str
    line: int
    story: StoryInput
    fingerprint: str = ""  # ``story.fingerprint()``, computed once here


@dataclass
class StoryRun:
    """New valid stories, in the order they were read, a column per field: what an import
    checks and writes, with no :class:`StoryInput` made for each story (a CSV file's rows
    arrive as columns, and go to the database as columns).

    ``columns`` holds a list per field of :data:`STORY_FIELDS` and ``"versions"``, each
    as long as ``lines``; ``files``, ``lines`` and ``prints`` say where each story was
    read and what its fingerprint is.
    """

    files: list[str]
    lines: list[int]
    columns: dict[str, list[Any]]
    prints: list[str]

    def __len__(self) -> int:
        return len(self.lines)

    @classmethod
    def of(cls, items: Sequence[Parsed]) -> StoryRun:
        """The run of ``items``."""
        stories = [item.story for item in items]
        columns = {name: list(map(getter, stories)) for name, getter in _COLUMN_GETTERS}
        return cls(
            [item.file for item in items],
            [item.line for item in items],
            columns,
            [item.fingerprint for item in items],
        )

    @classmethod
    def joined(cls, runs: Sequence[StoryRun]) -> StoryRun:
        """One run of ``runs``, one after the other."""
        if len(runs) == 1:
            return runs[0]
        return cls(
            list(chain.from_iterable(run.files for run in runs)),
            list(chain.from_iterable(run.lines for run in runs)),
            {
                name: list(chain.from_iterable(run.columns[name] for run in runs))
                for name in COLUMNS
            },
            list(chain.from_iterable(run.prints for run in runs)),
        )

    def without(self, rows: Collection[int]) -> StoryRun:
        """This run without the stories at positions ``rows``."""
        keep = [row for row in range(len(self.lines)) if row not in rows]

        def kept(values: Sequence[Any]) -> list[Any]:
            return [values[row] for row in keep]

        return StoryRun(
            kept(self.files),
            kept(self.lines),
            {name: kept(values) for name, values in self.columns.items()},
            kept(self.prints),
        )

    def story(self, row: int) -> StoryInput:
        """The story at position ``row``."""
        return StoryInput(**{name: values[row] for name, values in self.columns.items()})

    def parsed(self) -> list[Parsed]:
        """Each story of the run, with where it was read."""
        return [
            Parsed(file, line, self.story(row), fingerprint)
            for row, (file, line, fingerprint) in enumerate(
                zip(self.files, self.lines, self.prints, strict=True)
            )
        ]


#: The columns of a :class:`StoryRun`.
COLUMNS: tuple[str, ...] = (*STORY_FIELDS, "versions")
_COLUMN_GETTERS = tuple((name, attrgetter(name)) for name in COLUMNS)


@dataclass
class LoadResult:
    """Everything :func:`load` found."""

    #: Valid stories, in input order, duplicates within the batch removed.
    items: list[Parsed] = field(default_factory=list)
    #: Errors: any of these means the caller writes nothing (unless told to skip invalid).
    problems: list[Problem] = field(default_factory=list)
    #: Things skipped on purpose: blank rows, exact duplicates.
    notes: list[Problem] = field(default_factory=list)
    #: Records seen (blank and duplicate ones included; header rows not).
    rows_seen: int = 0


class RawRecord(NamedTuple):
    """One record as a format read it, before validation (a tuple: made 100,000s of times)."""

    file: str
    line: int
    values: Mapping[str, object]
    base_dir: Path
    field_lines: Mapping[str, int] | None = None
    #: ``False`` when the file's header already reported missing consent columns.
    require_consent: bool = True
    #: What the reader found wrong with this record (a field given twice, text under no
    #: heading): reported with the record's other problems, and the record is not used.
    problems: tuple[Problem, ...] = ()
    #: ``True`` when the file's header has problems (reported once): the record is still
    #: checked, so every problem shows up at once, but never used.
    blocked: bool = False


class RowBatch(NamedTuple):
    """Rows of text, one cell per column, checked together (``check_rows``): what a CSV
    file mostly is. A row the fast check does not accept goes the way of a record."""

    file: str
    #: The line each row starts on.
    lines: list[int]
    rows: list[list[str]]
    #: The position and field of each column read.
    fields: tuple[tuple[int, str], ...]
    base_dir: Path
    #: ``False`` when the file's header already reported missing consent columns.
    require_consent: bool = True


def size_limit(name: str) -> int | None:
    """The largest file infobot reads for a file called ``name`` (None: not a story file)."""
    return SIZE_LIMITS.get(Path(name).suffix.lower())


def too_big(size: int | None, limit: int, display: str) -> Problem:
    """The problem of a file of ``size`` bytes (None: more than was read) over its
    format's ``limit``."""
    said = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return Problem(
        display,
        None,
        "file",
        f"is {said}; infobot reads files of this kind up to {limit:,} bytes "
        f"({limit // _MB} MB); split it into smaller files",
    )


def rows_over_limit(display: str, line: int) -> Problem:
    """The problem of a file that goes on past :data:`MAX_ROWS` records."""
    return Problem(
        display,
        line,
        "row",
        f"the file goes on past {MAX_ROWS:,} rows (blank rows count); infobot reads at "
        f"most {MAX_ROWS:,} rows from one file, so it stopped here: delete the rows below "
        "the stories, or split the file into smaller files",
    )


from infobot.service.importers.reading import (  # noqa: E402
    FileEnd,
    load,
    reader_for,
    stream,
)
