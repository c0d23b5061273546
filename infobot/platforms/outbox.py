"""The outbox platform: posts go to a JSON-lines file.

It is both the zero-configuration default (the team can see exactly what would have been
posted) and the fake that stands in for a real platform in tests: it supports lookup and
delete, and it never loses a line (each post is appended and flushed with fsync).

Its engagement read gives *made-up, deterministic* counts, so that ``make demo`` shows a
report: each post's likes grow with the square root of its age in whole hours over its
first week (from the time written beside it), scaled by a weight from its id; reposts,
replies and quotes are fixed fractions of that. Like Mastodon it has no bookmarks or
impressions (unknown). A deleted post, or an id the file never held, is gone.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infobot.clock import Clock, SystemClock, clock_from
from infobot.domain.engagement import Counts
from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, PlatformBase, Published
from infobot.platforms.metrics_parse import MetricsPage

_Seen = tuple[tuple[int, int] | None, dict[str, datetime | None], set[str]]
#: How many posts one engagement read takes (the file is read once per read).
OUTBOX_BATCH = 1000
_GROWTH_HOURS = 168

if TYPE_CHECKING:
    from infobot.settings import Settings


def create(settings: Settings, config: Mapping[str, Any] | None = None, /) -> OutboxPlatform:
    """The entry point: build the outbox from settings (``INFOBOT_OUTBOX_*``)."""
    return OutboxPlatform(
        settings.outbox_path,
        max_length=settings.outbox.max_length,
        clock=clock_from(settings.clock_start),
        link_in_reply=settings.outbox.link_in_reply,
    )


class OutboxPlatform(PlatformBase):
    name = "outbox"
    metrics_batch = OUTBOX_BATCH

    def __init__(
        self,
        path: Path,
        *,
        max_length: int = 500,
        clock: Clock | None = None,
        link_in_reply: bool = False,
    ) -> None:
        self.path = path
        self.clock = clock or SystemClock()
        self._seen: tuple[tuple[int, int] | None, dict[str, datetime | None], set[str]] | None = (
            None
        )
        # the outbox stands in for Mastodon: graphemes, URLs as 23, its alt-text limit
        self._rules = PlatformRules.outbox(max_length, link_in_reply)

    def rules(self) -> PlatformRules:
        return self._rules

    def _records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line:
                    records.append(json.loads(line))
        return records

    def _append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        existing = self.lookup(post, idempotency_key=idempotency_key)
        if existing is not None:
            return existing
        remote_id = f"outbox-{idempotency_key}"
        record = {
            "id": remote_id,
            "idempotency_key": idempotency_key,
            "in_reply_to": reply_to.remote_id if reply_to else None,
            "text": post.text,
            "image": post.image or None,
            "image_alt": post.image_alt or None,
            "deleted": False,
            "at": self.clock.now().isoformat(),
        }
        self._append(record)
        return Published(remote_id, f"{self.path.resolve().as_uri()}#{remote_id}")

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        deleted = set()
        found = None
        for record in self._records():
            if record.get("deleted_id"):
                deleted.add(record["deleted_id"])
            elif record.get("idempotency_key") == idempotency_key:
                found = record["id"]
        if found is None or found in deleted:
            return None
        return Published(found, f"{self.path.resolve().as_uri()}#{found}")

    def delete(self, published: Published) -> None:
        self._append({"deleted_id": published.remote_id})

    def verify(self) -> Account:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(self.path.parent, os.W_OK)
        return Account(
            name=f"outbox file {self.path}",
            url=self.path.resolve().as_uri(),
            can_post=writable,
            detail="" if writable else "the folder is not writable",
        )

    def _posted(self) -> tuple[dict[str, datetime | None], set[str]]:
        """Each post's time and the deleted ids, read once per change of the file."""
        try:
            stat = self.path.stat()
            version: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            version = None
        if self._seen is not None and self._seen[0] == version:
            return self._seen[1], self._seen[2]
        posted: dict[str, datetime | None] = {}
        deleted: set[str] = set()
        for record in self._records():
            if record.get("deleted_id"):
                deleted.add(str(record["deleted_id"]))
            elif record.get("id"):
                posted[str(record["id"])] = _when(record.get("at"))
        self._seen = (version, posted, deleted)
        return posted, deleted

    def metrics(self, remote_ids: Sequence[str], *, recent: int | None = None) -> MetricsPage:
        """Made-up counts that grow with each post's age (see the module doc)."""
        posted, deleted = self._posted()
        now = self.clock.now()
        counts = {}
        for remote_id in remote_ids:
            if remote_id in posted and remote_id not in deleted:
                at = posted[remote_id]
                counts[remote_id] = demo_counts(remote_id, None if at is None else now - at)
        asked = frozenset(remote_ids)
        return MetricsPage(counts, asked - counts.keys(), asked)


def _when(value: object) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return at if at is not None and at.utcoffset() is not None else None


def demo_counts(remote_id: str, age: timedelta | None) -> Counts:
    """The outbox's made-up counts of a post of this age (None: fully grown)."""
    weight = 1 + hashlib.sha256(remote_id.encode()).digest()[0] % 5
    hours = _GROWTH_HOURS if age is None else min(max(int(age // timedelta(hours=1)), 0), 168)
    reach = round(12 * weight * math.sqrt(hours / _GROWTH_HOURS))
    return Counts(likes=reach, reposts=reach // 4, replies=reach // 10, quotes=reach // 20)
