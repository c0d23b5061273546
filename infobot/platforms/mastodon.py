"""Mastodon through Mastodon.py: the only module that imports ``mastodon``.

Mastodon.py takes about half a second to import, so it is imported on first use, never at
module import. The client is built with ``ratelimit_method="throw"`` (never sleep inside the
SDK: the caller reschedules) and ``version_check_mode="created"`` with a declared version of
4.0.0: that makes no network call at start-up, and it is what makes ``media_post`` use
``/api/v2/media`` (with ``"none"`` and a declared version the SDK keeps 1.0.0 and falls back
to the deprecated v1 endpoint).

Error translation follows :mod:`infobot.platforms.base`. A network failure while creating a
status is ``InDoubt`` (the server may have created it) unless the connection was never made
(refused, DNS failure, connect timeout), which is ``TransientError``. On reads, deletes and
media uploads nothing the caller cares about can have been half-made, so network failures
there are ``TransientError``.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import re
import time
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from infobot.clock import Clock, SystemClock
from infobot.domain.errors import (
    ConfigError,
    CredentialsRejected,
    InDoubt,
    PermanentError,
    RateLimited,
    TransientError,
)
from infobot.domain.render import PlatformRules, Post
from infobot.platforms.base import Account, Published

if TYPE_CHECKING:
    import requests
    from mastodon import Mastodon

    from infobot.settings import Settings

__all__ = ["DEFAULT_MAX_LENGTH", "MastodonPlatform", "create"]

log = logging.getLogger(__name__)

NAME = "mastodon"
DEFAULT_MAX_LENGTH = 500  # upstream Mastodon's default, used when the instance won't say
DECLARED_VERSION = "4.0.0"  # see the module docstring; every endpoint used here is older
RATE_LIMIT_FALLBACK = timedelta(minutes=5)
MEDIA_WAIT_SECONDS = 60.0
LOOKUP_DEPTH = 40  # the API's maximum page size for account statuses
#: Real time, for comparing with the server's timestamps even when the app clock is shifted.
REAL_TIME = SystemClock()
LOOKUP_SLACK = 300.0  # seconds of clock difference allowed between us and the server


def create(settings: Settings) -> MastodonPlatform:
    """The entry point: build the adapter from ``settings.mastodon``."""
    section = settings.mastodon
    token = section.access_token.get_secret_value().strip() if section.access_token else ""
    problems = []
    if not section.api_base_url.strip():
        problems.append(
            "INFOBOT_MASTODON__API_BASE_URL: Mastodon is enabled but no instance address is"
            " set (for example https://social.example.org)"
        )
    if not token:
        problems.append(
            "INFOBOT_MASTODON__ACCESS_TOKEN: Mastodon is enabled but no access token is set"
            " (create one under Preferences > Development on the instance)"
        )
    if problems:
        raise ConfigError(problems)
    return MastodonPlatform(
        api_base_url=section.api_base_url.strip(),
        access_token=token,
        visibility=section.visibility,
        max_length=section.max_length,
        timeout=section.timeout_seconds,
    )


def _user_agent() -> str:
    from infobot import __version__

    return f"infobot/{__version__}"


class MastodonPlatform:
    name = NAME

    def __init__(
        self,
        *,
        api_base_url: str,
        access_token: str,
        visibility: str = "public",
        max_length: int | None = None,
        timeout: float = 30.0,
        language: str | None = "en",
        session: requests.Session | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        media_wait_seconds: float = MEDIA_WAIT_SECONDS,
    ) -> None:
        if visibility not in ("public", "unlisted", "private", "direct"):
            raise ValueError(
                f"visibility must be public, unlisted, private or direct, not {visibility!r}"
            )
        self.api_base_url = api_base_url
        self._token = access_token
        self.visibility = visibility
        self.max_length = max_length
        self.timeout = timeout
        self.language = language or None
        self._session = session
        self._clock: Clock = clock or SystemClock()
        self._sleep = sleep
        self._monotonic = monotonic
        self.media_wait_seconds = min(media_wait_seconds, MEDIA_WAIT_SECONDS)
        self._client: Mastodon | None = None
        self._rules: PlatformRules | None = None
        self._me: Any = None
        # idempotency key -> when this process first tried it, as a Unix time to compare with
        # the server's created_at (real time, not the app clock, which may be shifted)
        self._attempts: dict[str, float] = {}

    def __repr__(self) -> str:  # never show the token
        return f"MastodonPlatform(api_base_url={self.api_base_url!r})"

    # ------------------------------------------------------------------ the SDK client

    @property
    def client(self) -> Mastodon:
        """The Mastodon.py client, built (and ``mastodon`` imported) on first use."""
        if self._client is None:
            from mastodon import Mastodon

            self._client = Mastodon(
                api_base_url=self.api_base_url,
                access_token=self._token,
                ratelimit_method="throw",
                request_timeout=self.timeout,
                user_agent=_user_agent(),
                mastodon_version=DECLARED_VERSION,
                version_check_mode="created",
                session=self._session,
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP session (the adapter can still be used afterwards)."""
        if self._client is not None:
            self._client.session.close()

    # ------------------------------------------------------------------ the contract

    def rules(self) -> PlatformRules:
        if self._rules is None:
            limit = self.max_length if self.max_length is not None else self._instance_limit()
            self._rules = PlatformRules.mastodon(limit)
        return self._rules

    def _instance_limit(self) -> int:
        try:
            instance = self.client.instance_v2()
            limit = int(instance["configuration"]["statuses"]["max_characters"])
            if limit < 1:
                raise ValueError(limit)
        except Exception as exc:
            log.warning(
                "Mastodon: could not read the instance's character limit (%s); using %d",
                _scrub(type(exc).__name__, self._token),
                DEFAULT_MAX_LENGTH,
            )
            return DEFAULT_MAX_LENGTH
        return limit

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        from mastodon import MastodonError

        self._remember(idempotency_key)
        media_ids = [self._upload(post)] if post.image else None
        try:
            status = self.client.status_post(
                post.text,
                in_reply_to_id=reply_to.remote_id if reply_to else None,
                media_ids=media_ids,
                visibility=self.visibility,
                language=post.language or self.language,
                idempotency_key=idempotency_key,
            )
        except MastodonError as exc:
            self._fail(exc, "publish the post", creating=True)
        return _published(status)

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        """Search the account's own recent statuses for this text. Never posts anything."""
        from mastodon import MastodonError

        wanted = _collapse(post.text)
        since = self._attempts.get(idempotency_key)
        try:
            me = self._account()
            statuses = self.client.account_statuses(
                me["id"], limit=LOOKUP_DEPTH, exclude_reblogs=True
            )
        except MastodonError as exc:
            self._fail(exc, "look up earlier posts")
        for status in statuses:  # newest first
            if status.get("reblog"):
                continue
            if since is not None and not _created_since(status, since - LOOKUP_SLACK):
                continue
            if _plain_text(status.get("content") or "") == wanted:
                return _published(status)
        return None

    def delete(self, published: Published) -> None:
        from mastodon import MastodonError, MastodonNotFoundError

        try:
            self.client.status_delete(published.remote_id)
        except MastodonNotFoundError:
            return  # already gone
        except MastodonError as exc:
            self._fail(exc, "delete the post")

    def prepare(self) -> None:
        """Load the SDK now (the daemon calls this at start), not at the first post."""
        import mastodon  # noqa: F401

    def verify(self) -> Account:
        from mastodon import MastodonError

        try:
            me = self._account(refresh=True)
        except MastodonError as exc:
            self._fail(exc, "check the account")
        acct = str(me.get("acct") or me.get("username") or "")
        url = str(me.get("url") or "")
        if "@" not in acct:
            base = (
                self.api_base_url if "://" in self.api_base_url else f"https://{self.api_base_url}"
            )
            host = urlsplit(url).hostname or urlsplit(base).hostname or ""
            acct = f"{acct}@{host}" if host else acct
        return Account(name=f"@{acct}", url=url, can_post=True)

    # ------------------------------------------------------------------ helpers

    def _remember(self, idempotency_key: str) -> None:
        now = REAL_TIME.now().timestamp()  # compared with the server's own timestamps
        if len(self._attempts) > 500:  # a long-running process: forget attempts over a day old
            self._attempts = {k: t for k, t in self._attempts.items() if now - t < 86_400}
        self._attempts.setdefault(idempotency_key, now)

    def _account(self, *, refresh: bool = False) -> Any:
        if self._me is None or refresh:
            self._me = self.client.account_verify_credentials()
        return self._me

    def _upload(self, post: Post) -> str:
        """Upload the image with its alt text and wait until the server has processed it."""
        from mastodon import MastodonError

        path = Path(post.image)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PermanentError(
                f"Mastodon: cannot read the image {path.name!r} ({exc.strerror or exc})",
                platform=NAME,
            ) from None
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            media = self.client.media_post(
                data,
                mime_type=mime_type,
                description=post.image_alt or None,
                file_name=path.name,
            )
            waited = 0.0
            deadline = self._monotonic() + self.media_wait_seconds
            delay = 0.5
            while media.get("url") is None:
                if waited >= self.media_wait_seconds or self._monotonic() >= deadline:
                    raise TransientError(
                        f"Mastodon was still processing the image after"
                        f" {self.media_wait_seconds:.0f} seconds; nothing was posted",
                        platform=NAME,
                    )
                pause = min(delay, self.media_wait_seconds - waited)
                self._sleep(pause)
                waited += pause
                delay = min(delay * 2, 5.0)
                media = self.client.media(media["id"])
        except MastodonError as exc:
            self._fail(exc, "upload the image")
        return str(media["id"])

    def _fail(self, exc: Exception, action: str, *, creating: bool = False) -> NoReturn:
        raise _translate(
            exc,
            action,
            creating=creating,
            client=self._client,
            now=self._clock.now(),
            token=self._token,
        ) from exc


