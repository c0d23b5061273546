"""Audit events: every change records who, when, what, and the state before and after."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from infobot.domain.story import STORY_FIELDS
from infobot.store.models import Event, Story

STORY_COLUMNS: tuple[str, ...] = (
    "status",
    "sort_key",
    *STORY_FIELDS,
    "status_reason",
    "approved_by",
)


def _default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot record {type(value).__name__} in an event")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default, sort_keys=True)


def snapshot(story: Story) -> dict[str, Any]:
    return {column: getattr(story, column) for column in STORY_COLUMNS}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, on each side."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    campaign_id: int | None = None,
    story_id: int | None = None,
    delivery_id: int | None = None,
    before: Any = None,
    after: Any = None,
    message: str = "",
) -> None:
    session.add(
        Event(
            at=at,
            actor=actor,
            action=action,
            campaign_id=campaign_id,
            story_id=story_id,
            delivery_id=delivery_id,
            before=None if before is None else to_json(before),
            after=None if after is None else to_json(after),
            message=message,
        )
    )
