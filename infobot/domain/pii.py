"""Find personal data a story should not publish (UK-focused).

``find_personal_data`` looks for email addresses, UK phone numbers, NHS numbers (checked
with their modulus-11 check digit), National Insurance numbers (with HMRC's prefix rules)
and full UK postcodes. It errs towards flagging: a hit asks a person to look, it does not
reject anything by itself.

Kept out on purpose: years, dates, times, "24/7", money, counts such as "1,000", anything
inside a URL (a URL's path is not an email), fediverse handles (``@user@example.social``)
and numbers glued to other digits or letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["PiiHit", "find_personal_data"]

EMAIL = "email address"
PHONE = "phone number"
NHS = "NHS number"
NINO = "National Insurance number"
POSTCODE = "postcode"


@dataclass(frozen=True)
class PiiHit:
    # "email address", "phone number", "NHS number", "National Insurance number", "postcode"
    kind: str
    text: str  # the matched text


class _Patterns:
    __slots__ = ("email", "nhs", "nino", "phone", "postcode", "url")

    def __init__(self) -> None:
        # URLs (with a scheme, www., or a domain followed by a path): masked before the rest.
        self.url = re.compile(
            r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"]+"
            r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>\"]*",
            re.IGNORECASE,
        )
        local = r"[\w!#$%&'*+?^`{|}~-]+(?:\.[\w!#$%&'*+?^`{|}~-]+)*"
        self.email = re.compile(
            rf"(?<![\w.!#$%&'*+/=?^`{{|}}~@-]){local}"
            r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}(?![\w-]|\.[^\W_])"
        )
        # Digits that are not part of a longer number, an amount, a date or a URL.
        before = r"(?<![\w/.,:+£$€#&@=-])"
        after = r"(?![\w/]|[.,:/-]?\d)"
        sep = r"[ \t-]?"
        # +44 / 0044 (optionally "(0)"), or a trunk 0 (optionally in brackets), then 9 or
        # 10 more digits with single spaces or dashes between them.
        self.phone = re.compile(
            rf"{before}(?:(?:\+44|0044){sep}(?:\(0\){sep})?|\(?0)"
            rf"(?P<rest>[1237](?:\)?{sep}\d){{8,9}}){after}"
        )
        self.nhs = re.compile(rf"{before}(\d{{3}})([ -]?)(\d{{3}})\2(\d{{4}}){after}")
        # HMRC: first letter not D F I Q U V; second not D F I O Q U V; then BG GB KN NK NT
        # TN ZZ are not allocated. Six digits (often paired), then A, B, C or D.
        self.nino = re.compile(
            r"(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d\d) ?(\d\d) ?(\d\d) ?"
            r"([A-D])(?![A-Za-z0-9])",
            re.IGNORECASE,
        )
        # Full postcodes: the outward code's known shapes, then digit + two letters
        # (never C I K M O V).
        self.postcode = re.compile(
            r"(?<![A-Za-z0-9])(?:GIR ?0AA|"
            r"(?:[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y]))"
            r" ?\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
            re.IGNORECASE,
        )


@cache
def _p() -> _Patterns:
    return _Patterns()


_BAD_NINO_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _nhs_valid(digits: str) -> bool:
    """Modulus 11: weights 10..2 on the first nine digits; 11 - (sum mod 11) is the
    check digit, 11 meaning 0 and 10 meaning the number is invalid."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_ISO_DATE = re.compile(r"\(?\d{4}-\d\d-\d\d(?!\d)")


def _phone_valid(number: str, rest: str) -> bool:
    """``rest``: the number after the trunk 0 / +44, as written."""
    if _ISO_DATE.match(number):  # 0799-01-01: a date, however unlikely
        return False
    digits = re.sub(r"\D", "", rest)
    if digits[0] == "1":
        return len(digits) in (9, 10)  # 01xxx xxxxx(x)
    return len(digits) == 10  # 07, 02, 03


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans blanked out, so offsets stay the same."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def find_personal_data(text: str) -> list[PiiHit]:
    """Personal data found in ``text``, in order, each stretch of text reported once."""
    p = _p()
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str) -> None:
        if any(start < e and end > s for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, end, kind))

    urls = [m.span() for m in p.url.finditer(text)]
    # mailto: is an address, not a web page.
    urls = [(s, e) for s, e in urls if not text[s:e].lower().startswith("mailto:")]
    masked = _mask(text, urls) if urls else text

    for m in p.email.finditer(masked):
        add(m.start(), m.end(), EMAIL)
    for m in p.nino.finditer(masked):
        if m.group(1).upper() not in _BAD_NINO_PREFIXES:
            add(m.start(), m.end(), NINO)
    for m in p.nhs.finditer(masked):
        if _nhs_valid(m.group(1) + m.group(3) + m.group(4)):
            add(m.start(), m.end(), NHS)
    for m in p.phone.finditer(masked):
        if _phone_valid(m.group(), m.group("rest")):
            add(m.start(), m.end(), PHONE)
    for m in p.postcode.finditer(masked):
        code = m.group()
        if code.isupper() or code.islower():  # "A1 2nd" is a road and an ordinal
            add(m.start(), m.end(), POSTCODE)

    found.sort()
    return [PiiHit(kind, text[start:end]) for start, end, kind in found]
