"""Pre-election periods (dates and a reason; nothing posts between them) and the stories an
approver marks essential, to go out inside one. Blackouts stay for single days."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from infobot.domain.election import ElectionPeriod, Essential, gov_uk_date
from infobot.domain.errors import Hint, InvalidTransition, UserError
from infobot.domain.story import SENT, StoryStatus
from infobot.service.editorial.desk import Desk
from infobot.store import elections, stories
from infobot.store.models import Story


class ElectionDesk(Desk):
    def election_add(self, period: ElectionPeriod, *, actor: str) -> list[str]:
        """Add a pre-election period; returns warnings (stories pinned inside it)."""
        if period.end < self.today():
            raise UserError(f"the period ends on {period.end.isoformat()}, which is in the past")
        warnings = []
        with self.db.write() as session:
            if elections.find(session, self.campaign_id, period.start, period.end) is not None:
                raise UserError(
                    f"there is already a pre-election period from {period.start.isoformat()}"
                    f" to {period.end.isoformat()}"
                )
            elections.add(session, self.campaign_id, period, actor=actor, now=self.now())
            for story in stories.approved_pinned(
                session, self.campaign_id, period.start, period.end
            ):
                if not story.essential_reason and story.pin_date is not None:
                    warnings.append(
                        f"story #{story.id} is pinned to {story.pin_date.isoformat()}, inside the"
                        " period: it will not post unless an approver marks it essential"
                        " (or pin it to another date)"
                    )
            self.event(
                session,
                actor=actor,
                action="election.added",
                after=_values(period),
                message=f"pre-election period {_span(period)} ({period.reason})",
            )
        return warnings

    def election_remove(self, first: date, *, actor: str) -> ElectionPeriod:
        """Remove the pre-election period that starts on ``first``."""
        with self.db.write() as session:
            row = elections.find(session, self.campaign_id, first)
            if row is None:
                raise UserError(f"no pre-election period starts on {first.isoformat()}")
            period = elections.period_of(row)
            if row.source == elections.SETTINGS:
                raise UserError(
                    f"the period {_span(period)} comes from the settings"
                    " (INFOBOT_ELECTION_PERIODS): remove it there"
                )
            session.delete(row)
            self.event(
                session,
                actor=actor,
                action="election.removed",
                before=_values(period),
                message=f"pre-election period {_span(period)} removed",
            )
            return period

    # -- essential stories -----------------------------------------------------------------
    def mark_essential(self, story_id: int, *, reason: str, actor: str) -> Story:
        """An approver's decision that a story goes out inside a pre-election period."""
        try:
            mark = Essential(reason.strip(), actor.strip())
        except ValueError as exc:
            hint = Hint.GIVE_REASON if not reason.strip() else Hint.NAME_ACTOR
            raise UserError(str(exc), hint=hint) from None
        with self.db.write() as session:
            story = self._markable(session, story_id)
            self.change(
                session,
                story,
                actor=actor,
                action="story.essential",
                message=f"marked essential: {mark.reason}",
                touch=False,
                essential_reason=mark.reason,
                essential_by=mark.marked_by,
                essential_at=self.now(),
            )
            return story

    def unmark_essential(self, story_id: int, *, actor: str) -> Story:
        with self.db.write() as session:
            story = self._markable(session, story_id)
            if not story.essential_reason:
                raise UserError(f"story #{story_id} is not marked essential")
            self.change(
                session,
                story,
                actor=actor,
                action="story.not_essential",
                message="no longer essential",
                touch=False,
                essential_reason="",
                essential_by="",
                essential_at=None,
            )
            return story

    def _markable(self, session: Session, story_id: int) -> Story:
        story = stories.get(session, story_id, self.campaign_id)
        status = StoryStatus(story.status)
        if status in SENT or status is StoryStatus.WITHDRAWN:
            raise InvalidTransition(f"story #{story_id} is {story.status}: it no longer posts")
        return story


def _values(period: ElectionPeriod) -> dict[str, object]:
    return {"first_day": period.start, "last_day": period.end, "reason": period.reason}


def _span(period: ElectionPeriod) -> str:
    return f"{gov_uk_date(period.start)} to {gov_uk_date(period.end)}"
