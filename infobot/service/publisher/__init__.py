"""Publishing: claim a day's slot, render, fan out to platforms, record every step.

The guarantees (DESIGN.md invariants 1-4) are kept by its three parts:

- :mod:`.claims`: a slot is claimed by inserting the (campaign, local date) row, so the
  database decides between racing processes; a day with nothing to post is recorded too.
- :mod:`.sending`: the intent to send each part is committed before the network call and
  its result right after; a part in doubt is looked up on the platform before any resend.
- :mod:`.ledger`: each step of a delivery is one transaction with its audit event; the
  story and its day follow their deliveries.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime

from infobot.clock import Clock
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.render import RenderOptions
from infobot.domain.schedule import SlotStatus
from infobot.service.pool import PlatformPool
from infobot.service.publisher.claims import NOTHING_TO_POST, Claims
from infobot.service.publisher.ledger import Ledger
from infobot.service.publisher.outcomes import Claim, Delivered, Outcome
from infobot.service.publisher.sending import Sender
from infobot.store.db import Database

__all__ = ["NOTHING_TO_POST", "Claim", "Delivered", "Outcome", "Publisher"]


class Publisher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        campaign_id: int,
        platforms: PlatformPool,
        options: RenderOptions,
        *,
        worker: str = "infobot",
        rng: random.Random | None = None,
    ) -> None:
        self.worker = worker
        self.ledger = Ledger(db, clock, campaign_id, worker=worker, rng=rng)
        self.claims = Claims(self.ledger, platforms.enabled)
        self.sender = Sender(self.ledger, platforms, options)

    def claim(
        self,
        day: date,
        *,
        story_id: int | None = None,
        platforms: Sequence[str] | None = None,
        due_at: datetime | None = None,
    ) -> Claim:
        return self.claims.claim(day, story_id=story_id, platforms=platforms, due_at=due_at)

    def record_missed(
        self, day: date, reason: str, status: SlotStatus = SlotStatus.MISSED
    ) -> Claim:
        return self.claims.record_missed(day, reason, status)

    def schedule_extra(self, story_id: int, platforms: Sequence[str]) -> None:
        self.claims.schedule_extra(story_id, platforms)

    def deliver(
        self, story_id: int, platforms: Sequence[str] | None = None, *, retry_now: bool = False
    ) -> Delivered:
        return self.sender.deliver(story_id, platforms, retry_now=retry_now)

    def deliver_one(self, delivery_id: int) -> Outcome:
        return self.sender.deliver_one(delivery_id)

    def give_up(self, delivery_id: int, reason: str) -> Outcome:
        """Fail a delivery for good: its late window closed before it could go out."""
        return self.ledger.finish(delivery_id, DeliveryStatus.FAILED, reason)

    def settle(self, story_id: int) -> None:
        self.ledger.settle(story_id)
