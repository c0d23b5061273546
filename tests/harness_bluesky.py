"""A fake Bluesky PDS on a real local socket, and the harness the contract suite uses.

``FakePds`` is a threaded ``http.server`` speaking just enough XRPC for the atproto SDK:
sessions (unsigned JWTs with an ``exp`` claim), profiles, records, blobs, the author feed
and ``getPosts``. It keeps every post, counts every call and can fail the next
``createRecord`` in the ways listed in ``FAULTS``. Nothing here mocks the SDK: the adapter
talks to this server through ``atproto`` and ``httpx`` exactly as it would to bsky.social.

Metrics (issue 14): ``getPosts`` (at most 25 URIs; deleted posts left out) carries counts
that grow with each post's age on ``pds.engagement.now``; ``pds.engagement.faults`` makes
the next ``getPosts`` answer 429 or 500; :meth:`FakePds.delete_elsewhere` deletes a post
without infobot (``getRecord`` then says ``RecordNotFound``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from infobot.platforms.bluesky import BlueskyPlatform, join_remote_id
from tests.platform_harness import CreateRequest, LivePost
from tests.support import transcript
from tests.support.metrics_fakes import FakeEngagement, bluesky_post_view

HANDLE = "infostory-test.bsky.social"
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
APP_PASSWORD = transcript.secret("hq7k-2xmp-vr4d-9tzw")
TIMEOUT = 0.5  # the adapter's timeout; the "timeout" fault answers after SLOW seconds
SLOW = 1.5
SUPPORTED = ("rate_limited", "unauthorized", "server_error", "timeout", "connection_reset")
#: faults the fake can also inject, beyond the contract's: "disconnect" closes the connection
#: cleanly without an answer (httpx's RemoteProtocolError rather than a reset)
EXTRA_FAULTS = ("disconnect",)
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(payload: dict[str, Any]) -> str:
    """An unsigned-looking JWT: the SDK only decodes the payload (for ``exp``)."""
    header = {"typ": "at+jwt", "alg": "ES256K"}
    return ".".join(
        [
            _b64(json.dumps(header).encode()),
            _b64(json.dumps(payload).encode()),
            _b64(secrets.token_bytes(32)),
        ]
    )


def jwt_payload(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _cid(data: bytes, codec: int) -> str:
    """A CIDv1 (sha-256) in base32, like the real ones: bafyrei... / bafkrei..."""
    digest = hashlib.sha256(data).digest()
    raw = bytes([0x01, codec, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class StoredPost:
    uri: str
    cid: str
    value: dict[str, Any]
    indexed_at: str
    deleted: bool = False

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[-1]

    @property
    def remote_id(self) -> str:
        return join_remote_id(self.uri, self.cid)

    def view(self, author: dict[str, Any]) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "cid": self.cid,
            "author": author,
            "record": self.value,
            "indexedAt": self.indexed_at,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
        }


@dataclass
class FakePds:
    handle: str = HANDLE
    did: str = DID
    password: str = APP_PASSWORD
    url: str = ""
    posts: list[StoredPost] = field(default_factory=list)
    blobs: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    create_bodies: list[dict[str, Any]] = field(default_factory=list)
    apply_bodies: list[dict[str, Any]] = field(default_factory=list)  # applyWrites requests
    #: records of other collections (threadgates, postgates) by at:// URI
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    foreign_reposts: list[dict[str, Any]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # every token ever handed out
    last_reset: int = 0  # the ratelimit-reset epoch of the last 429
    access_lifetime: int = 7200
    #: the AppView behind the PDS (``app.bsky.*`` reads): "up", "down" (the PDS answers 502
    #: UpstreamFailure, as when api.bsky.app is out) or "none" (a bare PDS: 400
    #: InvalidRequest "No service configured for ...")
    appview: str = "up"
    #: how the PDS names a token it does not know: "InvalidToken" (revoked) or "ExpiredToken"
    refused_token_error: str = "InvalidToken"
    lock: threading.RLock = field(default_factory=threading.RLock)
    stopping: threading.Event = field(default_factory=threading.Event)
    engagement: FakeEngagement = field(default_factory=FakeEngagement)
    _last_tid: int = 0

    # ---------------------------------------------------------------- test controls

    def inject(self, fault: str) -> None:
        if fault not in SUPPORTED + EXTRA_FAULTS:
            raise NotImplementedError(fault)
        with self.lock:
            self.faults.append(fault)

    def revoke_sessions(self) -> None:
        """Every token issued so far stops working (as after "log out everywhere")."""
        with self.lock:
            self.access_tokens.clear()
            self.refresh_tokens.clear()

    def revoke_app_password(self) -> None:
        """The app password is deleted in Bluesky's settings: its sessions end with it."""
        with self.lock:
            self.password = "revoked-" + secrets.token_hex(8)
        self.revoke_sessions()

    def live(self) -> list[StoredPost]:
        with self.lock:
            return [p for p in self.posts if not p.deleted]

    def delete_elsewhere(self, uri: str) -> None:
        """The post was deleted in the Bluesky app: infobot did not."""
        with self.lock:
            for post in self.posts:
                if post.uri == uri:
                    post.deleted = True

    def add_foreign_repost(self, text: str) -> None:
        """Someone else's post with this text, reposted by our account (lookup must skip it)."""
        other = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
        rkey = self._tid()
        value = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _now_iso()}
        post = StoredPost(
            f"at://{other}/app.bsky.feed.post/{rkey}",
            _cid(json.dumps(value).encode(), 0x71),
            value,
            _now_iso(),
        )
        item = {
            "post": post.view({"did": other, "handle": "someone-else.bsky.social"}),
            "reason": {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": self.author(),
                "indexedAt": _now_iso(),
            },
        }
        with self.lock:
            self.foreign_reposts.append(item)

    # ---------------------------------------------------------------- state helpers

    def author(self) -> dict[str, Any]:
        return {"did": self.did, "handle": self.handle, "displayName": "Infostory test"}

    def _tid(self) -> str:
        with self.lock:
            now = max(time.time_ns() // 1000, self._last_tid + 1)
            self._last_tid = now
        value = (now << 10) | 7
        out = []
        for _ in range(13):
            out.append(_TID_CHARS[value & 31])
            value >>= 5
        return "".join(reversed(out))

    def issue_session(self) -> dict[str, Any]:
        now = int(time.time())
        access = make_jwt(
            {
                "scope": "com.atproto.appPass",
                "sub": self.did,
                "iat": now,
                "exp": now + self.access_lifetime,
                "aud": "did:web:localhost",
            }
        )
        refresh = make_jwt(
            {
                "scope": "com.atproto.refresh",
                "sub": self.did,
                "iat": now,
                "exp": now + 90 * 86400,
                "jti": secrets.token_urlsafe(16),
            }
        )
        with self.lock:
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
            self.issued += [access, refresh]
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "active": True,
        }

    def find(self, uri: str) -> StoredPost | None:
        with self.lock:
            for post in self.posts:
                if post.uri == uri and not post.deleted:
                    return post
        return None


