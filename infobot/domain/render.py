"""Turn a story into the exact posts each platform will accept.

Pure code: no I/O and no SDK imports. Every platform measures length its own way and this
module reproduces each one (see ``measure``):

* ``x_weighted``: twitter-text v3, the algorithm of ``twitter_text.parse_tweet``: text is
  NFC-normalised, every URL (bare domains too) counts 23, every emoji 2, code points outside
  the "light" ranges 2, everything else 1. It is re-implemented here because ``parse_tweet``
  takes about 2.5 ms per 280 characters (its emoji regex is a 2,500-way alternation); the
  tests check that both agree on generated text.
* ``mastodon``: grapheme clusters, ``http(s)://`` URLs count 23, ``@user@domain`` counts as
  ``@user`` (Mastodon's ``StatusLengthValidator``).
* ``graphemes``: extended grapheme clusters (Bluesky, the outbox); ``max_bytes`` adds a
  UTF-8 byte limit.

``regex`` and ``twitter_text`` are imported on first use: ``twitter_text`` alone takes about
0.3 s to import, which the CLI should not pay just to import this module.
"""

from __future__ import annotations

import bisect
import importlib
import re
import sys
import types
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    import regex

    from infobot.domain.story import StoryInput

__all__ = [
    "Counter",
    "Facet",
    "PlatformRules",
    "Post",
    "RenderOptions",
    "Rendered",
    "compose",
    "count_hashtag",
    "facets",
    "has_hashtag",
    "measure",
    "render",
]

Counter = Literal["graphemes", "x_weighted", "mastodon"]
Overflow = Literal["thread", "reject"]

_COUNTERS: frozenset[str] = frozenset({"graphemes", "x_weighted", "mastodon"})
TEMPLATE_FIELDS: frozenset[str] = frozenset({"author", "role", "organisation", "title"})
URL_LENGTH = 23  # what X (t.co) and Mastodon charge for any URL
TAG_MAX_GRAPHEMES = 64  # Bluesky's app.bsky.richtext.facet#tag limit


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class PlatformRules:
    """What one platform accepts. Build with ``x()``, ``mastodon()``, ``bluesky()``..."""

    name: str  # "x", "mastodon", "bluesky", "outbox"
    max_length: int  # 280 / 500 / 300 / 500
    counter: Counter  # how length is measured
    max_bytes: int | None = None  # bluesky: 3000 UTF-8 bytes
    max_parts: int = 10  # longest thread allowed
    alt_text_max: int | None = None  # x 1000, mastodon 1500, bluesky 2000
    images: bool = True

    def __post_init__(self) -> None:
        if self.counter not in _COUNTERS:
            raise ValueError(f"unknown counter {self.counter!r}; use one of {sorted(_COUNTERS)}")
        if self.max_length < 1:
            raise ValueError(f"max_length must be at least 1, not {self.max_length}")
        if self.max_bytes is not None and self.max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, not {self.max_bytes}")
        if self.max_parts < 1:
            raise ValueError(f"max_parts must be at least 1, not {self.max_parts}")

    @classmethod
    def x(cls) -> PlatformRules:
        return cls(name="x", max_length=280, counter="x_weighted", alt_text_max=1000)

    @classmethod
    def mastodon(cls, max_length: int = 500) -> PlatformRules:
        """``max_length`` is per instance: ``instance_v2().configuration.statuses``."""
        return cls(name="mastodon", max_length=max_length, counter="mastodon", alt_text_max=1500)

    @classmethod
    def bluesky(cls) -> PlatformRules:
        return cls(
            name="bluesky", max_length=300, counter="graphemes", max_bytes=3000, alt_text_max=2000
        )

    @classmethod
    def outbox(cls, max_length: int = 500) -> PlatformRules:
        """The outbox stands in for Mastodon: the same counting and alt-text limit."""
        return cls(name="outbox", max_length=max_length, counter="mastodon", alt_text_max=1500)


@dataclass(frozen=True)
class RenderOptions:
    hashtag: str = "#infostory"  # "" for none
    # str.format fields: author, role, organisation, title. Empty fields are dropped with
    # the separator before them; no non-empty field, no attribution line.
    attribution: str = "— {author}, {role}, {organisation}"
    overflow: Overflow = "thread"

    def __post_init__(self) -> None:
        if self.hashtag and not _valid_hashtag(self.hashtag):
            raise ValueError(
                f"hashtag {self.hashtag!r} is not a hashtag: '#' then letters, digits or '_',"
                " with at least one letter"
            )
        if self.overflow not in ("thread", "reject"):
            raise ValueError(f"overflow must be 'thread' or 'reject', not {self.overflow!r}")
        import string

        for _literal, name, _spec, _conv in string.Formatter().parse(self.attribution):
            if name is not None and name not in TEMPLATE_FIELDS:
                raise ValueError(
                    f"attribution field {{{name}}} is unknown; use {sorted(TEMPLATE_FIELDS)}"
                )


