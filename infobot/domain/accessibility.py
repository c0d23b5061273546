"""Accessible posts: the checks of the GCS guidance on accessible social media.

Pure code, no I/O. Each check is a plain function over the post text as it will go out
(``render.compose``: body, attribution, link, hashtag), or over the story's alt text, and
returns findings: a ``Check`` id, one plain message in the team's words saying what to do,
and a severity. Every finding is a warning the approver acknowledges, unless the campaign
lists its check in ``AccessibilityRules.refuse``: then it is a refusal.

The checks (``CHECKS`` has one line on each):

* the hashtag in camel case (``#InfoStory``): a screen reader reads it as words; hashtags
  match in any letter case on every platform, so it stays the same tag;
* at most two hashtags, and at the end of the post;
* at most one link;
* at most three emoji, none standing for a word (between words in a sentence), none
  repeated (screen readers read out each emoji's name, every time);
* no sentence over 25 words;
* alt text present when there is an image, not starting "image of", "picture of",
  "photo of" (or Welsh "llun o"), and no longer than each platform allows.

``check_post`` runs them all. Links and hashtags are found as the renderer finds them
(``infobot.domain.links.entities``), emoji as extended grapheme clusters, so a family
made with zero-width joiners or a flag counts as one emoji.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from infobot.domain.emoji import Emoji, find_emoji
from infobot.domain.hashtags import camel_case
from infobot.domain.links import Entity, entities

__all__ = [
    "ALL",
    "CHECKS",
    "AccessibilityRules",
    "Check",
    "Emoji",
    "Finding",
    "Severity",
    "alt_text_length",
    "alt_text_missing",
    "alt_text_start",
    "camel_case",
    "check_post",
    "emoji_count",
    "emoji_for_words",
    "find_emoji",
    "hashtag_case",
    "hashtag_count",
    "hashtag_place",
    "link_count",
    "long_sentences",
    "refused",
    "repeated_emoji",
    "sentences",
    "unacknowledged",
    "unknown_checks",
]


class Check(StrEnum):
    HASHTAG_CASE = "hashtag_case"
    TOO_MANY_HASHTAGS = "too_many_hashtags"
    HASHTAGS_NOT_AT_END = "hashtags_not_at_end"
    TOO_MANY_LINKS = "too_many_links"
    TOO_MANY_EMOJI = "too_many_emoji"
    EMOJI_FOR_WORD = "emoji_for_word"
    REPEATED_EMOJI = "repeated_emoji"
    LONG_SENTENCE = "long_sentence"
    ALT_TEXT_MISSING = "alt_text_missing"
    ALT_TEXT_START = "alt_text_start"
    ALT_TEXT_TOO_LONG = "alt_text_too_long"


#: One line per check, for settings help and the README.
CHECKS: dict[Check, str] = {
    Check.HASHTAG_CASE: "hashtags in camel case (#InfoStory), so screen readers read words",
    Check.TOO_MANY_HASHTAGS: "at most two hashtags",
    Check.HASHTAGS_NOT_AT_END: "hashtags at the end of the post, not inside sentences",
    Check.TOO_MANY_LINKS: "at most one link",
    Check.TOO_MANY_EMOJI: "at most three emoji",
    Check.EMOJI_FOR_WORD: "no emoji standing for a word",
    Check.REPEATED_EMOJI: "no emoji used twice",
    Check.LONG_SENTENCE: "no sentence over 25 words",
    Check.ALT_TEXT_MISSING: "alt text for every image",
    Check.ALT_TEXT_START: "alt text that does not start 'image of', 'picture of' or 'llun o'",
    Check.ALT_TEXT_TOO_LONG: "alt text within each platform's limit",
}


class Severity(StrEnum):
    WARNING = "warning"  # the approver acknowledges it (recorded in the audit trail)
    REFUSAL = "refusal"  # the story cannot be approved until it is fixed


@dataclass(frozen=True)
class Finding:
    check: Check
    message: str  # one plain sentence or two: what is wrong and what to do
    severity: Severity = Severity.WARNING
    platform: str = ""  # set when the finding concerns one platform only


@dataclass(frozen=True)
class AccessibilityRules:
    """The campaign's choices. Defaults are the GCS guidance."""

    hashtag_display: tuple[str, ...] = ()  # how tags are written, e.g. ("#InfoStory",)
    words: tuple[str, ...] = ()  # words for camel-case suggestions of other tags
    max_hashtags: int = 2
    max_links: int = 1
    max_emoji: int = 3
    max_sentence_words: int = 25
    refuse: frozenset[Check] = field(default_factory=frozenset)  # these refuse approval


# --------------------------------------------------------------------------- running


