"""Each field's own rules: length limits, dates, web addresses, language codes, images.

Whether a picture named by a local path exists is the one question that needs the
filesystem: the caller answers it with an :class:`ImageCheck` (the service's is in
``infobot.service.media``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Protocol

from infobot.domain.bounds import out_of_range
from infobot.domain.story import STORY_FIELDS
from infobot.domain.validate.characters import _show

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


#: A whole cell that :func:`_web_address` accepts, for checking a column quickly: an
#: https:// (or http://) address in any letter case, then ``_AFTER_SCHEME``. Every text it
#: matches is accepted by :func:`_web_address`; a text it does not match is asked there.
_HTTPS_ADDRESS = re.compile(r"[Hh][Tt][Tt][Pp][Ss]://" + _AFTER_SCHEME.pattern)
_WEB_ADDRESS = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://" + _AFTER_SCHEME.pattern)


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


def _check_date(text: str) -> tuple[object, str | None]:
    parsed = _parse_date(text)
    if isinstance(parsed, str):
        return None, parsed
    return parsed, out_of_range(parsed)


def _check_link(text: str) -> tuple[object, str | None]:
    if _web_address(text, https_only=False):
        return text, None
    return text, f"'{_show(text)}' is not a web address; use a full link starting with https://"


_LANGUAGES = {code: code for code in LANGUAGE_CODES}


def _check_language(text: str) -> tuple[object, str | None]:
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


class ImageCheck(Protocol):
    """Looks for a picture named by a local path (not a web address).

    Returns the value to store (the picture's name in the media folder) and the problem, or
    ``None`` when the name is a picture in the folder (``infobot.service.media``).
    """

    def __call__(self, text: str, /) -> tuple[str, str | None]: ...


def not_a_picture_message(text: str) -> str:
    """The problem with a local path that does not name a picture infobot can post."""
    return (
        f"'{_show(text)}' is not a picture infobot can post; use a .png, .jpg, .jpeg, .gif "
        "or .webp file, or an https:// address"
    )


def no_image_file_message(path: str) -> str:
    """The problem with a picture path (made absolute) where no file is."""
    return (
        f"no image file at '{_show(path, 200)}' (a relative path is looked up in the "
        "folder of the story file)"
    )


def _check_image(text: str, images: ImageCheck | None = None) -> tuple[object, str | None]:
    """The value to store (an https URL or an absolute path) and any problem.

    A local path is looked for by ``images``; without one it cannot be, and is refused.
    """
    lowered = text[:8].lower()
    if lowered.startswith(("http://", "https://")):
        if _web_address(text, https_only=True):
            return text, None
        if lowered.startswith("http://"):
            return text, f"'{_show(text)}' must use https:// (a secure address), not http://"
        return text, f"'{_show(text)}' is not a valid web address"
    if images is None:
        return text, (
            f"'{_show(text)}' is a file on this computer, which cannot be looked for here; "
            "use an https:// address"
        )
    return images(text)


_CHECKS: dict[str, Callable[[str], tuple[object, str | None]]] = {
    "consent_date": _check_date,
    "pin_date": _check_date,
    "link": _check_link,
    "language": _check_language,
    "image": _check_image,
}
