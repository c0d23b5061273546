"""Bluesky through the ``atproto`` SDK (MarshalX, tested with 0.0.73, written for 0.0.71+).

This is the only module that imports ``atproto``, and only inside functions: the SDK takes
about two seconds to import, which ``import infobot.platforms.bluesky`` must not pay.

**Remote ids.** A reply needs a *strong ref* (URI and CID) to both the thread's first post
and the previous one, so ``Published.remote_id`` carries both::

    at://did:plc:abc.../app.bsky.feed.post/3lxyz...|bafyrei...

(the post's ``at://`` URI, ``|``, its CID; ``|`` cannot occur in a DID or a record key).
A bare ``at://`` URI is accepted wherever a remote id is read; the CID is then fetched.
The thread's root is remembered for posts made by this process and otherwise read from the
parent record (``com.atproto.repo.getRecord`` on the PDS, which is consistent at once; the
AppView behind ``getPosts`` may lag a freshly created post).

**Login.** The session (tokens, not the password) is kept in ``session_file`` (mode 0600,
written atomically) and reused, because ``createSession`` is rate-limited (30 per 5 minutes,
300 a day). Refreshed tokens are saved through ``on_session_change``. A saved session the
server rejects is deleted and replaced by one password login.

**Facets.** Bluesky does not parse text: hashtags and links are only clickable with facets,
which carry UTF-8 *byte* offsets. They come from :func:`infobot.domain.render.facets`.

**Idempotency.** Bluesky has none; ``lookup`` reconciles through the account's own feed.

**Errors** (plain English, naming Bluesky, scrubbed of the app password and tokens):
429 -> ``RateLimited`` (``ratelimit-reset``); 401/403 -> ``PermanentError``; 400 ->
``PermanentError`` with the server's message (an expired token is ``TransientError``: the
next attempt logs in again); 413 -> ``PermanentError``; other 5xx -> ``TransientError``; a
timeout, a dropped connection, or a 502/504/409 answer to ``createRecord`` -> ``InDoubt``
(the post may exist); the same on any other call -> ``TransientError``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import struct
import tempfile
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    import httpx

    from infobot.settings import Settings

__all__ = ["MAX_IMAGE_BYTES", "BlueskyPlatform", "create", "join_remote_id", "split_remote_id"]

log = logging.getLogger(__name__)

PLATFORM = "bluesky"
MAX_IMAGE_BYTES = 2_000_000  # app.bsky.embed.images: image blob maxSize
POST_COLLECTION = "app.bsky.feed.post"
CREATE_NSID = "com.atproto.repo.createRecord"
REFRESH_NSID = "com.atproto.server.refreshSession"
RATE_LIMIT_FALLBACK = timedelta(minutes=5)
LOOKUP_DEPTH = 30  # how many of the account's latest feed items lookup reads
_SEPARATOR = "|"
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
_AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


def create(settings: Settings) -> BlueskyPlatform:
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
    )


def join_remote_id(uri: str, cid: str) -> str:
    """``Published.remote_id`` for a post: its ``at://`` URI and CID (see the module doc)."""
    return f"{uri}{_SEPARATOR}{cid}"


def split_remote_id(remote_id: str) -> tuple[str, str | None]:
    """``(uri, cid)`` from a remote id; the CID is None for a bare ``at://`` URI."""
    uri, _, cid = remote_id.strip().partition(_SEPARATOR)
    if not uri.startswith("at://") or uri.count("/") < 4:
        raise PermanentError(
            f"{remote_id!r} is not a Bluesky post id (expected at://did/{POST_COLLECTION}/key)",
            platform=PLATFORM,
        )
    return uri, cid or None


def _at_parts(uri: str) -> tuple[str, str, str]:
    """``(repo, collection, rkey)`` of an ``at://`` URI."""
    repo, collection, rkey = uri.removeprefix("at://").split("/", 2)
    return repo, collection, rkey


