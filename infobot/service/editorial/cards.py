"""Link cards at approval: the page behind each story's link is read then, not at post time.

Approval reads the pages before its write transaction (a slow site must not hold the
database's write lock) and keeps each card with its story inside it. Pages are read once per
link and a few at a time. A page that cannot be read is a warning at approval, never a
refusal: the post goes out without a card.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from infobot.domain.render import Card
from infobot.service.linkcards import LinkCard, LinkCards, LinkCardWarning
from infobot.store import linkcards

#: pages read at the same time when several stories are approved together
PARALLEL = 4


@dataclass(frozen=True)
class ReadCard:
    """A card as read from the page, or why there is none, and the reasons it lacks parts."""

    card: Card
    fetched_at: datetime
    image_url: str = ""
    notes: tuple[str, ...] = ()

    def warnings(self, platforms: Iterable[str]) -> list[str]:
        said = (
            [f"{self.card.problem}; the post will go out without a card"]
            if self.card.problem
            else list(self.notes)
        )
        where = ", ".join(platforms)
        return [f"{where}: {line}" for line in said]

    def keep(self, session: Session, story_id: int) -> None:
        linkcards.save(
            session,
            story_id,
            self.card,
            fetched_at=self.fetched_at,
            image_url=self.image_url,
            notes=self.notes,
        )


def read_cards(reader: LinkCards, links: Iterable[str]) -> dict[str, ReadCard]:
    """Each link's card, read once per link (never raises)."""
    unique = sorted(set(links))
    if not unique:
        return {}
    if len(unique) == 1:
        results = [reader.fetch(unique[0])]
    else:
        with ThreadPoolExecutor(
            max_workers=min(PARALLEL, len(unique)), thread_name_prefix="card"
        ) as pool:
            results = list(pool.map(reader.fetch, unique))
    return {link: _read(result) for link, result in zip(unique, results, strict=True)}


def _read(result: LinkCard | LinkCardWarning) -> ReadCard:
    if isinstance(result, LinkCardWarning):
        problem = f"the page could not be read: {result.reason}"
        return ReadCard(Card(url=result.url, problem=problem), result.fetched_at)
    card = Card(
        url=result.url,
        title=result.title,
        description=result.description,
        thumb=result.thumb_bytes,
        thumb_mime=result.thumb_mime,
    )
    return ReadCard(card, result.fetched_at, result.image_url, result.notes)
