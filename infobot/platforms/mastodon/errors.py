"""Mastodon.py's exceptions as infobot's taxonomy, in plain words that never hold the token.

A network failure while creating a status is ``InDoubt`` (the server may have created it)
unless the connection was never made, which is ``TransientError``. On reads, deletes and
media uploads nothing the caller cares about can have been half-made, so network failures
there are ``TransientError``. A 429 is ``RateLimited`` until Mastodon's ``X-RateLimit-Reset``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from infobot.clock import Clock
from infobot.domain.errors import InDoubt, PermanentError, PlatformError, TransientError
from infobot.platforms.common import (
    Failure,
    Scrubber,
    causes,
    classify_status,
    error_for,
    never_sent,
    number,
    retry_time,
)

NAME = "mastodon"
RATE_LIMIT_FALLBACK = timedelta(minutes=5)


def translate(
    exc: Exception,
    action: str,
    *,
    creating: bool,
    client: Any,
    clock: Clock | None,
    scrub: Scrubber,
    host: str,
) -> PlatformError:
    """One SDK exception as one of ours, with a plain message that never holds the token."""
    from mastodon import (
        MastodonAPIError,
        MastodonIllegalArgumentError,
        MastodonNetworkError,
        MastodonRatelimitError,
        MastodonVersionError,
    )

    def say(text: str) -> str:
        return scrub(f"Mastodon: could not {action}: {text}")

    if isinstance(exc, MastodonRatelimitError):
        if "Hit rate limit" not in str(exc):
            # the SDK failed to parse a rate-limit header on some answer, maybe a success
            detail = "the server's rate-limit headers could not be read"
            if creating:
                return InDoubt(say(detail + "; the post may exist"), platform=NAME)
            return TransientError(say(detail), platform=NAME)
        reset = number(getattr(client, "ratelimit_reset", None))
        retry_at = retry_time(clock, reset=reset, fallback=RATE_LIMIT_FALLBACK)
        return error_for(
            Failure.RATE_LIMITED,
            say(f"the rate limit was reached; infobot will try again after {retry_at:%H:%M} UTC"),
            platform=NAME,
            retry_at=retry_at,
        )
    if isinstance(exc, MastodonNetworkError):
        if creating and not never_sent(exc):
            return InDoubt(
                say(
                    "the connection failed after the request was sent"
                    f" ({network_reason(exc)}); the post may exist"
                ),
                platform=NAME,
            )
        return TransientError(
            say(f"the instance {host} could not be reached ({network_reason(exc)})"),
            platform=NAME,
        )
    if isinstance(exc, MastodonAPIError):
        return _api_error(exc, action, creating=creating, say=say, scrub=scrub)
    if isinstance(exc, (MastodonIllegalArgumentError, MastodonVersionError)):
        # raised before any request is made; the same call would fail the same way
        return PermanentError(say(f"the request was invalid ({type(exc).__name__})"), platform=NAME)
    return TransientError(say(f"unexpected error ({type(exc).__name__})"), platform=NAME)


def _api_error(
    exc: Exception, action: str, *, creating: bool, say: Any, scrub: Scrubber
) -> PlatformError:
    from mastodon import MastodonNotFoundError, MastodonServerError, MastodonUnauthorizedError

    status, reason = status_and_reason(exc)
    if isinstance(exc, MastodonUnauthorizedError):
        status = 401
    elif isinstance(exc, MastodonNotFoundError):
        status = 404
    elif status is None and isinstance(exc, MastodonServerError):
        status = 500
    if status is None:
        # an answer the SDK could not read; after a create it may be a success
        if creating:
            return InDoubt(
                say("the instance's answer could not be read; the post may exist"), platform=NAME
            )
        return TransientError(say("the instance's answer could not be read"), platform=NAME)
    failure = classify_status(status, creating=creating)
    if failure is Failure.CREDENTIALS:
        message = scrub(
            f"Mastodon rejected the access token (HTTP 401) when trying to {action}:"
            " it may be wrong, expired or revoked; create a new one on the instance"
            " and set INFOBOT_MASTODON__ACCESS_TOKEN"
        )
    elif status >= 500:
        message = say(f"the instance had a server error (HTTP {status})")
    elif status == 403:
        message = say(
            "the instance refused (HTTP 403): the account may be suspended, disabled"
            " or unconfirmed, or the token lacks the write:statuses and write:media"
            f" scopes{_because(reason)}"
        )
    elif status == 422:
        message = say(f"the instance refused the post{_because(reason)}")
    elif status == 404:
        message = say(f"not found (HTTP 404){_because(reason)}")
    elif failure is Failure.PERMANENT:
        message = say(f"the instance refused (HTTP {status}){_because(reason)}")
    else:
        message = say(f"unexpected answer (HTTP {status})")
    return error_for(failure, message, platform=NAME)


def status_and_reason(exc: Exception) -> tuple[int | None, str]:
    """``MastodonAPIError`` args are ('Mastodon API returned error', status, reason, error)."""
    args = exc.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    detail = args[3] if len(args) > 3 and isinstance(args[3], str) else ""
    return status, detail


def _because(reason: str) -> str:
    reason = " ".join(reason.split())[:300]
    return f": {reason}" if reason else ""


def network_reason(exc: BaseException) -> str:
    """What went wrong on the network, in a few words (never a URL with a token)."""
    import requests

    found = list(causes(exc))
    if never_sent(exc):
        if any(isinstance(c, requests.exceptions.ConnectTimeout) for c in found):
            return "connecting timed out"
        return "the connection was refused or the address was not found"
    for kind, words in (
        (requests.exceptions.Timeout, "no answer in time"),
        (requests.exceptions.SSLError, "TLS error"),
        (requests.exceptions.ConnectionError, "connection error"),
    ):
        if any(isinstance(c, kind) for c in found):
            return words
    return "network error"
