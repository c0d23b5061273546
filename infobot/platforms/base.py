"""The adapter contract, documented once here; implementations do not repeat it.

A platform adapter turns a rendered post (one or more thread parts) into live posts and
back. Every method translates its SDK's errors into :mod:`infobot.domain.errors`, through
:func:`infobot.platforms.common.classify_status` where an HTTP status decides:

- ``TransientError``: nothing was created and a later retry may succeed (5xx before the
  request was accepted, connection refused).
- ``RateLimited``: like transient, but not before ``retry_at``: an aware UTC datetime on
  the app's clock, always made by :func:`infobot.platforms.common.retry_time`.
- ``PermanentError``: retrying cannot help (content refused, no credits). The team is told.
  ``CredentialsRejected``, its subclass, means a person must renew the credentials; an
  adapter that holds a saved session logs in again once with the configured credentials
  before it says so.
- ``InDoubt``: the request may have reached the platform (timeout, connection reset after
  sending). The caller must reconcile with :meth:`Platform.lookup` before any new attempt.

``publish`` takes an idempotency key that is identical across every retry of the same
story part on the same platform; adapters pass it to platforms that support one
(Mastodon's ``Idempotency-Key``) and embed it nowhere visible.

Calls made outside posting (``rules`` when it asks the server, ``verify``) use the short
*check timeout* (``INFOBOT_CHECK_TIMEOUT_SECONDS``), so a server that is down delays a
command by seconds, not minutes. Warnings raised inside an SDK go to the log, never to the
team's terminal (:func:`infobot.platforms.common.send_library_warnings_to_log`).

A factory builds an adapter: ``create(settings, config)``, where ``config`` is the
platform's own ``[plugins.NAME]`` settings section (empty for the built-in platforms,
which have sections of their own in :class:`infobot.settings.Settings`).

**Engagement (optional).** An adapter may offer ``metrics(remote_ids, *, recent=None)``
(:class:`ReadsMetrics`): the public counts of its live posts, given by the remote ids
``publish`` returned, at most ``metrics_batch`` of them per call. It answers a
:class:`~infobot.platforms.metrics_parse.MetricsPage` keyed by those same ids: counts the
platform left out or sent malformed are unknown (``None``, never 0); ``gone`` holds the
posts the platform says no longer exist (confirmed one by one when a batch answer merely
leaves a post out); an id in neither is unknown this time. ``recent`` is a hint: the posts
are among the account's ``recent`` newest (as far as infobot knows), for platforms where a
timeline read is cheaper. It never posts, uses the check timeout, and raises the taxonomy's
errors (``RateLimited`` pushes back that platform's reads only). :class:`PlatformBase`
answers ``None``: not offered, and such posts are simply not read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from infobot.domain.costs import XRequest
    from infobot.domain.render import PlatformRules, Post
    from infobot.platforms.metrics_parse import MetricsPage
    from infobot.settings import Settings


@dataclass(frozen=True)
class Published:
    """A live post: the platform's id for it and a link a person can open.

    ``parent``, from ``lookup``: the ``remote_id`` of the post it replies to ("" for a
    post that replies to nothing), or None when the adapter cannot tell. A part that is
    found must reply to the part before it: two parts may have the same text (a link in a
    reply, on two days), and one found under another post is not the one looked for.
    """

    remote_id: str
    url: str = ""
    parent: str | None = field(default=None, compare=False)  # not part of which post it is


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
        """Length counter, limits and features; cached by the adapter for the process.

        When the limit must be asked of the server and the server does not answer within
        the check timeout, a safe default is used and a warning says which server could not
        be reached; ``rules`` itself never raises for that.
        """
        ...

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        """Create one post (one thread part when ``reply_to`` is given)."""
        ...

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        """Find a post made earlier for this key/text, or None if it does not exist.

        Newest first, with ``parent`` set where the platform says what a post replies to."""
        ...

    def delete(self, published: Published) -> None:
        """Delete a live post; deleting one that is already gone is not an error."""
        ...

    def verify(self) -> Account:
        """Check the configured credentials themselves (never only a saved session) and
        say which account posts. Bounded by the check timeout."""
        ...

    def prepare(self) -> None:
        """Load the SDK now, without any network call: the daemon calls this at start so
        that the first post does not wait for imports."""
        ...

    def close(self) -> None:
        """Release connections. Safe to call twice; an adapter used after ``close``
        connects again."""
        ...


@runtime_checkable
class ReadsMetrics(Protocol):
    """The optional engagement read (see the module doc)."""

    metrics_batch: int

    def metrics(
        self, remote_ids: Sequence[str], *, recent: int | None = None
    ) -> MetricsPage | None: ...


class PlatformBase:
    """What an adapter with nothing to load or release inherits: ``prepare`` and ``close``
    that do nothing, and no engagement read. Adapters holding an SDK or connections
    override them."""

    metrics_batch = 100

    def prepare(self) -> None:
        return None

    def close(self) -> None:
        return None

    def metrics(
        self, remote_ids: Sequence[str], *, recent: int | None = None
    ) -> MetricsPage | None:
        """Not offered: ``None``."""
        return None


def metrics_reader(platform: object) -> ReadsMetrics | None:
    """The platform's engagement read, or None when it offers none."""
    return platform if isinstance(platform, ReadsMetrics) else None


class CostRecorder(Protocol):
    """Told of every request an adapter made to a platform that charges per request (X):
    what kind, how many units (posts returned, for reads) and the HTTP status."""

    def __call__(self, kind: XRequest, units: int, status: int, /) -> None: ...


class PlatformFactory(Protocol):
    def __call__(self, settings: Settings, config: Mapping[str, Any], /) -> Platform: ...
