"""Editorial operations: add, edit, approve, reject, reorder, pin, withdraw, pause, blackouts.

Each operation is one transaction: it completes, or raises a ``UserError`` and changes
nothing. Every change writes an audit event. The parts:

- :mod:`.authoring`: add and edit (an edit sends an approved story back to draft);
- :mod:`.review`: approve (checked against every platform) and reject;
- :mod:`.ordering`: move in the queue, pin to a date, unpin;
- :mod:`.withdrawal`: withdraw, deleting the live posts;
- :mod:`.campaign`: pause, resume and blackout dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from infobot.service.checks import StoryChecker
from infobot.service.editorial.authoring import Authoring
from infobot.service.editorial.campaign import CampaignDesk
from infobot.service.editorial.desk import DeskParts, EditorialRules
from infobot.service.editorial.ordering import Ordering
from infobot.service.editorial.review import Approval, Review
from infobot.service.editorial.withdrawal import Deletion, Withdrawal, Withdrawals
from infobot.service.pool import PlatformPool
from infobot.store.models import Story

__all__ = ["Approval", "Deletion", "DeskParts", "Editorial", "EditorialRules", "Withdrawal"]


class Editorial:
    def __init__(self, parts: DeskParts, checker: StoryChecker, platforms: PlatformPool) -> None:
        self.authoring = Authoring(parts)
        self.review = Review(parts, checker)
        self.ordering = Ordering(parts)
        self.withdrawals = Withdrawals(parts, platforms)
        self.campaign = CampaignDesk(parts)

    def add(self, data: Mapping[str, object], *, actor: str, source: str = "cli") -> Story:
        return self.authoring.add(data, actor=actor, source=source)

    def edit(self, story_id: int, changes: Mapping[str, object], *, actor: str) -> Story:
        return self.authoring.edit(story_id, changes, actor=actor)

    def approve(self, story_ids: Sequence[int], *, actor: str) -> list[Approval]:
        return self.review.approve(story_ids, actor=actor)

    def reject(self, story_id: int, *, reason: str, actor: str) -> Story:
        return self.review.reject(story_id, reason=reason, actor=actor)

    def move(self, story_id: int, position: int, *, actor: str) -> Story:
        return self.ordering.move(story_id, position, actor=actor)

    def pin(self, story_id: int, day: date, *, actor: str) -> Story:
        return self.ordering.pin(story_id, day, actor=actor)

    def unpin(self, story_id: int, *, actor: str) -> Story:
        return self.ordering.unpin(story_id, actor=actor)

    def withdraw(self, story_id: int, *, reason: str, actor: str) -> Withdrawal:
        return self.withdrawals.withdraw(story_id, reason=reason, actor=actor)

    def pause(self, *, until: date | None, reason: str, actor: str) -> None:
        self.campaign.pause(until=until, reason=reason, actor=actor)

    def resume(self, *, actor: str) -> bool:
        return self.campaign.resume(actor=actor)

    def blackout_add(self, day: date, *, reason: str, actor: str) -> list[str]:
        return self.campaign.blackout_add(day, reason=reason, actor=actor)

    def blackout_remove(self, day: date, *, actor: str) -> None:
        self.campaign.blackout_remove(day, actor=actor)
