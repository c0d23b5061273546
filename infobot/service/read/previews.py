"""How a story looks on each platform, as the read side shows it (a part of
:mod:`infobot.service.read.models`, which re-exports these)."""

from __future__ import annotations

from dataclasses import dataclass, field

from infobot.domain.accessibility import Finding
from infobot.domain.render import Card, Post, Rendered
from infobot.service.read.omit import OMIT_NONE as OMIT_NONE


# -- how a story looks on each platform ---------------------------------------------------
@dataclass(frozen=True)
class CardView:
    """The link card a post carries (Bluesky): what it opens, its title and description."""

    url: str
    title: str
    description: str
    picture: bool

    @classmethod
    def of(cls, card: Card) -> CardView:
        return cls(card.uri or card.url, card.title, card.description, bool(card.thumb_size))


@dataclass(frozen=True)
class PostView:
    text: str
    length: int
    limit: int
    image: str | None = field(default=None, metadata=OMIT_NONE)  # only with an image
    image_alt: str | None = field(default=None, metadata=OMIT_NONE)
    #: In a bilingual campaign: the post's languages, its first language first ("cy", "en").
    languages: list[str] | None = field(default=None, metadata=OMIT_NONE)
    #: where links open when that is not their text (tracking behind a Bluesky link)
    opens: list[str] | None = field(default=None, metadata=OMIT_NONE)
    card: CardView | None = field(default=None, metadata=OMIT_NONE)  # only with a card

    @classmethod
    def of(cls, post: Post, bilingual: bool = False) -> PostView:
        return cls(
            post.text,
            post.length,
            post.limit,
            post.image or None,
            post.image_alt if post.image else None,
            [post.language, *post.more_languages] if bilingual else None,
            [target for _text, target in post.links] or None,
            CardView.of(post.card) if post.card is not None else None,
        )


@dataclass(frozen=True)
class RenderedView:
    ok: bool
    posts: list[PostView]
    problems: list[str]
    #: the link in a reply, the link card, who may reply and quote (only when there are any)
    notes: list[str] | None = field(default=None, metadata=OMIT_NONE)

    @classmethod
    def of(cls, rendered: Rendered) -> RenderedView:
        posts = [PostView.of(p, rendered.bilingual) for p in rendered.posts]
        return cls(rendered.ok, posts, list(rendered.problems), list(rendered.notes) or None)


@dataclass(frozen=True)
class FindingView:
    """An accessibility finding: a warning to acknowledge at approval, or a refusal."""

    check: str
    message: str
    severity: str  # warning, refusal

    @classmethod
    def of(cls, finding: Finding) -> FindingView:
        return cls(finding.check.value, finding.message, finding.severity.value)


@dataclass(frozen=True)
class Preview:
    """A story on every enabled platform, what stops it, and what to look at."""

    platforms: dict[str, RenderedView]
    problems: list[str]
    warnings: list[str]
    accessibility: list[FindingView] = field(default_factory=list)


# -- stories -------------------------------------------------------------------------------