@dataclass(frozen=True)
class Post:
    text: str
    length: int  # measured with the platform's own counter
    limit: int
    image: str = ""  # only on the first post
    image_alt: str = ""
    language: str = ""  # the story's ISO 639-1 code, for platforms that tag posts


@dataclass(frozen=True)
class Rendered:
    """The posts for one platform. Send them only when ``ok``.

    When there are problems, ``posts`` is still filled as far as possible (for previews):
    for a story that is too long it holds the whole text as one over-long post.
    """

    platform: str
    posts: tuple[Post, ...]
    problems: tuple[str, ...]  # empty = OK to post

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.posts)


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet: UTF-8 byte offsets, end exclusive."""

    kind: Literal["tag", "link"]
    byte_start: int
    byte_end: int
    value: str  # tag without '#', or the link's URI (https:// added to bare domains)


# --------------------------------------------------------------------------- lazy patterns

_X_INVALID = "\ufffe\ufeff\uffff"  # twitter-text invalid characters; stripped by compose
# twitter-text's whitespace (its spaces_group)
_TW_SPACES = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_TW_SPACE_SET = frozenset(_TW_SPACES)
_CONTROL_SPACE = "\t\n\x0b\x0c\r\x85\u2028\u2029"  # each always a cluster of its own
_CONTROL_SET = frozenset(_CONTROL_SPACE)
# Spaces that may end a line; no-break spaces (U+00A0, U+2007, U+202F) are not among them.
_BREAK_SPACE = " \u1680\u2000-\u2006\u2008-\u200a\u205f\u3000"


class _Std:
    """``re`` patterns (faster than ``regex`` for these), compiled on first use."""

    __slots__ = ("dot_word", "scheme", "space_run", "tw_space", "x_heavy")

    def __init__(self) -> None:
        # Code points twitter-text v3 weighs 1 (everything else weighs 2).
        self.x_heavy = re.compile("[^\\x00-\\u10ff\\u2000-\\u200d\\u2010-\\u201f\\u2032-\\u2037]")
        # A URL needs a dot followed by the first letter of its TLD: an exact pre-filter.
        self.dot_word = re.compile(r"\.\w")
        self.scheme = re.compile("://")
        self.tw_space = re.compile(f"[{_TW_SPACES}]")
        self.space_run = re.compile(f"[{_CONTROL_SPACE}{_BREAK_SPACE}]+")


@cache
def _std() -> _Std:
    return _Std()


_TAG_CHARS = (
    r"\p{L}\p{M}\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c"
    r"\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_GLUE_AFTER = r"\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}"


class _Patterns:
    """``regex`` patterns (Unicode properties, grapheme clusters), compiled on first use."""

    __slots__ = (
        "any_tag",
        "cjk_protect",
        "cjk_stop",
        "complex",
        "glue_after",
        "grapheme",
        "mention",
        "mention_end",
        "prepend",
    )

    def __init__(self) -> None:
        import regex

        self.grapheme = regex.compile(r"\X")
        # Anything that can join code points into one cluster.
        self.complex = regex.compile(
            r"[\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=Regional_Indicator}\p{GCB=Prepend}"
            r"\p{GCB=SpacingMark}\p{GCB=L}\p{GCB=V}\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}]"
        )
        self.glue_after = regex.compile(f"[{_GLUE_AFTER}]")  # joins onto what is before it
        self.prepend = regex.compile(r"\p{GCB=Prepend}")  # joins onto what is after it
        # 。！？ end a sentence without a space after them.
        self.cjk_stop = regex.compile(rf"[。！？]+[」』）】〕〉》]*(?=[^\s{_GLUE_AFTER}])")
        self.cjk_protect = regex.compile(r"[#＃@.:/]")
        self.any_tag = regex.compile(
            rf"(?<![&{_TAG_CHARS}])[#＃](?![\ufe0f\u20e3])(?=[{_TAG_CHARS}]*[\p{{L}}\p{{M}}])"
            rf"((?>[{_TAG_CHARS}]+))(?![#＃]|://)"
        )
        self.mention = regex.compile(
            r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@\w+(?:[.-]+\w+)*", regex.IGNORECASE
        )
        self.mention_end = regex.compile(
            r"[@＠\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f]|://"
        )


@cache
def _p() -> _Patterns:
    return _Patterns()


@cache
def _hashtag_pattern(name: str) -> regex.Pattern[str]:
    import regex

    return regex.compile(
        rf"(?<![&{_TAG_CHARS}])[#＃]{regex.escape(name)}(?![{_TAG_CHARS}])(?![#＃]|://)",
        regex.IGNORECASE,
    )


class _Twitter:
    __slots__ = ("extract_urls", "multi", "prefilter", "single")

    def __init__(
        self,
        extract_urls: Callable[..., Any],
        multi: dict[str, tuple[tuple[int, ...], frozenset[str]]],
        single: frozenset[str],
        prefilter: re.Pattern[str],
    ) -> None:
        self.extract_urls = extract_urls  # twitter_text.extract_urls_with_indices
        # first code point -> (lengths, longest first; the sequences): multi-code-point emoji
        self.multi = multi
        self.single = single  # one-code-point emoji
        self.prefilter = prefilter  # a superset of the places an emoji can start


def _pkg_resources_stand_in() -> types.ModuleType:
    """``twitter_text`` reads its emoji list with ``pkg_resources``, which new setuptools
    releases no longer ship. This provides the one function it calls."""
    from importlib import resources

    def resource_string(module: str, name: str) -> bytes:
        package = sys.modules[module].__package__ or module.rpartition(".")[0]
        return resources.files(package).joinpath(name).read_bytes()

    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = resource_string  # type: ignore[attr-defined]
    return stand_in


@cache
def _tw() -> _Twitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pkg_resources' deprecation warning
        missing = object()
        previous: object = sys.modules.get("pkg_resources", missing)
        stand_in = None
        try:
            importlib.import_module("pkg_resources")
        except ImportError:
            stand_in = _pkg_resources_stand_in()
            sys.modules["pkg_resources"] = stand_in
        try:
            import twitter_text
            from twitter_text.regexp import emoji as twitter_emoji
        finally:
            if stand_in is not None:  # leave sys.modules as it was
                if previous is missing:
                    del sys.modules["pkg_resources"]
                else:
                    sys.modules["pkg_resources"] = cast(types.ModuleType, previous)

    # The same data and the same matching order as twitter_text's emoji regex
    # (``multi-code-point sequences, longest first | [single code points]``), as lookups.
    multi: dict[str, set[str]] = {}
    for entry in twitter_emoji.emoji_list:
        points = entry.codepoint.split()
        if len(points) > 1:
            seq = "".join(chr(int(p, 16)) for p in points)
            multi.setdefault(seq[0], set()).add(seq)
    single = {
        chr(c) for lo, hi in twitter_emoji.single_codepoint_emoji_ranges for c in range(lo, hi + 1)
    }
    # The prefilter: keycaps (#, *, 0-9 before U+FE0F or U+20E3), then every other first
    # code point within a few coarse ranges (a long character class is slow in ``re``).
    starts = sorted({ord(c) for c in single} | {ord(c) for c in multi if ord(c) > 0x7F})
    ranges: list[list[int]] = []
    for point in starts:
        if ranges and point - ranges[-1][1] <= 64:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    coarse = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    return _Twitter(
        extract_urls=twitter_text.extract_urls_with_indices,
        multi={
            first: (tuple(sorted({len(q) for q in seqs}, reverse=True)), frozenset(seqs))
            for first, seqs in multi.items()
        },
        single=frozenset(single),
        prefilter=re.compile(f"[#*0-9](?=[\\ufe0f\\u20e3])|[{coarse}]"),
    )


# --------------------------------------------------------------------------- measuring


def measure(text: str, rules: PlatformRules) -> int:
    """Length of ``text`` as the platform counts it (never ``len()``)."""
    return _counter(rules.counter)(text)


def _counter(counter: Counter) -> Callable[[str], int]:
    if counter == "x_weighted":
        return _x_length
    if counter == "mastodon":
        return _mastodon_length
    return _graphemes


def _graphemes(text: str) -> int:
    if text.isascii():
        return len(text) - text.count("\r\n")
    p = _p()
    if p.complex.search(text) is None:
        return len(text)
    return len(p.grapheme.findall(text))


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _urls(text: str, bare: bool) -> list[tuple[int, int, int]]:
    """URLs as twitter-text finds them: (start, end, length of the URL text). ``bare``:
    domains without a scheme too (X), or only ``http(s)://`` URLs (Mastodon).

    twitter-text's URL regex is slow (about 0.4 ms per 1,000 characters), so it is run
    only on the whitespace-free tokens that can hold a URL (a dot before a letter or
    digit, or a "://"). No URL contains twitter-text whitespace, so the result is the same.
    """
    if ("." not in text) if bare else ("://" not in text):
        return []
    std = _std()
    found: list[tuple[int, int, int]] = []
    covered = 0
    for m in (std.dot_word if bare else std.scheme).finditer(text):
        if m.start() < covered:
            continue
        lo = m.start()
        while lo > 0 and text[lo - 1] not in _TW_SPACE_SET:
            lo -= 1
        space = std.tw_space.search(text, m.end())
        hi = space.start() if space else len(text)
        found.extend(_token_urls(text, lo, hi, bare))
        covered = hi
    return found


def _token_urls(text: str, lo: int, hi: int, bare: bool) -> list[tuple[int, int, int]]:
    """The URLs in the token text[lo:hi]. The whitespace before the token goes with it:
    twitter-text's regex takes the character before a URL as context, and at the start of
    a string it would take the token's own first character instead."""
    if _SIMPLE_URL.fullmatch(text, lo, hi):
        # the everyday case, a plain link: no need to load twitter-text (about 0.3 s)
        return [(lo, hi, hi - lo)]
    if lo > 0:
        lo -= 1
    return [
        (lo + int(url["indices"][0]), lo + int(url["indices"][1]), len(url["url"]))
        for url in _tw().extract_urls(text[lo:hi], bare)
    ]


