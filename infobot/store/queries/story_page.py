"""What a story's page shows besides the story: its deliveries, its history, its link card."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from infobot.domain.render import Card
from infobot.store.reader import Reader, placeholders
from infobot.store.rows import DeliveryBrief, EventRow


def deliveries(r: Reader, story_id: int) -> list[DeliveryBrief]:
    """The story's deliveries, in the order they were made."""
    sql = f"SELECT {DeliveryBrief.COLUMNS} FROM deliveries WHERE story_id = :sid ORDER BY id"
    return [DeliveryBrief.of(t) for t in r.rows(sql, sid=story_id)]


def history(r: Reader, story_id: int) -> list[EventRow]:
    """The story's audit events, oldest first."""
    sql = f"SELECT {EventRow.COLUMNS} FROM events WHERE story_id = :sid ORDER BY id"
    return [EventRow.of(t) for t in r.rows(sql, sid=story_id)]


def card(r: Reader, story_id: int) -> Card | None:
    """The link card kept with the story (see :func:`cards`); None when it has none."""
    return cards(r, [story_id]).get(story_id)


def cards(r: Reader, story_ids: Iterable[int]) -> dict[int, Card]:
    """The cards of these stories by story id, for previews: without the pictures' bytes
    (``thumb_size`` says how big each is). Stories without a card are left out."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    listed, params = placeholders("s", ids)
    rows = r.rows(
        "SELECT story_id, url, title, description, thumb_mime, problem,"
        f" coalesce(length(thumb), 0) FROM link_cards WHERE story_id IN {listed}",
        **params,
    )
    return {
        story_id: Card(
            url=url,
            title=title,
            description=description,
            thumb_mime=mime,
            problem=problem,
            thumb_size=int(size),
        )
        for story_id, url, title, description, mime, problem, size in rows
    }


def _default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot record {type(value).__name__} in an event")


def to_json(value: Any) -> str:
    """An event's ``before`` or ``after`` as it is recorded (:func:`decoded` reads it)."""
    return json.dumps(value, ensure_ascii=False, default=_default, sort_keys=True)


def decoded(text: str | None) -> Any:
    """An event's ``before`` or ``after``, as recorded (None when there is none)."""
    return json.loads(text) if text else None