class BlueskyPlatform:
    """Posts to one Bluesky account. Use one instance from one thread at a time."""

    name = PLATFORM

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        service_url: str = "https://bsky.social",
        session_file: Path,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        langs: Sequence[str] = ("en",),
        clock: Clock | None = None,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._handle = handle.strip().lstrip("@")
        self._password = app_password
        self._service_url = service_url.rstrip("/")
        self._session_file = Path(session_file)
        self._timeout = timeout
        self._transport = transport
        self._langs = [lang for lang in langs if lang][:3] or ["en"]
        self._rules = PlatformRules.bluesky()
        self._lock = threading.RLock()
        self._client: Any = None  # atproto.Client once logged in
        self._did = ""
        self._account_handle = self._handle
        self._last_call = ""  # NSID of the last XRPC request started (httpx event hook)
        self._roots: dict[str, tuple[str, str]] = {}  # post URI -> its thread's root ref

    def __repr__(self) -> str:
        return f"BlueskyPlatform(handle={self._handle!r}, service_url={self._service_url!r})"

    # ------------------------------------------------------------------ the contract

    def rules(self) -> PlatformRules:
        return self._rules

    def publish(
        self, post: Post, *, idempotency_key: str, reply_to: Published | None = None
    ) -> Published:
        # Bluesky has no idempotency key; the caller reconciles with lookup() after InDoubt.
        image = _read_image(post) if post.image else None
        client = self._connect()
        from atproto import models

        reply = self._reply_ref(client, reply_to) if reply_to is not None else None
        embed = None
        if image is not None:
            embed = models.AppBskyEmbedImages.Main(
                images=[self._upload_image(client, image, post.image_alt)]
            )
        record_facets = _facet_models(post.text)
        language = post.language
        langs = [language] if isinstance(language, str) and language else self._langs
        try:
            self._last_call = ""
            created = client.send_post(
                post.text,
                profile_identify=self._did,
                reply_to=reply,
                embed=embed,
                langs=langs,
                facets=record_facets or None,
            )
        except Exception as exc:
            raise self._translate(exc, "publish the post") from exc
        uri, cid = str(created.uri), str(created.cid)
        self._roots[uri] = (
            (str(reply.root.uri), str(reply.root.cid)) if reply is not None else (uri, cid)
        )
        return Published(join_remote_id(uri, cid), self._post_url(uri))

    def lookup(self, post: Post, *, idempotency_key: str) -> Published | None:
        client = self._connect()
        try:
            self._last_call = ""
            feed = client.get_author_feed(actor=self._did, limit=LOOKUP_DEPTH)
        except Exception as exc:
            raise self._translate(exc, "read the account's posts") from exc
        wanted = _comparable(post.text)
        for item in feed.feed or ():
            if getattr(item, "reason", None) is not None:  # a repost or a pin, not our post
                continue
            view = item.post
            if str(view.author.did) != self._did:
                continue
            text = _record_text(view.record)
            if text is not None and _comparable(text) == wanted:
                uri = str(view.uri)
                return Published(join_remote_id(uri, str(view.cid)), self._post_url(uri))
        return None

    def delete(self, published: Published) -> None:
        uri, _cid = split_remote_id(published.remote_id)
        client = self._connect()
        try:
            self._last_call = ""
            client.delete_post(uri)
        except Exception as exc:
            if _record_missing(exc):
                return  # already gone
            raise self._translate(exc, "delete the post") from exc
        self._roots.pop(uri, None)

    def prepare(self) -> None:
        """Load the SDK now (the daemon calls this at start), not at the first post."""
        from atproto import Client, models  # noqa: F401

    def verify(self) -> Account:
        client = self._connect()
        try:
            self._last_call = ""
            profile = client.get_profile(actor=self._did)
        except Exception as exc:
            raise self._translate(exc, "read the account's profile") from exc
        handle = str(profile.handle or self._account_handle)
        display = getattr(profile, "display_name", None)
        return Account(
            name=f"@{handle}",
            url=f"https://bsky.app/profile/{handle}",
            can_post=True,
            detail=str(display) if display else "",
        )

    def close(self) -> None:
        """Close the HTTP connections (the adapter logs in again when used after this)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.request.close()

    # ------------------------------------------------------------------ login

    def _connect(self) -> Any:
        with self._lock:
            if self._client is not None:
                return self._client
            saved = self._saved_session()
            if saved:
                client = self._new_client()
                try:
                    client.login(session_string=saved)
                except Exception as exc:
                    client.request.close()
                    if not _session_rejected(exc):
                        raise self._translate(exc, "log in with the saved session") from exc
                    log.info("Bluesky rejected the saved session; logging in with the password")
                    self._forget_session()
                else:
                    return self._logged_in(client)
            client = self._new_client()
            try:
                client.login(self._handle, self._password)
            except Exception as exc:
                client.request.close()
                raise self._translate(exc, "log in") from exc
            self._save_session(client.export_session_string())
            return self._logged_in(client)

    def _new_client(self) -> Any:
        import httpx
        from atproto import Client
        from atproto_client.request import Request

        def started(request: httpx.Request) -> None:
            self._last_call = request.url.path.rsplit("/", 1)[-1]

        request = Request(
            timeout=httpx.Timeout(self._timeout),
            transport=self._transport,
            event_hooks={"request": [started]},
        )
        client = Client(base_url=self._service_url, request=request)

        def session_changed(event: Any, session: Any) -> None:
            if getattr(event, "value", "") in ("create", "refresh"):
                self._save_session(client.export_session_string())

        client.on_session_change(session_changed)
        return client

    def _logged_in(self, client: Any) -> Any:
        session = str(client.export_session_string()).split(":::")
        me = client.me
        self._did = str(me.did) if me is not None else session[1]
        self._account_handle = str(me.handle) if me is not None else session[0]
        self._client = client
        return client

    def _saved_session(self) -> str:
        """The saved session string, or "" when there is none we can use."""
        try:
            text = self._session_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read the Bluesky session file %s: %s", self._session_file, exc)
            return ""
        with contextlib.suppress(ValueError):
            data = json.loads(text)
            text = str(data.get("session", "")) if isinstance(data, dict) else ""
        fields = text.split(":::")
        if len(fields) < 4:
            return ""
        wanted = self._handle.lower()
        # a session for another account (the handle was changed in settings): not ours
        if "@" not in wanted and wanted not in (fields[0].lower(), fields[1].lower()):
            return ""
        return text

    def _save_session(self, session: str) -> None:
        """Keep the SDK's session string (tokens, never the password) for the next run:
        ``{"handle", "did", "session"}`` as JSON, mode 0600, replaced atomically."""
        path = self._session_file
        fields = session.split(":::")
        text = json.dumps(
            {
                "about": "infobot's Bluesky login session: tokens, not the password; delete"
                " this file to make infobot log in again",
                "handle": fields[0],
                "did": fields[1] if len(fields) > 1 else "",
                "session": session,
            },
            indent=2,
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:  # posting still works; the next run logs in again
            log.warning("cannot save the Bluesky session to %s: %s", path, exc)

    def _forget_session(self) -> None:
        with contextlib.suppress(OSError):
            self._session_file.unlink(missing_ok=True)
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.request.close()

    # ------------------------------------------------------------------ posting helpers

    def _reply_ref(self, client: Any, parent: Published) -> Any:
        from atproto import models

        uri, cid = split_remote_id(parent.remote_id)
        root = self._roots.get(uri)
        if cid is None or root is None:
            repo, _collection, rkey = _at_parts(uri)
            try:
                self._last_call = ""
                found = client.app.bsky.feed.post.get(repo, rkey)
            except Exception as exc:
                if _record_missing(exc):
                    raise PermanentError(
                        "the Bluesky post this thread part replies to no longer exists"
                        f" ({uri}); the thread cannot be continued",
                        platform=PLATFORM,
                    ) from exc
                raise self._translate(exc, "read the post this part replies to") from exc
            cid = cid or str(found.cid)
            reply = getattr(found.value, "reply", None)
            root = (str(reply.root.uri), str(reply.root.cid)) if reply else (uri, cid)
        return models.AppBskyFeedPost.ReplyRef(
            root=models.ComAtprotoRepoStrongRef.Main(uri=root[0], cid=root[1]),
            parent=models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid),
        )

    def _upload_image(self, client: Any, image: _Image, alt: str) -> Any:
        from atproto import models
        from atproto_client.models.utils import get_response_model

        try:
            self._last_call = ""
            # Not client.upload_blob(): it hands raw bytes to httpx as ``data=``, which httpx
            # 0.28 deprecates; ``content=`` is the same request without the warning.
            response = client.invoke_procedure(
                "com.atproto.repo.uploadBlob",
                content=image.data,
                input_encoding=image.mime,
                output_encoding="application/json",
            )
            blob = get_response_model(response, models.ComAtprotoRepoUploadBlob.Response).blob
        except Exception as exc:
            raise self._translate(exc, "upload the image") from exc
        ratio = None
        if image.size is not None:
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=image.size[0], height=image.size[1])
        return models.AppBskyEmbedImages.Image(alt=alt, image=blob, aspect_ratio=ratio)

    def _post_url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self._account_handle}/post/{_at_parts(uri)[2]}"

    # ------------------------------------------------------------------ errors

    def _translate(self, exc: BaseException, action: str) -> PlatformError:
        """One SDK/httpx exception as infobot's taxonomy, in words for the comms team."""
        import httpx
        from atproto_client import exceptions as sdk
        from pydantic import ValidationError

        creating = self._last_call == CREATE_NSID
        response = exc.response if isinstance(exc, sdk.RequestErrorBase) else None
        if response is not None:
            status = int(response.status_code)
            detail, error = _xrpc_error(exc)
            said = f": {self._scrub(detail)}" if detail else ""
            if status == 429:
                retry_at = _retry_at(response.headers, self._clock.now())
                return RateLimited(
                    f"Bluesky is limiting how often infobot can {action} (HTTP 429); try again"
                    f" after {retry_at:%H:%M} UTC",
                    retry_at=retry_at,
                    platform=PLATFORM,
                )
            if self._last_call == REFRESH_NSID and status in (400, 401):
                self._forget_session()
                return TransientError(
                    f"Bluesky would not renew infobot's login ({detail or status}); it will log"
                    " in again with the app password on the next attempt",
                    platform=PLATFORM,
                )
            if status in (401, 403):
                self._forget_session()
                return CredentialsRejected(
                    f"Bluesky rejected the app password for @{self._handle} (HTTP {status}{said})."
                    " Check INFOBOT_BLUESKY__HANDLE and INFOBOT_BLUESKY__APP_PASSWORD, or create"
                    " a new app password in Bluesky's settings",
                    platform=PLATFORM,
                )
            if status == 400 and error in _AUTH_ERRORS:
                self._forget_session()
                return TransientError(
                    f"Bluesky said infobot's login has expired ({error}); it will log in again"
                    " on the next attempt",
                    platform=PLATFORM,
                )
            if status == 400:
                return PermanentError(
                    f"Bluesky refused to {action}{said or ' (HTTP 400)'}", platform=PLATFORM
                )
            if status == 413:
                return PermanentError(
                    f"Bluesky refused to {action}: it is too large (HTTP 413)", platform=PLATFORM
                )
            if creating and status in (409, 502, 504):
                return self._in_doubt(f"answered HTTP {status} while creating the post")
            if status >= 500:
                return TransientError(
                    f"Bluesky had a server problem and could not {action} (HTTP {status}{said});"
                    " infobot will try again later",
                    platform=PLATFORM,
                )
            return TransientError(
                f"Bluesky could not {action} (HTTP {status}{said})", platform=PLATFORM
            )
        if isinstance(exc, sdk.NetworkError | httpx.TransportError):
            cause = exc.__cause__ if isinstance(exc, sdk.RequestErrorBase) else exc
            never_sent = isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout)
            timed_out = isinstance(exc, sdk.InvokeTimeoutError | httpx.TimeoutException)
            if creating and not never_sent:
                what = (
                    f"did not answer within {self._timeout:g} seconds"
                    if timed_out
                    else "dropped the connection"
                )
                return self._in_doubt(f"{what} while creating the post")
            return TransientError(
                f"could not reach Bluesky at {self._service_url} to {action}"
                f" ({'timed out' if timed_out else type(cause or exc).__name__});"
                " infobot will try again later",
                platform=PLATFORM,
            )
        if isinstance(exc, ValidationError | sdk.ModelError):
            return PermanentError(
                f"the Bluesky SDK refused to {action}: {self._scrub(str(exc))[:300]}",
                platform=PLATFORM,
            )
        return TransientError(
            f"Bluesky: unexpected {type(exc).__name__} while trying to {action}:"
            f" {self._scrub(str(exc))[:300]}",
            platform=PLATFORM,
        )

    def _in_doubt(self, what: str) -> InDoubt:
        return InDoubt(
            f"Bluesky {what}, so the post may or may not have been published; infobot"
            f" checks @{self._handle}'s posts before trying again",
            platform=PLATFORM,
        )

    def _scrub(self, text: str) -> str:
        if self._password:
            text = text.replace(self._password, "***")
        return _JWT.sub("***", text)


