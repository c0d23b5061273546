"""CSV (and tab-separated) files, as Excel's "CSV UTF-8" and Google Sheets export them.

UTF-8 with or without a byte-order mark, CRLF or LF, quoted cells spanning several lines.
The first non-blank row names the columns. A record's line is the physical line it starts
on, so a story whose body spans three lines moves the next story down three lines.

The file is streamed, never read whole. Bytes that are not UTF-8 are carried through as
"surrogate escapes" so that validation can name the row, the column and the byte. A cell
far over every limit (10 MB, say) is still read, so that validation can name its row,
column and length and go on with the rows after it: csv's field size limit is raised to
the file's size while rows are parsed (a cell cannot be longer than its file).

Also home to the column-heading logic shared with the Excel reader.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infobot.domain.cells import EXPORT_ONLY_COLUMNS, is_export, unprotect
from infobot.domain.errors import Problem
from infobot.domain.story import CONSENT_FIELDS, STORY_FIELDS
from infobot.domain.validate import (
    MAX_BODY,
    normalise_header,
    show_name,
    unknown_field_message,
)
from infobot.service.importers import MAX_ROWS, Advance, RawRecord, RowBatch, rows_over_limit

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["Columns", "column_letter", "read", "read_header"]

_PROGRESS_EVERY = 2048
#: Bytes read from the file at a time (a 73 MB file: 70 reads, not 9,000).
_READ_BUFFER = 1 << 20
#: The line after a row's last: where the next row starts.
_NEXT = (1).__add__
_BATCH = 256
_DEFAULT_FIELD_LIMIT = 131_072  # csv's own default
#: Longest cell read (in characters): far over every field's limit, so that validation
#: can still name the row, the column and the length of an oversized one.
_MAX_FIELD = 16 * 1024 * 1024


def _new_record(values: tuple[object, ...]) -> RawRecord:
    """A :class:`RawRecord` from all of its fields, in order, without the Python-level
    ``__new__`` of a named tuple (a row at a time, that call is noticeable)."""
    return tuple.__new__(RawRecord, values)


_EXPORT_HINT = (
    "export it again as UTF-8 (in Excel: Save As › 'CSV UTF-8 (Comma delimited)'; "
    "in Google Sheets: File › Download › CSV)"
)


def column_letter(index: int) -> str:
    """Spreadsheet column name for a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Columns:
    """What a header row says about the columns below it."""

    #: (position, field) for every column infobot reads.
    fields: tuple[tuple[int, str], ...]
    #: Positions with an empty heading: any text below them is a problem.
    unnamed: frozenset[int]
    #: Number of cells in the header row.
    width: int
    #: ``False`` when a consent column is missing (already reported at the header).
    require_consent: bool
    #: ``True`` for infobot's own export: its bookkeeping columns are left out and the
    #: quote it puts before formula-like text is taken off (:mod:`infobot.domain.cells`).
    export: bool = False

    def unprotect(self, values: dict[str, Any]) -> None:
        """Put ``values`` of a row of an export back as they were before the export."""
        for name, value in values.items():
            if type(value) is str and value.startswith("'"):
                values[name] = unprotect(value)

    def strays(self, row: Sequence[object], file: str, line: int) -> tuple[Problem, ...]:
        """Problems for text in columns that have no heading."""
        if len(row) <= self.width and not self.unnamed:
            return ()
        return tuple(self._strays(row, file, line))

    def _strays(self, row: Sequence[object], file: str, line: int) -> Iterator[Problem]:
        for index, value in enumerate(row):
            if index < self.width and index not in self.unnamed:
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            yield Problem(
                file,
                line,
                f"column {column_letter(index)}",
                "has text but no heading in the first row; add a heading such as 'notes' "
                "or delete the text",
            )


def read_header(
    cells: Sequence[object], file: str, line: int, *, require_consent: bool = True
) -> tuple[Columns | None, list[Problem]]:
    """Map header cells to fields. ``None`` when there is no body column (nothing to read)."""
    problems: list[Problem] = []
    found: dict[str, int] = {}
    unnamed: set[int] = set()
    export = is_export(cells)
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip()
        if not name:
            unnamed.add(index)
            continue
        field = normalise_header(name)
        if field is None and export and name.lower() in EXPORT_ONLY_COLUMNS:
            continue
        if field is None:
            problems.append(Problem(file, line, show_name(name), unknown_field_message(name)))
        elif field in found:
            problems.append(
                Problem(
                    file,
                    line,
                    field,
                    f"two columns mean {field} (columns {column_letter(found[field])} and "
                    f"{column_letter(index)}); keep one",
                )
            )
        else:
            found[field] = index
    if "body" not in found:
        known = ", ".join(STORY_FIELDS)
        problems.append(
            Problem(
                file,
                line,
                "body",
                "there is no 'body' column for the story text; the first row must name the "
                f"columns (infobot knows: {known})",
            )
        )
        return None, problems
    missing = [f for f in CONSENT_FIELDS if f not in found] if require_consent else []
    for field in missing:
        problems.append(
            Problem(
                file,
                line,
                field,
                f"there is no '{field}' column; consent must be recorded for every story",
            )
        )
    columns = Columns(
        fields=tuple((index, field) for field, index in found.items()),
        unnamed=frozenset(unnamed),
        width=len(cells),
        require_consent=not missing,
        export=export,
    )
    return columns, problems


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:  # only if the file grew while being read
        return (
            f"a cell in this row is far over the {MAX_BODY:,}-character limit for a story; "
            "infobot stopped reading the file here"
        )
    if "unexpected end of data" in text:
        return (
            'a quote (") opened in this row is never closed, so the rest of the file would '
            "be one cell; infobot stopped reading the file here"
        )
    if "expected after" in text:
        return (
            "a quoted cell has more text after its closing quote; inside a quoted cell write "
            'each " as "" ; infobot stopped reading the file here'
        )
    return f"cannot be read as CSV ({text}); infobot stopped reading the file here"


