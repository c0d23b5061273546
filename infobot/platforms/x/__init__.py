"""X (Twitter) through tweepy's API v2 ``Client``, as one account (OAuth 1.0a user context).

The only package that imports tweepy, and only on first use. What X makes this adapter do:

- **No idempotency key.** X answers a repeated text with 403 "duplicate content"; that is
  taken as evidence of the earlier post, which is then looked up on the account's own
  timeline (``lookup``) and returned instead of an error.
- **Media through v2 ourselves.** tweepy's ``Client`` has no v2 media upload, so images go
  to ``POST /2/media/upload`` and their alt text to ``POST /2/media/metadata``, signed with
  the same OAuth 1.0a credentials, over the same ``requests`` session.
- **Never sleep in the SDK.** ``wait_on_rate_limit=False``; a 429 becomes ``RateLimited``.
- **Every request has a timeout** (:mod:`.transport`): the posting timeout, or the short
  check timeout inside ``verify``. Errors: :mod:`.errors`.
- **Hosts.** tweepy hard-codes ``https://api.twitter.com``; ``api_base`` sends those
  requests elsewhere (re-signed for the new URL), which is how the tests reach a local fake.
  Media goes to ``upload_base`` (X's documented ``https://api.x.com`` by default).
- **tweepy's warnings** (such as a ``RuntimeWarning`` when X names a field
  ``edit_history_post_ids``) go to the log, never to the team's terminal.
- **What it costs.** Every answer X gives passes a response hook that tells the injected
  :class:`~infobot.platforms.base.CostRecorder` which priced request it was
  (:mod:`.charges`); engagement reads take the account's timeline when that is cheaper
  than reading the posts by id (``GET /2/tweets?ids=``, 100 at a time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from infobot.clock import Clock
from infobot.domain.costs import DEFAULT_PRICING, Pricing
from infobot.domain.engagement import Counts
from infobot.domain.errors import (
    ConfigError,
    InDoubt,
    PermanentError,
    PlatformError,
    TransientError,
)
from infobot.domain.render import PlatformRules, Post
from infobot.domain.replies import WhoCanReply
from infobot.platforms.base import Account, CostRecorder, PlatformBase, Published
from infobot.platforms.common import (
    Scrubber,
    comparable,
    read_image,
    send_library_warnings_to_log,
)
from infobot.platforms.metrics_parse import X_BATCH, MetricsPage, parse_x
from infobot.platforms.x.charges import batches, charge_of, timeline_depth
from infobot.platforms.x.errors import (
    NAME,
    Translator,
    is_duplicate,
    response_messages,
    status_of,
)
from infobot.platforms.x.matching import parent_of, same_text
from infobot.platforms.x.transport import TWEEPY_HOST, mount

if TYPE_CHECKING:
    import requests

    from infobot.settings import Settings

log = logging.getLogger(__name__)

UPLOAD_BASE = "https://api.x.com"
#: X API v2 ``reply_settings`` for each choice (docs.x.com: POST /2/tweets)
REPLY_SETTINGS = {
    WhoCanReply.FOLLOWING: "following",
    WhoCanReply.MENTIONED: "mentionedUsers",
    WhoCanReply.VERIFIED: "verified",
    WhoCanReply.SUBSCRIBERS: "subscribers",
}
LOOKUP_DEPTH = 20  # recent posts searched by lookup (X allows 5-100 per page)
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for an image
SDK_PACKAGES = ("tweepy", "requests", "urllib3", "oauthlib", "requests_oauthlib")

_CREDENTIALS = {
    "consumer_key": "the app's consumer key (API key)",
    "consumer_secret": "the app's consumer secret (API key secret)",
    "access_token": "the posting account's access token",
    "access_token_secret": "the posting account's access token secret",
}


def create(settings: Settings, config: Mapping[str, Any] | None = None, /) -> XPlatform:
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
        check_timeout=settings.check_timeout_seconds,
        pricing=section.pricing(),
        link_in_reply=section.link_in_reply,
        replies=section.replies,
    )


class XPlatform(PlatformBase):
    name = NAME
    metrics_batch = X_BATCH

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        threads: bool = True,
        timeout: float = 30.0,
        check_timeout: float = 5.0,
        session: requests.Session | None = None,
        api_base: str = TWEEPY_HOST,
        upload_base: str = UPLOAD_BASE,
        clock: Clock | None = None,
        pricing: Pricing = DEFAULT_PRICING,
        recorder: CostRecorder | None = None,
        link_in_reply: bool = False,
        replies: WhoCanReply | None = None,
    ) -> None:
        self._pricing = pricing
        self._recorder = recorder
        self._credentials = (consumer_key, consumer_secret, access_token, access_token_secret)
        self._timeout = timeout
        self._check_timeout = min(check_timeout, timeout)
        self._calls = threading.local()  # .timeout while verify() runs on this thread
        self._given_session = session
        self._api_base = api_base.rstrip("/")
        self._upload_base = upload_base.rstrip("/")
        self._errors = Translator(scrub=Scrubber(*self._credentials), clock=clock, timeout=timeout)
        self._reply_settings = REPLY_SETTINGS.get(replies) if replies else None
        self._rules = PlatformRules.x_account(
            threads=threads, link_in_reply=link_in_reply, replies=replies
        )
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
                # who may reply: set on the thread's first post, it covers the conversation
                reply_settings=self._reply_settings if reply_to is None else None,
                user_auth=True,
            )
        except Exception as exc:
            if is_duplicate(exc):
                return self._earlier_post(post, idempotency_key, exc, reply_to)
            raise self._errors.error(exc, "create the post", may_have_posted=True) from exc
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
                user_id,
                max_results=LOOKUP_DEPTH,
                tweet_fields=["referenced_tweets"],
                user_auth=True,
            )
        except Exception as exc:
            raise self._errors.error(
                exc, "read the account's recent posts", may_have_posted=False
            ) from exc
        wanted = comparable(post.text, mask_links=True)
        for tweet in response.data or ():
            if same_text(str(tweet.text), wanted, media_link=bool(post.image)):
                return Published(str(tweet.id), self._url(str(tweet.id)), parent_of(tweet))
        return None

    def delete(self, published: Published) -> None:
        try:
            self._tweepy().delete_tweet(published.remote_id, user_auth=True)
        except Exception as exc:
            if status_of(exc) == 404:
                return  # already gone
            raise self._errors.error(exc, "delete the post", may_have_posted=False) from exc

    def metrics(self, remote_ids: Sequence[str], *, recent: int | None = None) -> MetricsPage:
        """The posts' public metrics: from the account's timeline when that is cheaper
        (``recent``), the rest by id in batches of 100. Deleted posts are ``gone``."""
        wanted = list(dict.fromkeys(remote_ids))
        counts: dict[str, Counts] = {}
        gone: set[str] = set()
        with self._checking():
            try:
                depth = timeline_depth(len(wanted), recent, self._pricing)
                if depth is not None:
                    user_id, _ = self._me()
                    answer = self._tweepy().get_users_tweets(
                        user_id, tweet_fields=["public_metrics"], max_results=depth, user_auth=True
                    )
                    counts.update(parse_x({"data": answer.data}, wanted).counts)
                left = [i for i in wanted if i not in counts]
                for chunk in batches(left, X_BATCH):
                    answer = self._tweepy().get_tweets(
                        list(chunk), tweet_fields=["public_metrics"], user_auth=True
                    )
                    page = parse_x({"data": answer.data, "errors": answer.errors}, chunk)
                    counts.update(page.counts)
                    gone |= page.gone
            except Exception as exc:
                raise self._errors.error(
                    exc, "read the posts' counts", may_have_posted=False
                ) from exc
        return MetricsPage(counts, frozenset(gone), frozenset(wanted))

    def record_requests(self, recorder: CostRecorder | None) -> None:
        """Tell ``recorder`` of every request made to X from now on (the X ledger)."""
        self._recorder = recorder

    def prepare(self) -> None:
        """Load the SDK now (the daemon calls this at start), not at the first post."""
        import tweepy  # noqa: F401

        send_library_warnings_to_log(*SDK_PACKAGES)

    def verify(self) -> Account:
        self._account = None
        with self._checking():
            _, username = self._me()
        return Account(name=f"@{username}", url=f"https://x.com/{username}", can_post=True)

    def close(self) -> None:
        """Release pooled connections (safe to call twice)."""
        if self._session is not None:
            self._session.close()

    # -- tweepy, sessions, auth -------------------------------------------------------
    def _tweepy(self) -> Any:
        if self._client is None:
            import tweepy

            send_library_warnings_to_log(*SDK_PACKAGES)
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
            self._session = mount(
                session, timeout=self._current_timeout, base=self._api_base, auth=self._auth()
            )
            self._session.hooks["response"].append(self._charged)
        return self._session

    def _charged(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """The response hook: tell the recorder what this request costs."""
        if self._recorder is None:
            return
        request = response.request
        ok = 200 <= response.status_code < 300
        charge = charge_of(
            str(request.method or ""),
            urlsplit(str(request.url or "")).path,
            request.body if isinstance(request.body, bytes | str) else None,
            ok,
            response.json,
        )
        if charge is None:
            return
        try:
            self._recorder(charge[0], charge[1], response.status_code)
        except Exception:  # the ledger must never stop a post
            log.exception("could not record what a request to X cost")

    def _current_timeout(self) -> float:
        return float(getattr(self._calls, "timeout", self._timeout))

    @contextmanager
    def _checking(self) -> Iterator[None]:
        """Requests made on this thread inside the block use the short check timeout."""
        self._calls.timeout = self._check_timeout
        try:
            yield
        finally:
            del self._calls.timeout

    def _me(self) -> tuple[str, str]:
        if self._account is None:
            try:
                user = self._tweepy().get_me(user_auth=True).data
            except Exception as exc:
                raise self._errors.error(
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
        image = read_image(post.image, platform=NAME, who="X", max_bytes=MAX_IMAGE_BYTES)
        answer = self._media_call(
            "/2/media/upload",
            "upload the image",
            files={"media": (image.name, image.data, image.mime)},
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
                    raise self._errors.status(
                        status, response_messages(response), response.headers, action
                    )
                try:
                    answer = response.json()
                except ValueError:
                    answer = None
        except PlatformError:
            raise
        except Exception as exc:
            raise self._errors.error(exc, action, may_have_posted=False) from exc
        return answer if isinstance(answer, dict) else {}

    def _earlier_post(
        self, post: Post, idempotency_key: str, exc: Exception, reply_to: Published | None
    ) -> Published:
        """X refused the text as a duplicate: find the post it means, or say it is in doubt.

        A post found under another parent is an older post with the same text (a link in a
        reply, the same on two days), not this one: X will not take the text again."""
        try:
            found = self.lookup(post, idempotency_key=idempotency_key)
        except PlatformError as failure:
            raise InDoubt(
                "X says this exact text was already posted, but infobot could not read the"
                f" account's recent posts to find it ({failure}).",
                platform=NAME,
            ) from exc
        expected = reply_to.remote_id if reply_to is not None else ""
        if found is not None and found.parent not in (None, expected):
            raise PermanentError(
                "X refused this post because the account already posted the same text"
                f" ({found.url}), and that earlier post is not this one: X does not take"
                " the same text twice. Change the text (for a link in a reply: another"
                " address) and post again.",
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
