"""Link cards kept with their stories: one row per story, written at approval.

Read back as the domain's :class:`~infobot.domain.render.types.Card`, which rendering puts on
the post that shows the link (or explains in the preview why there is none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from infobot.domain.render import Card
from infobot.store.db import reader_of
from infobot.store.models import LinkCard
from infobot.store.queries import story_page


def save(
    session: Session,
    story_id: int,
    card: Card,
    *,
    fetched_at: datetime,
    image_url: str = "",
    notes: Sequence[str] = (),
) -> None:
    """Keep ``card`` as the story's card, replacing any earlier one."""
    row = session.scalars(select(LinkCard).where(LinkCard.story_id == story_id)).first()
    if row is None:
        row = LinkCard(story_id=story_id)
        session.add(row)
    row.url = card.url
    row.title = card.title
    row.description = card.description
    row.thumb = card.thumb
    row.thumb_mime = card.thumb_mime
    row.problem = card.problem
    row.image_url = image_url
    row.notes = "\n".join(notes)
    row.fetched_at = fetched_at


def of_story(session: Session, story_id: int) -> Card | None:
    """The story's card with its picture, for posting."""
    row = session.scalars(select(LinkCard).where(LinkCard.story_id == story_id)).first()
    if row is None:
        return None
    thumb = row.thumb
    return Card(
        url=row.url,
        title=row.title,
        description=row.description,
        thumb=thumb,
        thumb_mime=row.thumb_mime,
        problem=row.problem,
        thumb_size=len(thumb or b""),
    )


def of_stories(session: Session, story_ids: Iterable[int]) -> dict[int, Card]:
    """The cards of these stories by story id (``queries.story_page.cards``)."""
    return story_page.cards(reader_of(session), story_ids)
