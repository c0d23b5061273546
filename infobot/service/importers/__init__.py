"""Load stories from the files the team exports: CSV, Excel, YAML, JSON and Markdown.

``load(paths)`` reads every file, validates every record and returns a :class:`LoadResult`.
It never writes anything: the caller decides (any problem means nothing is written, unless
the user asked to skip invalid stories, in which case ``items`` holds the valid ones).

Each format module exposes ``read(path, display, advance)`` (the tabular ones also take
``require_consent=``), a generator of :class:`RawRecord` (one per record, blank ones
included) and :class:`Problem` (the file itself cannot be read, or its header is wrong).
``advance(n)`` reports how many bytes of the file have been read so far. The format modules
import from this one, so this one imports them only when a file needs them.

A file the reader reports a problem for gives no stories at all, not even those before the
damage: half a file is not what anyone meant to import.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import NamedTuple

from infobot.domain.errors import Problem
from infobot.domain.story import StoryInput
from infobot.domain.validate import validate_record
from infobot.service.media import LocalPictures, MediaFolder

__all__ = ["EXTENSIONS", "LoadResult", "Parsed", "RawRecord", "load"]

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

Advance = Callable[[int], None]
Reader = Callable[[Path, str, Advance], Iterator["RawRecord | Problem"]]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A valid story and where it came from."""

    file: str
    line: int
    story: StoryInput
    fingerprint: str = ""  # ``story.fingerprint()``, computed once here


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


def _blank(values: Mapping[str, object]) -> bool:
    for value in values.values():
        if value is None or (type(value) is str and (not value or value.isspace())):
            continue
        return False
    return True


def _reader_for(path: Path, require_consent: bool) -> Reader | str:
    """The reader for ``path``, or why there is none."""
    if path.is_dir():
        from infobot.service.importers import markdown_format

        return markdown_format.read_folder
    ext = path.suffix.lower()
    if not path.exists():
        return "file not found"
    if not path.is_file():
        return "not a regular file"
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
        from infobot.service.importers import yaml_format

        return yaml_format.read_json
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


def _differences(a: StoryInput, b: StoryInput) -> list[str]:
    return [f.name for f in fields(StoryInput) if getattr(a, f.name) != getattr(b, f.name)]


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
    # Nothing made here forms reference cycles; 100,000s of new objects would otherwise
    # trigger many full collections that find nothing (about a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(paths, require_consent, progress, labels, media)
    finally:
        if collecting:
            gc.enable()


def _load(
    paths: Sequence[Path],
    require_consent: bool,
    progress: Callable[[int, int], None] | None,
    labels: Sequence[str] | None = None,
    media: MediaFolder | None = None,
) -> LoadResult:
    result = LoadResult()
    seen: dict[bytes, Parsed] = {}  # by fingerprint (as bytes: 100,000 of them add up)
    pictures = LocalPictures(media)  # each picture name is looked for once
    sizes = [_size(Path(p)) for p in paths]
    total = sum(sizes)
    done_before = 0

    shown = list(labels) if labels is not None else [str(p) for p in paths]
    for raw_path, size, display in zip(paths, sizes, shown, strict=True):
        path = Path(raw_path)
        reader = _reader_for(path, require_consent)
        if isinstance(reader, str):
            result.problems.append(Problem(display, None, "file", reader))
            continue

        advance = _advance(progress, done_before, size, total)
        stories_in_file = 0
        first_item = len(result.items)
        broken: set[str] = set()  # files the reader could not read completely
        try:
            for item in reader(path, display, advance):
                if isinstance(item, Problem):
                    result.problems.append(item)
                    broken.add(item.file)
                    continue
                result.rows_seen += 1
                body = item.values.get("body")
                if not (type(body) is str and body and not body.isspace()) and _blank(item.values):
                    if item.problems:
                        result.problems.extend(item.problems)
                    else:
                        result.notes.append(Problem(item.file, item.line, "row", "blank; skipped"))
                    continue
                stories_in_file += 1
                story, problems = validate_record(
                    item.values,
                    file=item.file,
                    line=item.line,
                    field_lines=item.field_lines,
                    require_consent=require_consent and item.require_consent,
                    images=pictures,
                )
                if item.problems:
                    result.problems.extend(item.problems)
                if story is None:
                    result.problems.extend(problems)
                    continue
                if item.problems or item.blocked:
                    continue
                hex_print = story.fingerprint()
                here = Parsed(item.file, item.line, story, hex_print)
                fingerprint = bytes.fromhex(hex_print)
                first = seen.get(fingerprint)
                if first is None:
                    seen[fingerprint] = here
                    result.items.append(here)
                    continue
                where = (
                    f"line {first.line}"
                    if first.file == item.file
                    else f"{first.file} line {first.line}"
                )
                if first.story == story:
                    result.notes.append(
                        Problem(item.file, item.line, "story", f"same story as {where}; skipped")
                    )
                else:
                    differ = ", ".join(_differences(first.story, story))
                    result.problems.append(
                        Problem(
                            item.file,
                            item.line,
                            "story",
                            f"same story (same body, author and title) as {where} but with a "
                            f"different {differ}; remove one or make them match",
                        )
                    )
        except OSError as exc:
            result.problems.append(
                Problem(display, None, "file", f"could not be read: {exc.strerror or exc}")
            )
            broken.add(display)

        if broken:
            # A file with a bad header, broken quoting or a syntax error gives nothing, even
            # the stories before the damage: half a file is not what anyone meant to import.
            kept = [
                p
                for p in result.items[first_item:]
                if p.file not in broken and display not in broken
            ]
            del result.items[first_item:]
            result.items.extend(kept)
        elif stories_in_file == 0:
            result.problems.append(Problem(display, None, "file", "no stories found"))
        done_before += size
        if progress is not None:
            progress(done_before, total)

    return result
