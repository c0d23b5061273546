"""A local fake of the Mastodon API, and the contract harness built on it.

The fake is a real HTTP server on 127.0.0.1 (``http.server``, one thread per connection), so
the adapter is exercised through the real Mastodon.py and requests stack. It answers the
endpoints the adapter uses, the way mainline Mastodon 4.x does:

* ``GET /api/v1/instance``, ``GET /api/v2/instance`` (``max_characters`` 500, URLs 23)
* ``GET /api/v1/accounts/verify_credentials``, ``GET /api/v1/accounts/:id/statuses``
* ``POST /api/v1/statuses`` (form or JSON body; honours ``Idempotency-Key`` like the real
  server: the same key again returns the same status; 422 over ``max_characters``, counted
  with Mastodon.py's own ``get_status_length``; 422 for media still processing)
* ``GET /api/v1/statuses/:id``, ``DELETE /api/v1/statuses/:id``
* ``POST /api/v2/media`` (multipart; 202 with ``url: null``), ``GET /api/v1/media/:id``
  (206 while processing, then 200 with a url)

Metrics (issue 14): ``GET /api/v1/statuses?id[]=`` (4.3+; at most 20 ids, deleted ones left
out) and ``GET /api/v1/statuses/:id`` carry counts that grow with each status's age on
``fake.engagement.now``; ``fake.version`` below 4.3 makes the batch route 404 as an older
server does; ``fake.engagement.faults`` makes the next read answer 429 or 500;
:meth:`FakeMastodon.delete_elsewhere` removes a status without infobot (then 404).

Faults for the next ``POST /api/v1/statuses``: see :data:`SUPPORTED`. ``timeout`` and
``connection_reset`` create the status first (the request did reach the server), then stall
until the client gives up, or drop the connection without an answer.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import json
import re
import secrets
import select
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infobot.platforms.mastodon import MastodonPlatform
from tests.platform_harness import CreateRequest, LivePost
from tests.support import transcript
from tests.support.metrics_fakes import FakeEngagement

SUPPORTED = (
    "rate_limited",
    "unauthorized",
    "server_error",
    "timeout",
    "connection_reset",
    "too_long",
)
#: more faults for tests/test_platform_mastodon.py (not part of the shared contract)
EXTRA = ("forbidden", "bad_gateway", "rate_limited_no_reset", "unreadable")
ADAPTER_TIMEOUT = 0.5  # seconds; the timeout fault stalls longer than this
ACCOUNT_ID = "109000000000000001"
USERNAME = "infobot"


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]] = field(default_factory=dict)


class FakeMastodon:
    """The state of the fake instance; the HTTP handler below reads and changes it."""

    def __init__(self, token: str, *, max_characters: int = 500) -> None:
        self.token = token
        self.max_characters = max_characters
        self.base_url = ""  # set once the server is listening
        self.lock = threading.Lock()
        self.statuses: dict[str, dict[str, Any]] = {}  # id -> status (insertion = age)
        self.deleted: set[str] = set()
        self.sources: dict[str, str] = {}  # id -> the text as posted
        self.idempotency: dict[str, str] = {}  # key -> status id (per account: one account)
        self.creates: list[CreateRequest] = []
        self.requests: list[Recorded] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.media_polls: dict[str, int] = {}  # media id -> 206 answers still to give
        self.media_processing_polls = 1  # 202 on upload, then this many 206, then 200
        self.faults: list[str] = []
        self.instance_status = 200  # set to 500/404 to make the instance endpoints fail
        self.stall_limit = 5.0  # seconds the timeout fault waits for the client to go
        #: endpoints that answer only after the client gave up (or stall_limit): "instance"
        #: (/api/v*/instance) and "account" (verify_credentials), as an instance that is down
        #: behind a proxy that still accepts connections
        self.stalled: set[str] = set()
        #: seconds a status create waits before it is made (a slow instance), unless
        #: ``release`` is set first; ``posting`` is set when one arrives, so a test can act
        #: while it is in flight
        self.post_delay = 0.0
        self.posting = threading.Event()
        self.release = threading.Event()
        self.version = "4.3.0"
        self.engagement = FakeEngagement()
        self._next_id = 110000000000000000

    # ---------------------------------------------------------------- state helpers

    def new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def account(self) -> dict[str, Any]:
        return {
            "id": ACCOUNT_ID,
            "username": USERNAME,
            "acct": USERNAME,
            "display_name": "infobot",
            "locked": False,
            "bot": True,
            "created_at": "2026-01-01T00:00:00.000Z",
            "note": "",
            "url": f"{self.base_url}/@{USERNAME}",
            "uri": f"{self.base_url}/users/{USERNAME}",
            "avatar": "",
            "header": "",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(self.live_ids()),
            "emojis": [],
            "fields": [],
        }

    def live_ids(self) -> list[str]:
        return [i for i in self.statuses if i not in self.deleted]

    def instance_v2(self) -> dict[str, Any]:
        host = urlsplit(self.base_url).netloc
        return {
            "domain": host,
            "title": "Fake Mastodon",
            "version": self.version,
            "api_versions": {"mastodon": 2},
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local fake for tests",
            "usage": {"users": {"active_month": 1}},
            "configuration": {
                "urls": {"streaming": f"ws://{host}"},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                },
                "media_attachments": {
                    "supported_mime_types": ["image/png", "image/jpeg"],
                    "description_limit": 1500,
                    "image_size_limit": 16777216,
                },
                "polls": {"max_options": 4},
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False},
            "contact": {"email": "admin@example.org"},
            "rules": [],
        }

    def instance_v1(self) -> dict[str, Any]:
        host = urlsplit(self.base_url).netloc
        return {
            "uri": host,
            "title": "Fake Mastodon",
            "version": self.version,
            "description": "A local fake for tests",
            "configuration": {
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                }
            },
        }

    def create_status(self, form: dict[str, list[str]], key: str | None) -> dict[str, Any]:
        """Create (or, for a known idempotency key, return) a status. Caller holds the lock."""
        if key and key in self.idempotency and self.idempotency[key] not in self.deleted:
            return self.statuses[self.idempotency[key]]
        text = first(form, "status")
        policy = first(form, "quote_approval_policy") or None
        if policy not in (None, "public", "followers", "nobody"):
            raise FakeError(422, "Validation failed: Quote approval policy is not included")
        status_id = self.new_id()
        reply_to = first(form, "in_reply_to_id") or None
        if reply_to is not None and (reply_to not in self.statuses or reply_to in self.deleted):
            raise FakeError(404, "Record not found")
        media = [self.media[m] for m in form.get("media_ids[]", form.get("media_ids", []))]
        status = {
            "id": status_id,
            "created_at": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "in_reply_to_id": reply_to,
            "in_reply_to_account_id": ACCOUNT_ID if reply_to else None,
            "sensitive": first(form, "sensitive") == "1",
            "spoiler_text": first(form, "spoiler_text"),
            "visibility": first(form, "visibility") or "public",
            "language": first(form, "language") or None,
            "uri": f"{self.base_url}/users/{USERNAME}/statuses/{status_id}",
            "url": f"{self.base_url}/@{USERNAME}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "content": to_html(text, self.base_url),
            "reblog": None,
            "account": self.account(),
            "media_attachments": [dict(m) for m in media],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
            # Mastodon 4.5: who may quote, as the server settled it
            "quote_approval": {
                "automatic": [] if policy == "nobody" else [policy or "public"],
                "manual": [],
            },
        }
        self.statuses[status_id] = status
        self.sources[status_id] = text
        self.engagement.created(status_id)
        if key:
            self.idempotency[key] = status_id  # stored after creation, as Mastodon does
        return status

    def validate(self, form: dict[str, list[str]]) -> None:
        from mastodon import Mastodon

        text = first(form, "status")
        media_ids = form.get("media_ids[]", form.get("media_ids", []))
        if not text.strip() and not media_ids:
            raise FakeError(422, "Validation failed: Text can't be blank")
        if Mastodon.get_status_length(text, first(form, "spoiler_text")) > self.max_characters:
            raise FakeError(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        for media_id in media_ids:
            if media_id not in self.media:
                raise FakeError(422, "Validation failed: Media attachments is invalid")
            if self.media[media_id]["url"] is None:
                raise FakeError(
                    422,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )

    def with_counts(self, status_id: str) -> dict[str, Any]:
        """The status as the API shows it now, with its counts. Caller holds the lock."""
        counts = self.engagement.counts(status_id)
        return {
            **self.statuses[status_id],
            "favourites_count": counts.likes,
            "reblogs_count": counts.reposts,
            "replies_count": counts.replies,
        }

    def delete_elsewhere(self, status_id: str) -> None:
        """A moderator (or the team on the website) deleted it: infobot did not."""
        with self.lock:
            self.deleted.add(status_id)

    def version_at_least(self, wanted: tuple[int, int]) -> bool:
        major, minor = (int(part) for part in self.version.split(".")[:2])
        return (major, minor) >= wanted


class FakeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


def iso(when: datetime) -> str:
    """A time as Mastodon writes it in X-RateLimit-Reset: ISO 8601, microseconds, Z."""
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def first(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0] if values else ""


_ENTITY = re.compile(r"(?P<url>https?://[^\s<>\"]+)|(?<![\w/])#(?P<tag>\w*[^\W\d]\w*)")


def to_html(text: str, base_url: str) -> str:
    """Roughly Mastodon's TextFormatter: paragraphs, <br />, linked tags, shortened URLs."""

    def inline(chunk: str) -> str:
        out, pos = [], 0
        for match in _ENTITY.finditer(chunk):
            out.append(html.escape(chunk[pos : match.start()], quote=False))
            if match.group("url"):
                url = match.group("url")
                scheme, _, rest = url.partition("://")
                shown, hidden = rest[:30], rest[30:]
                out.append(
                    f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener">'
                    f'<span class="invisible">{scheme}://</span>'
                    f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                    f'<span class="invisible">{html.escape(hidden)}</span></a>'
                )
            else:
                tag = match.group("tag")
                out.append(
                    f'<a href="{base_url}/tags/{tag.lower()}" class="mention hashtag" '
                    f'rel="tag">#<span>{html.escape(tag)}</span></a>'
                )
            pos = match.end()
        out.append(html.escape(chunk[pos:], quote=False))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br />".join(inline(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, Any]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    form: dict[str, list[str]] = {}
    files: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        assert isinstance(payload, bytes)
        if filename is not None:
            files[str(name)] = {
                "filename": filename,
                "type": part.get_content_type(),
                "size": len(payload),
            }
        else:
            form.setdefault(str(name), []).append(payload.decode("utf-8"))
    return form, files


