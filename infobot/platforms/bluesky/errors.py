"""atproto's and httpx's exceptions as infobot's taxonomy, scrubbed of the password and tokens.

429 -> ``RateLimited`` (``ratelimit-reset``, else ``retry-after``); 401/403 and a 400
``ExpiredToken``/``InvalidToken`` -> ``CredentialsRejected`` (the adapter first logs in
again once with the app password: :func:`token_refused`); any other 400 and 413 ->
``PermanentError`` with the server's message; 5xx -> ``TransientError``; a timeout, a
dropped connection, or a 502/504/409 answer to ``createRecord`` or ``applyWrites`` ->
``InDoubt`` (the post may exist); the same on any other call -> ``TransientError``.
"""

from __future__ import annotations

from collections.abc import Mapping
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

NAME = "bluesky"
CREATE_NSID = "com.atproto.repo.createRecord"
APPLY_NSID = "com.atproto.repo.applyWrites"  # a post written with its threadgate/postgate
#: the calls that create the post: a timeout or dropped connection on them may have posted
CREATING = frozenset({CREATE_NSID, APPLY_NSID})
REFRESH_NSID = "com.atproto.server.refreshSession"
LOGIN_NSID = "com.atproto.server.createSession"
RATE_LIMIT_FALLBACK = timedelta(minutes=5)
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


class Translator:
    """One SDK/httpx exception as one of our errors, in words for the comms team."""

    def __init__(
        self, *, handle: str, service_url: str, timeout: float, clock: Clock | None, scrub: Scrubber
    ) -> None:
        self.handle = handle
        self.service_url = service_url
        self.timeout = timeout
        self.clock = clock
        self.scrub = scrub

    def __call__(self, exc: BaseException, action: str, *, last_call: str) -> PlatformError:
        import httpx
        from atproto_client import exceptions as sdk
        from pydantic import ValidationError

        creating = last_call in CREATING
        response = exc.response if isinstance(exc, sdk.RequestErrorBase) else None
        if response is not None:
            return self._answer(exc, int(response.status_code), response.headers, action, creating)
        if isinstance(exc, sdk.NetworkError | httpx.TransportError):
            found = list(causes(exc))
            timed_out = any(
                isinstance(c, sdk.InvokeTimeoutError | httpx.TimeoutException) for c in found
            )
            if creating and not never_sent(exc):
                what = (
                    f"did not answer within {self.timeout:g} seconds"
                    if timed_out
                    else "dropped the connection"
                )
                return self.in_doubt(f"{what} while creating the post")
            cause = exc.__cause__ if isinstance(exc, sdk.RequestErrorBase) else exc
            return TransientError(
                f"could not reach Bluesky at {self.service_url} to {action}"
                f" ({'timed out' if timed_out else type(cause or exc).__name__});"
                " infobot will try again later",
                platform=NAME,
            )
        if isinstance(exc, ValidationError | sdk.ModelError):
            return PermanentError(
                f"the Bluesky SDK refused to {action}: {self.scrub(str(exc))[:300]}",
                platform=NAME,
            )
        return TransientError(
            f"Bluesky: unexpected {type(exc).__name__} while trying to {action}:"
            f" {self.scrub(str(exc))[:300]}",
            platform=NAME,
        )

    def _answer(
        self,
        exc: BaseException,
        status: int,
        headers: Mapping[str, Any],
        action: str,
        creating: bool,
    ) -> PlatformError:
        detail, error = xrpc_error(exc)
        said = f": {self.scrub(detail)}" if detail else ""
        failure = classify_status(
            status, creating=creating, credentials=(401, 403), in_doubt=(409, 502, 504)
        )
        if status == 400 and error in TOKEN_ERRORS:
            failure = Failure.CREDENTIALS
        if failure is Failure.RATE_LIMITED:
            lowered = {str(k).lower(): v for k, v in headers.items()}
            retry_at = retry_time(
                self.clock,
                reset=number(lowered.get("ratelimit-reset")),
                after=number(lowered.get("retry-after")),
                fallback=RATE_LIMIT_FALLBACK,
            )
            message = (
                f"Bluesky is limiting how often infobot can {action} (HTTP 429); try again"
                f" after {retry_at:%H:%M} UTC"
            )
            return error_for(failure, message, platform=NAME, retry_at=retry_at)
        if failure is Failure.CREDENTIALS:
            return self.rejected(f"HTTP {status}{said}")
        if failure is Failure.IN_DOUBT:
            return self.in_doubt(f"answered HTTP {status} while creating the post")
        if status == 413:
            message = f"Bluesky refused to {action}: it is too large (HTTP 413)"
        elif status == 400:
            message = f"Bluesky refused to {action}{said or ' (HTTP 400)'}"
        elif status >= 500:
            message = (
                f"Bluesky had a server problem and could not {action} (HTTP {status}{said});"
                " infobot will try again later"
            )
        elif failure is Failure.PERMANENT:
            message = f"Bluesky refused to {action} (HTTP {status}{said})"
        else:
            message = f"Bluesky could not {action} (HTTP {status}{said})"
        return error_for(failure, message, platform=NAME)

    def rejected(self, why: str) -> PlatformError:
        return error_for(
            Failure.CREDENTIALS,
            f"Bluesky rejected the app password for @{self.handle} ({why}). Check"
            " INFOBOT_BLUESKY__HANDLE and INFOBOT_BLUESKY__APP_PASSWORD, or create a new app"
            " password in Bluesky's settings",
            platform=NAME,
        )

    def in_doubt(self, what: str) -> InDoubt:
        return InDoubt(
            f"Bluesky {what}, so the post may or may not have been published; infobot"
            f" checks @{self.handle}'s posts before trying again",
            platform=NAME,
        )


