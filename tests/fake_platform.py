"""A scripted platform for publisher tests: a real adapter-shaped object, no mocks.

``script`` lists what each publish call does, in order: "ok", or a fault that raises
the matching error. "accept_then_timeout" creates the post and then raises InDoubt, the
way a timeout after the platform accepted the request looks to us.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from infobot.domain.errors import (
    CredentialsRejected,
    InDoubt,
    PermanentError,
    RateLimited,
    TransientError,
)
from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, PlatformBase, Published


@dataclass
class Made:
    id: str
    text: str
    key: str
    reply_to: str | None
    deleted: bool = False


@dataclass
class ScriptedPlatform(PlatformBase):
    name: str
    max_length: int = 500
    script: list[str] = field(default_factory=list)
    retry_at: datetime | None = None
    posts: list[Made] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    lookups: int = 0

    def rules(self) -> PlatformRules:
        return PlatformRules(name=self.name, max_length=self.max_length, counter="graphemes")

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        action = self.script.pop(0) if self.script else "ok"
        self.calls.append(f"{action}:{idempotency_key}")
        if action == "transient":
            raise TransientError("server said 503", platform=self.name)
        if action == "rate_limited":
            raise RateLimited("slow down", retry_at=self.retry_at, platform=self.name)
        if action == "permanent":
            raise PermanentError("the platform refused this post", platform=self.name)
        if action == "rejected":
            raise CredentialsRejected("the access token was revoked", platform=self.name)
        if action == "in_doubt":
            raise InDoubt("connection reset before the post was made", platform=self.name)
        made = Made(
            f"{self.name}-{len(self.posts) + 1}",
            post.text,
            idempotency_key,
            reply_to.remote_id if reply_to else None,
        )
        self.posts.append(made)
        if action == "accept_then_timeout":
            raise InDoubt("timed out waiting for the answer", platform=self.name)
        if action == "crash_after_accept":
            raise KeyboardInterrupt  # the process dies after the platform accepted
        return Published(made.id, f"https://{self.name}.example/{made.id}")

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        self.lookups += 1
        for made in self.posts:
            if made.key == idempotency_key and not made.deleted:
                return Published(made.id, f"https://{self.name}.example/{made.id}")
        return None

    def delete(self, published: Published) -> None:
        for made in self.posts:
            if made.id == published.remote_id:
                made.deleted = True

    def verify(self) -> Account:
        return Account(name=f"@bot@{self.name}")

    def live(self) -> list[Made]:
        return [m for m in self.posts if not m.deleted]
