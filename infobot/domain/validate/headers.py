"""Column headings and keys: which story field each one means, and a guess for a misspelt one."""

from __future__ import annotations

import difflib
import re

from infobot.domain.story import STORY_FIELDS
from infobot.domain.validate.characters import _show
from infobot.domain.validate.values import LANGUAGE_CODES
from infobot.domain.versions import VERSION_BASES, version_key

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
    image_alt, "URL" → link, ...). A title, story or alt-text heading followed by a language
    code is that language's version: "title_cy", "Story cy" and "Alt text (cy)" mean
    ``title_cy``, ``body_cy`` and ``image_alt_cy``.
    """
    key = _header_key(name)
    found = _HEADER_MAP.get(key)
    if found is None and " " in key:
        base, _, language = key.rpartition(" ")
        field = _HEADER_MAP.get(base.strip())
        language = language.strip("()[]")
        if field in VERSION_BASES and language in LANGUAGE_CODES:
            return version_key(field, language)
    return found


def suggest_field(name: str) -> str | None:
    """The field a misspelt heading most likely meant, if any is close enough."""
    key = _header_key(name)
    if not key:
        return None
    match = difflib.get_close_matches(key, list(_HEADER_MAP), n=1, cutoff=0.6)
    return _HEADER_MAP[match[0]] if match else None


def show_name(name: str) -> str:
    """A field name from a file, as a problem names it: hidden characters escaped, and
    short (a heading can be a megabyte long)."""
    return _show(name)


def unknown_field_message(name: str, noun: str = "column") -> str:
    """``unknown column 'boddy' — did you mean 'body'?`` (or the list of known fields)."""
    guess = suggest_field(name)
    shown = _show(name)
    if guess:
        return f"unknown {noun} '{shown}' — did you mean '{guess}'?"
    return f"unknown {noun} '{shown}'; the {noun}s infobot knows are: {', '.join(STORY_FIELDS)}"