def token_refused(exc: BaseException, last_call: str) -> bool:
    """Whether Bluesky refused the session's tokens rather than the app password: a 401 on
    any call but the password login, a 400 ``ExpiredToken``/``InvalidToken`` (how a PDS
    answers an expired or revoked token), or a refused refresh. Logging in again with the
    app password may fix these; nothing else about the request was wrong."""
    from atproto_client import exceptions as sdk

    if isinstance(exc, sdk.LoginRequiredError):
        return True
    response = exc.response if isinstance(exc, sdk.RequestErrorBase) else None
    if response is None or last_call == LOGIN_NSID:
        return False
    status = int(response.status_code)
    if last_call == REFRESH_NSID and status in (400, 401):
        return True
    return status == 401 or (status == 400 and xrpc_error(exc)[1] in TOKEN_ERRORS)


def session_rejected(exc: BaseException) -> bool:
    """Whether importing a saved session failed because of the session itself (so a
    password login may succeed), not because Bluesky is unreachable or limiting us."""
    from atproto_client import exceptions as sdk

    if isinstance(exc, sdk.UnauthorizedError | sdk.BadRequestError):
        return True
    if isinstance(exc, sdk.RequestErrorBase):  # network, 429, 5xx: a password won't help
        return False
    return isinstance(exc, sdk.AtProtocolError | ValueError)  # bad tokens, a broken file


def record_missing(exc: BaseException) -> bool:
    """Whether an SDK error says the record does not exist (a 400 ``RecordNotFound``)."""
    detail, error = xrpc_error(exc)
    return error == "RecordNotFound" or "could not locate record" in detail.lower()


def xrpc_error(exc: BaseException) -> tuple[str, str]:
    """``(readable detail, XRPC error name)`` from an SDK error's response, or empty."""
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    if content is None:
        return "", ""
    error = getattr(content, "error", None)
    message = getattr(content, "message", None)
    if isinstance(content, Mapping):
        error, message = content.get("error"), content.get("message")
    if not error and not message:
        return "", ""
    error = str(error or "")
    detail = f"{error}: {message}" if error and message else str(message or error)
    return detail[:300], error