def _all_of_width(batch: list[list[str]], width: int) -> bool:
    """Whether every row of ``batch`` has ``width`` cells."""
    return len(batch[0]) == width and len(set(map(len, batch))) == 1


def _parse(rows: Reader, limit: int) -> Iterator[tuple[list[list[str]], list[int]]]:
    """Batches of rows, and the line each row ends on, parsed with csv's field size limit
    at ``limit``.

    The limit is module-wide state, so it is raised only while rows are being parsed, a
    batch at a time, and put back before any row is handed on. A row that cannot be parsed
    raises :class:`csv.Error` after the batch of the rows before it.
    """
    while True:
        batch: list[list[str]] = []
        ends: list[int] = []
        keep, end_at = batch.append, ends.append
        error: csv.Error | None = None
        previous = csv.field_size_limit(limit)
        try:
            for row in rows:
                keep(row)
                end_at(rows.line_num)
                if len(batch) == _BATCH:
                    break
        except csv.Error as exc:
            error = exc
        finally:
            csv.field_size_limit(previous)
        if batch:
            yield batch, ends
        if error is not None:
            raise error
        if len(batch) < _BATCH:
            return


def read(
    path: Path, display: str, advance: Advance, *, require_consent: bool = True
) -> Iterator[RawRecord | RowBatch | Problem]:
    """Records from a CSV or TSV file."""
    base_dir = path.parent
    with path.open("rb") as raw:
        start = raw.read(4)
        if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start:
            yield Problem(
                display,
                1,
                "file",
                f"this file is saved as UTF-16 ('Unicode Text'), not UTF-8; {_EXPORT_HINT}",
            )
            return
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        text._CHUNK_SIZE = _READ_BUFFER  # type: ignore[attr-defined]  # (bytes decoded at a time)
        first = text.readline()
        if not first:
            return
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        elif "," not in first and ";" in first:
            delimiter = ";"  # Excel in locales that use a decimal comma
        else:
            delimiter = ","
        rows = csv.reader(itertools.chain((first,), text), delimiter=delimiter, strict=True)
        # No cell can be longer than the file: with that as the limit an oversized cell is
        # read (into about four times its size) and reported by validation with its column
        # and length, and the rows after it are still checked.
        limit = max(min(path.stat().st_size + 1, _MAX_FIELD), _DEFAULT_FIELD_LIMIT)

        header: Columns | None = None
        fields: tuple[tuple[int, str], ...] = ()
        width = 0
        names: tuple[str, ...] = ()  # field per column when every column is a field, in order
        export = fast = False
        end = 0  # physical line the previous record ended on
        count = 0
        lines: list[int] = []  # rows of one cell per column, checked together
        texts: list[list[str]] = []
        try:
            for batch, ends in _parse(rows, limit):
                if (
                    fast
                    and not export
                    and count + len(batch) <= MAX_ROWS
                    and _all_of_width(batch, width)
                ):
                    # the usual batch: every row a story's cells, checked together
                    before = count
                    count += len(batch)
                    if count // _PROGRESS_EVERY != before // _PROGRESS_EVERY:
                        advance(raw.tell())
                    starts = [end + 1, *map(_NEXT, ends[:-1])]
                    end = ends[-1]
                    yield RowBatch(display, starts, batch, fields, base_dir, require_consent)
                    continue
                for row, row_end in zip(batch, ends, strict=True):
                    line = end + 1
                    end = row_end
                    if header is None:
                        if not any(cell.strip() for cell in row):
                            continue
                        header, problems = read_header(
                            row, display, line, require_consent=require_consent
                        )
                        yield from problems
                        if header is None:
                            return
                        blocked = bool(problems)
                        fields = header.fields
                        if [index for index, _ in fields] == list(range(header.width)):
                            names = tuple(field for _, field in fields)
                        require_consent = header.require_consent
                        width = header.width
                        check_strays = bool(header.unnamed)
                        export = header.export
                        fast = not blocked and not check_strays
                        continue
                    count += 1
                    if count > MAX_ROWS:
                        if texts:
                            yield RowBatch(display, lines, texts, fields, base_dir, require_consent)
                        yield rows_over_limit(display, line)
                        return
                    if count % _PROGRESS_EVERY == 0:
                        advance(raw.tell())
                    if fast and len(row) == width:
                        if export:
                            for index, _ in fields:
                                if row[index].startswith("'"):
                                    row[index] = unprotect(row[index])
                        lines.append(line)
                        texts.append(row)
                        continue
                    if texts:
                        yield RowBatch(display, lines, texts, fields, base_dir, require_consent)
                        lines, texts = [], []
                    strays = (
                        header.strays(row, display, line)
                        if len(row) > width or check_strays
                        else ()
                    )
                    if names and len(row) >= width:
                        values = dict(zip(names, row, strict=False))
                    else:
                        values = {field: row[index] for index, field in fields if index < len(row)}
                    if export:
                        header.unprotect(values)
                    yield _new_record(
                        (display, line, values, base_dir, None, require_consent, strays, blocked)
                    )
                if texts:
                    yield RowBatch(display, lines, texts, fields, base_dir, require_consent)
                    lines, texts = [], []
        except csv.Error as exc:
            yield Problem(display, end + 1, "row", _csv_error(exc))
