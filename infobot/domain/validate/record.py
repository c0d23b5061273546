"""One raw record checked field by field and built into a :class:`StoryInput`."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import date, datetime
from typing import cast

from infobot.domain.errors import Problem
from infobot.domain.story import CONSENT_FIELDS, STORY_FIELDS, StoryInput
from infobot.domain.validate.characters import _FORBIDDEN, _character_problem, _show, _suspicious
from infobot.domain.validate.headers import (
    normalise_header,
    show_name,
    unknown_field_message,
)
from infobot.domain.validate.values import (
    _CHECKS,
    _DATE_FORMS,
    DATE_FIELDS,
    FIELD_LIMITS,
    ImageCheck,
    _as_text,
    _check_image,
    _kind,
)
from infobot.domain.validate.versions import VersionLimits, collect_versions

_FIELD_SET = frozenset(STORY_FIELDS)
_LIMITS = VersionLimits(FIELD_LIMITS)
_SMALLEST_LIMIT = min(_LIMITS.values())
_CONSENT = frozenset(CONSENT_FIELDS)
_MISSING = {
    "body": "is empty; every story needs its text in the body",
    "consent_by": "is empty; who gave consent must be recorded before a story can be imported",
    "consent_date": (
        "is empty; the date consent was given must be recorded before a story can be imported"
    ),
}


def _story_from_fields(values: dict[str, object]) -> StoryInput:
    return StoryInput(**values)  # type: ignore[arg-type]


_DEFAULTS: dict[str, object] = vars(StoryInput(body=""))


def _story_from_dict(values: dict[str, object]) -> StoryInput:
    """A checked StoryInput built without its generated ``__init__``.

    A frozen dataclass sets each of its 14 fields through ``object.__setattr__``; filling
    the instance dictionary directly is about four times faster, which matters when 100,000
    rows are imported. Used only if it builds exactly what ``__init__`` builds (see below).
    """
    story = object.__new__(StoryInput)
    fields = vars(story)
    fields.update(_DEFAULTS)
    fields.update(values)
    return story


def _fast_construction_is_safe() -> bool:
    sample: dict[str, object] = {"body": "b", "title": "t", "consent_date": date(2026, 11, 3)}
    immutable = (str, int, float, date, tuple, frozenset, type(None))
    return (
        not hasattr(StoryInput, "__post_init__")
        and "__slots__" not in vars(StoryInput)
        and all(isinstance(value, immutable) for value in _DEFAULTS.values())
        and _story_from_dict(sample) == _story_from_fields(sample)
        and vars(_story_from_dict(sample)) == vars(_story_from_fields(sample))
    )


_new_story = _story_from_dict if _fast_construction_is_safe() else _story_from_fields


_ONLY_TEXT = frozenset({str})
_NON_EMPTY = operator.itemgetter(1)


def _plain_texts(raw: Mapping[str, object]) -> dict[str, str] | None:
    """Steps 1 and 2 of :func:`validate_record` in bulk, for the common case.

    When every key is a field name and every value is text with no carriage return, no
    suspicious character and nothing too long (a CSV row, nearly always), the stripped,
    non-empty texts are the answer, worked out without a Python-level loop per field. Any
    other record gets ``None`` and goes the careful way, which also explains its problems.
    """
    keys = raw.keys()
    if not keys <= _FIELD_SET:
        return None
    values = list(raw.values())
    if not set(map(type, values)) <= _ONLY_TEXT:
        return None
    texts = cast(list[str], values)
    # Printable text holds no carriage return and nothing _FORBIDDEN rejects; only texts
    # with line breaks or tabs (or something worse) need the closer look.
    if not all(map(str.isprintable, texts)):
        joined = "\n".join(texts)
        if "\r" in joined or _suspicious(joined):
            return None
    stripped = list(map(str.strip, texts))
    # The field-by-field check is needed only when some text is over the smallest limit.
    if max(map(len, stripped), default=0) > _SMALLEST_LIMIT and any(
        map(operator.gt, map(len, stripped), map(_LIMITS.__getitem__, keys))
    ):
        return None
    return dict(filter(_NON_EMPTY, zip(keys, stripped, strict=True)))


def validate_record(
    raw: Mapping[str, object],
    *,
    file: str,
    line: int | None,
    field_lines: Mapping[str, int] | None = None,
    require_consent: bool = True,
    images: ImageCheck | None = None,
) -> tuple[StoryInput | None, list[Problem]]:
    """Check one record and build its :class:`StoryInput`.

    Returns ``(story, [])`` when everything is fine, or ``(None, problems)``. Keys may be
    field names or any heading :func:`normalise_header` understands; unknown keys are
    problems. ``field_lines`` maps a key (as given in ``raw``) to its own line, for formats
    such as YAML where each field sits on its own line. ``images`` looks for a picture
    named by a local path (see :class:`ImageCheck`); without it such a path is refused.
    """
    problems: list[Problem] = []
    versions = False  # a version field (``body_cy``...) was given
    texts: dict[str, str] = {}  # field -> text, stripped, line endings normalised
    dates: dict[str, date] = {}  # date fields given as real dates (spreadsheet cells)
    aliases: dict[str, str] = {}  # field -> the other name it was given under
    limits = _LIMITS

    def at(key: str) -> int | None:
        if field_lines is None:
            return line
        return field_lines.get(key, line)

    def add(field: str, message: str) -> None:
        key = aliases.get(field, field) if aliases else field
        problems.append(Problem(file, at(key), field, message))

    plain = _plain_texts(raw)
    if plain is not None:
        texts = plain
    else:
        # 1. Every value as text (or a real date), checked against the field's length limit.
        for key, value in raw.items():
            if key in limits:
                field = key
            else:
                found = normalise_header(key)
                if found is None:
                    problems.append(
                        Problem(file, at(key), show_name(key), unknown_field_message(key, "field"))
                    )
                    continue
                if found in raw or found in aliases:
                    first = _show(aliases.get(found, found))
                    twice = f"given twice (as '{first}' and '{_show(key)}'); keep one"
                    problems.append(Problem(file, at(key), found, twice))
                    continue
                field = found
                aliases[field] = key
            if field not in _FIELD_SET:
                versions = True

            if type(value) is str:
                if not value:
                    continue
                text = value
            elif value is None:
                continue
            else:
                if field in DATE_FIELDS:
                    if isinstance(value, datetime):
                        dates[field] = value.date()
                        continue
                    if isinstance(value, date):
                        dates[field] = value
                        continue
                    shown = _as_text(value)
                    what = f"'{_show(shown)}'" if shown is not None else _kind(value)
                    add(field, f"{what} is not a date; {_DATE_FORMS}")
                    continue
                converted = _as_text(value)
                if converted is None:
                    add(field, f"expected text here, found {_kind(value)}")
                    continue
                text = converted

            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            text = text.strip()
            if not text:
                continue
            if len(text) > limits[field]:
                add(
                    field,
                    f"is {len(text):,} characters long, over the {limits[field]:,}-character limit",
                )
                bad = _FORBIDDEN.search(text)
                if bad is not None:
                    add(field, _character_problem(text, bad))
                continue
            texts[field] = text

        # 2. Hostile characters: one search over everything, field by field only on a hit.
        if _suspicious("\n".join(texts.values())):
            for field, text in list(texts.items()):
                bad = _FORBIDDEN.search(text)
                if bad is not None:
                    add(field, _character_problem(text, bad))
                    del texts[field]

    # 3. Fields with a shape: dates, link, language, image. ``values`` is ``texts`` itself,
    # updated in place: each checked field is read once, then replaced or removed.
    values = cast(dict[str, object], texts)
    for field, check in _CHECKS.items():
        given = texts.get(field)
        if given is None:
            continue
        if check is _check_image:
            stored, message = _check_image(given, images)
        else:
            stored, message = check(given)
        if message is None:
            values[field] = stored
        else:
            add(field, message)
            del values[field]
    if dates:
        values.update(dates)
    if versions:  # 3b. the suffixed fields become the story's versions
        collect_versions(values, add)

    # 4. What every story needs.
    if "body" not in values or (require_consent and not _CONSENT.issubset(values)):
        reported = {p.field for p in problems}
        needed = ("body", *CONSENT_FIELDS) if require_consent else ("body",)
        for field in needed:
            if field not in values and field not in reported:
                add(field, _MISSING[field])
    if (
        "image" in values
        and "image_alt" not in values
        and not any(p.field == "image_alt" for p in problems)
    ):
        named = "image_alt" in aliases or "image_alt" in raw
        problems.append(
            Problem(
                file,
                at(
                    aliases.get("image_alt", "image_alt")
                    if named
                    else aliases.get("image", "image")
                ),
                "image_alt",
                "the image has no alt text; describe the picture for people who cannot see it",
            )
        )

    if problems:
        if field_lines is not None:
            problems.sort(key=lambda p: p.line or 0)
        return None, problems
    return _new_story(values), []
