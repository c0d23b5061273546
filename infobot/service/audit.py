"""Audit events: every change records who, when, what, and the state before and after.

The events themselves are written by :mod:`infobot.store.events`; this module says which
of a story's fields a change records, and how a change is told apart from a no-op.
"""

from __future__ import annotations

from typing import Any

from infobot.domain.story import STORY_FIELDS
from infobot.domain.versions import flatten
from infobot.store.events import record, to_json
from infobot.store.models import Story
from infobot.store.stories import versions_of

__all__ = ["STORY_COLUMNS", "diff", "record", "snapshot", "to_json"]

STORY_COLUMNS: tuple[str, ...] = (
    "status",
    "sort_key",
    *STORY_FIELDS,
    "status_reason",
    "approved_by",
    "essential_reason",
    "essential_by",
)


def snapshot(story: Story) -> dict[str, Any]:
    """The fields a change records; a version's fields by their suffixed names (``body_cy``)."""
    values = {column: getattr(story, column) for column in STORY_COLUMNS}
    if story.versions:
        values.update(flatten(versions_of(story.versions)))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, on each side (a field on one side only counts as
    None on the other, such as a version that was added or removed)."""
    keys = [k for k in {**after, **before} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
