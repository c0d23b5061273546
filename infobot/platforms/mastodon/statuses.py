"""Reading statuses back: ids and links, and the HTML ``content`` as comparable text."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from infobot.platforms.base import Published
from infobot.platforms.common import comparable

_BREAK = re.compile(r"(?i)<br\s*/?>|</p\s*>|<p(?:\s[^>]*)?>")
_TAG = re.compile(r"<[^>]*>")


def published(status: Any, *, with_parent: bool = False) -> Published:
    """A status as a live post (``with_parent``: say what it replies to, for lookup)."""
    url = status.get("url") or status.get("uri") or ""
    parent = str(status.get("in_reply_to_id") or "") if with_parent else None
    return Published(str(status["id"]), str(url), parent)


def plain_text(content: str) -> str:
    """Mastodon's HTML ``content`` as plain text, as :func:`comparable` gives it."""
    text = _BREAK.sub(" ", content)
    text = _TAG.sub("", text)
    return comparable(html.unescape(text))


def created_since(status: Any, since: float) -> bool:
    """Whether the status was created at or after ``since`` (Unix time); True if unknown."""
    created = status.get("created_at")
    if not isinstance(created, datetime) or created.tzinfo is None:
        return True  # unknown: do not rule it out
    return created.timestamp() >= since