def make_handler(fake: FakeMastodon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: no stale keep-alives

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self.dispatch("GET")

        def do_POST(self) -> None:
            self.dispatch("POST")

        def do_DELETE(self) -> None:
            self.dispatch("DELETE")

        def do_PUT(self) -> None:
            self.dispatch("PUT")

        # ------------------------------------------------------------ plumbing

        def reply(
            self,
            status: int,
            body: Any,
            headers: dict[str, str] | None = None,
            *,
            raw: bytes | None = None,
            content_type: str = "application/json",
        ) -> None:
            data = raw if raw is not None else json.dumps(body).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                reset = datetime.now(UTC) + timedelta(minutes=5)
                all_headers = {
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "299",
                    "X-RateLimit-Reset": iso(reset),
                }
                all_headers.update(headers or {})
                for name, value in all_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client went away (timeout fault)

        def error(self, status: int, message: str) -> None:
            self.reply(status, {"error": message})

        def read_form(self) -> tuple[dict[str, list[str]], dict[str, Any]]:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("multipart/form-data"):
                return _parse_multipart(ctype, body)
            if ctype.startswith("application/json"):
                data = json.loads(body or b"{}")
                form: dict[str, list[str]] = {}
                for key, value in data.items():
                    if isinstance(value, list):
                        form[key] = [str(v) for v in value]
                    elif value is not None:
                        form[key] = [
                            str(value) if not isinstance(value, bool) else ("1" if value else "0")
                        ]
                return form, {}
            return parse_qs(body.decode("utf-8"), keep_blank_values=True), {}

        def authorised(self) -> bool:
            return self.headers.get("Authorization") == f"Bearer {fake.token}"

        def dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            path = url.path.rstrip("/") or "/"
            form, files = ({}, {}) if method in ("GET", "DELETE") else self.read_form()
            if method in ("GET", "DELETE"):
                form = parse_qs(url.query, keep_blank_values=True)
            headers = {k: v for k, v in self.headers.items()}
            with fake.lock:
                fake.requests.append(Recorded(method, path, headers, form))
            try:
                self.route(method, path, form, files)
            except FakeError as exc:
                self.error(exc.status, exc.message)

        # ------------------------------------------------------------ routes

        def route(
            self, method: str, path: str, form: dict[str, list[str]], files: dict[str, Any]
        ) -> None:
            if method == "GET" and path in ("/api/v1/instance", "/api/v2/instance"):
                if "instance" in fake.stalled:
                    self.stall()
                if fake.instance_status != 200:
                    raise FakeError(fake.instance_status, "Instance unavailable")
                self.reply(200, fake.instance_v2() if "v2" in path else fake.instance_v1())
                return
            if not self.authorised():
                raise FakeError(401, "The access token is invalid")
            if method == "GET" and path == "/api/v1/accounts/verify_credentials":
                if "account" in fake.stalled:
                    self.stall()
                account = fake.account()
                account["source"] = {
                    "privacy": "public",
                    "sensitive": False,
                    "language": "en",
                    "note": "",
                    "fields": [],
                }
                self.reply(200, account)
            elif method == "POST" and path == "/api/v1/statuses":
                self.post_status(form)
            elif method == "GET" and (m := re.fullmatch(r"/api/v1/accounts/(\w+)/statuses", path)):
                if m.group(1) != ACCOUNT_ID:
                    raise FakeError(404, "Record not found")
                limit = min(int(first(form, "limit") or 20), 40)
                with fake.lock:
                    ids = list(reversed(fake.live_ids()))[:limit]
                    self.reply(200, [fake.statuses[i] for i in ids])
            elif method == "GET" and path == "/api/v1/statuses":
                self.get_statuses(form.get("id[]", []))
            elif (m := re.fullmatch(r"/api/v1/statuses/(\w+)", path)) and method in (
                "GET",
                "DELETE",
            ):
                if method == "GET" and (fault := fake.engagement.fault()) is not None:
                    self.read_fault(fault)
                    return
                with fake.lock:
                    status_id = m.group(1)
                    if status_id not in fake.statuses or status_id in fake.deleted:
                        raise FakeError(404, "Record not found")
                    status = fake.with_counts(status_id)
                    if method == "DELETE":
                        fake.deleted.add(status_id)
                        status["text"] = fake.sources[status_id]
                self.reply(200, status)
            elif method == "POST" and path == "/api/v2/media":
                self.post_media(form, files)
            elif method == "GET" and (m := re.fullmatch(r"/api/v1/media/(\w+)", path)):
                with fake.lock:
                    media = fake.media.get(m.group(1))
                    if media is None:
                        raise FakeError(404, "Record not found")
                    if fake.media_polls.get(media["id"], 0) > 0:
                        fake.media_polls[media["id"]] -= 1
                        self.reply(206, media)
                        return
                    media["url"] = f"{fake.base_url}/system/media/{media['id']}/original.png"
                    media["preview_url"] = media["url"].replace("original", "small")
                    self.reply(200, media)
            else:
                raise FakeError(404, "Not found")

        def get_statuses(self, ids: list[str]) -> None:
            if not fake.version_at_least((4, 3)):
                raise FakeError(404, "Not found")  # no such route before Mastodon 4.3
            if (fault := fake.engagement.fault()) is not None:
                self.read_fault(fault)
                return
            if len(ids) > 20:
                raise FakeError(422, "Too many ids: at most 20")
            with fake.lock:
                found = [
                    fake.with_counts(i)
                    for i in dict.fromkeys(ids)
                    if i in fake.statuses and i not in fake.deleted
                ]
            fake.engagement.answered(len(found))
            self.reply(200, found)

        def read_fault(self, fault: str) -> None:
            if fault == "rate_limited":
                reset = datetime.now(UTC) + timedelta(minutes=5)
                headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso(reset)}
                self.reply(429, {"error": "Too many requests"}, headers)
            else:
                self.reply(500, None, raw=b"<html>oops</html>", content_type="text/html")

        def post_media(self, form: dict[str, list[str]], files: dict[str, Any]) -> None:
            upload = files.get("file")
            if upload is None:
                raise FakeError(422, "Validation failed: File can't be blank")
            with fake.lock:
                media_id = fake.new_id()
                media = {
                    "id": media_id,
                    "type": "image",
                    "url": None,
                    "preview_url": None,
                    "remote_url": None,
                    "text_url": None,
                    "meta": {},
                    "description": first(form, "description") or None,
                    "blurhash": None,
                    "mime_type": upload["type"],
                    "size": upload["size"],
                }
                fake.media[media_id] = media
                fake.media_polls[media_id] = fake.media_processing_polls
                self.reply(202, media)

        def post_status(self, form: dict[str, list[str]]) -> None:
            key = self.headers.get("Idempotency-Key")
            with fake.lock:
                fake.creates.append(CreateRequest(first(form, "status"), key))
                fault = fake.faults.pop(0) if fake.faults else None
            fake.posting.set()
            if fake.post_delay:
                fake.release.wait(fake.post_delay)
            if fault == "rate_limited":
                reset = datetime.now(UTC) + timedelta(minutes=3)
                self.reply(
                    429,
                    {"error": "Too many requests"},
                    {
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": iso(reset),
                    },
                )
                return
            if fault == "rate_limited_no_reset":
                self.send_response(429)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
                return
            if fault == "unauthorized":
                raise FakeError(401, "The access token is invalid")
            if fault == "forbidden":
                raise FakeError(403, "Your login is currently disabled")
            if fault == "bad_gateway":
                self.reply(502, None, raw=b"<html>502 Bad Gateway</html>", content_type="text/html")
                return
            if fault == "server_error":
                page = b"<html><body><h1>We're sorry, but something went wrong.</h1></body></html>"
                self.reply(500, None, raw=page, content_type="text/html")
                return
            if fault == "too_long":
                raise FakeError(
                    422,
                    f"Validation failed: Text character limit of {fake.max_characters} exceeded",
                )
            with fake.lock:
                fake.validate(form)
                status = fake.create_status(form, key)
            if fault == "connection_reset":
                # the status exists; drop the connection without a word
                self.close_connection = True
                try:
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault == "timeout":
                self.stall()
            if fault == "unreadable":  # created, but the answer is not JSON
                self.reply(200, None, raw=b"<html>oops</html>", content_type="text/html")
                return
            self.reply(200, status)

        def stall(self) -> None:
            """Wait until the client hangs up (it times out) or ``stall_limit`` passes."""
            deadline = threading.Event()
            timer = threading.Timer(fake.stall_limit, deadline.set)
            timer.start()
            try:
                while not deadline.is_set():
                    readable, _, _ = select.select([self.connection], [], [], 0.02)
                    if readable:
                        try:
                            if self.connection.recv(1, socket.MSG_PEEK) == b"":
                                return  # the client closed its end
                        except OSError:
                            return
            finally:
                timer.cancel()

    return Handler


