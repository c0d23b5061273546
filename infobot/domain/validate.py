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
import os
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

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
        return f"line {line + 1}, character {column} of this cell"
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


def _show(value: str, limit: int = 60) -> str:
    """A value made safe and short enough to quote back in a message."""
    short = value if len(value) <= limit else value[: limit - 1] + "…"
    return _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", short).replace("\n", "\\n")


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


def _web_address(text: str, *, https_only: bool) -> bool:
    if any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme.lower() in schemes and bool(host)


def _check_link(text: str) -> str | None:
    if _web_address(text, https_only=False):
        return None
    return f"'{_show(text)}' is not a web address; use a full link starting with https://"


def _check_language(text: str) -> tuple[str, str | None]:
    code = text.lower()
    if code in LANGUAGE_CODES:
        return code, None
    hint = ""
    if "-" in code or "_" in code:
        hint = f" (use '{re.split('[-_]', code)[0]}' rather than '{_show(text)}')"
    return code, (
        f"'{_show(text)}' is not a two-letter language code{hint}; use for example en (English), "
        "cy (Welsh), gd (Scottish Gaelic), ga (Irish), fr, pl, ur"
    )


def _check_image(text: str, base_dir: Path | None) -> tuple[str, str | None]:
    """The value to store (an https URL or an absolute path) and any problem."""
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")):
        if _web_address(text, https_only=True):
            return text, None
        if lowered.startswith("http://"):
            return text, f"'{_show(text)}' must use https:// (a secure address), not http://"
        return text, f"'{_show(text)}' is not a valid web address"
    base = os.path.abspath(base_dir) if base_dir is not None else os.getcwd()
    resolved = os.path.normpath(os.path.join(base, os.path.expanduser(text)))
    ext = os.path.splitext(resolved)[1].lower()
    if ext not in IMAGE_EXTENSIONS:
        return resolved, (
            f"'{_show(text)}' is not a picture infobot can post; use a .png, .jpg, .jpeg, .gif "
            "or .webp file, or an https:// address"
        )
    if not os.path.isfile(resolved):
        return resolved, (
            f"no image file at '{_show(resolved, 200)}' (a relative path is looked up in the "
            "folder of the story file)"
        )
    return resolved, None


# --- the record -----------------------------------------------------------------------------


def validate_record(
    raw: Mapping[str, object],
    *,
    file: str,
    line: int | None,
    field_lines: Mapping[str, int] | None = None,
    require_consent: bool = True,
    base_dir: Path | None = None,
) -> tuple[StoryInput | None, list[Problem]]:
    """Check one record and build its :class:`StoryInput`.

    Returns ``(story, [])`` when everything is fine, or ``(None, problems)``. Keys may be
    field names or any heading :func:`normalise_header` understands; unknown keys are
    problems. ``field_lines`` maps a key (as given in ``raw``) to its own line, for formats
    such as YAML where each field sits on its own line.
    """
    problems: list[Problem] = []
    values: dict[str, object] = {}
    origin: dict[str, str] = {}

    def at(key: str) -> int | None:
        if field_lines is None:
            return line
        return field_lines.get(key, line)

    def add(key: str, field: str, message: str) -> None:
        problems.append(Problem(file, at(key), field, message))

    for key, value in raw.items():
        field = key if key in _FIELD_SET else normalise_header(key)
        if field is None:
            problems.append(Problem(file, at(key), key, unknown_field_message(key, "field")))
            continue
        if field in origin:
            add(
                key,
                field,
                f"given twice (as '{_show(origin[field])}' and '{_show(key)}'); keep one",
            )
            continue
        origin[field] = key
        if value is None:
            continue

        if field in DATE_FIELDS:
            if isinstance(value, datetime):
                values[field] = value.date()
                continue
            if isinstance(value, date):
                values[field] = value
                continue
            if not isinstance(value, str):
                shown = _as_text(value)
                what = f"'{_show(shown)}'" if shown is not None else _kind(value)
                add(key, field, f"{what} is not a date; {_DATE_FORMS}")
                continue

        text = _as_text(value)
        if text is None:
            add(key, field, f"expected text here, found {_kind(value)}")
            continue
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        if not text:
            continue

        limit = FIELD_LIMITS[field]
        if len(text) > limit:
            add(
                key,
                field,
                f"is {len(text):,} characters long; the most allowed is {limit:,}",
            )
        bad = _FORBIDDEN.search(text)
        if bad is not None:
            add(key, field, _character_problem(text, bad))
            continue
        if len(text) > limit:
            continue

        if field in DATE_FIELDS:
            parsed = _parse_date(text)
            if isinstance(parsed, str):
                add(key, field, parsed)
            else:
                values[field] = parsed
            continue
        if field == "link":
            message = _check_link(text)
            if message:
                add(key, field, message)
                continue
        elif field == "language":
            text, message = _check_language(text)
            if message:
                add(key, field, message)
                continue
        elif field == "image":
            text, message = _check_image(text, base_dir)
            if message:
                add(key, field, message)
                continue
        values[field] = text

    def missing(field: str, message: str) -> None:
        if field in values or any(p.field == field for p in problems):
            return
        key = origin.get(field, field)
        problems.append(Problem(file, at(key), field, message))

    missing("body", "is empty; every story needs its text in the body")
    if require_consent:
        for field in CONSENT_FIELDS:
            what = "who gave consent" if field == "consent_by" else "the date consent was given"
            missing(field, f"is empty; {what} must be recorded before a story can be imported")
    if (
        "image" in values
        and "image_alt" not in values
        and not any(p.field == "image_alt" for p in problems)
    ):
        key = origin.get("image_alt", origin["image"])
        problems.append(
            Problem(
                file,
                at(key),
                "image_alt",
                "the image has no alt text; describe the picture for people who cannot see it",
            )
        )

    if problems:
        return None, problems
    return StoryInput(**values), []  # type: ignore[arg-type]
