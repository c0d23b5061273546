"""Characters no story may hold (controls, text-direction overrides, broken bytes), and how
to quote a value back safely in a message."""

from __future__ import annotations

import re
import unicodedata

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