def check_post(
    text: str,
    *,
    image: bool,
    alt_text: str,
    alt_text_limits: Mapping[str, int | None],
    rules: AccessibilityRules | None = None,
) -> tuple[Finding, ...]:
    """Every check over one post's text and the story's alt text, in a stable order.

    ``alt_text_limits`` maps each enabled platform to its alt-text limit (``PlatformRules
    .alt_text_max``: X 1,000, Mastodon 1,500, Bluesky 2,000; None for no limit).
    """
    rules = rules or AccessibilityRules()
    found = entities(text)
    tags = [e for e in found if e.kind == "tag"]
    emoji = find_emoji(text)
    findings = [
        *hashtag_case(text, rules.hashtag_display, rules.words, tags=tags),
        *hashtag_count(text, rules.max_hashtags, tags=tags),
        *hashtag_place(text, tags=tags, emoji=emoji),
        *link_count(text, rules.max_links, links=[e for e in found if e.kind == "link"]),
        *emoji_count(text, rules.max_emoji, emoji=emoji),
        *emoji_for_words(text, emoji=emoji),
        *repeated_emoji(text, emoji=emoji),
        *long_sentences(text, rules.max_sentence_words),
        *alt_text_missing(image, alt_text),
    ]
    if image:
        findings += [*alt_text_start(alt_text), *alt_text_length(alt_text, alt_text_limits)]
    return tuple(
        replace(f, severity=Severity.REFUSAL) if f.check in rules.refuse else f for f in findings
    )


