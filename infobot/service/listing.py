"""``infobot stories list``: the queue in posting order, then the rest, newest place first.

One implementation for both paths: the full application runs it on its engine's connection
(``Database.reader``), the lean path (``infobot.lean``) on the driver alone. It imports no
SQLAlchemy: its queries are the plain SQL of :mod:`infobot.store.queries.stories`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from infobot.domain.story import StoryStatus
from infobot.store.queries import stories
from infobot.store.reader import Reader
from infobot.store.rows import StoryBrief


class StoryLine(Protocol):
    """A story's line: the model, or a row of :mod:`infobot.store.rows`."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def pin_date(self) -> date | None: ...
    @property
    def author(self) -> str: ...
    @property
    def organisation(self) -> str: ...
    @property
    def approved_by(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class StorySummary:
    """A line of ``infobot stories list``."""

    id: int
    title: str
    status: str
    position: int | None
    pin_date: date | None
    author: str
    organisation: str
    approved_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, story: StoryLine, position: int | None) -> StorySummary:
        return cls(**summary(story, position))


def summary(story: StoryLine, position: int | None) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "status": story.status,
        "position": position,
        "pin_date": story.pin_date,
        "author": story.author,
        "organisation": story.organisation,
        "approved_by": story.approved_by,
        "created_at": story.created_at,
    }


def listing(
    r: Reader, campaign_id: int, status: str | None = None, limit: int | None = None
) -> list[StorySummary]:
    """Queue order first (approved, by position), then everything else newest first."""
    rows: list[StorySummary] = []
    approved = StoryStatus.APPROVED
    if status in (None, approved):
        queued = stories.queue(r, campaign_id, StoryBrief, limit=limit)
        rows.extend(StorySummary.of(s, n) for n, s in enumerate(queued, start=1))
        pinned = stories.approved_pinned(r, campaign_id, StoryBrief)
        rows.extend(StorySummary.of(s, None) for s in pinned)
    if status != approved and not (limit and len(rows) >= limit):
        others = stories.with_status(
            r,
            campaign_id,
            StoryBrief,
            StoryStatus(status) if status else None,
            but_not=None if status else approved,
            limit=limit,
        )
        rows.extend(StorySummary.of(s, None) for s in others)
    return rows[:limit] if limit else rows
