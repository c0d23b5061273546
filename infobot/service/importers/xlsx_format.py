"""Excel workbooks (.xlsx): the first sheet, header in the first non-empty row.

Read with openpyxl in read-only mode (streamed, not loaded whole). A record's line is its
spreadsheet row number. Date cells arrive as dates; formulas give the value Excel last
calculated (what the team sees), not the formula.
"""

from __future__ import annotations

import itertools
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.functions import iterparse

from infobot.domain.errors import Problem
from infobot.service.importers import MAX_CELLS, MAX_ROWS, Advance, RawRecord, rows_over_limit
from infobot.service.importers.csv_format import Columns, read_header

__all__ = ["read"]

_PROGRESS_EVERY = 1024
# An .xlsx is a zip of XML: refuse one that unpacks to far more than a sheet of stories
# could (a "zip bomb") before openpyxl reads it into memory.
_MAX_UNPACKED = 50_000_000
_MAX_RATIO = 100
#: Unpacked, whatever the ratio: the shared strings are read into memory whole.
_MAX_UNPACKED_AT_ALL = 1_000_000_000
_MAX_SHARED_STRINGS = 256_000_000


def _guarded(
    rows: Iterator[tuple[object, ...]], display: str
) -> Iterator[tuple[object, ...] | Problem]:
    """``rows``, ending with a problem instead of an exception if the sheet is damaged."""
    try:
        yield from rows
    except _DAMAGED as exc:
        yield _unreadable(display, exc)


def _quiet(rows: Iterator[tuple[object, ...]], batch: int = 512) -> Iterator[tuple[object, ...]]:
    """``rows`` with openpyxl's warnings silenced while it parses, but not between rows."""
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chunk = list(itertools.islice(rows, batch))
        if not chunk:
            return
        yield from chunk


# What openpyxl raises on files that are not workbooks, or damaged ones.
_DAMAGED = (
    zipfile.BadZipFile,
    InvalidFileException,
    ElementTree.ParseError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
)


def _unreadable(display: str, exc: Exception) -> Problem:
    if isinstance(exc, ValueError) and "digits" in str(exc):  # Python's int() limit
        why = "a number cell holds thousands of digits"
    else:
        why = f"{type(exc).__name__}: {exc}"
    return Problem(
        display,
        None,
        "file",
        f"is not a readable Excel workbook ({why}); save it again "
        "as Excel Workbook (.xlsx) or as 'CSV UTF-8'",
    )


def _too_many_cells(display: str, line: int) -> Problem:
    return Problem(
        display,
        line,
        "row",
        f"the sheet holds more than {MAX_CELLS:,} cells up to here (a row is as wide as "
        "its last cell); infobot stopped reading: delete the columns and rows around the "
        "stories, or split the sheet",
    )


def _oversized_sheet(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], display: str
) -> Problem | None:
    """A sheet that goes on past the row or cell limit, if it would be read whole at open.

    openpyxl reads each sheet's size when it opens a workbook; a sheet that does not give
    its size up front (no ``<dimension>`` before its rows) is parsed whole there, keeping
    every row. Such a sheet is counted here first, in one streamed pass that keeps
    nothing, and refused at the limits.
    """
    for entry in entries:
        if entry.filename.lower().endswith(".xml"):
            with archive.open(entry) as stream:
                problem = _count_sheet(stream, display)
            if problem is not None:
                return problem
    return None


def _count_sheet(stream: IO[bytes], display: str) -> Problem | None:
    rows = cells = 0
    data: ElementTree.Element | None = None
    first = True
    for event, element in iterparse(stream, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if first:
            if tag != "worksheet":
                return None  # not a sheet: read no further
            first = False
        elif event == "end":
            if tag == "row" and data is not None:
                data.clear()  # keep nothing of the rows counted
        elif tag == "c":
            cells += 1
            if cells > MAX_CELLS:
                return _too_many_cells(display, rows)
        elif tag == "row":
            rows += 1
            if rows > MAX_ROWS:
                return rows_over_limit(display, rows)
        elif tag == "sheetData":
            data = element
        elif tag == "dimension" and data is None:
            return None  # openpyxl reads the size from here, not from the rows
    return None


def read(
    path: Path, display: str, advance: Advance, *, require_consent: bool = True
) -> Iterator[RawRecord | Problem]:
    """Records from the first sheet of an Excel workbook."""
    base_dir = path.parent
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            unpacked = sum(entry.file_size for entry in entries)
            strings = sum(e.file_size for e in entries if e.filename.endswith("haredStrings.xml"))
            limit = min(max(_MAX_UNPACKED, _MAX_RATIO * size), _MAX_UNPACKED_AT_ALL)
            if unpacked > limit or strings > _MAX_SHARED_STRINGS:
                yield Problem(
                    display,
                    None,
                    "file",
                    f"unpacks to {unpacked:,} bytes from {size:,}; that is not a spreadsheet "
                    "of stories, so infobot did not open it",
                )
                return
            oversized = _oversized_sheet(archive, entries, display)
        if oversized is not None:
            yield oversized
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _DAMAGED as exc:
        yield _unreadable(display, exc)
        return
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        rows_hint = sheet.max_row or 0
        sheet.reset_dimensions()  # some writers record wrong dimensions: read every row
        header: Columns | None = None
        cells = 0
        # Rows missing from the sheet come as empty tuples, so a cell at row 10,000,000
        # costs a loop up to the row limit and no more.
        rows = _quiet(sheet.iter_rows(values_only=True))
        for number, row in enumerate(_guarded(rows, display), start=1):
            if isinstance(row, Problem):
                yield row
                return
            if number > MAX_ROWS:
                yield rows_over_limit(display, number)
                return
            cells += len(row)
            if cells > MAX_CELLS:
                yield _too_many_cells(display, number)
                return
            if header is None:
                if row.count(None) == len(row) or all(
                    cell is None or str(cell).strip() == "" for cell in row
                ):
                    continue
                header, problems = read_header(
                    row, display, number, require_consent=require_consent
                )
                yield from problems
                if header is None:
                    return
                blocked = bool(problems)
                continue
            if rows_hint and number % _PROGRESS_EVERY == 0:
                advance(size * number // rows_hint)
            strays = header.strays(row, display, number)
            width = len(row)
            values = {field: row[index] for index, field in header.fields if index < width}
            if header.export:
                header.unprotect(values)
            yield RawRecord(
                display, number, values, base_dir, None, header.require_consent, strays, blocked
            )
    finally:
        book.close()
