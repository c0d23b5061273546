"""Mastodon through Mastodon.py: the only package that imports ``mastodon``.

Mastodon.py takes about half a second to import, so it is imported on first use, never at
module import. The client is built with ``ratelimit_method="throw"`` (never sleep inside the
SDK: the caller reschedules) and ``version_check_mode="created"`` with a declared version of
4.0.0: that makes no network call at start-up, and it is what makes ``media_post`` use
``/api/v2/media`` (with ``"none"`` and a declared version the SDK keeps 1.0.0 and falls back
to the deprecated v1 endpoint).

The instance's character limit is read once per process, on first use, with the short
check timeout; an instance that does not answer in time gets the upstream default (500) and
a warning naming it. Errors: see :mod:`infobot.platforms.mastodon.errors`.

Engagement reads use a third client (the check timeout) that learns the server's real
version first: with the declared 4.0.0, Mastodon.py refuses ``statuses()`` (4.3+) without
sending anything. On 4.3+ the counts come 20 statuses at a time
(``GET /api/v1/statuses?id[]=``); older servers, and statuses a batch leaves out, are read
one at a time, where a 404 means the post is gone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from infobot.clock import Clock
from infobot.domain.engagement import Counts
from infobot.domain.errors import ConfigError, PlatformError, TransientError
from infobot.domain.render import PlatformRules, Post
from infobot.domain.replies import WhoCanQuote
from infobot.platforms.base import Account, PlatformBase, Published
from infobot.platforms.common import (
    REAL_TIME,
    Scrubber,
    comparable,
    read_image,
    send_library_warnings_to_log,
)
from infobot.platforms.mastodon.errors import NAME, network_reason, status_and_reason, translate
from infobot.platforms.mastodon.statuses import created_since, plain_text, published
from infobot.platforms.metrics_parse import (
    MASTODON_BATCH,
    MetricsPage,
    parse_mastodon_status,
    parse_mastodon_statuses,
)

if TYPE_CHECKING:
    import requests
    from mastodon import Mastodon

    from infobot.settings import Settings

__all__ = ["DEFAULT_MAX_LENGTH", "MastodonPlatform", "create"]

log = logging.getLogger(__name__)

DEFAULT_MAX_LENGTH = 500  # upstream Mastodon's default, used when the instance won't say
DECLARED_VERSION = "4.0.0"  # see the module docstring; every endpoint used here is older
MEDIA_WAIT_SECONDS = 60.0
LOOKUP_DEPTH = 40  # the API's maximum page size for account statuses
LOOKUP_SLACK = 300.0  # seconds of clock difference allowed between us and the server
SDK_PACKAGES = ("mastodon", "requests", "urllib3")
#: ``quote_approval_policy`` (Mastodon 4.5+) for each choice; older servers ignore it
QUOTE_POLICY = {
    WhoCanQuote.EVERYONE: "public",
    WhoCanQuote.FOLLOWERS: "followers",
    WhoCanQuote.NOBODY: "nobody",
}


def create(settings: Settings, config: Mapping[str, Any] | None = None, /) -> MastodonPlatform:
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
        check_timeout=settings.check_timeout_seconds,
        link_in_reply=section.link_in_reply,
        quotes=section.quotes,
    )


def _seconds(value: float) -> str:
    return f"{value:g} second{'' if value == 1 else 's'}"


def _user_agent() -> str:
    from infobot import __version__

    return f"infobot/{__version__}"


class MastodonPlatform(PlatformBase):
    name = NAME
    metrics_batch = MASTODON_BATCH

    def __init__(
        self,
        *,
        api_base_url: str,
        access_token: str,
        visibility: str = "public",
        max_length: int | None = None,
        timeout: float = 30.0,
        check_timeout: float = 5.0,
        language: str | None = "en",
        session: requests.Session | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        media_wait_seconds: float = MEDIA_WAIT_SECONDS,
        link_in_reply: bool = False,
        quotes: WhoCanQuote | None = None,
    ) -> None:
        if visibility not in ("public", "unlisted", "private", "direct"):
            raise ValueError(
                f"visibility must be public, unlisted, private or direct, not {visibility!r}"
            )
        self.api_base_url = api_base_url
        self._token = access_token
        self._scrub = Scrubber(access_token)
        self.visibility = visibility
        self.max_length = max_length
        self.timeout = timeout
        self.check_timeout = min(check_timeout, timeout)
        self.language = language or None
        self._session = session
        self._clock = clock  # None: real time (see common.retry_time)
        self._sleep = sleep
        self._monotonic = monotonic
        self.media_wait_seconds = min(media_wait_seconds, MEDIA_WAIT_SECONDS)
        self._client: Mastodon | None = None
        self._checker: Mastodon | None = None
        self._reader: Mastodon | None = None
        self._rules: PlatformRules | None = None
        self.link_in_reply = link_in_reply
        self.quotes = quotes
        self._me: Any = None
        # idempotency key -> when this process first tried it, as a Unix time to compare with
        # the server's created_at (real time, not the app clock, which may be shifted)
        self._attempts: dict[str, float] = {}

    def __repr__(self) -> str:  # never show the token
        return f"MastodonPlatform(api_base_url={self.api_base_url!r})"

    @property
    def host(self) -> str:
        base = self.api_base_url if "://" in self.api_base_url else f"https://{self.api_base_url}"
        return urlsplit(base).hostname or self.api_base_url

    # ------------------------------------------------------------------ the SDK client

    @property
    def client(self) -> Mastodon:
        """The Mastodon.py client for posting, built (and ``mastodon`` imported) on first use."""
        if self._client is None:
            self._client = self._build(self.timeout, self._session)
        return self._client

    @property
    def checker(self) -> Mastodon:
        """The same account with the short check timeout, for calls outside posting."""
        if self._checker is None:
            self._checker = self._build(self.check_timeout, self.client.session)
        return self._checker

    @property
    def reader(self) -> Mastodon:
        """The same account for engagement reads: the check timeout, and the server's own
        version (asked once), so that Mastodon.py allows ``statuses()`` on 4.3+."""
        from mastodon import MastodonError

        if self._reader is None:
            reader = self._build(self.check_timeout, self.client.session)
            try:
                reader.retrieve_mastodon_version(fail_hard=True)
            except MastodonError:  # not kept: the version is asked again next time
                return reader  # meanwhile, as declared (one status at a time)
            self._reader = reader
        return self._reader

    def _build(self, timeout: float, session: requests.Session | None) -> Mastodon:
        from mastodon import Mastodon

        send_library_warnings_to_log(*SDK_PACKAGES)
        return Mastodon(
            api_base_url=self.api_base_url,
            access_token=self._token,
            ratelimit_method="throw",
            request_timeout=timeout,
            user_agent=_user_agent(),
            mastodon_version=DECLARED_VERSION,
            version_check_mode="created",
            session=session,
        )

    def prepare(self) -> None:
        """Load the SDK now (the daemon calls this at start), not at the first post."""
        import mastodon  # noqa: F401

        send_library_warnings_to_log(*SDK_PACKAGES)

    def close(self) -> None:
        """Close the HTTP session (the adapter can still be used afterwards)."""
        if self._client is not None:
            self._client.session.close()
        self._reader = None  # learns the server's version again after a restart of it

    # ------------------------------------------------------------------ the contract

    def rules(self) -> PlatformRules:
        if self._rules is None:
            limit = self.max_length if self.max_length is not None else self._instance_limit()
            self._rules = PlatformRules.mastodon_account(
                limit, link_in_reply=self.link_in_reply, quotes=self.quotes
            )
        return self._rules

    def _instance_limit(self) -> int:
        try:
            instance = self.checker.instance_v2()
            limit = int(instance["configuration"]["statuses"]["max_characters"])
            if limit < 1:
                raise ValueError(limit)
        except Exception as exc:
            log.warning(
                "Mastodon: %s; using %d characters until infobot restarts"
                " (set INFOBOT_MASTODON__MAX_LENGTH to skip this question)",
                self._scrub(self._limit_problem(exc)),
                DEFAULT_MAX_LENGTH,
            )
            return DEFAULT_MAX_LENGTH
        return limit

    def _limit_problem(self, exc: Exception) -> str:
        from mastodon import MastodonAPIError, MastodonNetworkError

        if isinstance(exc, MastodonNetworkError):
            return (
                f"could not reach {self.host} within {_seconds(self.check_timeout)} to read"
                f" its character limit ({network_reason(exc)})"
            )
        status, _ = status_and_reason(exc) if isinstance(exc, MastodonAPIError) else (None, "")
        said = f"HTTP {status}" if status is not None else type(exc).__name__
        return f"{self.host} did not say its character limit ({said})"

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
                quote_approval_policy=QUOTE_POLICY.get(self.quotes) if self.quotes else None,
            )
        except MastodonError as exc:
            self._fail(exc, "publish the post", creating=True)
        return published(status)

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        """Search the account's own recent statuses for this text. Never posts anything."""
        from mastodon import MastodonError

        wanted = comparable(post.text)
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
            if since is not None and not created_since(status, since - LOOKUP_SLACK):
                continue
            if plain_text(status.get("content") or "") == wanted:
                return published(status, with_parent=True)
        return None

    def delete(self, published: Published) -> None:
        from mastodon import MastodonError, MastodonNotFoundError

        try:
            self.client.status_delete(published.remote_id)
        except MastodonNotFoundError:
            return  # already gone
        except MastodonError as exc:
            self._fail(exc, "delete the post")

    def metrics(self, remote_ids: Sequence[str], *, recent: int | None = None) -> MetricsPage:
        """Counts of these statuses: in batches on 4.3+, else (and for the statuses a batch
        left out) one at a time, where 404 means gone."""
        from mastodon import MastodonError, MastodonNotFoundError, MastodonVersionError

        wanted = list(dict.fromkeys(remote_ids))
        counts: dict[str, Counts] = {}
        gone: set[str] = set()
        reader = None
        try:
            reader = self.reader
            try:
                for start in range(0, len(wanted), MASTODON_BATCH):
                    chunk = wanted[start : start + MASTODON_BATCH]
                    counts.update(parse_mastodon_statuses(reader.statuses(chunk), chunk).counts)
            except (MastodonVersionError, MastodonNotFoundError):
                pass  # no batch read on this server: one at a time below
            for status_id in [i for i in wanted if i not in counts]:
                try:
                    status = reader.status(status_id)
                except MastodonNotFoundError:
                    gone.add(status_id)
                    continue
                counts.update(parse_mastodon_status(status, status_id).counts)
        except MastodonError as exc:
            self._fail(exc, "read the posts' counts", client=reader)
        return MetricsPage(counts, frozenset(gone), frozenset(wanted))

    def verify(self) -> Account:
        from mastodon import MastodonError

        try:
            me = self._me = self.checker.account_verify_credentials()
        except MastodonError as exc:
            self._fail(exc, "check the account", client=self._checker)
        acct = str(me.get("acct") or me.get("username") or "")
        url = str(me.get("url") or "")
        if "@" not in acct:
            host = urlsplit(url).hostname or self.host
            acct = f"{acct}@{host}" if host else acct
        return Account(name=f"@{acct}", url=url, can_post=True)

    # ------------------------------------------------------------------ helpers

    def _remember(self, idempotency_key: str) -> None:
        now = REAL_TIME.now().timestamp()  # compared with the server's own timestamps
        if len(self._attempts) > 500:  # a long-running process: forget attempts over a day old
            self._attempts = {k: t for k, t in self._attempts.items() if now - t < 86_400}
        self._attempts.setdefault(idempotency_key, now)

    def _account(self) -> Any:
        if self._me is None:
            self._me = self.client.account_verify_credentials()
        return self._me

    def _upload(self, post: Post) -> str:
        """Upload the image with its alt text and wait until the server has processed it."""
        from mastodon import MastodonError

        image = read_image(post.image, platform=NAME, who="Mastodon")
        try:
            media = self.client.media_post(
                image.data,
                mime_type=image.mime,
                description=post.image_alt or None,
                file_name=image.name,
            )
            media = self._processed(media)
        except MastodonError as exc:
            self._fail(exc, "upload the image")
        return str(media["id"])

    def _processed(self, media: Any) -> Any:
        """Poll until the server has processed the media, for at most media_wait_seconds."""
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
        return media

    def _fail(
        self, exc: Exception, action: str, *, creating: bool = False, client: Any = None
    ) -> NoReturn:
        error: PlatformError = translate(
            exc,
            action,
            creating=creating,
            client=client or self._client,
            clock=self._clock,
            scrub=self._scrub,
            host=self.host,
        )
        raise error from exc
