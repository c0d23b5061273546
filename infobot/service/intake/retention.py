"""Erasure: a withdrawn story's personal fields are erased after the retention period.

What stays is an anonymous record: the story's number, campaign, status, dates and the
audit trail of who on the team did what and when, with the erased fields taken out of the
events' before and after. The picture is deleted from the media folder unless another
story uses it, and the storyteller's link stops working. The daemon runs this every
minute; ``infobot share erase`` runs it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from infobot.clock import Clock
from infobot.domain.intake import ERASED, erased_fingerprint
from infobot.service.media import MediaFolder
from infobot.store import events, intake
from infobot.store.db import Database

ACTOR = "retention"
#: The story fields that may name or describe a person, erased with the story.
PERSONAL: frozenset[str] = frozenset(
    {
        "title",
        "body",
        "author",
        "role",
        "organisation",
        "link",
        "image",
        "image_alt",
        "consent_by",
        "consent_scope",
        "notes",
        "status_reason",
    }
)


@dataclass
class Erasure:
    story_ids: list[int] = field(default_factory=list)
    pictures: int = 0  # picture files deleted


class Retention:
    def __init__(
        self, db: Database, clock: Clock, media: MediaFolder | None, *, retention: timedelta
    ) -> None:
        self.db = db
        self.clock = clock
        self.media = media
        self.retention = retention

    def due(self) -> list[int]:
        """The withdrawn stories whose personal fields are due to be erased now."""
        with self.db.read() as session:
            cutoff = self.clock.now() - self.retention
            return intake.ids_due_for_erasure(session, cutoff)

    def erase_due(self) -> Erasure:
        """Erase every withdrawn story past the retention period, in one transaction (a read
        first: the daemon asks every minute, and nearly always nothing is due)."""
        done = Erasure()
        if not self.due():
            return done
        now = self.clock.now()
        with self.db.write() as session:
            found = intake.due_for_erasure(session, now - self.retention)
            for story in found:
                picture = story.image
                for name in PERSONAL:
                    setattr(story, name, "")
                story.body = ERASED
                story.fingerprint = erased_fingerprint(story.id)
                story.erased_at = now
                submission = intake.of_story(session, story.id)
                if submission is not None:
                    submission.name = submission.role = ""
                    submission.organisation = submission.email = ""
                    submission.token_digest = None
                    submission.erased_at = now
                intake.scrub_events(session, story.id, PERSONAL)
                events.record(
                    session,
                    at=now,
                    actor=ACTOR,
                    action="story.erased",
                    campaign_id=story.campaign_id,
                    story_id=story.id,
                    message=f"personal fields erased {self.retention.days} days after the "
                    "story was withdrawn",
                )
                unused = picture and not intake.image_in_use(session, picture, story.id)
                if unused and self.media is not None and self.media.delete(picture):
                    done.pictures += 1
                done.story_ids.append(story.id)
        return done
