"""Audit events: every change records who, when, what, and the state before and after.

The events themselves are written by :mod:`infobot.store.events`; this module says which
of a story's fields a change records, and how a change is told apart from a no-op.
"""

from __future__ import annotations

from typing import Any

from infobot.domain.story import STORY_FIELDS
from infobot.store.events import record, to_json
from infobot.store.models import Story

__all__ = ["STORY_COLUMNS", "diff", "record", "snapshot", "to_json"]

STORY_COLUMNS: tuple[str, ...] = (
    "status",
    "sort_key",
    *STORY_FIELDS,
    "status_reason",
    "approved_by",
)


def snapshot(story: Story) -> dict[str, Any]:
    return {column: getattr(story, column) for column in STORY_COLUMNS}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, on each side."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
