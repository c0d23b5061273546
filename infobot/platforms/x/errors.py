"""tweepy's and requests' exceptions, and X's error answers, as infobot's taxonomy.

A timeout or a broken connection on ``POST /2/tweets`` is ``InDoubt``; on anything else
(reads, deletes, uploads: nothing is posted) it is a ``TransientError``. A connection that
was never made is transient everywhere. A 429 is ``RateLimited`` until the latest reset
among the exhausted limits X reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from infobot.clock import Clock
from infobot.domain.errors import InDoubt, PlatformError, TransientError
from infobot.platforms.common import (
    Failure,
    Scrubber,
    classify_status,
    error_for,
    never_sent,
    number,
    retry_time,
)

if TYPE_CHECKING:
    import requests

NAME = "x"
RATE_LIMIT_FALLBACK = timedelta(minutes=15)


class Translator:
    """Turns one failure into one of our errors, in words for the comms team."""

    def __init__(self, *, scrub: Scrubber, clock: Clock | None, timeout: float) -> None:
        self.scrub = scrub
        self.clock = clock
        self.timeout = timeout

    def error(self, exc: BaseException, action: str, *, may_have_posted: bool) -> PlatformError:
        """Translate anything tweepy or requests raised."""
        import requests
        import tweepy

        if isinstance(exc, PlatformError):
            return exc
        if isinstance(exc, tweepy.HTTPException):
            response = exc.response
            messages = [str(m) for m in exc.api_messages] or [str(response.reason or "")]
            return self.status(
                int(response.status_code),
                messages,
                response.headers,
                action,
                reset_time=getattr(exc, "reset_time", None),
            )
        if never_sent(exc):
            return TransientError(
                f"infobot could not connect to X to {action}, so nothing was sent; it will try"
                " again later.",
                platform=NAME,
            )
        if not may_have_posted:
            return TransientError(
                f"X did not answer properly when infobot tried to {action}"
                f" ({type(exc).__name__}); it will try again later.",
                platform=NAME,
            )
        if isinstance(exc, requests.Timeout):
            return InDoubt(
                f"X did not answer within {self.timeout:g} seconds, so the post may or may"
                " not have been created. infobot will look for it on the account's timeline"
                " before trying again.",
                platform=NAME,
            )
        if isinstance(exc, requests.RequestException):
            return InDoubt(
                f"The connection to X broke before X answered ({type(exc).__name__}), so the"
                " post may or may not have been created. infobot will look for it on the"
                " account's timeline before trying again.",
                platform=NAME,
            )
        return TransientError(
            f"Something unexpected went wrong while trying to {action} on X"
            f" ({type(exc).__name__}); infobot will try again later.",
            platform=NAME,
        )

    def status(
        self,
        status: int,
        messages: list[str],
        headers: Mapping[str, str],
        action: str,
        reset_time: int | None = None,
    ) -> PlatformError:
        """X's error answer ``status`` (with its messages) as one of our errors."""
        said = self.scrub("; ".join(m for m in messages if m))[:300]
        says = f": {said}" if said else ""
        failure = classify_status(status)
        retry_at = None
        if failure is Failure.RATE_LIMITED:
            retry_at = self.retry_at(headers, reset_time)
            message = (
                f"X is limiting how often infobot may {action} (HTTP 429 Too Many Requests);"
                f" infobot will try again after {retry_at:%H:%M} UTC on {retry_at:%d %b}."
            )
        elif failure is Failure.CREDENTIALS:
            message = (
                f"X rejected the credentials when infobot tried to {action} (HTTP 401"
                f"{says}). Check the X consumer key and secret and the access token and"
                " secret in the settings; if they were regenerated or revoked in the X"
                " Developer Portal, copy the new ones in."
            )
        elif status == 402:
            message = (
                f"X refused to {action} because the developer account's API credits are used"
                f" up (HTTP 402 Payment Required{says}). Buy more credits or turn on"
                " auto-recharge in the X Developer Console, then retry the delivery."
            )
        elif status == 403:
            message = (
                f"X refused to {action} (HTTP 403 Forbidden{says}). Most often the app has no"
                " write permission: in the X Developer Portal set the app to 'Read and"
                " write', then regenerate the access token and secret and update the"
                " settings. X also refuses posts that break its rules."
            )
        elif status == 400:
            message = (
                f"X rejected the request to {action} as invalid (HTTP 400{says}); retrying"
                " will not help. Check the story's text and image."
            )
        elif status == 404:
            message = (
                f"X could not find what infobot needed to {action} (HTTP 404{says}); it may"
                " have been deleted."
            )
        elif status >= 500:
            message = (
                f"X had a server problem when infobot tried to {action} (HTTP {status});"
                " infobot will try again later."
            )
        elif failure is Failure.PERMANENT:
            message = f"X refused to {action} (HTTP {status}{says}); retrying will not help."
        else:
            message = (
                f"X answered HTTP {status} when infobot tried to {action}{says}; infobot will"
                " try again later."
            )
        return error_for(failure, message, platform=NAME, retry_at=retry_at)

    def retry_at(self, headers: Mapping[str, str], reset_time: int | None) -> datetime:
        """When to try again: the latest reset among the exhausted limits X reported."""
        resets = [number(reset_time), number(headers.get("x-rate-limit-reset"))]
        for window in ("x-user-limit-24hour", "x-app-limit-24hour"):
            if headers.get(f"{window}-remaining") == "0":
                resets.append(number(headers.get(f"{window}-reset")))
        known = [r for r in resets if r is not None]
        return retry_time(
            self.clock, reset=max(known) if known else None, fallback=RATE_LIMIT_FALLBACK
        )


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_duplicate(exc: BaseException) -> bool:
    """Whether X refused a create as "duplicate content" (evidence of an earlier post)."""
    if status_of(exc) != 403:
        return False
    messages = [str(m).lower() for m in getattr(exc, "api_messages", None) or ()]
    return any("duplicate" in m for m in messages)


def response_messages(response: requests.Response) -> list[str]:
    """The error messages in an X answer to a request made without tweepy."""
    try:
        body = response.json()
    except ValueError:
        return [str(response.reason or "")]
    messages: list[str] = []
    if isinstance(body, dict):
        for error in body.get("errors") or ():
            if isinstance(error, dict) and error.get("message"):
                messages.append(str(error["message"]))
        if not messages and body.get("detail"):
            messages.append(str(body["detail"]))
    return messages or [str(response.reason or "")]
