"""Turn one raw imported record into a :class:`StoryInput`, or say plainly what is wrong.

Pure: no file formats here. The importers hand over one record at a time with its keys
already mapped to field names (or raw names, which are mapped here), its values as the
format gave them (text, dates, numbers or ``None``) and where it came from. Every problem
is reported as ``file:line: field: message`` in words a communications team can act on.

Text is stored as given apart from two things: line endings become ``\\n`` and each field is
stripped of surrounding whitespace. Nothing is Unicode-normalised, and text that merely
looks dangerous (``=HYPERLINK(...)``, ``+44 ...``, ``@user``, emoji sequences) is kept
verbatim: escaping for spreadsheets is the job of whatever exports it again.
"""

from __future__ import annotations

import difflib
import functools
import operator
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import cast

from infobot.domain.errors import Problem
from infobot.domain.story import CONSENT_FIELDS, STORY_FIELDS, StoryInput

__all__ = [
    "DATE_FIELDS",
    "FIELD_LIMITS",
    "IMAGE_EXTENSIONS",
    "LANGUAGE_CODES",
    "MAX_BODY",
    "MAX_IMAGE_ALT",
    "MAX_NOTES",
    "MAX_OTHER",
    "MAX_TITLE",
    "normalise_header",
    "show_name",
    "suggest_field",
    "unknown_field_message",
    "validate_record",
]

# --- limits --------------------------------------------------------------------------------

MAX_BODY = 10_000
MAX_TITLE = 200
MAX_NOTES = 5_000
MAX_IMAGE_ALT = 1_500
#: Every other text field.
MAX_OTHER = 500

FIELD_LIMITS: Mapping[str, int] = {
    name: {
        "body": MAX_BODY,
        "title": MAX_TITLE,
        "notes": MAX_NOTES,
        "image_alt": MAX_IMAGE_ALT,
    }.get(name, MAX_OTHER)
    for name in STORY_FIELDS
}

DATE_FIELDS: frozenset[str] = frozenset({"consent_date", "pin_date"})
IMAGE_EXTENSIONS: frozenset[str] = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})

