"""X (Twitter) through tweepy's API v2 ``Client``, as one account (OAuth 1.0a user context).

The only module that imports tweepy, and only on first use. What X makes this adapter do:

- **No idempotency key.** X answers a repeated text with 403 "duplicate content"; that is
  taken as evidence of the earlier post, which is then looked up on the account's own
  timeline (``lookup``) and returned instead of an error.
- **Media through v2 ourselves.** tweepy's ``Client`` has no v2 media upload, so images go
  to ``POST /2/media/upload`` and their alt text to ``POST /2/media/metadata``, signed with
  the same OAuth 1.0a credentials, over the same ``requests`` session.
- **Never sleep in the SDK.** ``wait_on_rate_limit=False``; a 429 becomes ``RateLimited``.
- **Every request has a timeout.** tweepy passes none, so the session's transport adapters
  are wrapped to add one. A timeout on ``POST /2/tweets`` is ``InDoubt``; on anything else
  (reads, deletes, uploads: nothing is posted) it is a ``TransientError``.
- **Hosts.** tweepy hard-codes ``https://api.twitter.com``; ``api_base`` sends those
  requests elsewhere (re-signed for the new URL), which is how the tests reach a local fake.
  Media goes to ``upload_base`` (X's documented ``https://api.x.com`` by default).
"""

from __future__ import annotations

import html
import mimetypes
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

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
from infobot.domain.render import PlatformRules, Post, facets
from infobot.platforms.base import Account, Published

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import requests

    from infobot.settings import Settings

NAME = "x"
TWEEPY_HOST = "https://api.twitter.com"  # hard-coded in tweepy.Client.request
UPLOAD_BASE = "https://api.x.com"
RATE_LIMIT_FALLBACK = timedelta(minutes=15)
LOOKUP_DEPTH = 20  # recent posts searched by lookup (X allows 5-100 per page)
_LINK = "\x00link\x00"  # stands for any link when texts are compared

_CREDENTIALS = {
    "consumer_key": "the app's consumer key (API key)",
    "consumer_secret": "the app's consumer secret (API key secret)",
    "access_token": "the posting account's access token",
    "access_token_secret": "the posting account's access token secret",
}


def create(settings: Settings) -> XPlatform:
    """The entry point: build the X adapter from settings, or say which settings are missing."""
    section = settings.x
    values: dict[str, str] = {}
    missing: list[str] = []
    for field, meaning in _CREDENTIALS.items():
        secret = getattr(section, field)
        value = secret.get_secret_value().strip() if secret is not None else ""
        if not value:
            missing.append(
                f"INFOBOT_X__{field.upper()} is not set: X needs {meaning}, from the app's"
                " 'Keys and tokens' page in the X Developer Portal"
            )
        values[field] = value
    if missing:
        raise ConfigError(missing)
    return XPlatform(
        consumer_key=values["consumer_key"],
        consumer_secret=values["consumer_secret"],
        access_token=values["access_token"],
        access_token_secret=values["access_token_secret"],
        threads=section.threads,
        timeout=section.timeout_seconds,
    )


