"""Many rows of text checked at once: the fast path of an import.

For a file whose rows are all text, one cell per column (a CSV file, nearly always), each
rule runs over a whole column of a batch of rows instead of a field at a time, so a batch
of 100,000 stories costs a fraction of 100,000 calls of :func:`validate_record`. Every row
accepted gets exactly the story :func:`validate_record` builds; a row with anything at all
to say about it (a problem, a carriage return, an over-long field, a picture that is not
there, an empty row) gets ``None``, and the caller asks :func:`validate_record`, which
says what is wrong (``tests/test_import_speed_invariants.py`` holds the two together).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import date
from itertools import repeat
from operator import attrgetter

from infobot.domain.bounds import out_of_range
from infobot.domain.story import CONSENT_FIELDS, StoryInput
from infobot.domain.validate.characters import _suspicious
from infobot.domain.validate.record import _DEFAULTS, _NON_EMPTY, _new_story, _story_from_dict
from infobot.domain.validate.values import (
    _HTTPS_ADDRESS,
    _LANGUAGES,
    _WEB_ADDRESS,
    DATE_FIELDS,
    FIELD_LIMITS,
    LANGUAGE_CODES,
    ImageCheck,
    _check_image,
    _parse_date,
    _web_address,
)

__all__ = [
    "COLUMNS_ARE_STORIES",
    "check_rows",
    "check_rows_by_field",
    "checked_columns",
    "with_defaults",
]

#: A story is exactly the values of its fields (its dictionary filled from them builds
#: what its ``__init__`` builds): columns of values can stand for the stories.
COLUMNS_ARE_STORIES = _new_story is _story_from_dict

_INSTANCE_DICT = attrgetter("__dict__")


def check_rows(
    fields: Sequence[tuple[int, str]],
    rows: Sequence[Sequence[str]],
    *,
    require_consent: bool = True,
    images: ImageCheck | None = None,
) -> list[StoryInput | None]:
    """The story of each row that :func:`validate_record` accepts as it is, else ``None``.

    ``fields`` gives the position and field of each column read (distinct fields); every
    row holds text only and has the same number of cells. The record of a row is
    ``{field: row[position] for position, field in fields}``.
    """
    return check_rows_by_field(fields, rows, require_consent=require_consent, images=images)[0]


def check_rows_by_field(
    fields: Sequence[tuple[int, str]],
    rows: Sequence[Sequence[str]],
    *,
    require_consent: bool = True,
    images: ImageCheck | None = None,
) -> tuple[list[StoryInput | None], dict[str, list[object]] | None]:
    """:func:`check_rows`, and the values of each field the file gives, a list per field
    with an item per row, as the stories hold them (a field left out: its default in
    every story), when every row is accepted; else ``None`` for the values."""
    count = len(rows)
    checked = checked_columns(fields, rows, require_consent=require_consent, images=images)
    if checked is None:
        return [None] * count, None
    bad, columns = checked
    if _new_story is _story_from_dict:
        return _fill(columns, bad), (None if bad else columns)
    keys = tuple(columns)
    stories: list[StoryInput | None] = []
    for row, values in enumerate(zip(*columns.values(), strict=True)):
        if row in bad:
            stories.append(None)
        else:
            stories.append(_new_story(dict(filter(_NON_EMPTY, zip(keys, values, strict=True)))))
    return stories, None


def checked_columns(
    fields: Sequence[tuple[int, str]],
    rows: Sequence[Sequence[str]],
    *,
    require_consent: bool = True,
    images: ImageCheck | None = None,
) -> tuple[set[int], dict[str, list[object]]] | None:
    """The rows :func:`check_rows` refuses (by position), and the values of each field the
    file gives, a list per field with an item per row, as a story holds them (a row
    refused may hold anything); None when these rows cannot be checked together."""
    count = len(rows)
    names = [name for _, name in fields]
    if not count or "body" not in names:
        return None
    if not set(names) <= FIELD_LIMITS.keys():  # a story's other languages (body_cy...)
        return None
    if require_consent and not set(CONSENT_FIELDS) <= set(names):
        return None
    table = list(zip(*rows, strict=True))
    bad: set[int] = set()
    columns: dict[str, list[object]] = {}
    for position, name in fields:
        cells = table[position]
        # Printable text holds no carriage return and nothing validation refuses; only
        # cells with line breaks or tabs (or worse) need a closer look.
        if not "".join(cells).isprintable():  # every cell printable, in one call
            joined = "\n".join(cells)  # a line break is allowed: one search for the column
            if "\r" in joined or _suspicious(joined):
                bad.update(
                    row
                    for row, text in enumerate(cells)
                    if not text.isprintable() and ("\r" in text or _suspicious(text))
                )
        texts = list(map(str.strip, cells))
        limit = FIELD_LIMITS[name]
        if max(map(len, texts)) > limit:
            bad.update(row for row, text in enumerate(texts) if len(text) > limit)
        columns[name] = list(texts)
    needed = ("body", *CONSENT_FIELDS) if require_consent else ("body",)
    for name in needed:
        if not all(columns[name]):
            bad.update(row for row, text in enumerate(columns[name]) if not text)
    for name, column in columns.items():
        if name in DATE_FIELDS:
            _dates(column, bad)
        elif name == "link":
            quick = _WEB_ADDRESS.fullmatch  # a match is an address; the rest are asked
            bad.update(
                row
                for row, text in enumerate(column)
                if text
                and quick(str(text)) is None
                and not _web_address(str(text), https_only=False)
            )
        elif name == "language":
            _languages(column, bad)
        elif name == "image":
            _images(column, columns.get("image_alt"), bad, images)
    return bad, columns


def with_defaults(columns: dict[str, list[object]]) -> dict[str, list[object]]:
    """``columns`` (of :func:`checked_columns`) as the stories' values: an empty value is
    its field's default (the language: ``en``), as a story built from the row's non-empty
    values holds it. Changed in place, and returned."""
    for name, column in columns.items():
        default = _DEFAULTS[name]
        if default != "" and "" in column:
            column[:] = [default if value == "" else value for value in column]
    return columns


def _fill(columns: dict[str, list[object]], bad: set[int]) -> list[StoryInput | None]:
    """The stories of the rows not in ``bad``, each built as :func:`_story_from_dict`
    builds it from the row's non-empty values: an empty value is its field's default, so
    the story's dictionary is every field, in order, filled from its column or default."""
    with_defaults(columns)
    keys = tuple(_DEFAULTS)
    count = len(next(iter(columns.values())))
    given = [columns[name] if name in columns else repeat(_DEFAULTS[name]) for name in keys]
    rows = zip(*given, strict=False)  # a default repeats
    # Every row's story, filled in C (no Python-level step per row): a new instance each,
    # its dictionary updated from (field, value) pairs; then the bad rows' go.
    stories: list[StoryInput | None] = list(map(object.__new__, repeat(StoryInput, count)))
    fill = map(dict.update, map(_INSTANCE_DICT, stories), map(zip, repeat(keys), rows))
    deque(fill, maxlen=0)
    for row in bad:
        stories[row] = None
    return stories