#: ISO 639-1 two-letter language codes.
LANGUAGE_CODES: frozenset[str] = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
    """.split()  # noqa: SIM905
)

_FIELD_SET = frozenset(STORY_FIELDS)
_LIMITS = dict(FIELD_LIMITS)
_SMALLEST_LIMIT = min(_LIMITS.values())

# --- headers -------------------------------------------------------------------------------

_ALIASES: dict[str, str] = {
    # body
    "story": "body",
    "text": "body",
    "story text": "body",
    "content": "body",
    # title
    "headline": "title",
    # author
    "name": "author",
    "author name": "author",
    # role
    "job title": "role",
    "job": "role",
    # organisation
    "organization": "organisation",
    "org": "organisation",
    # link
    "url": "link",
    "web link": "link",
    # image
    "image path": "image",
    "image url": "image",
    "picture": "image",
    # image_alt
    "alt text": "image_alt",
    "alt": "image_alt",
    "image alt": "image_alt",
    "image alt text": "image_alt",
    "image description": "image_alt",
    # language
    "lang": "language",
    # consent
    "consent given by": "consent_by",
    "consented by": "consent_by",
    "consent given on": "consent_date",
    "date of consent": "consent_date",
    # pin
    "pin": "pin_date",
    "pinned date": "pin_date",
    "post on": "pin_date",
    # notes
    "note": "notes",
    "comments": "notes",
}
_HEADER_MAP: dict[str, str] = {name.replace("_", " "): name for name in STORY_FIELDS}
_HEADER_MAP.update(_ALIASES)
_SEPARATORS = re.compile(r"[\s_\-]+")


def _header_key(name: str) -> str:
    key = name.replace("\ufeff", "").strip().lower().rstrip("*:").strip()
    return _SEPARATORS.sub(" ", key)


def normalise_header(name: str) -> str | None:
    """The story field a column heading (or YAML key) means, or ``None`` if unknown.

    Case does not matter and spaces, hyphens and underscores are all the same, so
    "Consent date", "consent-date" and "CONSENT_DATE" all mean ``consent_date``. A few
    friendly names are understood too ("Story" → body, "Name" → author, "Alt text" →
    image_alt, "URL" → link, ...).
    """
    return _HEADER_MAP.get(_header_key(name))


def suggest_field(name: str) -> str | None:
    """The field a misspelt heading most likely meant, if any is close enough."""
    key = _header_key(name)
    if not key:
        return None
    match = difflib.get_close_matches(key, list(_HEADER_MAP), n=1, cutoff=0.6)
    return _HEADER_MAP[match[0]] if match else None


def unknown_field_message(name: str, noun: str = "column") -> str:
    """``unknown column 'boddy' — did you mean 'body'?`` (or the list of known fields)."""
    guess = suggest_field(name)
    shown = _show(name)
    if guess:
        return f"unknown {noun} '{shown}' — did you mean '{guess}'?"
    return f"unknown {noun} '{shown}'; the {noun}s infobot knows are: {', '.join(STORY_FIELDS)}"


# --- hostile characters ---------------------------------------------------------------------

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls except \t and \n (\r is turned into \n before this runs), DEL, C1 controls,
# bidi embeddings/overrides/isolates and lone surrogates (broken text or undecodable bytes).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "\ud800-\udfff]")
_EXPORT_HINT = (
    "export the file again as UTF-8 (in Excel: Save As › 'CSV UTF-8 (Comma delimited)'; "
    "in Google Sheets: File › Download › CSV)"
)


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    if line:
        return f"line {line + 1}, character {column} of the text"
    return f"character {column}"


def _character_problem(text: str, match: re.Match[str]) -> str:
    char = match.group()
    index = match.start()
    code = ord(char)
    where = _where(text, index)
    more = len(_FORBIDDEN.findall(text)) - 1
    extra = f" (and {more} more)" if more > 0 else ""
    if code == 0:
        return (
            f"contains a NUL byte (U+0000) at {where}{extra}; this usually means the file is not "
            f"plain UTF-8 text: {_EXPORT_HINT}"
        )
    if 0xDC80 <= code <= 0xDCFF:
        return (
            f"contains the byte 0x{code - 0xDC00:02X}, which is not valid UTF-8, at {where}"
            f"{extra}; {_EXPORT_HINT}"
        )
    if 0xD800 <= code <= 0xDFFF:
        return f"contains a broken character (unpaired surrogate U+{code:04X}) at {where}{extra}"
    if char in _BIDI:
        name = unicodedata.name(char, "bidirectional control")
        return (
            f"contains an invisible text-direction character U+{code:04X} ({name}) at {where}"
            f"{extra}; it can make text display differently from how it reads, so remove it"
        )
    return (
        f"contains an invisible control character U+{code:04X} at {where}{extra}; remove it "
        "(only ordinary line breaks and tabs are allowed)"
    )


def _suspicious(text: str) -> bool:
    """Whether ``text`` may hold a character that :data:`_FORBIDDEN` rejects.

    Every such character is "non-printable" to Python, and ``str.isprintable`` is quicker
    than the regular expression, so ordinary text (no tabs, line breaks or invisible
    characters other than those) is cleared without it.
    """
    if "\t" in text:
        text = text.replace("\t", " ")
    if text.replace("\n", " ").isprintable():
        return False
    return _FORBIDDEN.search(text) is not None


def _show(value: str, limit: int = 60) -> str:
    """A value made safe and short enough to quote back in a message."""
    short = value if len(value) <= limit else value[: limit - 1] + "…"
    return _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", short).replace("\n", "\\n")


def show_name(name: str) -> str:
    """A field name from a file, as a problem names it: hidden characters escaped, and
    short (a heading can be a megabyte long)."""
    return _show(name)


# --- values ---------------------------------------------------------------------------------


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, Mapping):
        return "a set of fields"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return f"a value of type {type(value).__name__}"


def _as_text(value: object) -> str | None:
    """The value as text, or ``None`` when it cannot sensibly be text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_FORMS = "write it as 2026-11-03 or 03/11/2026 (day/month/year)"


@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> date | str:
    """The date, or an error message."""
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        uk = _UK_DATE.fullmatch(text)
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        return f"'{_show(text)}' is not a real date; {_DATE_FORMS}"
    return f"'{_show(text)}' is not a date infobot understands; {_DATE_FORMS}"


#: Everything after the scheme of a good address, in one pass: no whitespace anywhere; the
#: network location (up to the first / ? or #) is an optional ``user@`` and a host (a name
#: or an [IPv6] address, optionally with a port); then the path, query and fragment.
_AFTER_SCHEME = re.compile(
    r"(?:[^\s/?#]*@)?(?:[^\s/?#:@\[\]]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#]\S*)?"
)