# ---------------------------------------------------------------------- error translation


def _translate(
    exc: Exception,
    action: str,
    *,
    creating: bool,
    client: Any,
    now: datetime,
    token: str,
) -> Exception:
    """One SDK exception as one of ours, with a plain message that never holds the token."""
    from mastodon import (
        MastodonAPIError,
        MastodonIllegalArgumentError,
        MastodonNetworkError,
        MastodonNotFoundError,
        MastodonRatelimitError,
        MastodonServerError,
        MastodonUnauthorizedError,
        MastodonVersionError,
    )

    def say(text: str) -> str:
        return _scrub(f"Mastodon: could not {action}: {text}", token)

    if isinstance(exc, MastodonRatelimitError):
        if "Hit rate limit" not in str(exc):
            # the SDK failed to parse a rate-limit header on some answer, maybe a success
            detail = "the server's rate-limit headers could not be read"
            if creating:
                return InDoubt(say(detail + "; the post may exist"), platform=NAME)
            return TransientError(say(detail), platform=NAME)
        return RateLimited(
            say("the rate limit was reached; try again later"),
            retry_at=_retry_at(client, now),
            platform=NAME,
        )
    if isinstance(exc, MastodonNetworkError):
        if creating and not _never_sent(exc):
            return InDoubt(
                say(
                    "the connection failed after the request was sent"
                    f" ({_network_reason(exc)}); the post may exist"
                ),
                platform=NAME,
            )
        return TransientError(
            say(f"the instance could not be reached ({_network_reason(exc)})"), platform=NAME
        )
    if isinstance(exc, MastodonAPIError):
        status, reason = _status_and_reason(exc)
        if isinstance(exc, MastodonUnauthorizedError) or status == 401:
            return CredentialsRejected(
                _scrub(
                    f"Mastodon rejected the access token (HTTP 401) when trying to {action}:"
                    " it may be wrong, expired or revoked; create a new one on the instance"
                    " and set INFOBOT_MASTODON__ACCESS_TOKEN",
                    token,
                ),
                platform=NAME,
            )
        if isinstance(exc, MastodonServerError) or (status is not None and status >= 500):
            return TransientError(
                say(f"the instance had a server error (HTTP {status})"), platform=NAME
            )
        if status == 403:
            return PermanentError(
                say(
                    "the instance refused (HTTP 403): the account may be suspended, disabled"
                    " or unconfirmed, or the token lacks the write:statuses and write:media"
                    f" scopes{_because(reason)}"
                ),
                platform=NAME,
            )
        if status == 422:
            return PermanentError(
                say(f"the instance refused the post{_because(reason)}"), platform=NAME
            )
        if isinstance(exc, MastodonNotFoundError) or status == 404:
            return PermanentError(say(f"not found (HTTP 404){_because(reason)}"), platform=NAME)
        if status is None:
            # an answer the SDK could not read; after a create it may be a success
            if creating:
                return InDoubt(
                    say("the instance's answer could not be read; the post may exist"),
                    platform=NAME,
                )
            return TransientError(say("the instance's answer could not be read"), platform=NAME)
        if 400 <= status < 500:
            return PermanentError(
                say(f"the instance refused (HTTP {status}){_because(reason)}"), platform=NAME
            )
        return TransientError(say(f"unexpected answer (HTTP {status})"), platform=NAME)
    if isinstance(exc, (MastodonIllegalArgumentError, MastodonVersionError)):
        # raised before any request is made; the same call would fail the same way
        return PermanentError(say(f"the request was invalid ({type(exc).__name__})"), platform=NAME)
    return TransientError(say(f"unexpected error ({type(exc).__name__})"), platform=NAME)


