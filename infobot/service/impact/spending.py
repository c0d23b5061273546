"""What X costs, as it happens: the ledger of every request and the monthly budget.

:class:`XSpending` is the recorder the composition root gives the X adapter (every answer
X gives becomes a ledger row, priced by the settings' table; only 2xx answers are charged),
and the guard the publisher asks before a story goes to X: a delivery whose remaining
posts would take the billing month over ``INFOBOT_X__MONTHLY_BUDGET`` is refused on X
alone, with the rule's reason (:func:`infobot.domain.costs.check_request`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from infobot.clock import Clock
from infobot.domain.costs import (
    BillingMonth,
    BudgetDecision,
    Pricing,
    XRequest,
    check_request,
    cost_of_posts,
    post_kind,
)
from infobot.domain.render import Post
from infobot.store import xledger
from infobot.store.db import Database

log = logging.getLogger("infobot.xcost")
X = "x"


class XSpending:
    def __init__(
        self, db: Database, clock: Clock, pricing: Pricing, budget: Decimal | None
    ) -> None:
        self.db = db
        self.clock = clock
        self.pricing = pricing
        self.budget = budget

    # -- the ledger ------------------------------------------------------------------------
    def __call__(self, kind: XRequest, units: int, status: int) -> None:
        """Record one request X answered (the adapter's recorder)."""
        cost = self.pricing.cost(kind, units) if 200 <= status < 300 else Decimal(0)
        with self.db.write() as session:
            xledger.add(session, self.clock.now(), kind, units, status, cost)

    def spent(self, at: datetime | None = None) -> Decimal:
        """The billing month's spend so far (the month of ``at``, default now)."""
        month = BillingMonth.of(at or self.clock.now())
        with self.db.read() as session:
            return xledger.spent(session, month.start, month.end)

    # -- the budget ------------------------------------------------------------------------
    def check_post(self, posts: Sequence[Post]) -> BudgetDecision:
        """May these posts (a delivery's parts still to send) go to X now?"""
        now = self.clock.now()
        cost = cost_of_posts(posts, self.pricing)
        kind = post_kind(any(post_kind(p.text) is XRequest.POST_WITH_URL for p in posts))
        spent = self.spent(now) if self.budget is not None else Decimal(0)
        return check_request(kind, cost, at=now, spent=spent, budget=self.budget)

    def refusal(self, platform: str, posts: Sequence[Post]) -> str | None:
        """The publisher's guard: why these posts may not go to ``platform``, or None."""
        if platform != X or self.budget is None or not posts:
            return None
        decision = self.check_post(posts)
        if decision.allowed:
            return None
        log.warning("X budget: %s", decision.reason)
        return decision.reason

    def check_read(self, posts: int, reserve: Decimal) -> BudgetDecision:
        """May infobot read ``posts`` posts' counts on X now, keeping ``reserve`` for the
        month's planned posts? (Priced by id, the dearer read: a cautious answer.)"""
        now = self.clock.now()
        cost = self.pricing.cost(XRequest.READ_BY_ID, posts)
        spent = self.spent(now) if self.budget is not None else Decimal(0)
        return check_request(
            XRequest.READ_BY_ID, cost, at=now, spent=spent, budget=self.budget, reserve=reserve
        )
