"""The first figures of the latest post: ``infobot status`` and the web queue page show
what the latest story that went out before today (usually yesterday's) has earned so far."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from infobot.domain.engagement import UNKNOWN, add_scores, interactions
from infobot.service.read.models import FirstFigures, PlatformFigures
from infobot.store import engagement
from infobot.store.engagement import PostFacts


def first_figures(session: Session, campaign_id: int, today: date) -> FirstFigures | None:
    """The first figures of the latest story that went out before ``today``."""
    slot = engagement.went_out_before(session, campaign_id, today)
    if slot is None or slot.story_id is None:
        return None
    facts = engagement.posts(session, campaign_id, story_ids=[slot.story_id])
    if not facts:
        return None
    platforms = [_figures(f) for f in sorted(facts, key=lambda f: f.platform)]
    return FirstFigures(
        date=slot.local_date,
        story_id=slot.story_id,
        title=facts[0].title,
        engagement=add_scores(p.engagement for p in platforms),
        platforms=platforms,
    )


def _figures(facts: PostFacts) -> PlatformFigures:
    total = facts.counts.total if facts.counts is not None else UNKNOWN
    return PlatformFigures(
        platform=facts.platform,
        url=facts.url,
        state=facts.state.value,
        read_at=facts.read_at,
        engagement=interactions(total),
        counts=total.as_dict(),
    )


def figures_line(figures: FirstFigures) -> str:
    """One line for people: ``mastodon: 12 likes, 3 reposts; x: …``."""
    return "; ".join(f"{p.platform}: {p.text}" for p in figures.platforms)
