"""What rendering works with: a platform's rules, the options, and the posts it makes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from infobot.domain.links import Tracking
from infobot.domain.render.hashtags import _valid_hashtag
from infobot.domain.replies import Audience, WhoCanQuote, WhoCanReply

Counter = Literal["graphemes", "x_weighted", "mastodon"]
Overflow = Literal["thread", "reject"]
#: How a bilingual story goes out on a platform: one post with every version, a thread
#: with one post per language, or each language from its own account.
Bilingual = Literal["post", "thread", "accounts"]
BILINGUAL_MODES: tuple[Bilingual, ...] = ("post", "thread", "accounts")

_COUNTERS: frozenset[str] = frozenset({"graphemes", "x_weighted", "mastodon"})
TEMPLATE_FIELDS: frozenset[str] = frozenset({"author", "role", "organisation", "title"})


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
    # The setting that allows threads, named in the message when ``max_parts`` is 1.
    threads_setting: str = ""
    # The story's link goes in a reply to the post (after the whole thread), not in it.
    link_in_reply: bool = False
    # Bluesky: a link is a facet over the visible text, so the visible text stays as written
    # and campaign tracking goes only into the address the link opens (not counted).
    links_behind_text: bool = False
    link_cards: bool = False  # Bluesky: a post with a link may carry the page's card
    audience: Audience = field(default_factory=Audience)  # who may reply and quote

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
        return cls(
            name="x",
            max_length=280,
            counter="x_weighted",
            alt_text_max=1000,
            threads_setting="INFOBOT_X__THREADS",
        )

    @classmethod
    def mastodon(cls, max_length: int = 500) -> PlatformRules:
        """``max_length`` is per instance: ``instance_v2().configuration.statuses``."""
        return cls(name="mastodon", max_length=max_length, counter="mastodon", alt_text_max=1500)

    @classmethod
    def bluesky(cls) -> PlatformRules:
        return cls(
            name="bluesky",
            max_length=300,
            counter="graphemes",
            max_bytes=3000,
            alt_text_max=2000,
            links_behind_text=True,
        )

    # -- as an account is set up (the adapters and the lean path build them here, once) --
    @classmethod
    def x_account(
        cls, *, threads: bool, link_in_reply: bool, replies: WhoCanReply | None
    ) -> PlatformRules:
        """X as ``INFOBOT_X__THREADS``, ``__LINK_IN_REPLY`` and ``__REPLIES`` set it up."""
        audience = Audience(replies=(replies,)) if replies else Audience()
        rules = replace(cls.x(), link_in_reply=link_in_reply, audience=audience)
        return rules if threads else replace(rules, max_parts=1)

    @classmethod
    def mastodon_account(
        cls, max_length: int, *, link_in_reply: bool, quotes: WhoCanQuote | None
    ) -> PlatformRules:
        """Mastodon with the instance's limit and ``INFOBOT_MASTODON__*``'s choices."""
        return replace(
            cls.mastodon(max_length), link_in_reply=link_in_reply, audience=Audience(quotes=quotes)
        )

    @classmethod
    def bluesky_account(
        cls,
        *,
        link_in_reply: bool,
        link_cards: bool,
        replies: tuple[WhoCanReply, ...] | None,
        quotes: WhoCanQuote | None,
    ) -> PlatformRules:
        """Bluesky as ``INFOBOT_BLUESKY__*`` and ``INFOBOT_LINK_CARDS`` set it up."""
        return replace(
            cls.bluesky(),
            link_in_reply=link_in_reply,
            link_cards=link_cards,
            audience=Audience(replies=replies, quotes=quotes),
        )

    @classmethod
    def outbox(cls, max_length: int = 500, link_in_reply: bool = False) -> PlatformRules:
        """The outbox stands in for Mastodon: the same counting and alt-text limit."""
        return cls(
            name="outbox",
            max_length=max_length,
            counter="mastodon",
            alt_text_max=1500,
            link_in_reply=link_in_reply,
        )


@dataclass(frozen=True)
class RenderOptions:
    hashtag: str = "#infostory"  # "" for none
    # str.format fields: author, role, organisation, title. Empty fields are dropped with
    # the separator before them; no non-empty field, no attribution line.
    attribution: str = "— {author}, {role}, {organisation}"
    overflow: Overflow = "thread"
    #: The campaign's languages in the order versions are shown; two or more: bilingual.
    languages: tuple[str, ...] = ()
    #: The language first in a bilingual post or thread ("" = the first of ``languages``).
    first_language: str = ""
    #: How a bilingual story goes out (for the platform these options are for).
    bilingual: Bilingual = "post"
    #: In "accounts" mode, the language this platform's account posts in.
    account_language: str = ""
    #: Per platform (instance) name: its mode and its account's language, when set.
    platform_modes: tuple[tuple[str, Bilingual], ...] = ()
    account_languages: tuple[tuple[str, str], ...] = ()

    tracking: Tracking | None = None  # utm_ parameters on links to the team's own sites

    def for_platform(self, name: str) -> RenderOptions:
        """These options as the platform ``name`` renders with them (its bilingual mode and
        its account's language)."""
        if len(self.languages) < 2:
            return self
        from dataclasses import replace

        return replace(
            self,
            bilingual=dict(self.platform_modes).get(name, self.bilingual),
            account_language=dict(self.account_languages).get(name, ""),
        )

    def __post_init__(self) -> None:
        if self.hashtag and not _valid_hashtag(self.hashtag):
            raise ValueError(
                f"hashtag {self.hashtag!r} is not a hashtag: '#' then letters, digits or '_',"
                " with at least one letter"
            )
        modes = [self.bilingual, *(mode for _, mode in self.platform_modes)]
        if any(mode not in BILINGUAL_MODES for mode in modes):
            raise ValueError(f"bilingual must be one of {BILINGUAL_MODES}, not {modes!r}")
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
    more_languages: tuple[str, ...] = ()  # a bilingual post's other languages, in order
    # Links whose visible text differs from what they open (campaign tracking behind a
    # Bluesky link): (text as written in the post, address it opens).
    links: tuple[tuple[str, str], ...] = ()
    card: Card | None = None  # the link card this post carries (Bluesky)


@dataclass(frozen=True)
class Card:
    """A link card: the title, description and picture of the page a story links to.

    Read from the page when the story is approved and kept with the story. ``problem`` is
    set (and the rest empty) when the page could not be read: the post goes without a card.
    """

    url: str  # the link as the story has it (no tracking)
    title: str = ""
    description: str = ""
    thumb: bytes | None = None  # JPEG or PNG, at most 1,000,000 bytes
    thumb_mime: str = ""
    problem: str = ""
    thumb_size: int = 0  # bytes of the picture (also when ``thumb`` was not loaded)
    uri: str = ""  # set by rendering: what the card opens (with campaign tracking)

    @property
    def usable(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Rendered:
    """The posts for one platform. Send them only when ``ok``.

    When there are problems, ``posts`` is still filled as far as possible (for previews):
    for a story that is too long it holds the whole text as one over-long post.
    """

    platform: str
    posts: tuple[Post, ...]
    problems: tuple[str, ...]  # empty = OK to post
    notes: tuple[str, ...] = ()  # for the preview: link in a reply, card, who can reply
    bilingual: bool = False  # rendered for a bilingual campaign: each post names its language

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
