"""Bluesky through the ``atproto`` SDK (MarshalX, tested with 0.0.73, written for 0.0.71+).

This is the only package that imports ``atproto``, and only inside functions: the SDK takes
about two seconds to import, which ``import infobot.platforms.bluesky`` must not pay.

**Only the PDS.** Every call goes to the account's PDS (``com.atproto.*``): logging in
never fetches the profile from the AppView, ``lookup`` lists the account's own records and
a reply's root is read from its parent record. An AppView outage, or a PDS with no AppView
at all, does not stop posting.

**Remote ids.** A reply needs a *strong ref* (URI and CID) to both the thread's first post
and the previous one, so ``Published.remote_id`` carries both::

    at://did:plc:abc.../app.bsky.feed.post/3lxyz...|bafyrei...

(the post's ``at://`` URI, ``|``, its CID; ``|`` cannot occur in a DID or a record key).
A bare ``at://`` URI is accepted wherever a remote id is read; the CID is then fetched.

**Login.** The session (tokens, not the password) is kept in ``session_file``
(:mod:`.session`) and reused, because ``createSession`` is rate-limited. When Bluesky
refuses the session's tokens (401, a 400 ``ExpiredToken``/``InvalidToken``, a refused
refresh), the adapter logs in again once with the app password, replaces the saved
session and repeats the call; if that fails too, it is ``CredentialsRejected`` (an alert),
never a transient error retried all day. ``verify`` always logs in with the app password,
so ``infobot doctor`` checks the password itself, not a session that still works.

**Facets.** Bluesky does not parse text: hashtags and links are only clickable with facets,
which carry UTF-8 *byte* offsets. They come from :func:`infobot.domain.render.facets`.

**Idempotency.** Bluesky has none; ``lookup`` reconciles through the account's own records.
Errors: :mod:`.errors`.

**Engagement.** Counts come from ``app.bsky.feed.getPosts`` (25 URIs at a time), which the
PDS answers through its AppView; a post the answer leaves out is looked up as a record on
the PDS, and only ``RecordNotFound`` makes it gone (else it is unknown this time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from infobot.clock import Clock
from infobot.domain.errors import ConfigError, CredentialsRejected, PlatformError
from infobot.domain.render import PlatformRules, Post
from infobot.domain.replies import Audience, WhoCanQuote, WhoCanReply
from infobot.platforms.base import Account, PlatformBase, Published
from infobot.platforms.bluesky.errors import (
    NAME,
    Translator,
    record_missing,
    session_rejected,
    token_refused,
    xrpc_error,
)
from infobot.platforms.bluesky.posting import Posting
from infobot.platforms.bluesky.reading import CountsReader
from infobot.platforms.bluesky.records import (
    POST_COLLECTION,
    at_parts,
    join_remote_id,
    record_parent,
    record_text,
    split_remote_id,
)
from infobot.platforms.bluesky.session import SessionFile
from infobot.platforms.common import (
    REAL_TIME,
    Scrubber,
    comparable,
    read_image,
    send_library_warnings_to_log,
)

if TYPE_CHECKING:
    import httpx

    from infobot.settings import Settings

__all__ = ["MAX_IMAGE_BYTES", "BlueskyPlatform", "create", "join_remote_id", "split_remote_id"]

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 2_000_000  # app.bsky.embed.images: image blob maxSize
LOOKUP_DEPTH = 30  # how many of the account's latest posts lookup reads
SDK_PACKAGES = ("atproto", "atproto_client", "atproto_core", "httpx", "httpcore")
T = TypeVar("T")


def create(settings: Settings, config: Mapping[str, Any] | None = None, /) -> BlueskyPlatform:
    """The entry point: build the adapter from settings (``INFOBOT_BLUESKY__*``)."""
    section = settings.bluesky
    handle = section.handle.strip().lstrip("@")
    password = section.app_password.get_secret_value().strip() if section.app_password else ""
    problems = []
    if not handle:
        problems.append(
            "INFOBOT_BLUESKY__HANDLE: set the Bluesky handle infobot posts as,"
            " for example infostory.bsky.social"
        )
    if not password:
        problems.append(
            "INFOBOT_BLUESKY__APP_PASSWORD: set a Bluesky app password (in Bluesky:"
            " Settings, Privacy and security, App passwords); never the account password"
        )
    if problems:
        raise ConfigError(problems)
    return BlueskyPlatform(
        handle=handle,
        app_password=password,
        service_url=section.service_url,
        session_file=section.session_file,
        timeout=section.timeout_seconds,
        check_timeout=settings.check_timeout_seconds,
        link_in_reply=section.link_in_reply,
        link_cards=settings.link_cards,
        replies=tuple(section.replies) if section.replies is not None else None,
        quotes=section.quotes,
    )


class BlueskyPlatform(CountsReader, Posting, PlatformBase):
    """Posts to one Bluesky account. Use one instance from one thread at a time."""

    name = NAME

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        service_url: str = "https://bsky.social",
        session_file: Path,
        timeout: float = 30.0,
        check_timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        langs: Sequence[str] = ("en",),
        clock: Clock | None = None,
        link_in_reply: bool = False,
        link_cards: bool = True,
        replies: tuple[WhoCanReply, ...] | None = None,
        quotes: WhoCanQuote | None = None,
    ) -> None:
        self._handle = handle.strip().lstrip("@")
        self._password = app_password
        self._service_url = service_url.rstrip("/")
        self._session = SessionFile(session_file, self._handle)
        self._timeout = timeout
        self._check_timeout = min(check_timeout, timeout)
        self._transport = transport
        self._langs = [lang for lang in langs if lang][:3] or ["en"]
        self._clock = clock or REAL_TIME
        self._audience = Audience(replies=replies, quotes=quotes)
        self._rules = PlatformRules.bluesky_account(
            link_in_reply=link_in_reply, link_cards=link_cards, replies=replies, quotes=quotes
        )
        self._lock = threading.RLock()
        self._client: Any = None  # atproto.Client once logged in
        self._did = ""
        self._account_handle = self._handle
        self._last_call = ""  # NSID of the last XRPC request started (httpx event hook)
        self._roots: dict[str, tuple[str, str]] = {}  # post URI -> its thread's root ref
        self._errors = Translator(
            handle=self._handle,
            service_url=self._service_url,
            timeout=timeout,
            clock=clock,
            scrub=Scrubber(app_password),
        )

    def __repr__(self) -> str:
        return f"BlueskyPlatform(handle={self._handle!r}, service_url={self._service_url!r})"

    # ------------------------------------------------------------------ the contract

    def rules(self) -> PlatformRules:
        return self._rules

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        # Bluesky has no idempotency key; the caller reconciles with lookup() after InDoubt.
        image = (
            read_image(post.image, platform=NAME, who="Bluesky", max_bytes=MAX_IMAGE_BYTES)
            if post.image
            else None
        )
        self._connect()  # the account's DID, which the record and its gates name
        reply = self._reply_ref(reply_to) if reply_to is not None else None
        embed = self._embed(post, image)
        language = post.language
        langs = [language] if isinstance(language, str) and language else self._langs
        langs = [*langs, *post.more_languages][:3]  # a bilingual post has them all
        uri, cid = self._write(post, reply=reply, embed=embed, langs=langs)
        self._roots[uri] = (
            (str(reply.root.uri), str(reply.root.cid)) if reply is not None else (uri, cid)
        )
        return Published(join_remote_id(uri, cid), self._post_url(uri))

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        """Search the account's own latest post records (on the PDS) for this text."""
        from atproto import models

        listed = self._call(
            "read the account's posts",
            lambda client: client.com.atproto.repo.list_records(
                models.ComAtprotoRepoListRecords.Params(
                    repo=self._did, collection=POST_COLLECTION, limit=LOOKUP_DEPTH
                )
            ),
        )
        wanted = comparable(post.text)
        for record in listed.records or ():
            text = record_text(record.value)
            if text is not None and comparable(text) == wanted:
                uri = str(record.uri)
                return Published(
                    join_remote_id(uri, str(record.cid)),
                    self._post_url(uri),
                    record_parent(record.value),
                )
        return None

    def delete(self, published: Published) -> None:
        uri, _cid = split_remote_id(published.remote_id)
        try:
            self._call("delete the post", lambda client: client.delete_post(uri), raw=True)
        except PlatformError:
            raise
        except Exception as exc:
            if not record_missing(exc):
                raise self._errors(exc, "delete the post", last_call=self._last_call) from exc
        if self._audience.limits_replies or self._audience.limits_quotes:
            self._delete_gates(uri)
        self._roots.pop(uri, None)

    def prepare(self) -> None:
        """Load the SDK now (the daemon calls this at start), not at the first post."""
        from atproto import Client, models  # noqa: F401

        send_library_warnings_to_log(*SDK_PACKAGES)

    def verify(self) -> Account:
        """Log in with the app password itself (within the check timeout), not a saved
        session, and keep the new session for the next posts."""
        client = self._password_login(timeout=self._check_timeout)
        client.request.close()
        with self._lock:
            old, self._client = self._client, None  # the next call imports the new session
        if old is not None:
            old.request.close()
        return Account(
            name=f"@{self._account_handle}",
            url=f"https://bsky.app/profile/{self._account_handle}",
            can_post=True,
        )

    def close(self) -> None:
        """Close the HTTP connections (the adapter logs in again when used after this)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.request.close()

    # ------------------------------------------------------------------ calls and login

    def _call(self, action: str, call: Callable[[Any], T], *, raw: bool = False) -> T:
        """Make one call with the current login. If Bluesky refuses the session's tokens,
        log in again once with the app password and repeat it; if the tokens of that fresh
        login are refused too, the credentials are rejected. ``raw`` leaves other SDK
        errors untranslated for the caller."""
        client, fresh = self._connect()
        for attempt in (1, 2):
            try:
                self._last_call = ""
                return call(client)
            except Exception as exc:
                if not token_refused(exc, self._last_call):
                    if raw:
                        raise
                    raise self._errors(exc, action, last_call=self._last_call) from exc
                if fresh or attempt == 2:
                    self._forget_session()
                    detail = xrpc_error(exc)[0] or type(exc).__name__
                    raise self._errors.rejected(
                        f"it refused even a login made just now: {self._errors.scrub(detail)}"
                    ) from exc
                log.info("Bluesky refused infobot's saved login; logging in with the app password")
                self._forget_session()
                client, fresh = self._password_login(timeout=self._timeout), True
                with self._lock:
                    self._client = client
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> tuple[Any, bool]:
        """The logged-in client and whether it logged in with the password just now."""
        with self._lock:
            if self._client is not None:
                return self._client, False
            saved = self._session.read()
            if saved:
                client = self._new_client(self._timeout)
                try:
                    _login(client, session_string=saved)
                    self._last_call = ""
                    client.com.atproto.server.get_session()  # still valid? (PDS only)
                except Exception as exc:
                    client.request.close()
                    if not session_rejected(exc):
                        raise self._errors(
                            exc, "log in with the saved session", last_call=self._last_call
                        ) from exc
                    log.info("Bluesky rejected the saved session; logging in with the password")
                    self._session.forget()
                else:
                    self._client = self._logged_in(client)
                    return self._client, False
            self._client = self._password_login(timeout=self._timeout)
            return self._client, True

    def _password_login(self, *, timeout: float) -> Any:
        """A new client logged in with the app password; the saved session is replaced."""
        client = self._new_client(timeout)
        try:
            self._last_call = ""
            _login(client, login=self._handle, password=self._password)
        except Exception as exc:
            client.request.close()
            error = self._errors(exc, "log in", last_call=self._last_call)
            if isinstance(error, CredentialsRejected):
                self._forget_session()
            raise error from exc
        self._session.save(client.export_session_string())
        return self._logged_in(client)

    def _new_client(self, timeout: float) -> Any:
        import httpx
        from atproto import Client
        from atproto_client.request import Request

        send_library_warnings_to_log(*SDK_PACKAGES)

        def started(request: httpx.Request) -> None:
            self._last_call = request.url.path.rsplit("/", 1)[-1]

        request = Request(
            timeout=httpx.Timeout(timeout),
            transport=self._transport,
            event_hooks={"request": [started]},
        )
        client = Client(base_url=self._service_url, request=request)

        def session_changed(event: Any, session: Any) -> None:
            if getattr(event, "value", "") == "refresh":
                self._session.save(client.export_session_string())

        client.on_session_change(session_changed)
        return client

    def _logged_in(self, client: Any) -> Any:
        handle, did = str(client.export_session_string()).split(":::")[:2]
        self._did, self._account_handle = did, handle
        return client

    def _forget_session(self) -> None:
        self._session.forget()
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.request.close()

    # ------------------------------------------------------------------ posting helpers

    def _now(self) -> datetime:
        return self._clock.now()

    def _post_url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self._account_handle}/post/{at_parts(uri)[2]}"


def _login(client: Any, **credentials: str) -> None:
    """Log in (a password or a saved session) without asking the AppView for the profile;
    SDKs older than 0.0.72 always fetch it and have no way to skip it."""
    import inspect

    if "fetch_bsky_profile" in inspect.signature(client.login).parameters:
        client.login(**credentials, fetch_bsky_profile=False)
    else:  # pragma: no cover - the lock pins a newer SDK
        client.login(**credentials)