class XPlatform:
    name = NAME

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        threads: bool = True,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        api_base: str = TWEEPY_HOST,
        upload_base: str = UPLOAD_BASE,
        clock: Clock | None = None,
    ) -> None:
        self._credentials = (consumer_key, consumer_secret, access_token, access_token_secret)
        self._timeout = timeout
        self._given_session = session
        self._api_base = api_base.rstrip("/")
        self._upload_base = upload_base.rstrip("/")
        self._clock = clock or SystemClock()
        rules = PlatformRules.x()
        self._rules = rules if threads else replace(rules, max_parts=1)
        self._session: requests.Session | None = None
        self._client: Any = None  # tweepy.Client, built on first use
        self._account: tuple[str, str] | None = None  # (user id, username), from get_me

    def __repr__(self) -> str:  # never the credentials
        return f"XPlatform(threads={self._rules.max_parts > 1}, timeout={self._timeout:g})"

    # -- the contract -----------------------------------------------------------------
    def rules(self) -> PlatformRules:
        return self._rules

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        media_ids = [self._upload(post)] if post.image else None
        try:
            response = self._tweepy().create_tweet(
                text=post.text,
                in_reply_to_tweet_id=reply_to.remote_id if reply_to else None,
                media_ids=media_ids,
                user_auth=True,
            )
        except Exception as exc:
            if _is_duplicate(exc):
                return self._earlier_post(post, idempotency_key, exc)
            raise self._error(exc, "create the post", may_have_posted=True) from exc
        try:
            tweet_id = str(response.data["id"])
        except (AttributeError, KeyError, TypeError) as exc:
            raise InDoubt(
                "X accepted the post but its answer did not include the post's id, so infobot"
                " will look for it on the account's timeline before trying again.",
                platform=NAME,
            ) from exc
        return Published(tweet_id, self._url(tweet_id))

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        user_id, _ = self._me()
        try:
            response = self._tweepy().get_users_tweets(
                user_id, max_results=LOOKUP_DEPTH, user_auth=True
            )
        except Exception as exc:
            raise self._error(
                exc, "read the account's recent posts", may_have_posted=False
            ) from exc
        wanted = _comparable(post.text)
        for tweet in response.data or ():
            if _same_text(str(tweet.text), wanted, media_link=bool(post.image)):
                return Published(str(tweet.id), self._url(str(tweet.id)))
        return None

    def delete(self, published: Published) -> None:
        try:
            self._tweepy().delete_tweet(published.remote_id, user_auth=True)
        except Exception as exc:
            if _status(exc) == 404:
                return  # already gone
            raise self._error(exc, "delete the post", may_have_posted=False) from exc

    def prepare(self) -> None:
        """Load the SDK now (the daemon calls this at start), not at the first post."""
        import tweepy  # noqa: F401

    def verify(self) -> Account:
        self._account = None
        _, username = self._me()
        return Account(name=f"@{username}", url=f"https://x.com/{username}", can_post=True)

    def close(self) -> None:
        """Release pooled connections (not part of the contract; safe to call twice)."""
        if self._session is not None:
            self._session.close()

    # -- tweepy, sessions, auth -------------------------------------------------------
    def _tweepy(self) -> Any:
        if self._client is None:
            import tweepy

            consumer_key, consumer_secret, access_token, access_token_secret = self._credentials
            client = tweepy.Client(
                consumer_key=consumer_key,
                consumer_secret=consumer_secret,
                access_token=access_token,
                access_token_secret=access_token_secret,
                wait_on_rate_limit=False,
            )
            client.session.close()
            client.session = self._http()
            self._client = client
        return self._client

    def _auth(self) -> Callable[[requests.PreparedRequest], requests.PreparedRequest]:
        """OAuth 1.0a signing, exactly as tweepy signs its own requests."""
        import tweepy

        return cast(
            "Callable[[requests.PreparedRequest], requests.PreparedRequest]",
            tweepy.OAuth1UserHandler(*self._credentials).apply_auth(),
        )

    def _http(self) -> requests.Session:
        if self._session is None:
            import requests

            session = self._given_session or requests.Session()
            for prefix, adapter in list(session.adapters.items()):
                session.mount(prefix, _as_adapter(_DefaultTimeout(adapter, self._timeout)))
            if self._api_base != TWEEPY_HOST:
                redirect = _Redirect(session, self._api_base, self._auth())
                session.mount(TWEEPY_HOST + "/", _as_adapter(redirect))
            self._session = session
        return self._session

    def _me(self) -> tuple[str, str]:
        if self._account is None:
            try:
                user = self._tweepy().get_me(user_auth=True).data
            except Exception as exc:
                raise self._error(
                    exc, "check which account the credentials belong to", may_have_posted=False
                ) from exc
            self._account = (str(user.id), str(user.username))
        return self._account

    def _url(self, tweet_id: str) -> str:
        if self._account is None:
            return f"https://x.com/i/web/status/{tweet_id}"
        return f"https://x.com/{self._account[1]}/status/{tweet_id}"

    # -- media --------------------------------------------------------------------------
    def _upload(self, post: Post) -> str:
        path = Path(post.image)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PermanentError(
                f"The image {path.name!r} for this post cannot be read ({exc.strerror});"
                " nothing was sent to X.",
                platform=NAME,
            ) from exc
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        answer = self._media_call(
            "/2/media/upload",
            "upload the image",
            files={"media": (path.name, data, mime)},
            data={"media_category": "tweet_image"},
        )
        inner = answer.get("data")
        body: dict[str, Any] = inner if isinstance(inner, dict) else answer
        media_id = str(body.get("id") or body.get("media_id_string") or "")
        if not media_id:
            raise TransientError(
                "X accepted the image but did not say its media id; infobot will try again.",
                platform=NAME,
            )
        if post.image_alt:
            self._media_call(
                "/2/media/metadata",
                "add the alt text to the image",
                json={"id": media_id, "metadata": {"alt_text": {"text": post.image_alt}}},
            )
        return media_id

    def _media_call(self, route: str, action: str, **kwargs: Any) -> dict[str, Any]:
        session = self._http()
        try:
            with session.post(
                self._upload_base + route, auth=self._auth(), timeout=self._timeout, **kwargs
            ) as response:
                status = response.status_code
                if not 200 <= status < 300:
                    raise self._status_error(
                        status, _response_messages(response), response.headers, action
                    )
                try:
                    answer = response.json()
                except ValueError:
                    answer = None
        except PlatformError:
            raise
        except Exception as exc:
            raise self._error(exc, action, may_have_posted=False) from exc
        return answer if isinstance(answer, dict) else {}

    # -- errors -------------------------------------------------------------------------
    def _earlier_post(self, post: Post, idempotency_key: str, exc: Exception) -> Published:
        """X refused the text as a duplicate: find the post it means, or say it is in doubt."""
        try:
            found = self.lookup(post, idempotency_key=idempotency_key)
        except PlatformError as failure:
            raise InDoubt(
                "X says this exact text was already posted, but infobot could not read the"
                f" account's recent posts to find it ({failure}).",
                platform=NAME,
            ) from exc
        if found is not None:
            return found
        raise InDoubt(
            "X says this exact text was already posted, but it is not among the account's"
            f" {LOOKUP_DEPTH} most recent posts. Check the account on x.com: if the post is"
            " there, mark it as sent; if not, change the text slightly and post again.",
            platform=NAME,
        ) from exc

    def _error(self, exc: BaseException, action: str, *, may_have_posted: bool) -> PlatformError:
        """Translate anything tweepy or requests raised into the domain taxonomy."""
        import requests
        import tweepy

        if isinstance(exc, PlatformError):
            return exc
        if isinstance(exc, tweepy.HTTPException):
            response = exc.response
            messages = [str(m) for m in exc.api_messages] or [str(response.reason or "")]
            return self._status_error(
                int(response.status_code),
                messages,
                response.headers,
                action,
                reset_time=getattr(exc, "reset_time", None),
            )
        if isinstance(exc, requests.ConnectTimeout) or _refused(exc):
            return TransientError(
                f"infobot could not connect to X to {action}, so nothing was sent; it will try"
                " again later.",
                platform=NAME,
            )
        if not may_have_posted:
            return TransientError(
                f"X did not answer properly when infobot tried to {action}"
                f" ({_kind(exc)}); it will try again later.",
                platform=NAME,
            )
        if isinstance(exc, requests.Timeout):
            return InDoubt(
                f"X did not answer within {self._timeout:g} seconds, so the post may or may"
                " not have been created. infobot will look for it on the account's timeline"
                " before trying again.",
                platform=NAME,
            )
        if isinstance(exc, requests.RequestException):
            return InDoubt(
                f"The connection to X broke before X answered ({_kind(exc)}), so the post may"
                " or may not have been created. infobot will look for it on the account's"
                " timeline before trying again.",
                platform=NAME,
            )
        return TransientError(
            f"Something unexpected went wrong while trying to {action} on X ({_kind(exc)});"
            " infobot will try again later.",
            platform=NAME,
        )

    def _status_error(
        self,
        status: int,
        messages: list[str],
        headers: Mapping[str, str],
        action: str,
        reset_time: int | None = None,
    ) -> PlatformError:
        said = self._scrub("; ".join(m for m in messages if m))[:300]
        says = f": {said}" if said else ""
        if status == 429:
            retry_at = self._retry_at(headers, reset_time)
            return RateLimited(
                f"X is limiting how often infobot may {action} (HTTP 429 Too Many Requests);"
                f" infobot will try again after {retry_at:%H:%M} UTC on {retry_at:%d %b}.",
                retry_at=retry_at,
                platform=NAME,
            )
        if status == 401:
            return CredentialsRejected(
                f"X rejected the credentials when infobot tried to {action} (HTTP 401"
                f"{says}). Check the X consumer key and secret and the access token and"
                " secret in the settings; if they were regenerated or revoked in the X"
                " Developer Portal, copy the new ones in.",
                platform=NAME,
            )
        if status == 402:
            return PermanentError(
                f"X refused to {action} because the developer account's API credits are used"
                f" up (HTTP 402 Payment Required{says}). Buy more credits or turn on"
                " auto-recharge in the X Developer Console, then retry the delivery.",
                platform=NAME,
            )
        if status == 403:
            return PermanentError(
                f"X refused to {action} (HTTP 403 Forbidden{says}). Most often the app has no"
                " write permission: in the X Developer Portal set the app to 'Read and"
                " write', then regenerate the access token and secret and update the"
                " settings. X also refuses posts that break its rules.",
                platform=NAME,
            )
        if status == 400:
            return PermanentError(
                f"X rejected the request to {action} as invalid (HTTP 400{says}); retrying"
                " will not help. Check the story's text and image.",
                platform=NAME,
            )
        if status == 404:
            return PermanentError(
                f"X could not find what infobot needed to {action} (HTTP 404{says}); it may"
                " have been deleted.",
                platform=NAME,
            )
        if status >= 500:
            return TransientError(
                f"X had a server problem when infobot tried to {action} (HTTP {status});"
                " infobot will try again later.",
                platform=NAME,
            )
        return TransientError(
            f"X answered HTTP {status} when infobot tried to {action}{says}; infobot will"
            " try again later.",
            platform=NAME,
        )

    def _retry_at(self, headers: Mapping[str, str], reset_time: int | None) -> datetime:
        """When to try again: the latest reset among the exhausted limits X reported."""
        now = self._clock.now()
        resets: list[int | None] = [reset_time]
        resets.append(_int(headers.get("x-rate-limit-reset")))
        for window in ("x-user-limit-24hour", "x-app-limit-24hour"):
            if headers.get(f"{window}-remaining") == "0":
                resets.append(_int(headers.get(f"{window}-reset")))
        known = [r for r in resets if r is not None]
        if not known:
            return now + RATE_LIMIT_FALLBACK
        retry_at = datetime.fromtimestamp(max(known), UTC)
        return retry_at if retry_at > now else now + timedelta(minutes=1)

    def _scrub(self, text: str) -> str:
        for value in self._credentials:
            if len(value) >= 4:
                text = text.replace(value, "***")
        return text