class FakeMastodonServer:
    """Runs a :class:`FakeMastodon` on 127.0.0.1 in a background thread."""

    def __init__(self, fake: FakeMastodon) -> None:
        self.fake = fake
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        fake.base_url = f"http://{host!s}:{port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return self.fake.base_url

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def fake_mastodon(token: str | None = None, **kw: Any) -> Iterator[FakeMastodonServer]:
    server = FakeMastodonServer(FakeMastodon(token or new_token(), **kw))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def new_token() -> str:
    return transcript.secret("tok_" + secrets.token_urlsafe(24))


def make_platform(server: FakeMastodonServer, **kw: Any) -> MastodonPlatform:
    options: dict[str, Any] = {
        "api_base_url": server.url,
        "access_token": server.fake.token,
        "timeout": ADAPTER_TIMEOUT,
        "sleep": lambda seconds: None,
    }
    options.update(kw)
    return MastodonPlatform(**options)


class MastodonHarness:
    name = "mastodon"

    def __init__(self, server: FakeMastodonServer, platform: MastodonPlatform) -> None:
        self.server = server
        self.fake = server.fake
        self.platform = platform
        self.secret = server.fake.token

    def live_posts(self) -> list[LivePost]:
        with self.fake.lock:
            posts = []
            for status_id in self.fake.live_ids():
                status = self.fake.statuses[status_id]
                media = status["media_attachments"]
                posts.append(
                    LivePost(
                        status_id,
                        self.fake.sources[status_id],
                        status["in_reply_to_id"],
                        media[0]["description"] if media else None,
                    )
                )
            return posts

    def create_requests(self) -> list[CreateRequest]:
        with self.fake.lock:
            return list(self.fake.creates)

    def inject(self, fault: str) -> None:
        if fault not in SUPPORTED + EXTRA:
            raise NotImplementedError(fault)
        with self.fake.lock:
            self.fake.faults.append(fault)

    def supports(self, fault: str) -> bool:
        return fault in SUPPORTED


@contextmanager
def make_harness(tmp_path: Path) -> Iterator[MastodonHarness]:
    with fake_mastodon() as server:
        platform = make_platform(server)
        try:
            yield MastodonHarness(server, platform)
        finally:
            platform.close()