#: A whole token that twitter-text certainly reads as one URL, all of it: ASCII, a scheme,
#: a host under a common top-level domain, an optional port and a path of safe characters
#: that does not end in punctuation. Anything else goes to twitter-text itself.
_SIMPLE_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:uk|com|org|net|gov|edu|int|eu|io|info|scot|wales|cymru)"
    r"(?::[0-9]{2,5})?(?:/(?:[a-z0-9_/.-]*[a-z0-9_/-])?)?",
    re.ASCII | re.IGNORECASE,
)


def _x_urls(text: str) -> list[tuple[int, int, int]]:
    return _urls(text, bare=True)


def _x_emojis(text: str) -> dict[int, int]:
    """Emoji starts and lengths, exactly where twitter_text's emoji regex matches."""
    tw = _tw()
    multi, single, prefilter = tw.multi, tw.single, tw.prefilter
    found: dict[int, int] = {}
    end = 0
    for m in prefilter.finditer(text):
        i = m.start()
        if i < end:
            continue
        first = text[i]
        size = 0
        entry = multi.get(first)
        if entry is not None:
            lengths, seqs = entry
            for n in lengths:
                if text[i : i + n] in seqs:
                    size = n
                    break
        if not size and first in single:
            size = 1
        if size:
            found[i] = size
            end = i + size
    return found


