"""What the coming posts will cost on X: each planned day's story rendered for X with the
posting renderer and priced part by part, for the reserve that stops reads before posts
are refused, for the budget's runway alert, and for the preview and the calendar."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from infobot.clock import Clock
from infobot.domain.costs import (
    BudgetAlert,
    PlannedPost,
    Pricing,
    budget_alert,
    budget_runway,
    cost_of_posts,
    month_reserve,
)
from infobot.service.checks import StoryChecker
from infobot.service.impact.spending import X, XSpending
from infobot.service.read.plan import COMING, Planner
from infobot.store import stories
from infobot.store.db import Database
from infobot.store.models import Story

#: How far ahead the runway looks (a year: the longest preview).
HORIZON_DAYS = 366
#: A forecast is worked out again after this long (or when asked for another horizon).
FRESH = timedelta(hours=1)


def x_cost(checker: StoryChecker, pricing: Pricing, story: Story) -> Decimal | None:
    """What posting ``story`` to X would cost, or None when X is not enabled."""
    rules = checker.rules().get(X)
    if rules is None:
        return None
    return cost_of_posts(checker.render(stories.to_input(story), rules, X).posts, pricing)


class XForecast:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        planner: Planner,
        checker: StoryChecker,
        spending: XSpending,
    ) -> None:
        self.db = db
        self.clock = clock
        self.planner = planner
        self.checker = checker
        self.spending = spending
        self._lock = threading.Lock()
        self._cached: tuple[datetime, int, list[PlannedPost], date | None] | None = None

    def planned(self, days: int = HORIZON_DAYS) -> tuple[list[PlannedPost], date | None]:
        """The X posts planned over the coming ``days`` (in order), and the last day the
        queue has a story for. Kept for an hour."""
        now = self.clock.now()
        with self._lock:
            cached = self._cached
            if cached is not None and cached[1] == days and now - cached[0] < FRESH:
                return cached[2], cached[3]
        with self.db.read() as session:
            plan = self.planner.plan(session, days)
        found: list[PlannedPost] = []
        last: date | None = None
        for entry in plan:
            if entry.state not in COMING or entry.story is None:
                continue
            last = entry.day
            cost = x_cost(self.checker, self.spending.pricing, entry.story)
            if cost is not None:
                found.append(PlannedPost(entry.day, entry.due_at, cost))
        with self._lock:
            self._cached = (now, days, found, last)
        return found, last

    def reserve(self) -> Decimal:
        """What the rest of this billing month's planned X posts will cost."""
        if self.spending.budget is None:
            return Decimal(0)
        planned, _ = self.planned(40)
        return month_reserve(planned, self.clock.now())

    def runway_alert(self, today: date) -> BudgetAlert | None:
        """An alert a week ahead when the budget runs out before the queue does."""
        if self.spending.budget is None:
            return None
        planned, queue_until = self.planned()
        months = {p.month for p in planned}
        spent = {month: self.spending.spent(month.start) for month in months}
        runway = budget_runway(planned, spent=spent, budget=self.spending.budget)
        return budget_alert(runway, today=today, queue_until=queue_until)

    def costs(self, found: Iterable[Story]) -> dict[int, Decimal]:
        """What each of these stories would cost on X (empty when X is not enabled)."""
        costs: dict[int, Decimal] = {}
        for story in found:
            cost = x_cost(self.checker, self.spending.pricing, story)
            if cost is not None:
                costs[story.id] = cost
        return costs