def _dates(column: list[object], bad: set[int]) -> None:
    """Each date's text becomes the date (an empty one, ``None``); each distinct text is
    read once."""
    dates: dict[object, date | None] = {}
    refused: set[object] = set()
    for text in set(column):
        if not text:
            dates[text] = None
            continue
        parsed = _parse_date(str(text))
        if isinstance(parsed, str) or out_of_range(parsed):  # validate_record says why
            refused.add(text)
            dates[text] = None
        else:
            dates[text] = parsed
    if refused:
        bad.update(row for row, text in enumerate(column) if text in refused)
    column[:] = map(dates.__getitem__, column)


def _languages(column: list[object], bad: set[int]) -> None:
    """Each language code as validation stores it (lower case); each distinct text is
    read once."""
    codes: dict[object, object] = {}
    refused: set[object] = set()
    for text in set(column):
        codes[text] = text
        if text:
            code = _LANGUAGES.get(str(text)) or str(text).lower()
            if code in LANGUAGE_CODES:
                codes[text] = _LANGUAGES[code]
            else:
                refused.add(text)
    if refused:
        bad.update(row for row, text in enumerate(column) if text in refused)
    column[:] = map(codes.__getitem__, column)


def _images(
    column: list[object], alts: list[object] | None, bad: set[int], images: ImageCheck | None
) -> None:
    """Each picture as validation stores it (an https address, or the file's full path)."""
    quick = _HTTPS_ADDRESS.fullmatch  # a match is stored as it is; the rest are asked
    for row, text in enumerate(column):
        if text:
            if quick(str(text)) is None:
                stored, problem = _check_image(str(text), images)
                column[row] = stored
            else:
                problem = None
            if problem is not None or alts is None or not alts[row]:
                bad.add(row)