def _x_plain(text: str, start: int, end: int) -> int:
    if end <= start:
        return 0
    return end - start + len(_std().x_heavy.findall(text, start, end))


def _x_entities(text: str) -> list[tuple[int, int, int]]:
    """URLs and emoji as parse_tweet walks them: (start, length jumped over, weight).

    At a URL start it adds 23 and jumps over the URL's text, at an emoji start 2; an
    entity starting inside a stretch already jumped over is ignored."""
    urls = _x_urls(text)
    emojis = {} if text.isascii() else _x_emojis(text)  # every emoji has a non-ASCII part
    if not urls and not emojis:
        return []
    url_at = {start: size for start, _end, size in urls}
    found: list[tuple[int, int, int]] = []
    pos = 0
    for start in sorted(url_at.keys() | emojis.keys()):
        if start < pos:
            continue
        if start in url_at:
            found.append((start, url_at[start], URL_LENGTH))
            pos = start + url_at[start]
        else:
            found.append((start, emojis[start], 2))
            pos = start + emojis[start]
    return found


def _x_length(text: str) -> int:
    """``twitter_text.parse_tweet(text).weightedLength``, computed quickly."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    entities = _x_entities(text)
    if not entities:
        return len(text) if text.isascii() else _x_plain(text, 0, len(text))
    total = 0
    pos = 0
    for start, size, weight in entities:
        total += _x_plain(text, pos, start) + weight
        pos = start + size
    return total + _x_plain(text, pos, len(text))


def _mastodon_entities(text: str) -> list[tuple[int, int, str]]:
    """What Mastodon rewrites before counting: (start, end, replacement), no overlaps."""
    entities: list[tuple[int, int, str]] = []
    entities.extend((start, end, "x" * URL_LENGTH) for start, end, _size in _urls(text, False))
    if "@" in text:
        p = _p()
        for m in p.mention.finditer(text):
            if p.mention_end.match(text, m.end()):
                continue
            entities.append((m.start(), m.end(), "@" + m.group(1)))
    entities.sort(key=lambda e: e[0])
    kept: list[tuple[int, int, str]] = []
    for entity in entities:
        if kept and entity[0] < kept[-1][1]:  # overlaps the one before: twitter-text drops it
            continue
        kept.append(entity)
    return kept


def _mastodon_length(text: str) -> int:
    """Mastodon's StatusLengthValidator: URLs with a scheme are 23 'x', and
    ``@user@domain`` is counted as ``@user``; then grapheme clusters."""
    if text.isascii() and ":" not in text and "@" not in text:
        return len(text) - text.count("\r\n")
    entities = _mastodon_entities(text)
    if not entities:
        return _graphemes(text)
    out: list[str] = []
    pos = 0
    for start, end, replacement in entities:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return _graphemes("".join(out))


# --------------------------------------------------------------------------- hashtags


def _valid_hashtag(tag: str) -> bool:
    name = tag[1:]
    return (
        tag[:1] in ("#", "＃")
        and bool(name)
        and all(c.isalnum() or c == "_" or unicodedata.category(c).startswith("M") for c in name)
        and any(c.isalpha() or unicodedata.category(c).startswith("M") for c in name)
    )


def _inside_url(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a URL (looked for in its whitespace-free token)."""
    if start == 0 or text[start - 1] in _TW_SPACE_SET:
        return False  # a URL never starts with '#'
    lo = start
    while lo > 0 and text[lo - 1] not in _TW_SPACE_SET:
        lo -= 1
    space = _std().tw_space.search(text, end)
    hi = space.start() if space else len(text)
    if "." not in text[lo:hi]:
        return False
    return any(s < end and e > start for s, e, _size in _token_urls(text, lo, hi, True))


