"""The first figures of the latest post: ``infobot status`` and the web queue page show
what the latest story that went out before today (usually yesterday's) has earned so far."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from infobot.service.campaign_status import figures_line as figures_line
from infobot.service.campaign_status import figures_of
from infobot.service.read.models import FirstFigures
from infobot.store import engagement


def first_figures(session: Session, campaign_id: int, today: date) -> FirstFigures | None:
    """The first figures of the latest story that went out before ``today``."""
    slot = engagement.went_out_before(session, campaign_id, today)
    if slot is None or slot.story_id is None:
        return None
    facts = engagement.posts(session, campaign_id, story_ids=[slot.story_id])
    return figures_of(slot.local_date, slot.story_id, facts)