# -- transport ----------------------------------------------------------------------------


class _DefaultTimeout:
    """A transport adapter wrapper: requests that name no timeout get this one."""

    def __init__(self, inner: requests.adapters.BaseAdapter, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


class _Redirect:
    """Sends requests for tweepy's hard-coded host to ``base``, signed again for the new URL."""

    def __init__(
        self,
        session: requests.Session,
        base: str,
        auth: Callable[[requests.PreparedRequest], requests.PreparedRequest],
    ) -> None:
        self.session = session
        self.base = base
        self.auth = auth

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        from requests.utils import resolve_proxies

        url = request.url or ""
        request.url = self.base + url[len(TWEEPY_HOST) :]
        if "Authorization" in request.headers:
            del request.headers["Authorization"]
            self.auth(request)
        kwargs["proxies"] = resolve_proxies(request, self.session.proxies, self.session.trust_env)
        return self.session.get_adapter(request.url).send(request, **kwargs)

    def close(self) -> None:
        pass


def _as_adapter(adapter: _DefaultTimeout | _Redirect) -> requests.adapters.BaseAdapter:
    return cast("requests.adapters.BaseAdapter", adapter)


# -- helpers --------------------------------------------------------------------------------


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _is_duplicate(exc: BaseException) -> bool:
    if _status(exc) != 403:
        return False
    messages = [str(m).lower() for m in getattr(exc, "api_messages", None) or ()]
    return any("duplicate" in m for m in messages)


def _refused(exc: BaseException) -> bool:
    """True when the connection was never made (refused, DNS failure): nothing was sent."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    causes: list[object] = list(exc.args[:1])
    causes.append(getattr(causes[0], "reason", None) if causes else None)
    return any(isinstance(c, NewConnectionError | ConnectTimeoutError) for c in causes)


def _kind(exc: BaseException) -> str:
    """A short, credential-free name for a low-level failure."""
    return type(exc).__name__


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _response_messages(response: requests.Response) -> list[str]:
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


def _comparable(text: str) -> str:
    """Text as X would give it back, for comparison: NFC, links masked, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    links = [f for f in facets(text) if f.kind == "link"]
    if links:
        data = text.encode("utf-8", "surrogatepass")
        parts: list[str] = []
        at = 0
        for link in links:
            parts.append(data[at : link.byte_start].decode("utf-8", "surrogatepass"))
            parts.append(f" {_LINK} ")
            at = link.byte_end
        parts.append(data[at:].decode("utf-8", "surrogatepass"))
        text = "".join(parts)
    return " ".join(text.split())


def _same_text(returned: str, wanted: str, *, media_link: bool) -> bool:
    """Whether a post's text from X (HTML-escaped, links as t.co) is ``wanted``.

    X adds a t.co link to the media at the end of a post with an image; ``media_link``
    allows one trailing link more than ``wanted`` has.
    """
    have = _comparable(html.unescape(returned))
    if have == wanted:
        return True
    return media_link and have.removesuffix(_LINK).rstrip() == wanted
