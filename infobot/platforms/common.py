"""What every platform adapter shares, written once so that no adapter keeps its own copy.

- :class:`Scrubber`: the adapter's secrets, and anything shaped like a JWT, out of text
  meant for people (errors, logs).
- :func:`classify_status` and :func:`error_for`: one HTTP status, one branch of the error
  taxonomy in :mod:`infobot.platforms.base`.
- :func:`never_sent`: whether a network failure certainly happened before the request left
  (then nothing can have been posted, so it is transient rather than in doubt).
- :func:`retry_time`: when to try again after a rate limit, the only form
  ``RateLimited.retry_at`` takes.
- :func:`comparable`: a post's text as ``lookup`` compares it with what the server returns.
- :func:`read_image` (in :mod:`infobot.platforms.images`): a story's image, read and checked.
- :func:`send_library_warnings_to_log`: SDK warnings go to the log, never to a terminal.
- :func:`plugin_settings`: an outside platform's ``[plugins.NAME]`` section, validated.

Nothing here imports an SDK or an HTTP client: the checks look at exception types only in
modules that are already loaded.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import threading
import unicodedata
import warnings
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from infobot.clock import Clock, SystemClock
from infobot.domain.errors import (
    ConfigError,
    CredentialsRejected,
    InDoubt,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from infobot.platforms.images import Image, read_image

if TYPE_CHECKING:
    from pydantic import BaseModel

    M = TypeVar("M", bound=BaseModel)

__all__ = [
    "Failure",
    "Image",
    "Scrubber",
    "classify_status",
    "comparable",
    "error_for",
    "never_sent",
    "plugin_settings",
    "read_image",
    "retry_time",
    "send_library_warnings_to_log",
]

log = logging.getLogger("infobot.platforms")

# --------------------------------------------------------------------------- secrets

_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
MASK = "***"


class Scrubber:
    """Replaces each secret (4 characters or more) and every JWT-shaped token by ``***``."""

    def __init__(self, *secrets: str) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return _JWT.sub(MASK, text)


# --------------------------------------------------------------------------- errors


class Failure(Enum):
    """Which branch of the taxonomy an answer belongs to (see :mod:`.base`)."""

    RATE_LIMITED = "rate_limited"
    CREDENTIALS = "credentials"
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    IN_DOUBT = "in_doubt"


#: 4xx answers that say "not now" rather than "never": request timeout, conflict, too early
RETRYABLE_4XX = frozenset({408, 409, 425})


def classify_status(
    status: int,
    *,
    creating: bool = False,
    credentials: Collection[int] = (401,),
    in_doubt: Collection[int] = (),
) -> Failure:
    """The branch for an HTTP error status.

    429 is a rate limit; a status in ``credentials`` means the credentials were refused; a
    status in ``in_doubt`` while ``creating`` a post means it may exist (a gateway that gave
    up after forwarding); 5xx, 408, 409 and 425 are transient; any other 4xx is permanent.
    """
    if status == 429:
        return Failure.RATE_LIMITED
    if status in credentials:
        return Failure.CREDENTIALS
    if creating and status in in_doubt:
        return Failure.IN_DOUBT
    if status >= 500 or status in RETRYABLE_4XX:
        return Failure.TRANSIENT
    if 400 <= status < 500:
        return Failure.PERMANENT
    return Failure.TRANSIENT  # an unexpected 1xx/3xx: try again later


_ERRORS: dict[Failure, type[PlatformError]] = {
    Failure.CREDENTIALS: CredentialsRejected,
    Failure.PERMANENT: PermanentError,
    Failure.TRANSIENT: TransientError,
    Failure.IN_DOUBT: InDoubt,
}


def error_for(
    failure: Failure, message: str, *, platform: str, retry_at: datetime | None = None
) -> PlatformError:
    """The exception for ``failure``; ``retry_at`` (from :func:`retry_time`) for a limit."""
    if failure is Failure.RATE_LIMITED:
        return RateLimited(message, retry_at=retry_at, platform=platform)
    return _ERRORS[failure](message, platform=platform)


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps and why (``__cause__``, ``__context__``, the first
    argument and a ``reason``, as requests and urllib3 nest them), each once."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        yield current
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        inner.append(current.args[0] if current.args else None)
        todo.extend(e for e in inner if isinstance(e, BaseException))


def _never_sent_types() -> tuple[type[BaseException], ...]:
    """Connection failures from the HTTP stacks already loaded (none is imported here)."""
    found: list[type[BaseException]] = []
    urllib3 = sys.modules.get("urllib3.exceptions")
    if urllib3 is not None:  # requests (tweepy, Mastodon.py) sits on urllib3
        found += [urllib3.NewConnectionError, urllib3.ConnectTimeoutError]
    requests = sys.modules.get("requests.exceptions")
    if requests is not None:
        found.append(requests.ConnectTimeout)
    httpx = sys.modules.get("httpx")
    if httpx is not None:  # atproto
        found += [httpx.ConnectError, httpx.ConnectTimeout]
    return tuple(found)


def never_sent(exc: BaseException) -> bool:
    """True only when the request certainly never reached the server: the connection was
    never made (refused, no such host, connect timeout). Anything else may have been sent."""
    kinds = _never_sent_types()
    return bool(kinds) and any(isinstance(cause, kinds) for cause in causes(exc))


# --------------------------------------------------------------------------- retry time

REAL_TIME = SystemClock()  # servers state their reset in real time
PAST_RESET_WAIT = timedelta(minutes=1)


def retry_time(
    clock: Clock | None,
    *,
    reset: float | None = None,
    after: float | None = None,
    fallback: timedelta,
) -> datetime:
    """When to try again after a rate limit: an aware UTC datetime on the app's clock.

    ``reset`` is the server's reset instant in Unix seconds (X's ``x-rate-limit-reset``,
    Bluesky's ``ratelimit-reset``, Mastodon's ``X-RateLimit-Reset`` as Mastodon.py parses
    it); ``after`` is a delay in seconds (``retry-after``). A usable reset wins, then the
    delay, then ``fallback``. A reset already past (the clocks disagree) waits a minute.

    With ``clock`` None the adapter runs on real time and a reset is used exactly as the
    server gave it; on an injected clock (fixed or shifted, in tests and demos) the
    server's remaining wait is added to that clock's now.
    """
    real = REAL_TIME.now()
    now = real if clock is None else clock.now()
    if reset is not None and math.isfinite(reset):
        try:
            at = datetime.fromtimestamp(reset, UTC)
        except (OverflowError, OSError, ValueError):
            at = None
        if at is not None:
            wait = at - real
            if wait <= timedelta(0):
                return now + PAST_RESET_WAIT
            return at if clock is None else now + wait
    if after is not None and math.isfinite(after):
        return now + timedelta(seconds=max(0.0, after))
    return now + fallback


def number(value: object) -> float | None:
    """A header value as a number, or None."""
    try:
        return float(str(value).strip()) if value is not None else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- lookup


def comparable(text: str, *, mask_links: bool = False) -> str:
    """Text as ``lookup`` compares it: NFC, whitespace collapsed. With ``mask_links`` every
    link (as the renderer finds them, bare domains too) becomes one placeholder, for
    platforms that rewrite links (X's t.co)."""
    text = unicodedata.normalize("NFC", text)
    if mask_links:
        from infobot.domain.render import facets

        links = [f for f in facets(text) if f.kind == "link"]
        if links:
            data = text.encode("utf-8", "surrogatepass")
            parts: list[str] = []
            at = 0
            for link in links:
                parts.append(data[at : link.byte_start].decode("utf-8", "surrogatepass"))
                parts.append(f" {LINK} ")
                at = link.byte_end
            parts.append(data[at:].decode("utf-8", "surrogatepass"))
            text = "".join(parts)
    return " ".join(text.split())


LINK = "\x00link\x00"  # stands for any link in comparable(mask_links=True)


# --------------------------------------------------------------------------- SDK warnings

_install = threading.Lock()
_roots: dict[str, str] = {}  # SDK package -> its folder, for warnings raised there


#: what an SDK says about the data it is given (tweepy's RuntimeWarning on new field names);
#: deprecations keep the process's own filters: hidden in production, errors in the tests
SDK_WARNINGS: tuple[type[Warning], ...] = (UserWarning, RuntimeWarning, FutureWarning)


def send_library_warnings_to_log(*packages: str) -> None:
    """Warnings raised inside these (imported) packages go to the ``infobot.platforms`` log
    at DEBUG, and never onto a terminal nor raise, whatever the process's warning filters
    (pytest's ``error`` included), for the categories in :data:`SDK_WARNINGS`.

    Process-wide and idempotent, so an adapter calls it each time it loads its SDK:
    installing is locked and handling a warning changes nothing shared, unlike
    ``warnings.catch_warnings`` around calls, which is unsafe across the posting threads.
    """
    with _install:
        for package in packages:
            folders = getattr(sys.modules.get(package), "__path__", None)
            if folders and package not in _roots:  # a package (a folder), never a bare module
                _roots[package] = os.path.join(next(iter(folders)), "")
        if not _roots:
            return
        pattern = rf"(?:{'|'.join(re.escape(p) for p in sorted(_roots))})(?:\.|$)"
        installed = {
            f[2] for f in warnings.filters if f[0] == "default" and _pattern(f[3]) == pattern
        }
        for category in SDK_WARNINGS:
            if category not in installed:
                warnings.filterwarnings("default", category=category, module=pattern)
        if not getattr(warnings.showwarning, "infobot_sdk_warnings", False):
            warnings.showwarning = _LogSdkWarnings(warnings.showwarning)


def _pattern(module: object) -> str | None:
    return getattr(module, "pattern", None)


class _LogSdkWarnings:
    """A ``warnings.showwarning`` that logs warnings from SDK folders and passes the rest on."""

    infobot_sdk_warnings = True

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        if filename.startswith(tuple(_roots.values())):
            log.debug("%s from %s:%d: %s", category.__name__, filename, lineno, message)
            return
        self.previous(message, category, filename, lineno, file, line)


# --------------------------------------------------------------------------- plug-ins


def plugin_settings(model: type[M], config: Mapping[str, Any], *, name: str) -> M:
    """An outside platform's settings section, validated by the plug-in's own pydantic
    model. Every bad field is named both as ``INFOBOT_PLUGINS__NAME__KEY`` and as
    ``[plugins.NAME] key`` in one :class:`ConfigError` (the CLI exits 2)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(dict(config))
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False, include_input=False):
            loc = [str(part) for part in error["loc"]] or ["(section)"]
            env = f"INFOBOT_PLUGINS__{name.upper()}__" + "__".join(p.upper() for p in loc)
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{env} ([plugins.{name}] {'.'.join(loc)}): {message}")
        raise ConfigError(lines) from None
