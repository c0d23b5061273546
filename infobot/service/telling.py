"""Audit events as people read them: the stored event, decoded, for the sentence builders
in :mod:`infobot.domain.audit_text` (the web page, ``stories show`` and the audit CSV).
It imports no SQLAlchemy: ``stories show`` tells a story's history on the lean path too."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from typing import Any, Protocol

from infobot.domain.audit_text import Entry, change_lines, sentence
from infobot.store.queries.story_page import decoded


class AuditEvent(Protocol):
    """An audit event: the model, or the row the read queries return."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def story_id(self) -> int | None: ...
    @property
    def before(self) -> str | None: ...
    @property
    def after(self) -> str | None: ...
    @property
    def message(self) -> str: ...


def entry_of(event: AuditEvent, tz: tzinfo = UTC) -> Entry:
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
        return decoded(value)
    except ValueError:
        return None


def told(event: AuditEvent, tz: tzinfo = UTC) -> tuple[str, list[str]]:
    """The event's sentence and its changes, a line a field."""
    entry = entry_of(event, tz)
    return sentence(entry), change_lines(entry)
