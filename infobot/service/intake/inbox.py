"""What the team sees of the share form: the stories it has not looked at yet ("New from
the form", first on the queue page) and a story's consent record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infobot.domain.intake import Consent
from infobot.store import intake
from infobot.store.db import Database


@dataclass(frozen=True)
class NewStory:
    id: int
    title: str
    body: str
    storyteller: str  # the name given on the form (for the team only)
    received_at: datetime
    has_image: bool


@dataclass(frozen=True)
class ConsentRecord:
    """A story's consent as its storyteller gave it on the form (for the team only)."""

    version: str
    consents: frozenset[Consent]
    at: datetime
    name: str
    role: str
    organisation: str
    email: str
    withdrawn_at: datetime | None
    erased_at: datetime | None


class Inbox:
    def __init__(self, db: Database, campaign_id: int) -> None:
        self.db = db
        self.campaign_id = campaign_id

    def new_from_form(self, limit: int = 20) -> tuple[int, list[NewStory]]:
        """How many stories from the form wait for the team, and the oldest ``limit``."""
        with self.db.read() as session:
            total = intake.count_submitted(session, self.campaign_id)
            if not total:  # the usual answer: one query, not three
                return 0, []
            found = intake.submitted(session, self.campaign_id, limit)
            given = intake.of_stories(session, [s.id for s in found])
        return total, [
            NewStory(
                s.id,
                s.title,
                s.body,
                given[s.id].name if s.id in given else s.consent_by,
                s.created_at,
                bool(s.image),
            )
            for s in found
        ]

    def consent_of(self, story_id: int) -> ConsentRecord | None:
        with self.db.read() as session:
            found = intake.of_story(session, story_id)
            if found is None or found.campaign_id != self.campaign_id:
                return None
            chosen = {
                Consent.POST: found.consent_post,
                Consent.NAME: found.consent_name,
                Consent.ROLE: found.consent_role,
            }
            return ConsentRecord(
                found.consent_version,
                frozenset(c for c, given in chosen.items() if given),
                found.consented_at,
                found.name,
                found.role,
                found.organisation,
                found.email,
                found.withdrawn_at,
                found.erased_at,
            )