def _status_and_reason(exc: Exception) -> tuple[int | None, str]:
    """``MastodonAPIError`` args are ('Mastodon API returned error', status, reason, error)."""
    args = exc.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    detail = args[3] if len(args) > 3 and isinstance(args[3], str) else ""
    return status, detail


def _because(reason: str) -> str:
    reason = " ".join(reason.split())[:300]
    return f": {reason}" if reason else ""


def _retry_at(client: Any, now: datetime) -> datetime:
    """When to retry after a 429: the server's reset (epoch from the SDK) as a delay on our
    clock, or five minutes from now when the server did not say."""
    reset = getattr(client, "ratelimit_reset", None)
    if isinstance(reset, (int, float)):
        delay = float(reset) - REAL_TIME.now().timestamp()  # the server's epoch is real time
        if 0 < delay <= 24 * 3600:
            return now + timedelta(seconds=delay)
    return now + RATE_LIMIT_FALLBACK


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (the SDK raises without ``from``: use ``__context__``)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _never_sent(exc: BaseException) -> bool:
    """True only when the request certainly never reached the server: the TCP connection was
    never made (refused, DNS failure, connect timeout). Anything else may have been sent."""
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    for cause in _causes(exc):
        if isinstance(cause, requests.exceptions.ConnectTimeout):
            return True
        if isinstance(cause, requests.exceptions.ConnectionError):
            inner = cause.args[0] if cause.args else None
            return isinstance(inner, MaxRetryError) and isinstance(inner.reason, NewConnectionError)
        if isinstance(cause, requests.exceptions.RequestException):
            return False
    return False


