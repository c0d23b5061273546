"""Turn one raw imported record into a :class:`StoryInput`, or say plainly what is wrong.

Pure: no file formats and no files here. The importers hand over one record at a time with
its keys already mapped to field names (or raw names, which are mapped here), its values as
the format gave them (text, dates, numbers or ``None``) and where it came from. Every
problem is reported as ``file:line: field: message`` in words a communications team can act
on. Whether a local picture exists is asked of an injected :class:`ImageCheck`.

Text is stored as given apart from two things: line endings become ``\\n`` and each field is
stripped of surrounding whitespace. Nothing is Unicode-normalised, and text that merely
looks dangerous (``=HYPERLINK(...)``, ``+44 ...``, ``@user``, emoji sequences) is kept
verbatim: escaping for spreadsheets is the job of whatever exports it again.

The modules: ``headers`` (which field a heading means), ``characters`` (characters no story
may hold), ``values`` (each field's own rules), ``record`` (:func:`validate_record`) and
``rows`` (:func:`check_rows`: many rows of text at once, the same answers, far quicker).
"""

from __future__ import annotations

from infobot.domain.validate.headers import (
    normalise_header,
    show_name,
    suggest_field,
    unknown_field_message,
)
from infobot.domain.validate.record import validate_record
from infobot.domain.validate.rows import (
    COLUMNS_ARE_STORIES,
    check_rows,
    check_rows_by_field,
    checked_columns,
    with_defaults,
)
from infobot.domain.validate.values import (
    DATE_FIELDS,
    FIELD_LIMITS,
    IMAGE_EXTENSIONS,
    LANGUAGE_CODES,
    MAX_BODY,
    MAX_IMAGE_ALT,
    MAX_NOTES,
    MAX_OTHER,
    MAX_TITLE,
    ImageCheck,
    no_image_file_message,
    not_a_picture_message,
)

__all__ = [
    "COLUMNS_ARE_STORIES",
    "DATE_FIELDS",
    "FIELD_LIMITS",
    "IMAGE_EXTENSIONS",
    "LANGUAGE_CODES",
    "MAX_BODY",
    "MAX_IMAGE_ALT",
    "MAX_NOTES",
    "MAX_OTHER",
    "MAX_TITLE",
    "ImageCheck",
    "check_rows",
    "check_rows_by_field",
    "checked_columns",
    "no_image_file_message",
    "normalise_header",
    "not_a_picture_message",
    "show_name",
    "suggest_field",
    "unknown_field_message",
    "validate_record",
    "with_defaults",
]
