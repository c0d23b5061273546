"""The outbox platform: posts go to a JSON-lines file.

It is both the zero-configuration default (the team can see exactly what would have been
posted) and the fake that stands in for a real platform in tests: it supports lookup and
delete, and it never loses a line (each post is appended and flushed with fsync).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, PlatformBase, Published

if TYPE_CHECKING:
    from infobot.settings import Settings


def create(settings: Settings, config: Mapping[str, Any] | None = None, /) -> OutboxPlatform:
    """The entry point: build the outbox from settings (``INFOBOT_OUTBOX_*``)."""
    return OutboxPlatform(
        settings.outbox_path,
        max_length=settings.outbox.max_length,
        link_in_reply=settings.outbox.link_in_reply,
    )


class OutboxPlatform(PlatformBase):
    name = "outbox"

    def __init__(self, path: Path, *, max_length: int = 500, link_in_reply: bool = False) -> None:
        self.path = path
        # the outbox stands in for Mastodon: graphemes, URLs as 23, its alt-text limit
        self._rules = PlatformRules(
            name=self.name,
            max_length=max_length,
            counter="mastodon",
            alt_text_max=1500,
            link_in_reply=link_in_reply,
        )

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
