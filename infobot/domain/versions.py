"""A story's versions in the campaign's other languages (the Welsh Language Standards).

A story's plain fields hold its text in the story's own ``language``. Each other language
has a :class:`Version`: its own title, body and image description, written in files, on the
command line and in forms as suffixed fields (``title_cy``, ``body_cy``, ``image_alt_cy``).
Everything else (author, link, image, consent, pin) is shared by every version.

A campaign is bilingual when it has two languages or more (``INFOBOT_LANGUAGES=cy,en``); the
order of its languages is the order versions are shown. A story is *ready* in a campaign
when it has text in every campaign language: only a ready story can be approved, and only
ready stories count in the runway.

This module imports nothing of the domain, so the story and the command line can use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: The fields each version has, as suffixed in files and forms (``body_cy``).
VERSION_BASES: tuple[str, ...] = ("title", "body", "image_alt")

#: Names of the languages a UK public body is most likely to post in; others show as codes.
LANGUAGE_NAMES: dict[str, str] = {
    "cy": "Welsh",
    "en": "English",
    "ga": "Irish",
    "gd": "Scottish Gaelic",
    "gv": "Manx",
    "kw": "Cornish",
    "fr": "French",
    "pl": "Polish",
    "ur": "Urdu",
}

#: Languages the command line has ``--title-LANG`` options for (any language works in
#: files, the editor and the web page).
OPTION_LANGUAGES: tuple[str, ...] = ("cy", "en", "ga", "gd")


@dataclass(frozen=True)
class Version:
    """The story in one more language."""

    language: str  # ISO 639-1, e.g. "cy"
    body: str
    title: str = ""
    image_alt: str = ""


def language_name(code: str) -> str:
    """``"cy"`` -> ``"Welsh"``; a code without a name stays a code."""
    return LANGUAGE_NAMES.get(code, code)


def version_key(base: str, language: str) -> str:
    """``("body", "cy")`` -> ``"body_cy"``."""
    return f"{base}_{language}"


def split_version_key(key: str) -> tuple[str, str] | None:
    """``"image_alt_cy"`` -> ``("image_alt", "cy")``; None for anything else.

    The language must be two lower-case ASCII letters; whether it is a real code is checked
    with the story's other fields.
    """
    base, _, language = key.rpartition("_")
    if base in VERSION_BASES and len(language) == 2 and language.isascii() and language.isalpha():
        return (base, language) if language.islower() else None
    return None


def version_keys(languages: Iterable[str]) -> tuple[str, ...]:
    """Every suffixed field of ``languages``, language by language."""
    return tuple(version_key(base, lang) for lang in languages for base in VERSION_BASES)


def flatten(versions: Iterable[Version]) -> dict[str, str]:
    """Versions as suffixed fields (``{"title_cy": …, "body_cy": …, "image_alt_cy": …}``)."""
    flat: dict[str, str] = {}
    for version in versions:
        for base in VERSION_BASES:
            flat[version_key(base, version.language)] = getattr(version, base)
    return flat


def ordered(languages: Sequence[str], first: str = "") -> tuple[str, ...]:
    """The campaign's languages with ``first`` moved to the front (when it is one of them)."""
    if first and first in languages:
        return (first, *(lang for lang in languages if lang != first))
    return tuple(languages)


def is_bilingual(languages: Sequence[str]) -> bool:
    return len(languages) > 1


def missing(have: Iterable[str], languages: Sequence[str]) -> list[str]:
    """The campaign languages a story with text in ``have`` lacks (none in a one-language
    campaign: a story in any language posts there, as always)."""
    if not is_bilingual(languages):
        return []
    present = set(have)
    return [lang for lang in languages if lang not in present]


def missing_message(languages: Sequence[str]) -> str:
    """Why a story lacking ``languages`` cannot go out in a bilingual campaign."""
    names = " and ".join(language_name(lang) for lang in languages)
    fields = ", ".join(version_key("body", lang) for lang in languages)
    return (
        f"it has no {names} version: this campaign posts every story in each of its"
        f" languages, with equal prominence; add the text ({fields})"
    )


def account_languages(
    accounts: Mapping[str, tuple[str, str]], languages: Sequence[str]
) -> dict[str, str]:
    """The language each account posts in, when a platform posts each language from its
    own account. ``accounts`` maps an account (``mastodon``, ``mastodon_cy``) to its
    platform and the language set for it ("" when none is). An account without one posts
    the campaign language no other account of its platform posts, when exactly one is left.
    """
    by_platform: dict[str, list[str]] = {}
    for name, (platform, _) in accounts.items():
        by_platform.setdefault(platform, []).append(name)
    found: dict[str, str] = {}
    for names in by_platform.values():
        taken = {accounts[name][1] for name in names if accounts[name][1]}
        free = [lang for lang in languages if lang not in taken]
        unset = [name for name in names if not accounts[name][1]]
        for name in names:
            language = accounts[name][1] or (free[0] if len(unset) == len(free) == 1 else "")
            if language:
                found[name] = language
    return found