def _network_reason(exc: BaseException) -> str:
    import requests

    if _never_sent(exc):
        for cause in _causes(exc):
            if isinstance(cause, requests.exceptions.ConnectTimeout):
                return "connecting timed out"
        return "the connection was refused or the address was not found"
    for cause in _causes(exc):
        if isinstance(cause, requests.exceptions.Timeout):
            return "no answer in time"
        if isinstance(cause, requests.exceptions.SSLError):
            return "TLS error"
        if isinstance(cause, requests.exceptions.ConnectionError):
            return "connection error"
    return "network error"


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


# ---------------------------------------------------------------------- statuses


def _published(status: Any) -> Published:
    url = status.get("url") or status.get("uri") or ""
    return Published(str(status["id"]), str(url))


_BREAK = re.compile(r"(?i)<br\s*/?>|</p\s*>|<p(?:\s[^>]*)?>")
_TAG = re.compile(r"<[^>]*>")


def _plain_text(content: str) -> str:
    """Mastodon's HTML ``content`` as plain text, whitespace collapsed."""
    text = _BREAK.sub(" ", content)
    text = _TAG.sub("", text)
    return _collapse(html.unescape(text))


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _created_since(status: Any, since: float) -> bool:
    created = status.get("created_at")
    if not isinstance(created, datetime) or created.tzinfo is None:
        return True  # unknown: do not rule it out
    return created.timestamp() >= since