# --------------------------------------------------------------------------- helpers


def _session_rejected(exc: BaseException) -> bool:
    """Whether logging in with a saved session failed because of the session itself (so a
    password login may succeed), not because Bluesky is unreachable or limiting us."""
    from atproto_client import exceptions as sdk

    if isinstance(exc, sdk.UnauthorizedError | sdk.BadRequestError):
        return True
    if isinstance(exc, sdk.RequestErrorBase):  # network, 429, 5xx: a password won't help
        return False
    return isinstance(exc, sdk.AtProtocolError | ValueError)  # bad tokens, a broken file


def _record_missing(exc: BaseException) -> bool:
    """Whether an SDK error says the record does not exist (a 400 ``RecordNotFound``)."""
    detail, error = _xrpc_error(exc)
    return error == "RecordNotFound" or "could not locate record" in detail.lower()


def _xrpc_error(exc: BaseException) -> tuple[str, str]:
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


def _retry_at(headers: Mapping[str, Any], now: datetime | None = None) -> datetime:
    """When to try again after a 429: ``ratelimit-reset`` (epoch seconds), else
    ``retry-after`` (seconds), else five minutes from now. Aware UTC, never in the past."""
    now = now or SystemClock().now()
    lowered = {str(k).lower(): v for k, v in headers.items()}
    with contextlib.suppress(KeyError, TypeError, ValueError, OverflowError, OSError):
        return max(now, datetime.fromtimestamp(int(float(lowered["ratelimit-reset"])), UTC))
    with contextlib.suppress(KeyError, TypeError, ValueError, OverflowError):
        return now + timedelta(seconds=max(0.0, float(lowered["retry-after"])))
    return now + RATE_LIMIT_FALLBACK


