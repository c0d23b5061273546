"""A fake X API v2 on a real local HTTP server, and the X adapter wired to it.

The adapter runs unchanged (real tweepy, real requests, real OAuth 1.0a signing); its
``api_base``/``upload_base`` point at the fake, so the requests tweepy addresses to
https://api.twitter.com are rewritten by the adapter's transport to 127.0.0.1 and signed
again. The fake checks every OAuth 1.0a HMAC-SHA1 signature with the known credentials.

What the fake does as X does: ids are snowflake-sized strings; ``POST /2/tweets`` answers
201 with ``{"data": {"id", "text"}}``; a text equal to a live post gets the 403 "duplicate
content" problem; stored text has every URL (bare domains too) replaced by a t.co link,
plus a trailing t.co link for attached media, and is HTML-escaped in API answers;
``GET /2/users/:id/tweets`` lists newest first and wants ``max_results`` in 5..100.

Metrics (issue 14): with ``tweet.fields=public_metrics`` both ``GET /2/users/:id/tweets``
and ``GET /2/tweets?ids=`` (at most 100 ids) carry each post's counts, which grow with its
age on ``fake.engagement.now`` (:class:`~tests.support.metrics_fakes.FakeEngagement`); a
post deleted by someone else (:meth:`FakeX.delete_elsewhere`) is listed under ``errors``;
``fake.engagement.faults`` makes the next ``GET /2/tweets`` answer 429 or 500. Every
request is logged with the number of posts it returned, to price them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import requests
from oauthlib.oauth1.rfc5849 import signature, utils

from infobot.platforms.x import XPlatform
from tests.platform_harness import CreateRequest, LivePost
from tests.support import transcript
from tests.support.metrics_fakes import FakeEngagement, x_not_found, x_tweet

CONSUMER_KEY = "ck-Xh4rn3ssConsumerKey"
CONSUMER_SECRET = "cs-Xh4rn3ssConsumerSecret-9f2"
ACCESS_TOKEN = "1700000000000000001-Xh4rn3ssAccessToken"
ACCESS_TOKEN_SECRET = "ats-Xh4rn3ssAccessTokenSecret-77"
CREDENTIALS = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
for _value in CREDENTIALS:
    transcript.secret(_value)
USER = {"id": "1700000000000000001", "name": "Info Team", "username": "infoteam"}
TIMEOUT = 0.5  # the adapter's timeout; the "timeout" fault answers later than this

SUPPORTED = (
    "rate_limited",
    "unauthorized",
    "server_error",
    "timeout",
    "connection_reset",
    "duplicate",
    "payment_required",
)
DUPLICATE_BODY = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
# X's answer when pay-per-use credits run out (shape as reported; not captured live)
CREDITS_BODY = {
    "title": "CreditsDepleted",
    "detail": "Your enrolled account [1700000000000000001] does not have any credits to"
    " fulfill this request.",
    "type": "https://api.twitter.com/2/problems/credits",
}
UNAUTHORIZED_BODY = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
RATE_LIMITED_BODY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
ANSWERS: dict[str, tuple[int, dict[str, Any]]] = {
    "unauthorized": (401, UNAUTHORIZED_BODY),
    "payment_required": (402, CREDITS_BODY),
    "duplicate": (403, DUPLICATE_BODY),
    # not contract faults; X-specific tests put them in ``FakeX.faults`` / ``upload_faults``
    "forbidden": (
        403,
        {
            "title": "Forbidden",
            "type": "about:blank",
            "status": 403,
            "detail": "You are not permitted to perform this action.",
        },
    ),
    "bad_request": (
        400,
        {
            "title": "Invalid Request",
            "type": "https://api.twitter.com/2/problems/invalid-request",
            "detail": "One or more parameters to your request was invalid.",
            "errors": [{"message": "Your Tweet text is too long."}],
        },
    ),
}
#: the values X API v2 accepts for ``reply_settings`` (POST /2/tweets)
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")
INVALID = {
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
# A URL as X finds one, roughly: optional scheme, dotted host, path not ending in punctuation
URL = re.compile(
    r"(?<![\w@.])(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?"
    r"(?:/[^\s]*[^\s.,;:!?)\]'\"])?/?",
    re.IGNORECASE,
)


@dataclass
class Tweet:
    id: str
    submitted: str  # the text as sent
    text: str  # as X holds it: links as t.co
    reply_to: str | None
    media_ids: list[str]
    image_alt: str | None


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    authorization: str
    oauth_ok: bool
    content_type: str
    body: bytes
    fields: dict[str, Any] = field(default_factory=dict)  # multipart fields (bytes) or JSON
    status: int = 0  # what the fake answered
    returned: int = 0  # posts in the answer's data (reads are priced per post returned)


class FakeX:
    """State and behaviour of the fake; the HTTP handler only moves bytes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tweets: dict[str, Tweet] = {}  # insertion order = creation order
        self.media: dict[str, dict[str, Any]] = {}
        self.log: list[Recorded] = []
        self.creates: list[CreateRequest] = []
        self.faults: list[str] = []  # for the next POST /2/tweets
        self.upload_faults: list[str] = []  # for the next POST /2/media/upload
        self.read_faults: list[str] = []  # for the next GET /2/users/:id/tweets
        self.server_error_status = 500
        self.rate_limit_reset: int | None = None  # epoch seconds; default now + 15 min
        #: "post" answers with the field names of X's current API description
        #: (``edit_history_post_ids``), which tweepy 4.x does not know
        self.field_names = "tweet"
        self.release = threading.Event()  # lets a delayed ("timeout") answer finish
        self.errors: list[BaseException] = []  # bugs in the fake itself, raised at exit
        self.base_url = ""
        self.engagement = FakeEngagement()
        self.removed: set[str] = set()  # deleted by someone else, not by infobot
        self._next = 1

    def new_id(self, base: int) -> str:
        self._next += 1
        return str(base + self._next)

    # -- requests --------------------------------------------------------------------------
    def handle(self, h: Handler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        url = urlsplit(h.path)
        auth = h.headers.get("Authorization", "")
        record = Recorded(
            h.command,
            url.path,
            url.query,
            auth,
            self.oauth_ok(h.command, h.path, auth),
            h.headers.get("Content-Type", ""),
            body,
        )
        with self.lock:
            self.log.append(record)
        h.record = record
        if not record.oauth_ok:
            h.answer(401, UNAUTHORIZED_BODY)
            return
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        route = (h.command, url.path)
        if route == ("POST", "/2/tweets"):
            self.create_tweet(h, record)
        elif h.command == "DELETE" and url.path.startswith("/2/tweets/"):
            self.delete_tweet(h, url.path.rsplit("/", 1)[1])
        elif route == ("GET", "/2/users/me"):
            h.answer(200, {"data": USER})
        elif h.command == "GET" and re.fullmatch(r"/2/users/\d+/tweets", url.path):
            self.users_tweets(h, url.path.split("/")[3], query)
        elif route == ("GET", "/2/tweets"):
            self.tweets_by_ids(h, query)
        elif route == ("POST", "/2/media/upload"):
            self.upload(h, record)
        elif route == ("POST", "/2/media/metadata"):
            self.metadata(h, record)
        else:
            h.answer(
                404,
                {
                    "title": "Not Found Error",
                    "detail": f"no route {url.path}",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                },
            )

    def oauth_ok(self, method: str, path: str, authorization: str) -> bool:
        """Verify an OAuth 1.0a HMAC-SHA1 signature for this server's URL."""
        if not authorization.startswith("OAuth "):
            return False
        params = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(authorization)}
        if (
            params.get("oauth_consumer_key") != CONSUMER_KEY
            or params.get("oauth_token") != ACCESS_TOKEN
            or params.get("oauth_signature_method") != "HMAC-SHA1"
        ):
            return False
        collected = signature.collect_parameters(
            uri_query=urlsplit(path).query,
            headers={"Authorization": authorization},
            exclude_oauth_signature=True,
        )
        base = signature.signature_base_string(
            method,
            signature.base_string_uri(self.base_url + path),
            signature.normalize_parameters(collected),
        )
        key = f"{utils.escape(CONSUMER_SECRET)}&{utils.escape(ACCESS_TOKEN_SECRET)}"
        digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        expected = base64.b64encode(digest).decode()
        return hmac.compare_digest(expected, params.get("oauth_signature", ""))

    def create_tweet(self, h: Handler, record: Recorded) -> None:
        if not record.content_type.startswith("application/json"):
            h.answer(400, {"title": "Invalid Request", "detail": "Expected JSON"})
            return
        payload = json.loads(record.body)
        record.fields = payload
        text = str(payload.get("text", ""))
        reply_to = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
        if payload.get("reply_settings") not in (None, *REPLY_SETTINGS):
            h.answer(400, {**INVALID, "errors": [{"message": "invalid reply_settings"}]})
            return
        media_ids = [str(m) for m in (payload.get("media") or {}).get("media_ids", [])]
        problem = None
        with self.lock:
            self.creates.append(CreateRequest(text, None))
            fault = self.faults.pop(0) if self.faults else None
            if fault in (None, "timeout", "connection_reset"):
                problem = self.invalid(text, reply_to, media_ids)
        if problem:
            h.answer(*problem)
        elif fault in ("timeout", "connection_reset", None):
            tweet = self.store(text, reply_to, media_ids)
            if fault == "timeout":
                self.release.wait(10)  # the adapter gave up long ago
                h.answer(201, {"data": self.api(tweet)})
            elif fault == "connection_reset":
                h.reset()
            else:
                h.answer(201, {"data": self.api(tweet)})
        else:
            h.answer(*self.failure(fault))

    def failure(self, fault: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The answer for an injected fault that creates nothing."""
        if fault == "rate_limited":
            reset = str(self.rate_limit_reset or int(time.time()) + 900)
            return (
                429,
                RATE_LIMITED_BODY,
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": reset,
                },
            )
        if fault == "server_error":
            status = self.server_error_status
            return (
                status,
                {
                    "title": "Service Unavailable" if status == 503 else "Internal Server Error",
                    "type": "about:blank",
                    "status": status,
                },
                {},
            )
        return *ANSWERS[fault], {}

    def invalid(
        self, text: str, reply_to: str | None, media_ids: list[str]
    ) -> tuple[int, dict[str, Any]] | None:
        """X's checks on a create request (called with the lock held)."""
        invalid = {
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        }
        if not text.strip() and not media_ids:
            return 400, {**invalid, "errors": [{"message": "text or media is required"}]}
        if reply_to is not None and reply_to not in self.tweets:
            return 400, {**invalid, "errors": [{"message": "reply to a missing post"}]}
        if any(m not in self.media for m in media_ids):
            return 400, {**invalid, "errors": [{"message": "unknown media id"}]}
        if any(t.submitted == text for t in self.tweets.values()):
            return 403, DUPLICATE_BODY
        return None

    def store(self, text: str, reply_to: str | None, media_ids: list[str]) -> Tweet:
        shown = URL.sub(lambda m: tco(m.group(0)), text)
        if media_ids:
            shown = f"{shown} {tco('media:' + media_ids[0])}"
        alt = self.media[media_ids[0]].get("alt") if media_ids else None
        with self.lock:
            tweet = Tweet(
                self.new_id(1_900_000_000_000_000_000), text, shown, reply_to, media_ids, alt
            )
            self.tweets[tweet.id] = tweet
        self.engagement.created(tweet.id)
        return tweet

    def api(
        self, tweet: Tweet, metrics: bool = False, *, references: bool = False
    ) -> dict[str, Any]:
        escaped = tweet.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if metrics:
            data = x_tweet(tweet.id, escaped, self.engagement.counts(tweet.id))
        else:
            data = {
                "id": tweet.id,
                "text": escaped,
                f"edit_history_{self.field_names}_ids": [tweet.id],
            }
        if references and tweet.reply_to is not None:  # asked for with tweet.fields
            data["referenced_tweets"] = [{"type": "replied_to", "id": tweet.reply_to}]
        return data

    def delete_elsewhere(self, tweet_id: str) -> None:
        """Someone deleted the post on x.com: infobot did not."""
        with self.lock:
            self.tweets.pop(tweet_id)
            self.removed.add(tweet_id)

    def tweets_by_ids(self, h: Handler, query: dict[str, str]) -> None:
        fault = self.engagement.fault()
        if fault is not None:
            h.answer(*self.failure(fault))
            return
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            h.answer(400, {"title": "Invalid Request", "detail": "ids: 1 to 100 ids"})
            return
        metrics = "public_metrics" in query.get("tweet.fields", "")
        with self.lock:
            found = [self.api(self.tweets[i], metrics) for i in ids if i in self.tweets]
            gone = [x_not_found(i) for i in ids if i not in self.tweets]
        body: dict[str, Any] = {"data": found} if found else {}
        if gone:
            body["errors"] = gone
        h.answer(200, body)

    def delete_tweet(self, h: Handler, tweet_id: str) -> None:
        with self.lock:
            gone = self.tweets.pop(tweet_id, None)
        if gone is None:
            h.answer(
                404,
                {
                    "title": "Not Found Error",
                    "detail": f"Could not find tweet with id: [{tweet_id}].",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                },
            )
        else:
            h.answer(200, {"data": {"deleted": True}})

    def users_tweets(self, h: Handler, user_id: str, query: dict[str, str]) -> None:
        with self.lock:
            fault = self.read_faults.pop(0) if self.read_faults else None
        if fault is None and "public_metrics" in query.get("tweet.fields", ""):
            fault = self.engagement.fault()
        if fault == "timeout":
            self.release.wait(10)
        elif fault == "connection_reset":
            h.reset()
            return
        elif fault is not None:
            h.answer(*self.failure(fault))
            return
        if user_id != USER["id"]:
            h.answer(404, {"title": "Not Found Error", "detail": "no such user"})
            return
        count = int(query.get("max_results", "10"))
        if not 5 <= count <= 100:
            h.answer(
                400,
                {
                    "title": "Invalid Request",
                    "errors": [
                        {
                            "message": (
                                "The `max_results` query parameter value is not between 5 and 100"
                            )
                        }
                    ],
                },
            )
            return
        fields = query.get("tweet.fields", "").split(",")
        metrics = "public_metrics" in fields
        with self.lock:
            newest = [
                self.api(t, metrics, references="referenced_tweets" in fields)
                for t in reversed(self.tweets.values())
            ][:count]
        if not newest:
            h.answer(200, {"meta": {"result_count": 0}})
            return
        h.answer(
            200,
            {
                "data": newest,
                "meta": {
                    "result_count": len(newest),
                    "newest_id": newest[0]["id"],
                    "oldest_id": newest[-1]["id"],
                },
            },
        )

    def upload(self, h: Handler, record: Recorded) -> None:
        if not record.content_type.startswith("multipart/form-data"):
            h.answer(400, {"title": "Invalid Request", "detail": "expected multipart"})
            return
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + record.content_type.encode() + b"\r\n\r\n" + record.body
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = part.get_payload(decode=True)
        record.fields = fields
        with self.lock:
            fault = self.upload_faults.pop(0) if self.upload_faults else None
        if fault is not None:
            h.answer(*self.failure(fault))
            return
        if not fields.get("media") or fields.get("media_category") != b"tweet_image":
            h.answer(400, {"title": "Invalid Request", "detail": "media and media_category"})
            return
        with self.lock:
            media_id = self.new_id(1_880_000_000_000_000_000)
            self.media[media_id] = {"size": len(fields["media"]), "alt": None}
        h.answer(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(fields["media"]),
                    "expires_after_secs": 86400,
                    "image": {"image_type": "image/png", "w": 64, "h": 64},
                }
            },
        )

    def metadata(self, h: Handler, record: Recorded) -> None:
        payload = json.loads(record.body)
        record.fields = payload
        media_id = str(payload.get("id"))
        alt = ((payload.get("metadata") or {}).get("alt_text") or {}).get("text")
        with self.lock:
            if media_id not in self.media or not isinstance(alt, str):
                h.answer(400, {"title": "Invalid Request", "detail": "bad media metadata"})
                return
            self.media[media_id]["alt"] = alt
        h.answer(
            200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
        )


