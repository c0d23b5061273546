"""Keeping a story's rendered posts (read back by ``infobot.store.queries.renders``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from infobot.store.models import StoryRender


def keep(session: Session, story_id: int, key: str, payload: str, now: datetime) -> None:
    """Keep (or replace) the story's rendered posts and the fingerprint they match."""
    session.merge(StoryRender(story_id=story_id, key=key, payload=payload, created_at=now))
