"""The adapter contract, documented once here; implementations do not repeat it.

A platform adapter turns a rendered post (one or more thread parts) into live posts and
back. Every method translates its SDK's errors into :mod:`infobot.domain.errors`:

- ``TransientError``: nothing was created and a later retry may succeed (5xx before the
  request was accepted, connection refused).
- ``RateLimited``: like transient, but not before ``retry_at``.
- ``PermanentError``: retrying cannot help (credentials rejected, content refused, no
  credits). The team is told.
- ``InDoubt``: the request may have reached the platform (timeout, connection reset after
  sending). The caller must reconcile with :meth:`Platform.lookup` before any new attempt.

``publish`` takes an idempotency key that is identical across every retry of the same
story part on the same platform; adapters pass it to platforms that support one
(Mastodon's ``Idempotency-Key``) and embed it nowhere visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from infobot.domain.render import PlatformRules, Post
    from infobot.settings import Settings


@dataclass(frozen=True)
class Published:
    """A live post: the platform's id for it and a link a person can open."""

    remote_id: str
    url: str = ""


@dataclass(frozen=True)
class Account:
    """Who an adapter posts as, from ``verify``."""

    name: str
    url: str = ""
    can_post: bool = True
    detail: str = ""


@runtime_checkable
class Platform(Protocol):
    name: str

    def rules(self) -> PlatformRules:
        """Length counter, limits and features; cached by the adapter."""
        ...

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        """Create one post (one thread part when ``reply_to`` is given)."""
        ...

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        """Find a post made earlier for this key/text, or None if it does not exist."""
        ...

    def delete(self, published: Published) -> None:
        """Delete a live post; deleting one that is already gone is not an error."""
        ...

    def verify(self) -> Account:
        """Check the credentials and say which account posts."""
        ...


class PlatformFactory(Protocol):
    def __call__(self, settings: Settings) -> Platform: ...
