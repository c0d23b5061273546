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

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from infobot.domain.errors import Problem
from infobot.service.importers import Advance, RawRecord
from infobot.service.importers.csv_format import Columns, read_header

__all__ = ["read"]

_PROGRESS_EVERY = 1024


def _quiet(rows: Iterator[tuple[object, ...]], batch: int = 512) -> Iterator[tuple[object, ...]]:
    """``rows`` with openpyxl's warnings silenced while it parses, but not between rows."""
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chunk = list(itertools.islice(rows, batch))
        if not chunk:
            return
        yield from chunk


def read(path: Path, display: str, advance: Advance) -> Iterator[RawRecord | Problem]:
    """Records from the first sheet of an Excel workbook."""
    base_dir = path.parent
    size = path.stat().st_size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        yield Problem(
            display,
            None,
            "file",
            f"is not a readable Excel workbook ({type(exc).__name__}: {exc}); save it again "
            "as Excel Workbook (.xlsx) or as 'CSV UTF-8'",
        )
        return
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        rows_hint = sheet.max_row or 0
        sheet.reset_dimensions()  # some writers record wrong dimensions: read every row
        header: Columns | None = None
        for number, row in enumerate(_quiet(sheet.iter_rows(values_only=True)), start=1):
            if header is None:
                if all(cell is None or str(cell).strip() == "" for cell in row):
                    continue
                header, problems = read_header(row, display, number)
                yield from problems
                if header is None:
                    return
                continue
            if rows_hint and number % _PROGRESS_EVERY == 0:
                advance(size * number // rows_hint)
            if len(row) > header.width or header.unnamed:
                yield from header.strays(row, display, number)
            width = len(row)
            values = {field: row[index] for index, field in header.fields if index < width}
            yield RawRecord(display, number, values, base_dir, None, header.require_consent)
    finally:
        book.close()
