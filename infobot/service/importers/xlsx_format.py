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
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from infobot.domain.errors import Problem
from infobot.service.importers import Advance, RawRecord
from infobot.service.importers.csv_format import Columns, read_header

__all__ = ["read"]

_PROGRESS_EVERY = 1024
# An .xlsx is a zip of XML: refuse one that unpacks to far more than a sheet of stories
# could (a "zip bomb") before openpyxl reads it into memory.
_MAX_UNPACKED = 50_000_000
_MAX_RATIO = 100


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
    return Problem(
        display,
        None,
        "file",
        f"is not a readable Excel workbook ({type(exc).__name__}: {exc}); save it again "
        "as Excel Workbook (.xlsx) or as 'CSV UTF-8'",
    )


def read(
    path: Path, display: str, advance: Advance, *, require_consent: bool = True
) -> Iterator[RawRecord | Problem]:
    """Records from the first sheet of an Excel workbook."""
    base_dir = path.parent
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > max(_MAX_UNPACKED, _MAX_RATIO * size):
            yield Problem(
                display,
                None,
                "file",
                f"unpacks to {unpacked:,} bytes from {size:,}; that is not a spreadsheet of "
                "stories, so infobot did not open it",
            )
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
        rows = _quiet(sheet.iter_rows(values_only=True))
        for number, row in enumerate(_guarded(rows, display), start=1):
            if isinstance(row, Problem):
                yield row
                return
            if header is None:
                if all(cell is None or str(cell).strip() == "" for cell in row):
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
            yield RawRecord(
                display, number, values, base_dir, None, header.require_consent, strays, blocked
            )
    finally:
        book.close()