def _hashtag_spans(text: str, hashtag: str) -> list[tuple[int, int]]:
    name = hashtag.lstrip("#＃")
    if not name or ("#" not in text and "＃" not in text):
        return []
    return [
        m.span()
        for m in _hashtag_pattern(name).finditer(text)
        if not _inside_url(text, m.start(), m.end())
    ]


def has_hashtag(text: str, hashtag: str) -> bool:
    """Whether ``text`` has ``hashtag`` as a whole tag, in any letter case (``#InfoStory``
    yes; ``#infostory2``, ``abc#infostory`` and ``https://x.org/#infostory`` no)."""
    return bool(_hashtag_spans(text, hashtag))


def count_hashtag(text: str, hashtag: str) -> int:
    """How many times ``hashtag`` occurs in ``text``, by the rules of ``has_hashtag``."""
    return len(_hashtag_spans(text, hashtag))


# --------------------------------------------------------------------------- composing


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for bad in _X_INVALID:
        text = text.replace(bad, "")
    return text


def _clean_body(body: str) -> str:
    lines = [line.rstrip(" \t") for line in _clean_text(body).split("\n")]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def _clean_field(value: str) -> str:
    return " ".join(_clean_text(value).split())


def _attribution(story: StoryInput, template: str) -> str:
    values = {
        "author": _clean_field(story.author),
        "role": _clean_field(story.role),
        "organisation": _clean_field(story.organisation),
        "title": _clean_field(story.title),
    }
    import string

    formatter = string.Formatter()
    fields: list[tuple[str, str]] = []  # (literal before the field, formatted value)
    trailing = ""
    for literal, name, spec, conversion in formatter.parse(template):
        if name is None:
            trailing = literal
            continue
        value = values[name]
        if value:
            value = formatter.format_field(formatter.convert_field(value, conversion), spec or "")
        fields.append((literal, value))
    if not fields:
        return _clean_field(trailing)
    kept = [(literal, value) for literal, value in fields if value]
    if not kept:
        return ""
    line = fields[0][0] + kept[0][1] + "".join(lit + value for lit, value in kept[1:])
    if fields[-1][1]:
        line += trailing
    return _clean_field(line)


def _compose(story: StoryInput, options: RenderOptions) -> tuple[str, bool]:
    """The text without an appended hashtag, and whether the hashtag must be appended."""
    body = _clean_body(story.body)
    footer = [
        line
        for line in (_attribution(story, options.attribution), _clean_field(story.link))
        if line
    ]
    text = "\n\n".join(part for part in (body, "\n".join(footer)) if part)
    needs_tag = bool(options.hashtag) and not has_hashtag(text, options.hashtag)
    return text, needs_tag


def compose(story: StoryInput, options: RenderOptions) -> str:
    """The full text before splitting: body, blank line, attribution, link, hashtag."""
    text, needs_tag = _compose(story, options)
    if needs_tag:
        return f"{text}\n{options.hashtag}" if text else options.hashtag
    return text


# --------------------------------------------------------------------------- splitting
#
# The composed text is cut only at breaks: runs of whitespace that are grapheme clusters
# of their own (so never inside a cluster, a URL or a hashtag), or right after 。！？.
# A post ends before a break and the next starts after it; the break's whitespace is
# dropped. Lengths are planned with an additive estimate (the weight of text[0:p] as a
# sorted list of corrections to p), then every part is measured exactly.

_PARAGRAPH, _SENTENCE, _WORD = 2, 1, 0
_OTHER_LINE_BREAKS = frozenset("\x0b\x0c\x85\u2028\u2029")
_SENTENCE_ENDS = frozenset(".!?…‽。！？")
_CLOSERS = frozenset("\"'”’»)]」』）】〕〉》")
_CJK_STOPS = frozenset("。！？")