def tco(url: str) -> str:
    return "https://t.co/" + hashlib.sha256(url.encode()).hexdigest()[:10]


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing stale in the pool
    record: Recorded | None = None

    def do_GET(self) -> None:
        self.server.fake.handle(self)

    do_POST = do_DELETE = do_GET

    def answer(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        if self.record is not None:
            self.record.status = status
            found = body.get("data")
            self.record.returned = len(found) if isinstance(found, list) else 0
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client went away (after a timeout)

    def reset(self) -> None:
        """Drop the connection with a TCP reset, sending no response at all."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket closes only once no file object refers to it
        self.connection.close()
        self.wfile = cast("BufferedIOBase", _Discard())
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Discard:
    closed = False

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close joins the handler threads

    def __init__(self, fake: FakeX) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.fake.errors.append(error)


class XHarness:
    name = "x"
    secret = CONSUMER_SECRET
    credentials = CREDENTIALS

    def __init__(self, fake: FakeX, platform: XPlatform) -> None:
        self.fake = fake
        self.platform = platform

    def live_posts(self) -> list[LivePost]:
        with self.fake.lock:
            tweets = list(self.fake.tweets.values())
        return [LivePost(t.id, t.text, t.reply_to, t.image_alt) for t in tweets]

    def create_requests(self) -> list[CreateRequest]:
        with self.fake.lock:
            return list(self.fake.creates)

    def inject(self, fault: str) -> None:
        if fault not in SUPPORTED:
            raise NotImplementedError(fault)
        with self.fake.lock:
            self.fake.faults.append(fault)

    def supports(self, fault: str) -> bool:
        return fault in SUPPORTED

    def received(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """Requests the fake received, oldest first, optionally filtered."""
        with self.fake.lock:
            log = list(self.fake.log)
        return [
            r
            for r in log
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]


def make_platform(base_url: str, **kwargs: Any) -> XPlatform:
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment for 127.0.0.1
    options: dict[str, Any] = {"threads": True, "timeout": TIMEOUT}
    options.update(kwargs)
    return XPlatform(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        access_token=ACCESS_TOKEN,
        access_token_secret=ACCESS_TOKEN_SECRET,
        session=session,
        api_base=base_url,
        upload_base=base_url,
        **options,
    )


@contextmanager
def make_harness(tmp_path: Path, **platform_options: Any) -> Iterator[XHarness]:
    fake = FakeX()
    server = Server(fake)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-x", daemon=True
    )
    thread.start()
    platform = make_platform(fake.base_url, **platform_options)
    try:
        yield XHarness(fake, platform)
    finally:
        platform.close()
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
    if fake.errors:
        raise AssertionError(f"the fake X failed: {fake.errors!r}")
