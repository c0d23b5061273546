"""The public share form's submissions: checked, limited, stored as ``submitted``.

A submission is checked whole before anything is written: the answers (the domain's
:func:`~infobot.domain.intake.check_share`), the picture (its content read with Pillow and
cleaned of metadata, in memory) and the story itself (the same field checks as every
story). Then, in one transaction, the limits per address and per campaign are counted, the
story and its consent record are written and the event is recorded. A refusal at any step
stores nothing. The storyteller gets a private token; the database keeps its digest.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from infobot.clock import Clock
from infobot.domain.errors import UserError
from infobot.domain.intake import (
    LABELS,
    SHARE_FORM,
    STORYTELLER,
    TOKEN_BYTES,
    Consent,
    ShareForm,
    check_share,
    story_from_share,
    token_digest,
)
from infobot.domain.story import StoryInput, StoryStatus
from infobot.domain.validate import validate_record
from infobot.service import audit
from infobot.service.imaging import KIND_WORDS, NotAPicture, Picture, clean
from infobot.service.intake.consent import ConsentText, current
from infobot.service.media import MediaFolder
from infobot.store import campaigns, events, intake, stories
from infobot.store.db import Database

#: A story field's problem is shown at the question that gave it.
_FORM_FIELD = {
    "title": "title",
    "body": "body",
    "author": "name",
    "consent_by": "name",
    "role": "role",
    "organisation": "organisation",
    "image_alt": "image_alt",
    "image": "image",
}


@dataclass(frozen=True)
class IntakeRules:
    """The share form's limits, from the settings."""

    per_address: int = 10  # submissions from one address per window
    per_campaign: int = 200  # submissions to one campaign per window
    window: timedelta = timedelta(hours=1)
    retention: timedelta = timedelta(days=180)


class FormRefused(UserError):
    """The answers have problems (field, message); nothing was stored."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class TooManySubmissions(UserError):
    """A limit was reached; nothing was stored. ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Receipt:
    story_id: int
    token: str  # the storyteller's private link holds it; shown once, never stored


def address_key(address: str) -> str:
    """What the limits count by: a digest of the address, not the address itself."""
    return hashlib.sha256(f"share form {address}".encode()).hexdigest()[:40]


class ShareDesk:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        campaign_id: int,
        media: MediaFolder,
        rules: IntakeRules,
        timezone: ZoneInfo,
        consent: ConsentText | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id
        self.media = media
        self.rules = rules
        self.timezone = timezone
        self.consent = consent or current()

    def submit(self, form: ShareForm, *, image: bytes | None, address: str, nonce: str) -> Receipt:
        """Store the story as ``submitted`` with its consent record, or raise
        ``FormRefused`` / ``TooManySubmissions`` having stored nothing."""
        problems = check_share(form)
        picture = self._picture(image, problems)
        today = self.clock.now().astimezone(self.timezone).date()
        story = story_from_share(
            form,
            consent_version=self.consent.version,
            today=today,
            image=picture.name if picture else "",
        )
        if not problems:
            problems.extend(self._story_problems(story, picture))
        if problems:
            raise FormRefused(problems)
        return self._store(form, story, picture, address, nonce)

    def _picture(self, image: bytes | None, problems: list[tuple[str, str]]) -> Picture | None:
        if image is None:
            return None
        if len(image) > self.media.max_bytes:
            limit = self.media.limit_words
            problems.append(("image", f"The picture must be smaller than {limit}"))
            return None
        try:
            return clean(image)
        except NotAPicture:
            problems.append(
                ("image", f"The picture must be {KIND_WORDS}; the file chosen is not one")
            )
            return None

    def _story_problems(self, story: StoryInput, picture: Picture | None) -> list[tuple[str, str]]:
        """The checks every story passes (characters, lengths, dates), on the form's words."""

        def pending(text: str) -> tuple[str, str | None]:  # the picture is not stored yet
            return text, None if picture is not None and text == picture.name else "unknown"

        values = {k: v for k, v in story.flat().items() if v not in (None, "")}
        _, found = validate_record(
            values, file=SHARE_FORM, line=None, require_consent=True, images=pending
        )
        problems = []
        for problem in found:
            field = _FORM_FIELD.get(problem.field, "")
            label = LABELS.get(field, "Your answer")
            problems.append((field, f"{label}: {problem.message}"))
        return problems

    def _store(
        self, form: ShareForm, story: StoryInput, picture: Picture | None, address: str, nonce: str
    ) -> Receipt:
        now = self.clock.now()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.db.write() as session:
            if intake.nonce_used(session, nonce):
                raise FormRefused(
                    [("", "This form has already been sent. Your story was received once.")]
                )
            self._count(session, address, now)
            if stories.duplicate_of(session, self.campaign_id, story.fingerprint()) is not None:
                raise FormRefused([("body", "We already have this story from you")])
            if picture is not None:
                self.media.store(picture)
            campaigns.lock(session, self.campaign_id)
            row = stories.new_row(
                self.campaign_id,
                story,
                sort_key=stories.next_sort_key(session, self.campaign_id),
                actor=STORYTELLER,
                source=SHARE_FORM,
                now=now,
            )
            row.status = StoryStatus.SUBMITTED
            session.add(row)
            session.flush()
            session.add(
                intake.new_submission(
                    story_id=row.id,
                    campaign_id=self.campaign_id,
                    token_digest=token_digest(token),
                    form_nonce=nonce,
                    consent_version=self.consent.version,
                    consents=form.consents,
                    name=form.name,
                    role=form.role,
                    organisation=form.organisation,
                    email=form.email,
                    now=now,
                )
            )
            chosen = ", ".join(c.value for c in Consent if c in form.consents)
            events.record(
                session,
                at=now,
                actor=STORYTELLER,
                action="story.submitted",
                campaign_id=self.campaign_id,
                story_id=row.id,
                after=audit.snapshot(row),
                message=f"sent through the share form (consent text {self.consent.version}:"
                f" {chosen})",
            )
            return Receipt(row.id, token)

    def _count(self, session: Session, address: str, now: datetime) -> None:
        """Count this submission against each limit, or refuse it (the transaction, and
        with it everything, is then rolled back)."""
        rules = self.rules
        limits = {
            ("address", address_key(address)): rules.per_address,
            ("campaign", str(self.campaign_id)): rules.per_campaign,
        }
        intake.prune_counts(session, now - 2 * rules.window)
        rows = intake.take(session, list(limits), now, now - rules.window)
        for (scope, key), limit in limits.items():
            row = rows[(scope, key)]
            if row.count < limit:
                continue
            wait = max(1, int((row.window_start + rules.window - now).total_seconds()) + 1)
            minutes = max(1, round(wait / 60))
            later = f"in {minutes} minute{'s' if minutes != 1 else ''}"
            if scope == "address":
                message = (
                    f"You have sent {limit} stories in the last hour, the most we take from "
                    f"one place. Please try again {later}. Your story was not sent."
                )
            else:
                message = (
                    "We have received a lot of stories in the last hour. Please try again "
                    f"{later}. Your story was not sent."
                )
            raise TooManySubmissions(message, wait)
        for row in rows.values():
            row.count += 1
