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

from infobot.clock import Clock
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.render import RenderOptions
from infobot.service.media import MediaFolder
from infobot.service.pool import PlatformPool
from infobot.service.publisher.claims import NOTHING_TO_POST, Claims
from infobot.service.publisher.ledger import Ledger
from infobot.service.publisher.outcomes import Claim, Delivered, Outcome
from infobot.service.publisher.sending import Sender, SpendGuard
from infobot.store.db import Database

__all__ = ["NOTHING_TO_POST", "Claim", "Delivered", "Outcome", "Publisher"]


class Publisher(Claims, Sender):
    """Claims days and sends stories, recording every step in its ledger."""

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
        guard: SpendGuard | None = None,
        media: MediaFolder | None = None,
    ) -> None:
        self.worker = worker
        self.guard = guard
        ledger = Ledger(db, clock, campaign_id, worker=worker, rng=rng)
        super().__init__(ledger, platforms, options)
        self.media = media

    def settle(self, story_id: int) -> None:
        """The story and its day follow their deliveries."""
        self.ledger.settle(story_id)

    def give_up(self, delivery_id: int, reason: str) -> Outcome:
        """Fail a delivery for good: its late window closed before it could go out."""
        return self.ledger.finish(delivery_id, DeliveryStatus.FAILED, reason)
