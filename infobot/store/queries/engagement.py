"""The first figures of a post (``infobot status``): what went out, with its latest counts.

:class:`PostFacts` and the decoding of a row are shared with the report's query
(:func:`infobot.store.engagement.posts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from infobot.domain.delivery import DeliveryStatus
from infobot.domain.engagement import Counts, Metric, PostState, ThreadCounts
from infobot.domain.schedule import WENT_OUT
from infobot.domain.story import StoryStatus
from infobot.store.queries import literal, literals
from infobot.store.reader import Reader, placeholders
from infobot.store.rows import as_date, as_day, as_utc

#: The count columns: the first post's, then the rest of the thread's.
COUNTS = (tuple(m.value for m in Metric), tuple(f"rest_{m.value}" for m in Metric))


@dataclass(frozen=True)
class PostFacts:
    """A sent delivery as the report needs it."""

    delivery_id: int
    story_id: int
    title: str
    storyteller: str
    day: date | None  # the campaign day of its slot (None: sent outside a slot)
    platform: str
    url: str
    sent_at: datetime
    state: PostState
    counts: ThreadCounts | None  # None: never read
    read_at: datetime | None


def facts_of(values: Sequence[Any]) -> PostFacts | None:
    """A row of the posts query (see :func:`infobot.store.engagement.posts` for its
    columns) as facts; None for a delivery never sent."""
    d_id, story_id, title, author, day, platform, url, sent_at, state, reads, read_at = values[:11]
    parts, counts = values[11], values[12:]
    if sent_at is None:
        return None
    read = bool(reads)
    return PostFacts(
        d_id,
        story_id,
        title,
        author,
        day,
        platform,
        url,
        sent_at,
        PostState(state) if state else PostState.LIVE,
        thread_counts(parts, counts) if read else None,
        read_at if read else None,
    )


def thread_counts(parts: int | None, values: Sequence[int | None]) -> ThreadCounts:
    first = Counts(*values[:6])
    if (parts or 1) <= 1:
        return ThreadCounts(first)
    return ThreadCounts(first, Counts(*values[6:]), parts or 1)


def posts_of(r: Reader, campaign_id: int, story_ids: Sequence[int]) -> list[PostFacts]:
    """Every delivery of these stories that went out (withdrawn stories left out), with its
    latest counts: :func:`infobot.store.engagement.posts` for a few stories."""
    if not story_ids:
        return []
    listed, params = placeholders("s", story_ids)
    columns = ", ".join(f"e.{name}" for name in (*COUNTS[0], *COUNTS[1]))
    sent = literals((DeliveryStatus.SENT, DeliveryStatus.DELETED))
    rows = r.rows(
        "SELECT d.id, d.story_id, s.title, s.author, sl.local_date, d.platform, d.remote_url,"
        f" d.sent_at, e.state, e.reads, e.read_at, e.parts, {columns}"
        " FROM deliveries d JOIN stories s ON s.id = d.story_id"
        " LEFT OUTER JOIN slots sl ON sl.id = d.slot_id"
        " LEFT OUTER JOIN engagement_posts e ON e.delivery_id = d.id"
        f" WHERE s.campaign_id = :cid AND s.status <> {literal(StoryStatus.WITHDRAWN)}"
        f" AND d.sent_at IS NOT NULL AND d.status IN {sent} AND d.story_id IN {listed}"
        " ORDER BY d.id",
        cid=campaign_id,
        **params,
    )
    found = []
    for row in rows:
        values = list(row)
        values[4], values[7], values[10] = as_date(values[4]), as_utc(values[7]), as_utc(values[10])
        facts = facts_of(values)
        if facts is not None:
            found.append(facts)
    return found


def went_out_before(r: Reader, campaign_id: int, day: date) -> tuple[date, int] | None:
    """The latest campaign day before ``day`` whose story went out, and that story."""
    found = r.row(
        "SELECT local_date, story_id FROM slots WHERE campaign_id = :cid AND local_date < :day"
        f" AND status IN {literals(WENT_OUT)} AND story_id IS NOT NULL"
        " ORDER BY local_date DESC LIMIT 1",
        cid=campaign_id,
        day=day,
    )
    return (as_day(found[0]), int(found[1])) if found is not None else None
