"""``infobot preview``: each coming day of the plan, as each platform gets its story.

One rule for both paths: the full read side (:class:`infobot.service.read.plan.PlanReads`)
plans with the ORM, the lean path (``infobot.lean``) with the driver
(:func:`infobot.service.campaign_status.plan_of`); both make the days here. It imports no
SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from infobot.domain.render import Card
from infobot.domain.schedule import DayState
from infobot.service.checks import StoryChecker
from infobot.service.planning import COMING, PlanDay
from infobot.service.read.previews import OMIT_NONE, RenderedView
from infobot.store.queries.stories import to_input

if TYPE_CHECKING:
    from infobot.domain.costs import Pricing


@dataclass(frozen=True)
class PreviewDay:
    """A day of ``infobot preview``."""

    date: date
    weekday: str
    post_at: datetime  # UTC
    state: DayState
    reason: str
    story_id: int | None
    title: str | None
    platforms: dict[str, RenderedView]
    problems: list[str]
    x_cost: str | None = field(default=None, metadata=OMIT_NONE)  # with X enabled: "$0.20"


def preview_days(
    plan: Sequence[PlanDay],
    cards: Mapping[int, Card],
    checker: StoryChecker,
    pricing: Pricing | None = None,
) -> list[PreviewDay]:
    """The days of ``plan``, each coming story checked against every platform with its link
    card; with ``pricing`` (X enabled), what each day's posts cost on X."""
    out: list[PreviewDay] = []
    for entry in plan:
        story = entry.story
        platforms: dict[str, RenderedView] = {}
        problems: list[str] = []
        x_cost = None
        if story is not None and entry.state in COMING:
            check = checker.check(to_input(story), cards.get(story.id))
            platforms = {n: RenderedView.of(r) for n, r in check.rendered.items()}
            problems = check.problems
            if pricing is not None:
                x_cost = _x_cost(check.rendered, pricing)
        out.append(
            PreviewDay(
                date=entry.day,
                weekday=entry.day.strftime("%A"),
                post_at=entry.due_at,
                state=entry.state,
                reason=entry.reason,
                story_id=story.id if story else None,
                title=story.title if story else None,
                platforms=platforms,
                problems=problems,
                x_cost=x_cost,
            )
        )
    return out


def _x_cost(rendered: Mapping[str, object], pricing: Pricing) -> str | None:
    from infobot.domain.costs import cost_of_posts, usd

    found = rendered.get("x")
    return usd(cost_of_posts(found.posts, pricing)) if found is not None else None  # type: ignore[attr-defined]
