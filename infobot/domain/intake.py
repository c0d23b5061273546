"""Stories from the public share form, and the storyteller's own link: the rules, no I/O.

A storyteller fills in the form at ``/share/<campaign>``; what arrives is a story in the
``submitted`` status, never posted without the team's approval. Their consent is recorded
with the version of the consent text they were shown, each choice they ticked and the time.
Their private link shows where the story stands and lets them withdraw; it stops working
``retention`` after the campaign ends, and a withdrawn story's personal fields are erased
``retention`` after the withdrawal.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from infobot.domain.story import FINGERPRINT_CHARS, StoryInput, StoryStatus

#: What a withdrawn story's personal fields read once erased.
ERASED = "[erased]"
#: The actor of everything the storyteller does (never their name: the audit record stays
#: anonymous once their fields are erased).
STORYTELLER = "storyteller"
SHARE_FORM = "share form"
#: Random bytes in a storyteller's token (the link holds it; the database its digest).
TOKEN_BYTES = 24  # 192 bits


class Consent(StrEnum):
    """What the storyteller agrees to, one tick box each."""

    POST = "post"  # post the story on the campaign's platforms and its public page
    NAME = "name"  # show their name with it
    ROLE = "role"  # show their role and organisation with it


@dataclass(frozen=True)
class ShareLimits:
    """The longest answer each field of the form takes (in characters)."""

    title: int = 120
    body: int = 5_000
    name: int = 120
    role: int = 120
    organisation: int = 160
    email: int = 254
    image_alt: int = 1_000

    def of(self, name: str) -> int:
        return int(getattr(self, name))


LIMITS = ShareLimits()
TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "body",
    "name",
    "role",
    "organisation",
    "email",
    "image_alt",
)
#: The question each field asks, as the form and its error messages name it.
LABELS: dict[str, str] = {
    "title": "Title",
    "body": "Your story",
    "name": "Your name",
    "role": "Your role",
    "organisation": "Your organisation",
    "email": "Email address (optional)",
    "image": "A picture (optional)",
    "image_alt": "Describe the picture",
    "consent": "What you agree to",
}
_MISSING = {
    "title": "Enter a title for your story",
    "body": "Enter your story",
    "name": "Enter your name",
    "role": "Enter your role, for example Paramedic",
    "organisation": "Enter the name of your organisation",
}
#: An address to send to: one mailbox (no comma, space, quote or line break to smuggle in
#: another recipient or a header).
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class ShareForm:
    """The answers, as given (trimmed); ``has_image``: a picture was chosen."""

    title: str = ""
    body: str = ""
    name: str = ""
    role: str = ""
    organisation: str = ""
    email: str = ""
    image_alt: str = ""
    has_image: bool = False
    consents: frozenset[Consent] = frozenset()


def check_share(form: ShareForm, limits: ShareLimits = LIMITS) -> list[tuple[str, str]]:
    """Every problem with the answers, as (field, message) in the form's order, worded in
    the GOV.UK way ("Enter your story")."""
    problems: list[tuple[str, str]] = []
    for name in TEXT_FIELDS:
        value: str = getattr(form, name)
        if not value and name in _MISSING:
            problems.append((name, _MISSING[name]))
        elif len(value) > limits.of(name):
            label = LABELS[name].removesuffix(" (optional)")
            problems.append((name, f"{label} must be {limits.of(name):,} characters or fewer"))
        elif name == "email" and value and not _EMAIL.fullmatch(value):
            problems.append(
                (name, "Enter an email address in the correct format, like name@example.com")
            )
    if form.has_image and not form.image_alt:
        problems.append(
            ("image_alt", "Describe the picture for people who cannot see it (alt text)")
        )
    if Consent.POST not in form.consents:
        problems.append(
            ("consent", "Select that you agree to your story being posted, or we cannot use it")
        )
    return problems


def story_from_share(
    form: ShareForm, *, consent_version: str, today: date, image: str = ""
) -> StoryInput:
    """The story the team sees: attributed as the storyteller chose (name, role and
    organisation only when they agreed), with their consent in the consent fields."""
    shown = [
        "posting",
        "name shown" if Consent.NAME in form.consents else "name not shown",
        "role shown" if Consent.ROLE in form.consents else "role not shown",
    ]
    show_role = Consent.ROLE in form.consents
    return StoryInput(
        body=form.body,
        title=form.title,
        author=form.name if Consent.NAME in form.consents else "",
        role=form.role if show_role else "",
        organisation=form.organisation if show_role else "",
        image=image,
        image_alt=form.image_alt if image else "",
        consent_by=form.name,
        consent_date=today,
        consent_scope=f"{SHARE_FORM}, consent text {consent_version}: " + "; ".join(shown),
    )


class Stage(StrEnum):
    """Where a story stands, as its storyteller's page says it."""

    RECEIVED = "received"  # the team has it (submitted, draft)
    APPROVED = "approved"
    SCHEDULED = "scheduled"  # claimed for a day, being posted
    POSTED = "posted"
    NOT_USED = "not_used"  # rejected, or failed everywhere
    WITHDRAWN = "withdrawn"


_STAGES = {
    StoryStatus.SUBMITTED: Stage.RECEIVED,
    StoryStatus.DRAFT: Stage.RECEIVED,
    StoryStatus.APPROVED: Stage.APPROVED,
    StoryStatus.SCHEDULED: Stage.SCHEDULED,
    StoryStatus.POSTED: Stage.POSTED,
    StoryStatus.PARTLY_POSTED: Stage.POSTED,
    StoryStatus.FAILED: Stage.NOT_USED,
    StoryStatus.REJECTED: Stage.NOT_USED,
    StoryStatus.WITHDRAWN: Stage.WITHDRAWN,
}


def stage_of(status: str) -> Stage:
    return _STAGES[StoryStatus(status)]


def link_expires_at(
    campaign_end: date | None, timezone: ZoneInfo, retention: timedelta
) -> datetime | None:
    """When a storyteller's link stops working: ``retention`` after the end of the
    campaign's last day (local time); never while the campaign has no end date."""
    if campaign_end is None:
        return None
    end = datetime.combine(campaign_end + timedelta(days=1), time(0), tzinfo=timezone)
    return end + retention


def link_works(now: datetime, expires_at: datetime | None) -> bool:
    return expires_at is None or now < expires_at


def erasure_due(withdrawn_at: datetime, retention: timedelta) -> datetime:
    """When a withdrawn story's personal fields are erased."""
    return withdrawn_at + retention


def token_digest(token: str) -> str:
    """What the database keeps of a storyteller's token (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def erased_fingerprint(story_id: int) -> str:
    """An erased story's fingerprint: unique, and derived from nothing the storyteller wrote."""
    digest = hashlib.sha256(f"erased story {story_id}".encode()).hexdigest()
    return digest[:FINGERPRINT_CHARS]


PLATFORM_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "outbox": "Outbox"}


def platform_name(name: str) -> str:
    """A platform as people name it: ``x`` is X, ``mastodon`` Mastodon."""
    return PLATFORM_NAMES.get(name, name[:1].upper() + name[1:])
