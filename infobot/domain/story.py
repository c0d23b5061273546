"""Stories as the domain sees them: fields, lifecycle and fingerprint."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum
from operator import attrgetter, itemgetter, methodcaller

from infobot.domain.fields import FIELD_TEXTS
from infobot.domain.versions import Version, flatten


class StoryStatus(StrEnum):
    SUBMITTED = "submitted"  # from the public share form; the team has not looked yet
    DRAFT = "draft"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    POSTED = "posted"
    PARTLY_POSTED = "partly_posted"
    FAILED = "failed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class StoryAction(StrEnum):
    """What the team or the publisher does to a story; each is allowed from some statuses."""

    EDIT = "edit"
    APPROVE = "approve"
    REJECT = "reject"
    QUEUE = "queue"  # take a place in the ordered queue (move)
    PIN = "pin"
    WITHDRAW = "withdraw"
    CLAIM = "claim"  # taken for a day's slot
    SEND_EXTRA = "send_extra"  # sent outside the daily slot (post-now naming a story)


#: Statuses that mean the story has been (or is being) sent somewhere.
SENT = frozenset(
    {StoryStatus.SCHEDULED, StoryStatus.POSTED, StoryStatus.PARTLY_POSTED, StoryStatus.FAILED}
)

#: The story lifecycle: from which statuses each action is allowed. Anything else is refused.
#: A story from the share form (``submitted``) is never posted without approval: it may be
#: edited (the team looked: it becomes a draft), approved, rejected or withdrawn.
ALLOWED: dict[StoryAction, frozenset[StoryStatus]] = {
    StoryAction.EDIT: frozenset(
        {StoryStatus.SUBMITTED, StoryStatus.DRAFT, StoryStatus.APPROVED, StoryStatus.REJECTED}
    ),
    StoryAction.APPROVE: frozenset(
        {StoryStatus.SUBMITTED, StoryStatus.DRAFT, StoryStatus.REJECTED}
    ),
    StoryAction.REJECT: frozenset({StoryStatus.SUBMITTED, StoryStatus.DRAFT, StoryStatus.APPROVED}),
    StoryAction.QUEUE: frozenset({StoryStatus.APPROVED}),
    StoryAction.PIN: frozenset({StoryStatus.DRAFT, StoryStatus.APPROVED}),
    StoryAction.WITHDRAW: frozenset(s for s in StoryStatus if s is not StoryStatus.WITHDRAWN),
    StoryAction.CLAIM: frozenset({StoryStatus.APPROVED}),
    StoryAction.SEND_EXTRA: frozenset({StoryStatus.APPROVED} | SENT),
}


def allowed(action: StoryAction, status: str) -> bool:
    """May a story in ``status`` undergo ``action``?"""
    return StoryStatus(status) in ALLOWED[action]


def status_after_edit(status: str) -> StoryStatus:
    """An edit sends an approved story back to draft: what was approved is what goes out.
    A story from the share form edited by the team is a draft too (the team has looked).

    An edit is a change to any field of any version (``StoryInput`` compares them all), so
    approval always covers every language the story is in."""
    current = StoryStatus(status)
    if current in (StoryStatus.APPROVED, StoryStatus.SUBMITTED):
        return StoryStatus.DRAFT
    return current


@dataclass(frozen=True)
class StoryInput:
    """The editable content of a story, as imported, added or edited.

    These are a story's fields; the importers, the store, the read side, the command line's
    options and the web page's form all follow them (their labels and hints for people are
    in ``infobot.domain.fields``).
    """

    body: str
    title: str = ""
    author: str = ""
    role: str = ""
    organisation: str = ""
    link: str = ""
    image: str = ""
    image_alt: str = ""
    language: str = "en"
    consent_by: str = ""
    consent_date: date | None = None
    consent_scope: str = ""
    pin_date: date | None = None
    notes: str = ""
    #: The story in the campaign's other languages (``infobot.domain.versions``), by language.
    versions: tuple[Version, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the story has text in: its own first, then its versions'."""
        return (self.language, *(v.language for v in self.versions))

    def version(self, language: str) -> StoryInput:
        """The story as it reads in ``language`` (its own fields, or that version's), with
        the shared fields; the result has no versions of its own."""
        if language == self.language:
            return replace(self, versions=()) if self.versions else self
        for v in self.versions:
            if v.language == language:
                return replace(
                    self,
                    language=language,
                    title=v.title,
                    body=v.body,
                    image_alt=v.image_alt,
                    versions=(),
                )
        raise KeyError(f"the story has no {language} version")

    def flat(self) -> dict[str, object]:
        """Every field as a form or a file holds it: versions as suffixed fields."""
        values = {name: getattr(self, name) for name in STORY_FIELDS}
        values.update(flatten(self.versions))
        return values

    def fingerprint(self) -> str:
        """Identity of the story's content: same text from the same person, same story.

        Whitespace runs and Unicode normalisation differences do not change it; the
        bookkeeping fields (consent, pin, notes) do not either. The first
        :data:`FINGERPRINT_CHARS` hexadecimal digits of the SHA-256 of the normalised body,
        author and title (128 bits: no two stories share one by chance).
        """
        parts = [_norm(self.body), _norm(self.author), _norm(self.title)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


#: A fingerprint's length: half of a SHA-256 in hexadecimal. The database's unique index
#: on (campaign, fingerprint) takes each new story at a random place; a short key keeps the
#: index small (migration 0013 shortened the fingerprints stored before).
FINGERPRINT_CHARS = 32
_SHORT = itemgetter(slice(0, FINGERPRINT_CHARS))

#: The plain fields (the versions are the suffixed fields of ``infobot.domain.versions``).
STORY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StoryInput) if f.name != "versions")


