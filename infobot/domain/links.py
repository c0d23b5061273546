"""Links in a post: where they are, and campaign tracking on the team's own sites.

Pure code, no I/O. Links are found exactly as the renderer finds them for Bluesky facets
and X's length rules (``infobot.domain.render.facets``: twitter-text's URL rules, so bare
domains such as ``gov.wales/infostory`` are links too), so a link this module tags is the
same link the platforms will see.

Campaign tracking adds ``utm_source=<platform>&utm_medium=social&utm_campaign=<campaign>``
to links whose host is one of the team's own domains (a subdomain counts: ``gov.wales``
covers ``www.gov.wales``). The rest of the address is kept byte for byte: existing query
parameters (in their order and encoding), the fragment, the letter case of the path. A
parameter that is already there is never added again, whatever its value, so tagging is
idempotent: ``track_links(track_links(t)) == track_links(t)``.

Mastodon links only ``http(s)://`` addresses; give ``Tracking(include_bare=False)`` for it
so that a bare domain (plain text there) is not lengthened for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = [
    "UTM_PARAMETERS",
    "Entity",
    "Link",
    "Tracking",
    "add_tracking",
    "entities",
    "find_links",
    "host_of",
    "is_own_domain",
    "track_links",
]

#: The parameters campaign tracking adds, in the order they are added.
UTM_PARAMETERS: tuple[str, str, str] = ("utm_source", "utm_medium", "utm_campaign")


@dataclass(frozen=True)
class Entity:
    """A link or a hashtag in a text, by ``str`` index (end exclusive)."""

    kind: Literal["link", "tag"]
    start: int
    end: int
    text: str  # as written: text[start:end]
    value: str  # a link's URI (https:// added to a bare domain); a tag's name without '#'


@dataclass(frozen=True)
class Link:
    """A link in a text, by ``str`` index (end exclusive)."""

    start: int
    end: int
    text: str  # as written, e.g. "gov.wales/infostory"
    uri: str  # what it opens: "https://gov.wales/infostory"

    @property
    def bare(self) -> bool:
        """True for a domain written without ``http(s)://`` (not a link on Mastodon)."""
        return "://" not in self.text


@dataclass(frozen=True)
class Tracking:
    """Campaign tracking settings: which hosts are the team's own, and the campaign name."""

    domains: tuple[str, ...]  # e.g. ("gov.wales", "llyw.cymru"); subdomains count
    campaign: str  # utm_campaign, e.g. "infostory"
    medium: str = "social"  # utm_medium
    include_bare: bool = True  # False for platforms that do not link bare domains (Mastodon)

    def __post_init__(self) -> None:
        cleaned = tuple(_clean_domain(d) for d in self.domains)
        for given, domain in zip(self.domains, cleaned, strict=True):
            if not domain or "." not in domain or "/" in domain or " " in domain:
                raise ValueError(
                    f"{given!r} is not a domain: give a host name such as gov.wales"
                    " (no https://, no path)"
                )
        if not self.campaign.strip():
            raise ValueError("campaign tracking needs a campaign name for utm_campaign")
        object.__setattr__(self, "domains", cleaned)


def entities(text: str) -> list[Entity]:
    """The links and hashtags in ``text`` as the platforms find them, in text order."""
    from infobot.domain.render import facets

    found = facets(text)
    if not found:
        return []
    index = _byte_to_index(text)
    result: list[Entity] = []
    for facet in found:
        start, end = index(facet.byte_start), index(facet.byte_end)
        result.append(Entity(facet.kind, start, end, text[start:end], facet.value))
    return result


def find_links(text: str) -> list[Link]:
    """The links in ``text``, in order: ``http(s)://`` addresses and bare domains."""
    return [Link(e.start, e.end, e.text, e.value) for e in entities(text) if e.kind == "link"]


def host_of(url: str) -> str:
    """The lower-case host name of a web address (a bare domain is read as https), or ''
    for anything else (``mailto:``, an address with a user name, a malformed one)."""
    if "://" not in url:
        if _OTHER_SCHEME.match(url):
            return ""
        url = f"https://{url}"
    try:
        split = urlsplit(url)
    except ValueError:  # a malformed IPv6 literal
        return ""
    if split.scheme.lower() not in ("http", "https") or "@" in split.netloc:
        return ""
    return (split.hostname or "").rstrip(".")


def is_own_domain(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (letter case ignored)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in map(_clean_domain, domains) if d)


def add_tracking(url: str, platform: str, tracking: Tracking) -> str:
    """``url`` with the campaign parameters added when its host is one of the team's own.

    Existing parameters and the fragment are kept as written; a parameter already present
    is not added again. Any other address comes back unchanged, and so does one the
    platforms would no longer link whole with the parameters added.
    """
    if not tracking.include_bare and "://" not in url:
        return url
    if not is_own_domain(host_of(url), tracking.domains):
        return url
    present = _query_names(url)
    values = (platform, tracking.medium, tracking.campaign)
    missing = [
        f"{name}={quote(value, safe='')}"
        for name, value in zip(UTM_PARAMETERS, values, strict=True)
        if name not in present
    ]
    if not missing:
        return url
    base, hash_mark, fragment = url.partition("#")
    head, question, query = base.partition("?")
    if not question and _has_no_path(head):
        head += "/"  # "https://gov.wales" -> "https://gov.wales/?utm_source=..."
    joiner = "" if not query or query.endswith("&") else "&"
    tracked = f"{head}?{query}{joiner}{'&'.join(missing)}{hash_mark}{fragment}"
    found = find_links(tracked)
    if len(found) != 1 or (found[0].start, found[0].end) != (0, len(tracked)):
        # The platforms would end the link before its parameters (a path may not end in
        # "~" there, say): the address stays as the team wrote it.
        return url
    return tracked


def track_links(text: str, platform: str, tracking: Tracking | None) -> str:
    """``text`` with campaign tracking added to every link on the team's own domains.

    ``tracking=None`` (tracking switched off) returns ``text`` unchanged.
    """
    if tracking is None or ("." not in text):
        return text
    links = find_links(text)
    if not links:
        return text
    parts: list[str] = []
    pos = 0
    for link in links:
        parts.append(text[pos : link.start])
        parts.append(add_tracking(link.text, platform, tracking))
        pos = link.end
    parts.append(text[pos:])
    return "".join(parts)


# --------------------------------------------------------------------------- helpers


_OTHER_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)  # mailto:, tel:


def _clean_domain(domain: str) -> str:
    return domain.strip().lower().strip(".")


def _query_names(url: str) -> set[str]:
    query = url.partition("#")[0].partition("?")[2]
    return {name for name, _value in parse_qsl(query, keep_blank_values=True)}


def _has_no_path(head: str) -> bool:
    """Whether the address before '?' is a bare host (with an optional scheme and port)."""
    rest = head.split("://", 1)[1] if "://" in head else head
    return "/" not in rest


def _byte_to_index(text: str) -> Callable[[int], int]:
    """Maps a UTF-8 byte offset that starts a character (or the end) to its ``str`` index."""
    if text.isascii():
        return int
    table: dict[int, int] = {}
    offset = 0
    for index, char in enumerate(text):
        table[offset] = index
        offset += len(char.encode("utf-8", "surrogatepass"))
    table[offset] = len(text)
    return table.__getitem__