def _web_address(text: str, *, https_only: bool) -> bool:
    """An absolute https:// (or, unless ``https_only``, http://) address with a host."""
    head = text[:8].lower()
    if head == "https://":
        start = 8
    elif head.startswith("http://") and not https_only:
        start = 7
    else:
        return False
    # The same as the step-by-step definition (kept in tests/test_import_speed_invariants.py):
    # no whitespace in ``text``, and what follows the last "@" of the part before the first
    # / ? or # is a host name or [IPv6] address with an optional port.
    return _AFTER_SCHEME.fullmatch(text, start) is not None


def _check_date(text: str, base_dir: Path | None) -> tuple[object, str | None]:
    parsed = _parse_date(text)
    if isinstance(parsed, str):
        return None, parsed
    return parsed, None


def _check_link(text: str, base_dir: Path | None) -> tuple[object, str | None]:
    if _web_address(text, https_only=False):
        return text, None
    return text, f"'{_show(text)}' is not a web address; use a full link starting with https://"


_LANGUAGES = {code: code for code in LANGUAGE_CODES}


def _check_language(text: str, base_dir: Path | None) -> tuple[object, str | None]:
    code = _LANGUAGES.get(text) or text.lower()
    if code in LANGUAGE_CODES:
        return _LANGUAGES[code], None
    hint = ""
    if "-" in code or "_" in code:
        hint = f" (use '{re.split('[-_]', code)[0]}' rather than '{_show(text)}')"
    return code, (
        f"'{_show(text)}' is not a two-letter language code{hint}; use for example en (English), "
        "cy (Welsh), gd (Scottish Gaelic), ga (Irish), fr, pl, ur"
    )


@functools.lru_cache(maxsize=1024)
def _resolve(base_dir: Path | None, text: str) -> tuple[str, bool]:
    """Absolute path of an image named relative to ``base_dir``; whether it is a picture."""
    base = os.path.abspath(base_dir) if base_dir is not None else os.getcwd()
    resolved = os.path.normpath(os.path.join(base, os.path.expanduser(text)))
    return resolved, os.path.splitext(resolved)[1].lower() in IMAGE_EXTENSIONS


def _check_image(
    text: str, base_dir: Path | None, files: dict[str, bool] | None = None
) -> tuple[object, str | None]:
    """The value to store (an https URL or an absolute path) and any problem.

    ``files`` remembers, for one import, whether each picture path is a file, so that a
    picture shared by many stories is looked for once.
    """
    lowered = text[:8].lower()
    if lowered.startswith(("http://", "https://")):
        if _web_address(text, https_only=True):
            return text, None
        if lowered.startswith("http://"):
            return text, f"'{_show(text)}' must use https:// (a secure address), not http://"
        return text, f"'{_show(text)}' is not a valid web address"
    if base_dir is not None and base_dir.is_absolute():
        resolved, picture = _resolve(base_dir, text)
    else:
        resolved, picture = _resolve.__wrapped__(base_dir, text)
    if not picture:
        return resolved, (
            f"'{_show(text)}' is not a picture infobot can post; use a .png, .jpg, .jpeg, .gif "
            "or .webp file, or an https:// address"
        )
    if files is None:
        found = os.path.isfile(resolved)
    else:
        known = files.get(resolved)
        if known is None:
            known = files[resolved] = os.path.isfile(resolved)
        found = known
    if not found:
        return resolved, (
            f"no image file at '{_show(resolved, 200)}' (a relative path is looked up in the "
            "folder of the story file)"
        )
    return resolved, None


_CHECKS: dict[str, Callable[[str, Path | None], tuple[object, str | None]]] = {
    "consent_date": _check_date,
    "pin_date": _check_date,
    "link": _check_link,
    "language": _check_language,
    "image": _check_image,
}


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

# --- the record -----------------------------------------------------------------------------


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
    base_dir: Path | None = None,
    image_files: dict[str, bool] | None = None,
) -> tuple[StoryInput | None, list[Problem]]:
    """Check one record and build its :class:`StoryInput`.

    Returns ``(story, [])`` when everything is fine, or ``(None, problems)``. Keys may be
    field names or any heading :func:`normalise_header` understands; unknown keys are
    problems. ``field_lines`` maps a key (as given in ``raw``) to its own line, for formats
    such as YAML where each field sits on its own line. ``image_files`` (optional) is a
    cache shared by the records of one import: whether each local picture path is a file.
    """
    problems: list[Problem] = []
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
            stored, message = _check_image(given, base_dir, image_files)
        else:
            stored, message = check(given, base_dir)
        if message is None:
            values[field] = stored
        else:
            add(field, message)
            del values[field]
    if dates:
        values.update(dates)

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
