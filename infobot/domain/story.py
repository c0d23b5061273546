"""Stories as the domain sees them: fields, lifecycle and fingerprint."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum


class StoryStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    POSTED = "posted"
    PARTLY_POSTED = "partly_posted"
    FAILED = "failed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: Statuses a story can be edited in (editing an approved story returns it to draft).
EDITABLE = frozenset({StoryStatus.DRAFT, StoryStatus.APPROVED, StoryStatus.REJECTED})
#: Statuses from which a story can be approved.
APPROVABLE = frozenset({StoryStatus.DRAFT, StoryStatus.REJECTED})
#: Statuses from which a story can be rejected.
REJECTABLE = frozenset({StoryStatus.DRAFT, StoryStatus.APPROVED})
#: Statuses that mean the story has been (or is being) sent somewhere.
SENT = frozenset(
    {StoryStatus.SCHEDULED, StoryStatus.POSTED, StoryStatus.PARTLY_POSTED, StoryStatus.FAILED}
)


@dataclass(frozen=True)
class StoryInput:
    """The editable content of a story, as imported, added or edited."""

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

    def fingerprint(self) -> str:
        """Identity of the story's content: same text from the same person, same story.

        Whitespace runs and Unicode normalisation differences do not change it; the
        bookkeeping fields (consent, pin, notes) do not either.
        """
        parts = [_norm(self.body), _norm(self.author), _norm(self.title)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


STORY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StoryInput))
REQUIRED_FIELDS: tuple[str, ...] = ("body",)
CONSENT_FIELDS: tuple[str, ...] = ("consent_by", "consent_date")


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