class _Reply(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _error(status: int, error: str, message: str) -> _Reply:
    return _Reply(status, {"error": error, "message": message})


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple and enough

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    # ---------------------------------------------------------------- plumbing

    def _serve(self) -> None:
        pds = self.server.pds
        parts = urlsplit(self.path)
        nsid = parts.path.removeprefix("/xrpc/")
        self.query = {k: v for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        with pds.lock:
            pds.calls[nsid] += 1
        try:
            route = _ROUTES.get(nsid)
            if route is None:
                raise _error(501, "MethodNotImplemented", f"Method Not Implemented: {nsid}")
            if nsid not in (
                "com.atproto.server.createSession",
                "com.atproto.server.refreshSession",
            ):
                self._authorise(pds.access_tokens)
            if nsid.startswith("app.bsky.") and pds.appview != "up":
                if pds.appview == "down":
                    raise _error(502, "UpstreamFailure", "failed to fetch upstream")
                raise _error(400, "InvalidRequest", f"No service configured for {nsid}")
            result = route(self, pds)
            if result is None:  # the handler already dealt with the connection
                return
            self._send(200, result, {})
        except _Reply as reply:
            self._send(reply.status, reply.body, reply.headers)

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (the timeout fault)
            pass

    def _authorise(self, valid: set[str]) -> str:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token:
            raise _error(401, "AuthenticationRequired", "Authentication Required")
        if token not in valid:
            exp = jwt_payload(token).get("exp")
            if isinstance(exp, int) and exp < time.time():
                raise _error(400, "ExpiredToken", "Token has expired")
            # a PDS answers a revoked (or otherwise unknown) token with 400, not 401
            raise _error(400, self.server.pds.refused_token_error, "Token could not be verified")
        return token

    def _json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError as exc:
            raise _error(400, "InvalidRequest", "body is not JSON") from exc
        if not isinstance(data, dict):
            raise _error(400, "InvalidRequest", "body must be an object")
        return data

    def _param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def _drop_connection(self) -> None:
        """Close with a TCP reset and no answer (the request was handled)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.wfile = BytesIO()  # nothing more reaches the socket
        self.close_connection = True

    # ---------------------------------------------------------------- XRPC methods

    def create_session(self, pds: FakePds) -> dict[str, Any]:
        data = self._json()
        identifier = str(data.get("identifier", "")).lower()
        if identifier not in (pds.handle, pds.did) or data.get("password") != pds.password:
            raise _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return pds.issue_session()

    def refresh_session(self, pds: FakePds) -> dict[str, Any]:
        token = self._authorise(pds.refresh_tokens)
        with pds.lock:
            pds.refresh_tokens.discard(token)
        return pds.issue_session()

    def get_session(self, pds: FakePds) -> dict[str, Any]:
        return {"handle": pds.handle, "did": pds.did, "active": True}

    def get_profile(self, pds: FakePds) -> dict[str, Any]:
        actor = self._param("actor").lower()
        if actor not in (pds.handle, pds.did):
            raise _error(400, "InvalidRequest", "Profile not found")
        return {**pds.author(), "followersCount": 3, "followsCount": 1, "postsCount": 0}

    def create_record(self, pds: FakePds) -> dict[str, Any] | None:
        data = self._json()
        record = data.get("record") or {}
        with pds.lock:
            pds.create_bodies.append(data)
            fault = pds.faults.pop(0) if pds.faults else None
        self._fail_early(pds, fault)
        if data.get("repo") not in (pds.did, pds.handle):
            raise _error(400, "InvalidRequest", "Can not create record in another repo")
        if data.get("collection") != "app.bsky.feed.post":
            raise _error(400, "InvalidRequest", "unexpected collection")
        self._validate_post(pds, record)
        rkey = pds._tid()
        uri = f"at://{pds.did}/app.bsky.feed.post/{rkey}"
        cid = _cid(json.dumps(record, sort_keys=True).encode(), 0x71)
        with pds.lock:
            pds.posts.append(StoredPost(uri, cid, record, _now_iso()))
        pds.engagement.created(uri)
        answer = {
            "uri": uri,
            "cid": cid,
            "validationStatus": "valid",
            "commit": {"cid": _cid(uri.encode(), 0x71), "rev": rkey},
        }
        return self._answer_late(pds, fault, answer)

    def apply_writes(self, pds: FakePds) -> dict[str, Any] | None:
        """Creates only, all or nothing: a post and the gates with its record key."""
        data = self._json()
        with pds.lock:
            pds.apply_bodies.append(data)
            fault = pds.faults.pop(0) if pds.faults else None
        self._fail_early(pds, fault)
        if data.get("repo") not in (pds.did, pds.handle):
            raise _error(400, "InvalidRequest", "Can not write to another repo")
        writes = data.get("writes") or []
        made: list[tuple[str, str, dict[str, Any]]] = []  # (uri, collection, value)
        keys = set()
        for write in writes:
            if write.get("$type") != "com.atproto.repo.applyWrites#create":
                raise _error(400, "InvalidRequest", "only creates are supported here")
            collection, rkey, value = write.get("collection"), write.get("rkey"), write.get("value")
            if not isinstance(value, dict) or value.get("$type") != collection:
                raise _error(400, "InvalidRecord", f"Invalid {collection} record")
            if not rkey or not regex.fullmatch(r"[234567abcdefghij][234567a-z]{12}", rkey):
                raise _error(400, "InvalidRequest", f"Invalid record key: {rkey!r}")
            uri = f"at://{pds.did}/{collection}/{rkey}"
            if pds.find(uri) is not None or uri in pds.records:
                raise _error(400, "InvalidRequest", f"Record already exists: {uri}")
            if collection == "app.bsky.feed.post":
                self._validate_post(pds, value)
            elif collection in ("app.bsky.feed.threadgate", "app.bsky.feed.postgate"):
                post_uri = f"at://{pds.did}/app.bsky.feed.post/{rkey}"
                if value.get("post") != post_uri:
                    raise _error(400, "InvalidRecord", f"{collection} must name its own post")
            else:
                raise _error(400, "InvalidRequest", f"unexpected collection {collection}")
            keys.add(rkey)
            made.append((uri, collection, value))
        results = []
        with pds.lock:
            for uri, collection, value in made:
                cid = _cid(json.dumps(value, sort_keys=True).encode(), 0x71)
                if collection == "app.bsky.feed.post":
                    pds.posts.append(StoredPost(uri, cid, value, _now_iso()))
                    pds.engagement.created(uri)
                    pds.create_bodies.append(
                        {"repo": pds.did, "collection": collection, "record": value}
                    )
                else:
                    pds.records[uri] = value
                results.append(
                    {
                        "$type": "com.atproto.repo.applyWrites#createResult",
                        "uri": uri,
                        "cid": cid,
                        "validationStatus": "valid",
                    }
                )
        answer = {
            "commit": {"cid": _cid(json.dumps(results).encode(), 0x71), "rev": pds._tid()},
            "results": results,
        }
        return self._answer_late(pds, fault, answer)

    def _fail_early(self, pds: FakePds, fault: str | None) -> None:
        """The faults that stop a write before anything is created."""
        if fault == "rate_limited":
            reset = int(time.time()) + 600
            with pds.lock:
                pds.last_reset = reset
            raise _Reply(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {
                    "ratelimit-limit": "5000",
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(reset),
                    "ratelimit-policy": "5000;w=3600",
                },
            )
        if fault == "unauthorized":  # the app password was revoked: its tokens with it
            pds.revoke_app_password()
            raise _error(401, "AuthenticationRequired", "Authentication Required")
        if fault == "server_error":
            raise _error(500, "InternalServerError", "Internal Server Error")

    def _answer_late(
        self, pds: FakePds, fault: str | None, answer: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The faults that strike once the write is made: the client may not hear of it."""
        if fault == "timeout":
            pds.stopping.wait(SLOW)  # answer long after the adapter gave up
        elif fault == "connection_reset":
            self._drop_connection()
            return None
        elif fault == "disconnect":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.wfile = BytesIO()
            self.close_connection = True
            return None
        return answer

    def _validate_post(self, pds: FakePds, record: dict[str, Any]) -> None:
        text = record.get("text")
        if record.get("$type") != "app.bsky.feed.post" or not isinstance(text, str):
            raise _error(400, "InvalidRecord", "Invalid app.bsky.feed.post record")
        if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
            raise _error(
                400,
                "InvalidRecord",
                "Invalid app.bsky.feed.post record: Record/text must not be longer"
                " than 300 graphemes",
            )
        size = len(text.encode())
        for facet in record.get("facets") or []:
            index = facet.get("index", {})
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
                raise _error(400, "InvalidRecord", "Invalid facet byte range")
        reply = record.get("reply")
        if reply is not None:
            for key in ("root", "parent"):
                ref = reply.get(key) or {}
                if not ref.get("uri") or not ref.get("cid"):
                    raise _error(400, "InvalidRecord", f"Record/reply/{key} must be a strong ref")
        embed = record.get("embed")
        if embed is not None:
            blobs = [image.get("image") or {} for image in embed.get("images", [])]
            external = embed.get("external")
            if embed.get("$type") == "app.bsky.embed.external":
                if not isinstance(external, dict) or not external.get("uri"):
                    raise _error(400, "InvalidRecord", "Record/embed/external must have a uri")
                if external.get("thumb") is not None:
                    blobs.append(external["thumb"])
            for blob in blobs:
                link = (blob.get("ref") or {}).get("$link")
                if link not in pds.blobs:
                    raise _error(400, "InvalidRecord", "Could not find blob")

    def delete_record(self, pds: FakePds) -> dict[str, Any]:
        data = self._json()
        uri = f"at://{data.get('repo')}/{data.get('collection')}/{data.get('rkey')}"
        if data.get("repo") not in (pds.did, pds.handle):
            raise _error(400, "InvalidRequest", "Can not delete from another repo")
        with pds.lock:
            for post in pds.posts:
                if post.uri == uri.replace(pds.handle, pds.did):
                    post.deleted = True
            pds.records.pop(uri.replace(pds.handle, pds.did), None)
        return {}  # like the real PDS: deleting a missing record succeeds

    def get_record(self, pds: FakePds) -> dict[str, Any]:
        repo = self._param("repo")
        uri = f"at://{repo}/{self._param('collection')}/{self._param('rkey')}"
        post = pds.find(uri.replace(pds.handle, pds.did))
        if post is None:
            raise _error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return {"uri": post.uri, "cid": post.cid, "value": post.value}

    def upload_blob(self, pds: FakePds) -> dict[str, Any]:
        mime = self.headers.get("Content-Type", "application/octet-stream")
        if len(self.body) > 2_000_000:
            raise _error(400, "BlobTooLarge", "This file is too large")
        cid = _cid(self.body, 0x55)
        with pds.lock:
            pds.blobs[cid] = (mime, self.body)
        return {
            "blob": {
                "$type": "blob",
                "ref": {"$link": cid},
                "mimeType": mime,
                "size": len(self.body),
            }
        }

    def list_records(self, pds: FakePds) -> dict[str, Any]:
        repo = self._param("repo").lower()
        if repo not in (pds.handle, pds.did):
            raise _error(400, "InvalidRequest", f"Could not find repo: {repo}")
        limit = int(self._param("limit", "50"))
        with pds.lock:
            posts = [p for p in pds.posts if not p.deleted]
        if self._param("collection") != "app.bsky.feed.post":
            posts = []
        posts.reverse()  # newest first, as the PDS lists them unless reverse=true
        return {"records": [{"uri": p.uri, "cid": p.cid, "value": p.value} for p in posts[:limit]]}

    def get_author_feed(self, pds: FakePds) -> dict[str, Any]:
        actor = self._param("actor").lower()
        if actor not in (pds.handle, pds.did):
            raise _error(400, "InvalidRequest", "Profile not found")
        limit = int(self._param("limit", "50"))
        with pds.lock:
            items = [{"post": p.view(pds.author())} for p in pds.posts if not p.deleted]
            items.extend(pds.foreign_reposts)
        items.reverse()  # newest first
        return {"feed": items[:limit]}

    def get_posts(self, pds: FakePds) -> dict[str, Any]:
        fault = pds.engagement.fault()
        if fault == "rate_limited":
            reset = int(time.time()) + 300
            headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "0"}
            headers |= {"ratelimit-reset": str(reset), "ratelimit-policy": "3000;w=300"}
            raise _Reply(429, {"error": "RateLimitExceeded", "message": "slow down"}, headers)
        if fault is not None:
            raise _error(500, "InternalServerError", "Internal Server Error")
        uris = self.query.get("uris", [])
        if len(uris) > 25:
            raise _error(400, "InvalidRequest", "uris must not have more than 25 elements")
        posts = [p for p in (pds.find(uri) for uri in uris) if p is not None]
        views = [
            {
                **p.view(pds.author()),
                **_counts_of(bluesky_post_view(p.uri, pds.engagement.counts(p.uri))),
            }
            for p in posts
        ]
        pds.engagement.answered(len(views))
        return {"posts": views}


_COUNT_KEYS = ("likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount")


def _counts_of(view: dict[str, Any]) -> dict[str, Any]:
    return {key: view[key] for key in _COUNT_KEYS}


_ROUTES: dict[str, Any] = {
    "com.atproto.server.createSession": _Handler.create_session,
    "com.atproto.server.refreshSession": _Handler.refresh_session,
    "com.atproto.server.getSession": _Handler.get_session,
    "app.bsky.actor.getProfile": _Handler.get_profile,
    "com.atproto.repo.createRecord": _Handler.create_record,
    "com.atproto.repo.applyWrites": _Handler.apply_writes,
    "com.atproto.repo.deleteRecord": _Handler.delete_record,
    "com.atproto.repo.getRecord": _Handler.get_record,
    "com.atproto.repo.uploadBlob": _Handler.upload_blob,
    "com.atproto.repo.listRecords": _Handler.list_records,
    "app.bsky.feed.getAuthorFeed": _Handler.get_author_feed,
    "app.bsky.feed.getPosts": _Handler.get_posts,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pds: FakePds) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pds = pds

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet
        pass


@contextmanager
def fake_pds() -> Iterator[FakePds]:
    pds = FakePds()
    server = _Server(pds)
    pds.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield pds
    finally:
        pds.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


class BlueskyHarness:
    name = "bluesky"
    secret = APP_PASSWORD

    def __init__(self, pds: FakePds, tmp_path: Path) -> None:
        self.pds = pds
        self.session_file = tmp_path / "bluesky" / "session.txt"
        self._made: list[BlueskyPlatform] = []
        self.platform = self.make_platform()

    def make_platform(self, **overrides: Any) -> BlueskyPlatform:
        """Another adapter on the same fake (and by default the same session file)."""
        kwargs: dict[str, Any] = {
            "handle": self.pds.handle,
            "app_password": self.pds.password,
            "service_url": self.pds.url,
            "session_file": self.session_file,
            "timeout": TIMEOUT,
        }
        kwargs.update(overrides)
        platform = BlueskyPlatform(**kwargs)
        self._made.append(platform)
        return platform

    def close(self) -> None:
        for platform in self._made:
            platform.close()

    def live_posts(self) -> list[LivePost]:
        result = []
        for post in self.pds.live():
            reply = post.value.get("reply")
            parent = reply["parent"] if reply else None
            images = (post.value.get("embed") or {}).get("images") or []
            result.append(
                LivePost(
                    id=post.remote_id,
                    text=post.value["text"],
                    reply_to=join_remote_id(parent["uri"], parent["cid"]) if parent else None,
                    image_alt=images[0].get("alt") if images else None,
                )
            )
        return result

    def create_requests(self) -> list[CreateRequest]:
        # Bluesky has no idempotency key: every request carries None
        with self.pds.lock:
            bodies = list(self.pds.create_bodies)
        return [CreateRequest(str((b.get("record") or {}).get("text", ""))) for b in bodies]

    def inject(self, fault: str) -> None:
        self.pds.inject(fault)

    def supports(self, fault: str) -> bool:
        return fault in SUPPORTED


@contextmanager
def make_harness(tmp_path: Path) -> Iterator[BlueskyHarness]:
    with fake_pds() as pds:
        harness = BlueskyHarness(pds, tmp_path)
        try:
            yield harness
        finally:
            harness.close()