if {text.name for text in FIELD_TEXTS} != set(STORY_FIELDS):  # pragma: no cover
    raise RuntimeError("infobot/domain/fields.py must name exactly StoryInput's fields")
REQUIRED_FIELDS: tuple[str, ...] = ("body",)
CONSENT_FIELDS: tuple[str, ...] = ("consent_by", "consent_date")


def fingerprints(stories: Sequence[StoryInput]) -> list[str]:
    """``[story.fingerprint() for story in stories]``, quicker for many stories: each step
    runs over all the stories at once."""
    return fingerprints_of(
        list(map(attrgetter("body"), stories)),
        list(map(attrgetter("author"), stories)),
        list(map(attrgetter("title"), stories)),
    )


def fingerprints_of(bodies: list[str], authors: list[str], titles: list[str]) -> list[str]:
    """:func:`fingerprints` of the stories whose bodies, authors and titles these are."""
    bodies = _norm_all(bodies)
    authors = _norm_all(authors)
    titles = _norm_all(titles)
    joined = map("\x1f".join, zip(bodies, authors, titles, strict=True))
    return list(map(_SHORT, map(_HEX, map(hashlib.sha256, map(str.encode, joined)))))


_HEX = methodcaller("hexdigest")


def _norm_all(texts: list[str]) -> list[str]:
    """``[_norm(text) for text in texts]``, with the steps each run over all the texts.

    When every text is its own answer (NFC, printable, no double space, no space at either
    end: see :func:`_norm`) that is found out for all of them at once: joined by NUL, a
    character no normalisation composes or reorders with and no text here holds, a space
    at either end of a text is one next to a NUL or at either end of the whole.
    """
    joined = "\x00".join(texts)
    if not unicodedata.is_normalized("NFC", joined):
        return list(map(_norm, texts))
    if (
        "".join(texts).isprintable()  # (so no text holds a NUL)
        and "  " not in joined
        and "\x00 " not in joined
        and " \x00" not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
    ):
        return list(texts)
    # Every text is NFC already (a NUL between two texts is a boundary normalisation
    # never crosses), so each is :func:`_norm`'s answer without its first step: only the
    # texts with a line break, a tab or a space to spare are split and joined again.
    return [
        text
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
        else " ".join(text.split())
        for text in texts
    ]


def _norm(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, no surrounding whitespace.

    Every whitespace character but the ASCII space is non-printable, so printable text
    with no double space and no space at either end is already its own answer; checking
    that is quicker than splitting and joining it again (and gives the same string).
    """
    text = unicodedata.normalize("NFC", text)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())
