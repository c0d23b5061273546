"""Audit events as people read them: the stored event, decoded, for the sentence builders
in :mod:`infobot.domain.audit_text` (the web page, ``stories show`` and the audit CSV)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from typing import Any

from infobot.domain.audit_text import Entry, change_lines, sentence
from infobot.store import events
from infobot.store.models import Event


def entry_of(event: Event, tz: tzinfo = UTC) -> Entry:
    return entry_from_row(
        {
            "action": event.action,
            "actor": event.actor,
            "story_id": event.story_id,
            "before": event.before,
            "after": event.after,
            "message": event.message,
        },
        tz,
    )


def entry_from_row(row: Mapping[str, Any], tz: tzinfo = UTC) -> Entry:
    """An event as an export row holds it (``before``/``after`` still JSON text)."""
    return Entry(
        action=str(row.get("action") or ""),
        actor=str(row.get("actor") or ""),
        story_id=row.get("story_id"),
        before=_decoded(row.get("before")),
        after=_decoded(row.get("after")),
        message=str(row.get("message") or ""),
        tz=tz,
    )


def _decoded(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return events.decoded(value)
    except ValueError:
        return None


def told(event: Event, tz: tzinfo = UTC) -> tuple[str, list[str]]:
    """The event's sentence and its changes, a line a field."""
    entry = entry_of(event, tz)
    return sentence(entry), change_lines(entry)
