"""What every editorial operation shares: the clock, the audit trail, and the pin rules.

Each public operation is one transaction: it completes, or raises a ``UserError`` and
changes nothing. Every change writes an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from infobot.clock import Clock
from infobot.domain.calendar import DayOff
from infobot.domain.dates import long_date, weekday_date
from infobot.domain.errors import UserError
from infobot.domain.story import StoryStatus
from infobot.service import audit
from infobot.service.checks import StoryChecker
from infobot.service.media import MediaFolder
from infobot.service.pool import PlatformPool
from infobot.store import campaigns, events, stories
from infobot.store.db import Database
from infobot.store.models import Story

if TYPE_CHECKING:
    from infobot.service.linkcards import LinkCards


@dataclass(frozen=True)
class EditorialRules:
    """The team's own rules, from the settings."""

    require_consent: bool = True  # consent_by and consent_date before approval
    four_eyes: bool = False  # the approver is not who added or last edited the story


@dataclass(frozen=True)
class DeskParts:
    """What the editorial desks are built with."""

    db: Database
    clock: Clock
    campaign_id: int
    timezone: ZoneInfo  # the campaign's: what "today" and "in the past" mean
    rules: EditorialRules
    checker: StoryChecker  # approval's checks against every enabled platform
    platforms: PlatformPool  # withdrawal deletes the live posts
    link_cards: LinkCards | None = None  # reads the page behind a link at approval
    media: MediaFolder | None = None  # where a story's picture is (None: no local pictures)


class Desk:
    def __init__(self, parts: DeskParts) -> None:
        self.db = parts.db
        self.clock = parts.clock
        self.campaign_id = parts.campaign_id
        self.timezone = parts.timezone
        self.rules = parts.rules
        self.checker = parts.checker
        self.platforms = parts.platforms
        self.link_cards = parts.link_cards
        self.media = parts.media

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(self.timezone).date()

    def event(self, session: Session, **kwargs: Any) -> None:
        events.record(session, at=self.now(), campaign_id=self.campaign_id, **kwargs)

    def change(
        self,
        session: Session,
        story: Story,
        *,
        actor: str,
        action: str,
        message: str,
        touch: bool = True,
        **values: Any,
    ) -> None:
        """Set ``values`` on the story and record the event with what changed (``touch``:
        the story counts as updated now)."""
        before = audit.snapshot(story)
        for name, value in values.items():
            setattr(story, name, value)
        if touch:
            story.updated_at = self.now()
        old, new = audit.diff(before, audit.snapshot(story))
        self.event(
            session,
            actor=actor,
            action=action,
            story_id=story.id,
            before=old,
            after=new,
            message=message,
        )

    def set_status(
        self,
        session: Session,
        story: Story,
        status: StoryStatus,
        reason: str,
        *,
        actor: str,
        **also: Any,
    ) -> None:
        """Move the story to ``status`` for a reason people read (the audit trail, the story)."""
        self.change(
            session,
            story,
            actor=actor,
            action=f"story.{status}",
            message=reason,
            status=status,
            status_reason=reason,
            **also,
        )

    def check_pin(
        self, session: Session, day: date, story_id: int | None, where: str = "pin_date"
    ) -> None:
        """A story may be pinned to a coming posting day that no other story holds."""
        if day < self.today():
            raise UserError(f"{where}: {long_date(day)} is in the past")
        calendar = campaigns.calendar(session, self.campaign_id)
        off = calendar.day_off(day)
        if off is DayOff.ELECTION_PERIOD and story_id is not None:
            if stories.by_id(session, story_id).essential_reason:
                return self._check_pin_free(session, day, story_id, where)
            raise UserError(
                f"{where}: nothing posts on {weekday_date(day)} ({calendar.describe(off, day)})"
                " but a story an approver marked essential; mark it essential first"
            )
        if off is not None:
            raise UserError(
                f"{where}: nothing posts on {weekday_date(day)} ({calendar.describe(off, day)})"
            )
        self._check_pin_free(session, day, story_id, where)

    def _check_pin_free(
        self, session: Session, day: date, story_id: int | None, where: str
    ) -> None:
        other = stories.pinned_on(session, self.campaign_id, day)
        if other is not None and other.id != story_id:
            raise UserError(
                f"{where}: story #{other.id} ({other.title or 'untitled'}) is already pinned to "
                f"{weekday_date(day)}; unpin it first"
            )
