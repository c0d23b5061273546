"""Spreadsheet cells: how the CSV export protects text, and how an import undoes it.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (and a few more) is a formula to a
spreadsheet, so the export writes such text with a ``'`` in front (OWASP's advice against
CSV injection). A text that really starts with ``'`` gets one more in front, so that the
import can take the first ``'`` off exactly when the export put it there:
``unprotect(protect(text)) == text`` for every text. Numbers (``-5``, ``+44``) are left
alone: they are no formula.

The import undoes the protection only in a file that is an export of infobot's stories
(its first row holds every column of :data:`EXPORT_ONLY_COLUMNS`), so a file typed by
hand keeps its text exactly as written.
"""

from __future__ import annotations

import re

__all__ = [
    "EXPORT_HEAD",
    "EXPORT_ONLY_COLUMNS",
    "EXPORT_TAIL",
    "FORMULA_START",
    "is_export",
    "protect",
    "unprotect",
]

#: First characters that make a spreadsheet read a cell as a formula (or mangle it).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_QUOTE = "'"
_PROTECTED = frozenset((*FORMULA_START, _QUOTE))
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

#: The columns of ``infobot export --what stories`` before the story fields and after
#: them: the story's bookkeeping, which an import of the export leaves out (the stories
#: arrive as drafts, with new ids).
EXPORT_HEAD: tuple[str, ...] = ("id", "status", "position")
EXPORT_TAIL: tuple[str, ...] = (
    "source",
    "status_reason",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "approved_by",
    "approved_at",
    "fingerprint",
)
EXPORT_ONLY_COLUMNS: frozenset[str] = frozenset((*EXPORT_HEAD, *EXPORT_TAIL))


def protect(value: object) -> str:
    """The text of ``value`` as the CSV export writes it: never a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_QUOTE) or (
        text.startswith(FORMULA_START) and _NUMBER.fullmatch(text) is None
    ):
        return _QUOTE + text
    return text


def unprotect(text: str) -> str:
    """``text`` as it was before :func:`protect` (for a cell of an export)."""
    if len(text) > 1 and text[0] == _QUOTE and text[1] in _PROTECTED:
        return text[1:]
    return text


def is_export(headings: object) -> bool:
    """Whether a file's first row (its cells' texts) is that of a stories export."""
    if not isinstance(headings, list | tuple):
        return False
    names = {str(cell).strip().lower() for cell in headings if cell is not None}
    return names >= EXPORT_ONLY_COLUMNS