class _Layout:
    __slots__ = ("ends", "positions", "starts", "sums", "text")

    def __init__(
        self, text: str, breaks: list[tuple[int, int]], events: list[tuple[int, int]]
    ) -> None:
        self.text = text
        self.starts = [start for start, _end in breaks]  # where each break starts
        self.ends = [end for _start, end in breaks]  # and ends
        events.sort()
        self.positions = [pos for pos, _delta in events]
        self.sums = [0]
        total = 0
        for _pos, delta in events:
            total += delta
            self.sums.append(total)

    def at(self, pos: int) -> int:
        """Estimated weight of text[0:pos] (exact at breaks when counting is context-free)."""
        return pos + self.sums[bisect.bisect_left(self.positions, pos)]

    def tier(self, t: int) -> int:
        start, end = self.starts[t], self.ends[t]
        gap = self.text[start:end]
        if "\n" in gap or not _OTHER_LINE_BREAKS.isdisjoint(gap):
            return _PARAGRAPH
        k = start - 1
        while k > 0 and self.text[k] in _CLOSERS:
            k -= 1
        return _SENTENCE if self.text[k] in _SENTENCE_ENDS else _WORD


def _separators(text: str, p: _Patterns) -> list[tuple[int, int]]:
    """Runs of whitespace that are grapheme clusters of their own (a space followed by a
    combining mark, or after a Prepend character, belongs to its neighbour's cluster)."""
    seps: list[tuple[int, int]] = []
    size = len(text)
    for m in _std().space_run.finditer(text):
        start, end = m.span()
        if (
            end < size
            and text[end] > "\x7f"
            and text[end - 1] not in _CONTROL_SET
            and p.glue_after.match(text, end)
        ):
            end -= 1
        if (
            start > 0
            and text[start - 1] > "\x7f"
            and text[start] not in _CONTROL_SET
            and p.prepend.match(text, start - 1)
        ):
            start += 1
        if start < end:
            seps.append((start, end))
    return seps


def _layout(text: str, counter: Counter) -> _Layout:
    p = _p()
    seps = _separators(text, p)
    size = len(text)
    breaks = [(start, end) for start, end in seps if start > 0 and end < size]
    if not _CJK_STOPS.isdisjoint(text):
        breaks = _add_cjk_breaks(text, breaks, p)
    if counter == "x_weighted":
        events = _x_events(text)
    else:
        events = _grapheme_events(text, seps)
        if counter == "mastodon":
            events.extend(
                (start, _graphemes(replacement) - _graphemes(text[start:end]))
                for start, end, replacement in _mastodon_entities(text)
            )
    return _Layout(text, breaks, events)


def _x_events(text: str) -> list[tuple[int, int]]:
    events = [(m.start(), 1) for m in _std().x_heavy.finditer(text)]
    events.extend(
        (start, weight - _x_plain(text, start, start + size))
        for start, size, weight in _x_entities(text)
    )
    return events