def refused(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop approval."""
    return [f for f in findings if f.severity is Severity.REFUSAL]


#: Acknowledges every warning shown (``infobot stories approve --acknowledge``).
ALL = "all"


def unacknowledged(findings: Iterable[Finding], acknowledged: Iterable[str]) -> list[Finding]:
    """The warnings an approver has not acknowledged. ``acknowledged`` names checks
    (``long_sentence``), or holds ``ALL`` for every warning shown; refusals are not
    warnings and cannot be acknowledged away."""
    given = set(acknowledged)
    return [
        f
        for f in findings
        if f.severity is Severity.WARNING and ALL not in given and f.check.value not in given
    ]


def unknown_checks(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are neither a check nor ``ALL``."""
    return [name for name in names if name != ALL and name not in CHECKS]


# --------------------------------------------------------------------------- hashtags


def hashtag_case(
    text: str,
    display: Iterable[str] = (),
    words: Iterable[str] = (),
    *,
    tags: list[Entity] | None = None,
) -> list[Finding]:
    """Hashtags written in one letter case where a camel-case form is known."""
    display, words = tuple(display), tuple(words)
    findings: list[Finding] = []
    seen: set[str] = set()
    for tag in _tags(text, tags):
        if tag.text in seen:
            continue
        seen.add(tag.text)
        known = camel_case(tag.text, display=display)
        name = tag.text[1:]
        if known is None and (name.islower() or name.isupper()):
            known = camel_case(tag.text, words)
        if known is not None and known[1:] != name:
            findings.append(
                Finding(
                    Check.HASHTAG_CASE,
                    f"Write {tag.text} as {known}: a capital letter at the start of each word"
                    " lets screen readers read the words. It is still the same hashtag.",
                )
            )
    return findings


def hashtag_count(text: str, limit: int = 2, *, tags: list[Entity] | None = None) -> list[Finding]:
    found = _tags(text, tags)
    if len(found) <= limit:
        return []
    listed = ", ".join(t.text for t in found)
    return [
        Finding(
            Check.TOO_MANY_HASHTAGS,
            f"Use at most {limit} hashtags; this post has {len(found)} ({listed}). "
            f"Remove {len(found) - limit}: screen readers read every one out in full.",
        )
    ]


def hashtag_place(
    text: str, *, tags: list[Entity] | None = None, emoji: list[Emoji] | None = None
) -> list[Finding]:
    """Hashtags that are not in the run of hashtags (and emoji) that ends the post."""
    found = _tags(text, tags)
    if not found:
        return []
    spans = {t.end: t.start for t in found}
    spans.update({e.end: e.start for e in (emoji if emoji is not None else find_emoji(text))})
    tail = len(text)
    while tail > 0:
        if tail in spans:
            tail = spans[tail]
        elif text[tail - 1].isspace() or unicodedata.category(text[tail - 1]).startswith("P"):
            tail -= 1
        else:
            break
    early = list(dict.fromkeys(t.text for t in found if t.start < tail))
    if not early:
        return []
    return [
        Finding(
            Check.HASHTAGS_NOT_AT_END,
            f"Move {_and(early)} to the end of the post: a hashtag inside a sentence"
            " interrupts it for people using screen readers.",
        )
    ]


# --------------------------------------------------------------------------- links


def link_count(text: str, limit: int = 1, *, links: list[Entity] | None = None) -> list[Finding]:
    found = links if links is not None else [e for e in entities(text) if e.kind == "link"]
    if len(found) <= limit:
        return []
    listed = ", ".join(link.text for link in found)
    return [
        Finding(
            Check.TOO_MANY_LINKS,
            f"Use at most {limit} link{'s' if limit != 1 else ''}; this post has {len(found)}"
            f" ({listed}). Keep the one that matters most.",
        )
    ]


# --------------------------------------------------------------------------- emoji


def emoji_count(text: str, limit: int = 3, *, emoji: list[Emoji] | None = None) -> list[Finding]:
    found = emoji if emoji is not None else find_emoji(text)
    if len(found) <= limit:
        return []
    return [
        Finding(
            Check.TOO_MANY_EMOJI,
            f"Use at most {limit} emoji; this post has {len(found)}. Screen readers read out"
            " the name of each one, which makes the post long to listen to.",
        )
    ]


def emoji_for_words(text: str, *, emoji: list[Emoji] | None = None) -> list[Finding]:
    """Emoji between two words on one line ("I ❤️ Wales"): read as a name, not the word."""
    found = emoji if emoji is not None else find_emoji(text)
    findings: list[Finding] = []
    i = 0
    while i < len(found):
        run = [found[i]]  # emoji next to each other (or with spaces between) go together
        while i + 1 < len(found) and not text[run[-1].end : found[i + 1].start].strip(" "):
            i += 1
            run.append(found[i])
        i += 1
        before = text[: run[0].start].rstrip(" \u00a0")
        after = text[run[-1].end :].lstrip(" \u00a0")
        if before[-1:].isalnum() and after[:1].isalnum():
            shown = "".join(e.text for e in run)
            words_before = before.split()[-1]
            words_after = after.split()[0]
            findings.append(
                Finding(
                    Check.EMOJI_FOR_WORD,
                    f"The emoji {shown} sits between words (“{words_before} {shown}"
                    f" {words_after}”), as if it stands for a word: a screen reader reads its"
                    " name there instead. Write the word, or move the emoji to the end of the"
                    " sentence.",
                )
            )
    return findings


def repeated_emoji(text: str, *, emoji: list[Emoji] | None = None) -> list[Finding]:
    found = emoji if emoji is not None else find_emoji(text)
    counts = Counter(e.base for e in found)
    first: dict[str, str] = {}
    for e in found:
        first.setdefault(e.base, e.text)
    return [
        Finding(
            Check.REPEATED_EMOJI,
            f"The emoji {first[base]} is used {_times(n)}: use it once. Screen readers read it"
            " out every time.",
        )
        for base, n in counts.items()
        if n > 1
    ]


# --------------------------------------------------------------------------- sentences


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: a line break or . ! ? … followed by a space ends one."""
    result: list[str] = []
    for line in text.splitlines():
        pos = 0
        for m in _SENTENCE_END.finditer(line):
            result.append(line[pos : m.end()].strip())
            pos = m.end()
        result.append(line[pos:].strip())
    return [sentence for sentence in result if sentence]


def long_sentences(text: str, limit: int = 25) -> list[Finding]:
    findings: list[Finding] = []
    for sentence in sentences(text):
        words = [w for w in sentence.split() if any(c.isalnum() for c in w)]
        if len(words) > limit:
            opening = " ".join(words[:6])
            findings.append(
                Finding(
                    Check.LONG_SENTENCE,
                    f"The sentence starting “{opening}…” has {len(words)} words: split it so"
                    f" that no sentence is over {limit} words.",
                )
            )
    return findings


# --------------------------------------------------------------------------- alt text


def alt_text_missing(image: bool, alt_text: str) -> list[Finding]:
    if not image or alt_text.strip():
        return []
    return [
        Finding(
            Check.ALT_TEXT_MISSING,
            "Add alt text to the image: describe what it shows for people who cannot see it.",
        )
    ]


def alt_text_start(alt_text: str) -> list[Finding]:
    m = _REDUNDANT_START.match(alt_text.strip().lstrip("\"'“‘"))
    if m is None:
        return []
    return [
        Finding(
            Check.ALT_TEXT_START,
            f"Start the alt text with what the image shows, not “{m.group(0).strip()}”:"
            " screen readers already say that it is an image.",
        )
    ]


def alt_text_length(alt_text: str, limits: Mapping[str, int | None]) -> list[Finding]:
    """One finding per platform whose limit the alt text is over (counted in characters:
    Unicode code points after NFC, as the renderer counts them)."""
    size = len(unicodedata.normalize("NFC", alt_text).strip())
    return [
        Finding(
            Check.ALT_TEXT_TOO_LONG,
            f"The alt text has {size:,} characters; {_platform_name(name)} allows {limit:,}."
            f" Shorten it by {size - limit:,}.",
            platform=name,
        )
        for name, limit in limits.items()
        if limit is not None and size > limit
    ]


# --------------------------------------------------------------------------- helpers

_SENTENCE_END = re.compile(r"[.!?…‽。！？][\"'”’»)\]]*\s+")
_REDUNDANT_START = re.compile(
    r"(?:(?:an?|the|y|yr)\s+)?(?:(?:image|picture|photo|photograph)\s+of"
    r"|(?:llun|delwedd|ffotograff)\s+o)\b",
    re.IGNORECASE,
)
_PLATFORM_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "outbox": "the outbox"}


def _platform_name(name: str) -> str:
    return _PLATFORM_NAMES.get(name, name.replace("_", " ").title())


def _tags(text: str, tags: list[Entity] | None) -> list[Entity]:
    return tags if tags is not None else [e for e in entities(text) if e.kind == "tag"]


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