def _facet_models(text: str) -> list[Any]:
    from atproto import models

    found = []
    for facet in facets(text):
        feature = (
            models.AppBskyRichtextFacet.Tag(tag=facet.value)
            if facet.kind == "tag"
            else models.AppBskyRichtextFacet.Link(uri=facet.value)
        )
        found.append(
            models.AppBskyRichtextFacet.Main(
                features=[feature],
                index=models.AppBskyRichtextFacet.ByteSlice(
                    byte_start=facet.byte_start, byte_end=facet.byte_end
                ),
            )
        )
    return found


def _comparable(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _record_text(record: Any) -> str | None:
    text = record.get("text") if isinstance(record, Mapping) else getattr(record, "text", None)
    return text if isinstance(text, str) else None


class _Image:
    __slots__ = ("data", "mime", "size")

    def __init__(self, data: bytes, mime: str, size: tuple[int, int] | None) -> None:
        self.data = data
        self.mime = mime
        self.size = size


def _read_image(post: Post) -> _Image:
    path = Path(post.image)
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise _too_big(path, size)
        data = path.read_bytes()
    except OSError as exc:
        raise PermanentError(
            f"the image for Bluesky cannot be read ({path}: {exc.strerror or exc})",
            platform=PLATFORM,
        ) from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise _too_big(path, len(data))
    mime = _sniff(data)
    if mime is None:
        raise PermanentError(
            f"{path.name} is not a PNG, JPEG, GIF, WebP or AVIF image, so Bluesky cannot show it",
            platform=PLATFORM,
        )
    return _Image(data, mime, _dimensions(data, mime))


def _too_big(path: Path, size: int) -> PermanentError:
    return PermanentError(
        f"the image {path.name} is {size:,} bytes but Bluesky accepts at most"
        f" {MAX_IMAGE_BYTES:,} bytes (about 1.9 MB): please use a smaller image"
        " (resize or compress it) and try again",
        platform=PLATFORM,
    )


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


_JPEG_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)


def _dimensions(data: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) from the image header, or None; no image library needed. JPEG EXIF
    orientation is not applied (a rotated photo gets the stored, unrotated ratio)."""
    try:
        if mime == "image/png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
        elif mime == "image/gif":
            width, height = struct.unpack("<HH", data[6:10])
        elif mime == "image/jpeg":
            width = height = 0
            i = 2
            while i + 9 <= len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in _JPEG_SOF:
                    height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                    break
                if marker == 0xFF:  # fill byte
                    i += 1
                elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
                    i += 2
                else:
                    i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
        else:
            return None
    except struct.error:
        return None
    if width < 1 or height < 1:
        return None
    return int(width), int(height)