def _grapheme_events(text: str, seps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """-(n-1) at the start of every cluster of n code points."""
    events: list[tuple[int, int]] = []
    if text.isascii():
        return events
    p = _p()
    sep_starts = [start for start, _end in seps]
    done = 0
    for m in p.complex.finditer(text):
        if m.start() < done:
            continue
        # Separators are clusters of their own: the word around the match can be
        # segmented alone.
        k = bisect.bisect_right(sep_starts, m.start())
        lo = seps[k - 1][1] if k else 0
        hi = sep_starts[k] if k < len(seps) else len(text)
        for cluster in p.grapheme.finditer(text, lo, hi):
            n = cluster.end() - cluster.start()
            if n > 1:
                events.append((cluster.start(), 1 - n))
        done = hi
    return events


def _add_cjk_breaks(
    text: str, breaks: list[tuple[int, int]], p: _Patterns
) -> list[tuple[int, int]]:
    """Breaks after 。！？ (no space follows them), except in tokens that may hold a URL,
    a hashtag or a mention."""
    bounds = [0]
    for start, end in breaks:
        bounds.extend((start, end))
    bounds.append(len(text))
    extra: list[tuple[int, int]] = []
    for i in range(0, len(bounds), 2):
        lo, hi = bounds[i], bounds[i + 1]
        if p.cjk_protect.search(text, lo, hi):
            continue
        extra.extend(
            (m.end(), m.end()) for m in p.cjk_stop.finditer(text, lo, hi) if lo < m.end() < hi
        )
    return sorted(breaks + extra)


# A plan: the parts as (start, end, exact length) in the text, and a problem or "".
_Plan = tuple[tuple[tuple[int, int, int], ...], str]


def _numbering(k: int, total: int) -> str:
    return f" {k}/{total}"


def _plan(
    layout: _Layout,
    rules: PlatformRules,
    weigh: Callable[[str], int],
    tag_line: str,
    digits: int,
    prefer: bool,
) -> _Plan:
    """Greedy split; each part is then measured exactly and shortened if need be."""
    text, starts, ends = layout.text, layout.starts, layout.ends
    size, last = len(text), len(starts)  # candidate t ends at starts[t]; t == last: the end
    max_bytes = rules.max_bytes
    parts: list[tuple[int, int, int]] = []
    a = 0  # where the current part starts
    lo = 0  # the first break after a
    k = 1
    while True:
        head = tag_line if k == 1 else ""
        suffix = _numbering(k, 10**digits - 1)  # the widest numbering of that many digits
        extra = weigh(head + suffix)
        cap = rules.max_length - extra
        ceiling = layout.at(a) + cap
        room = max_bytes - _utf8_len(head + suffix) if max_bytes is not None else 0

        def fits(t: int, a: int = a, ceiling: int = ceiling, room: int = room) -> bool:
            end = starts[t] if t < last else size
            if layout.at(end) > ceiling:
                return False
            return max_bytes is None or _utf8_len(text[a:end]) <= room

        t_lo, t_hi = lo, last  # the largest t in [lo, last] that fits, by bisection
        if not fits(t_lo):
            t = lo - 1
        else:
            while t_lo < t_hi:
                mid = (t_lo + t_hi + 1) // 2
                if fits(mid):
                    t_lo = mid
                else:
                    t_hi = mid - 1
            t = t_lo
            if prefer and t < last:
                t = _preferred_end(layout, a, lo, t, cap)
        while True:
            if t < lo:
                return tuple(parts), _unsplittable(layout, a, lo, rules, weigh, extra)
            end = starts[t] if t < last else size
            candidate = text[a:end] + head + suffix
            length = weigh(candidate)
            if length <= rules.max_length and (
                max_bytes is None or _utf8_len(candidate) <= max_bytes
            ):
                break
            t -= 1  # the estimate was short (context-dependent counting): one break back
        parts.append((a, end, length))
        if t == last:
            return tuple(parts), ""
        a, lo, k = ends[t], t + 1, k + 1


def _preferred_end(layout: _Layout, a: int, lo: int, t: int, cap: int) -> int:
    """End at a paragraph, else a sentence, if the post is still at least half full."""
    floor = layout.at(a) + cap // 2
    starts = layout.starts
    low, high = lo, t  # the first candidate at or above the floor
    while low < high:
        mid = (low + high) // 2
        if layout.at(starts[mid]) < floor:
            low = mid + 1
        else:
            high = mid
    sentence = -1
    for candidate in range(t, low - 1, -1):
        tier = layout.tier(candidate)
        if tier == _PARAGRAPH:
            return candidate
        if tier == _SENTENCE and sentence < 0:
            sentence = candidate
    return sentence if sentence >= 0 else t


def _unsplittable(
    layout: _Layout, a: int, lo: int, rules: PlatformRules, weigh: Callable[[str], int], extra: int
) -> str:
    end = layout.starts[lo] if lo < len(layout.starts) else len(layout.text)
    word = layout.text[a:end]
    preview = word if len(word) <= 40 else word[:39] + "…"
    return (
        f"too long for {rules.name}: “{preview}” is {weigh(word)} characters with no place"
        f" to split it, and a post has room for {rules.max_length - extra}"
    )


def _split(
    layout: _Layout, rules: PlatformRules, weigh: Callable[[str], int], tag_line: str
) -> tuple[list[str], list[int], str]:
    parts: tuple[tuple[int, int, int], ...] = ()
    problem = ""
    for prefer in (True, False):
        digits = 1
        while True:
            parts, problem = _plan(layout, rules, weigh, tag_line, digits, prefer)
            if problem or len(str(len(parts))) <= digits:
                break
            digits += 1
        if problem or len(parts) <= rules.max_parts:
            break
    if problem:
        return [], [], problem
    total = len(parts)
    texts = [
        layout.text[a:end] + (tag_line if k == 1 else "") + _numbering(k, total)
        for k, (a, end, _length) in enumerate(parts, start=1)
    ]
    # The numbering was measured with 9s in it: every digit weighs 1 on every platform.
    lengths = [length for _a, _end, length in parts]
    if total > rules.max_parts:
        problem = (
            f"too long for {rules.name}: it needs a thread of {total} posts and at most"
            f" {rules.max_parts} are allowed"
        )
    return texts, lengths, problem


# --------------------------------------------------------------------------- rendering


def _too_long(rules: PlatformRules, length: int, size: int) -> str:
    if length > rules.max_length:
        return f"{length} of {rules.max_length} characters"
    return f"{size} of {rules.max_bytes} bytes"


def _image_problems(story: StoryInput, rules: PlatformRules) -> list[str]:
    if not story.image.strip():
        return []
    if not rules.images:
        return [f"{rules.name} does not take images, but the story has one"]
    alt = _clean_text(story.image_alt).strip()
    if not alt:
        return [
            f"the image has no alt text, which {rules.name} needs for people using screen readers"
        ]
    # Code points: never fewer than graphemes, and what Mastodon's validator counts.
    if rules.alt_text_max is not None and len(alt) > rules.alt_text_max:
        return [
            f"alt text too long for {rules.name}: {len(alt)} of {rules.alt_text_max} characters"
        ]
    return []


_SLACK = 40  # how far the additive estimate may be from the exact length


def render(story: StoryInput, rules: PlatformRules, options: RenderOptions) -> Rendered:
    """The posts for one platform, or the problems that stop the story going there."""
    rendered = _render(story, rules, options)
    if not story.language:
        return rendered
    posts = tuple(replace(p, language=story.language) for p in rendered.posts)
    return Rendered(rendered.platform, posts, rendered.problems)


def _render(story: StoryInput, rules: PlatformRules, options: RenderOptions) -> Rendered:
    weigh = _counter(rules.counter)
    text, needs_tag = _compose(story, options)
    problems: list[str] = []
    if not text:
        problems.append("the story has no text")
    problems.extend(_image_problems(story, rules))
    image = story.image.strip() if rules.images else ""
    alt = _clean_text(story.image_alt).strip() if image else ""

    tag_line = f"\n{options.hashtag}" if needs_tag and text else ""
    full = text + tag_line if text else options.hashtag
    size = _utf8_len(full)
    threads = options.overflow == "thread" and bool(text)
    layout = None
    length = -1  # not measured: the text is far too long for one post
    if threads and len(full) > 2 * rules.max_length:
        # Long text: cut it up first, and measure it whole only if the sum of its pieces
        # comes near the limit (a URL-heavy text can still fit).
        layout = _layout(text, rules.counter)
        estimate = layout.at(len(text)) + (weigh(tag_line) if tag_line else 0)
        if estimate <= rules.max_length + _SLACK:
            length = weigh(full)
    else:
        length = weigh(full)
    if 0 <= length <= rules.max_length and (rules.max_bytes is None or size <= rules.max_bytes):
        post = Post(full, length, rules.max_length, image, alt)
        return Rendered(rules.name, (post,), tuple(problems))

    def whole() -> tuple[Post, ...]:
        measured = length if length >= 0 else weigh(full)
        return (Post(full, measured, rules.max_length, image, alt),)

    if not threads:
        problems.append(
            f"too long for {rules.name}: {_too_long(rules, length, size)}"
            " and threads are turned off"
        )
        return Rendered(rules.name, whole(), tuple(problems))

    if layout is None:
        layout = _layout(text, rules.counter)
    texts, lengths, problem = _split(layout, rules, weigh, tag_line)
    if problem:
        problems.append(problem)
    if not texts:
        return Rendered(rules.name, whole(), tuple(problems))
    posts = tuple(
        Post(t, n, rules.max_length, image if k == 0 else "", alt if k == 0 else "")
        for k, (t, n) in enumerate(zip(texts, lengths, strict=True))
    )
    return Rendered(rules.name, posts, tuple(problems))


# --------------------------------------------------------------------------- facets


def facets(text: str) -> list[Facet]:
    """Bluesky rich-text facets for the links and hashtags in ``text``.

    Links are found as twitter-text finds them (bare domains included, with ``https://``
    added to the URI); tags as ``has_hashtag`` sees them, outside links, at most 64
    graphemes. Offsets are UTF-8 byte offsets, end exclusive, in text order.
    """
    found: list[tuple[int, int, Literal["tag", "link"], str]] = []
    links = _x_urls(text)
    for start, end, _size in links:
        url = text[start:end]
        uri = url if "://" in url else f"https://{url}"
        found.append((start, end, "link", uri))
    if "#" in text or "＃" in text:
        for m in _p().any_tag.finditer(text):
            start, end = m.span()
            if any(s < end and e > start for s, e, _size in links):
                continue
            tag = m.group(1)
            if _graphemes(tag) > TAG_MAX_GRAPHEMES:
                continue
            found.append((start, end, "tag", tag))
    found.sort(key=lambda f: f[0])
    result: list[Facet] = []
    for start, end, kind, value in found:
        byte_start = _utf8_len(text[:start])
        result.append(Facet(kind, byte_start, byte_start + _utf8_len(text[start:end]), value))
    return result
