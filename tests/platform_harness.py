"""What the platform contract suite needs from each adapter's test harness.

A harness owns a fake of one platform (a local HTTP server speaking the platform's API, or
recorded responses served through the real SDK), and the adapter under test, built to talk
to that fake through its real SDK. ``tests/harness_<name>.py`` provides
``make_harness(tmp_path) -> ContextManager[Harness]`` for each platform.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from infobot.platforms.base import Platform

#: Faults a harness can inject into the next create-post request. What each must become:
#:   rate_limited     -> RateLimited with retry_at (UTC, from the platform's reset header)
#:   unauthorized     -> PermanentError (401)
#:   server_error     -> TransientError (HTTP 500)
#:   timeout          -> InDoubt (no answer within the adapter's timeout)
#:   connection_reset -> InDoubt (the connection dropped after the request was sent)
#:   duplicate        -> X only: 403 "duplicate content": the earlier post is returned
#:   too_long         -> Mastodon only: 422 "character limit exceeded": PermanentError
#:   payment_required -> X only: 402 credits exhausted: PermanentError mentioning credits
FAULTS = (
    "rate_limited",
    "unauthorized",
    "server_error",
    "timeout",
    "connection_reset",
    "duplicate",
    "too_long",
    "payment_required",
)


@dataclass(frozen=True)
class LivePost:
    """A post as the fake platform holds it."""

    id: str
    text: str
    reply_to: str | None = None
    image_alt: str | None = None


@dataclass(frozen=True)
class CreateRequest:
    """One create-post request the fake received (even ones it then failed)."""

    text: str
    idempotency_key: str | None = None


class Harness(Protocol):
    name: str

    @property
    def platform(self) -> Platform:
        """The adapter under test, talking to the fake."""
        ...

    def live_posts(self) -> list[LivePost]:
        """Posts that exist on the fake now (deleted ones gone), oldest first."""
        ...

    def create_requests(self) -> list[CreateRequest]: ...

    def inject(self, fault: str) -> None:
        """Make the next create-post request fail this way."""
        ...

    def supports(self, fault: str) -> bool: ...

    #: a secret the adapter was configured with; it must never appear in an error
    secret: str


class OutboxHarness:
    name = "outbox"
    secret = "no-secret-for-the-outbox"

    def __init__(self, tmp_path: Path) -> None:
        from infobot.platforms.outbox import OutboxPlatform

        self.path = tmp_path / "outbox.jsonl"
        self.platform = OutboxPlatform(self.path)

    def _records(self) -> list[dict[str, object]]:
        if not self.path.exists():
            return []
        return [json.loads(x) for x in self.path.read_text(encoding="utf-8").splitlines() if x]

    def live_posts(self) -> list[LivePost]:
        records = self._records()
        deleted = {r["deleted_id"] for r in records if "deleted_id" in r}
        return [
            LivePost(
                str(r["id"]),
                str(r["text"]),
                str(r["in_reply_to"]) if r.get("in_reply_to") else None,
                str(r["image_alt"]) if r.get("image_alt") else None,
            )
            for r in records
            if "id" in r and r["id"] not in deleted
        ]

    def create_requests(self) -> list[CreateRequest]:
        return [
            CreateRequest(str(r["text"]), str(r["idempotency_key"]))
            for r in self._records()
            if "id" in r
        ]

    def inject(self, fault: str) -> None:
        raise NotImplementedError(fault)

    def supports(self, fault: str) -> bool:
        return False


@contextmanager
def make_outbox_harness(tmp_path: Path) -> Iterator[OutboxHarness]:
    yield OutboxHarness(tmp_path)
