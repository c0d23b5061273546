"""Claiming a day: the slot row decides, not Python (invariant 1).

A slot is claimed by inserting the (campaign, local date) row: the unique constraint decides
between racing processes. A day with nothing to post is recorded too (``skipped``, or
``missed`` after an outage), so no day is lost silently (invariant 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infobot.domain.errors import InvalidTransition, NotFound
from infobot.domain.schedule import SlotStatus
from infobot.domain.story import StoryAction, StoryStatus, allowed
from infobot.service.publisher.ledger import LedgerUser
from infobot.service.publisher.outcomes import Claim
from infobot.store import deliveries, elections, slots, stories
from infobot.store.models import Slot, Story

#: Why a day's slot is skipped when it comes with nothing approved to post.
NOTHING_TO_POST = "no approved story in the queue"


class Claims(LedgerUser):
    def claim(
        self,
        day: date,
        *,
        story_id: int | None = None,
        platforms: Sequence[str] | None = None,
        due_at: datetime | None = None,
        election: str = "",
    ) -> Claim:
        """Take ``day``'s slot for a story (the named one, the pin, or the next in queue).

        ``election`` is the reason when the day is inside a pre-election period: then only
        a story marked essential may take it (see ``infobot.store.elections.essential_for``).
        Records a ``skipped`` slot when there is nothing to post, so the day is never
        lost silently. Returns the existing claim when the slot is already taken.
        """
        names = list(platforms or self.platforms.enabled)
        try:
            with self.db.write() as session:
                existing = slots.on(session, self.campaign_id, day)
                if existing is not None:
                    return _claim_of(existing, created=False)
                story = self._pick(session, day, story_id, election)
                if story is None:
                    reason = election or NOTHING_TO_POST
                    return self._no_post(session, day, SlotStatus.SKIPPED, reason, due_at)
                slot = slots.add(
                    session,
                    self.campaign_id,
                    day,
                    status=SlotStatus.CLAIMED,
                    story_id=story.id,
                    worker=self.ledger.worker,
                    now=self.ledger.now(),
                    due_at=due_at,
                )
                self._schedule(session, story, slot.id, names)
                self.ledger.event(
                    session,
                    action="slot.claimed",
                    story_id=story.id,
                    after={"day": day, "story_id": story.id},
                    message=f"story #{story.id} claimed {day.isoformat()}",
                )
                return Claim(day, slot.id, story.id, True, SlotStatus.CLAIMED)
        except IntegrityError:
            return self._taken(day)

    def record_missed(
        self, day: date, reason: str, status: SlotStatus = SlotStatus.MISSED
    ) -> Claim:
        """Record a day with no post (``missed``: outage past the late window; ``skipped``:
        paused or blackout), unless the day was already claimed."""
        try:
            with self.db.write() as session:
                existing = slots.on(session, self.campaign_id, day)
                if existing is not None:
                    return Claim(day, existing.id, existing.story_id, False, existing.status)
                return self._no_post(session, day, status, reason)
        except IntegrityError:
            return self._taken(day)

    def _no_post(
        self,
        session: Session,
        day: date,
        status: SlotStatus,
        reason: str,
        due_at: datetime | None = None,
    ) -> Claim:
        """Insert the slot of a day that posts nothing, with its reason and event."""
        slot = slots.add(
            session,
            self.campaign_id,
            day,
            status=status,
            story_id=None,
            worker=self.ledger.worker,
            now=self.ledger.now(),
            reason=reason,
            due_at=due_at,
        )
        self.ledger.event(session, action=f"slot.{status}", after={"day": day}, message=reason)
        return Claim(day, slot.id, None, True, status, reason)

    def _taken(self, day: date) -> Claim:
        """The claim another process won between our read and our insert."""
        with self.db.read() as session:
            taken = slots.on(session, self.campaign_id, day)
            assert taken is not None
            return _claim_of(taken, created=False)

    def _pick(
        self, session: Session, day: date, story_id: int | None, election: str = ""
    ) -> Story | None:
        languages = self.options.languages
        if story_id is not None:
            story = self._named(session, story_id)
            if not allowed(StoryAction.CLAIM, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status}; only approved stories can be posted"
                )
            check_essential(story, election)
            return story
        if election:
            return elections.essential_for(session, self.campaign_id, day, languages)
        pinned = stories.approved_pinned_on(session, self.campaign_id, day, languages)
        return pinned or stories.next_in_queue(session, self.campaign_id, languages)

    def _named(self, session: Session, story_id: int) -> Story:
        story = session.get(Story, story_id)
        if story is None or story.campaign_id != self.campaign_id:
            raise NotFound(f"there is no story #{story_id}")
        return story

    def _schedule(
        self, session: Session, story: Story, slot_id: int | None, platforms: Sequence[str]
    ) -> None:
        now = self.ledger.now()
        before = story.status
        story.status = StoryStatus.SCHEDULED
        story.updated_at = now
        existing = deliveries.platforms_of(session, story.id)
        for name in platforms:
            if name not in existing:
                deliveries.add(session, self.campaign_id, story.id, slot_id, name, now)
        self.ledger.event(
            session,
            action="story.scheduled",
            story_id=story.id,
            before={"status": before},
            after={"status": story.status},
            message="claimed for posting",
        )

    def schedule_extra(
        self, story_id: int, platforms: Sequence[str], *, election: str = ""
    ) -> None:
        """A named story sent outside the daily slot (post-now when today is taken);
        inside a pre-election period (``election``) only an essential story may go."""
        with self.db.write() as session:
            story = self._named(session, story_id)
            if not allowed(StoryAction.SEND_EXTRA, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status}; only approved stories can be posted"
                )
            check_essential(story, election)
            if story.status == StoryStatus.APPROVED:
                self._schedule(session, story, None, platforms)
            else:
                have = deliveries.platforms_of(session, story.id)
                missing = [p for p in platforms if p not in have]
                if missing:
                    self._schedule(session, story, None, missing)


def check_essential(story: Story, election: str) -> None:
    """Inside a pre-election period only a story marked essential may post."""
    if election and not story.essential_reason:
        raise InvalidTransition(
            f"story #{story.id} cannot post today: {election}. Only a story an approver"
            " marked essential goes out inside it (infobot stories essential ID --reason ...)"
        )


def _claim_of(slot: Slot, *, created: bool) -> Claim:
    return Claim(slot.local_date, slot.id, slot.story_id, created, slot.status, slot.reason)
