"""What each request to X costs: which priced kind it is, and how many units it used.

X charges writes per request and reads per post returned (:mod:`infobot.domain.costs`).
The adapter hands every answer X gave to :func:`charge_of` (a response hook on its HTTP
session, so tweepy's calls and its own media calls alike) and tells the recorder the
composition root gave it; the platform layer never touches the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import TypeVar

from infobot.domain.costs import Pricing, XRequest, post_kind

T = TypeVar("T")
MIN_TIMELINE = 5  # X's smallest page of the account's own posts
MAX_TIMELINE = 100

_USER_TWEETS = re.compile(r"/2/users/[^/]+/tweets")
_DELETE = re.compile(r"/2/tweets/[^/]+")


def _returned(answer: Callable[[], object]) -> int:
    try:
        body = answer()
    except ValueError:
        return 0
    data = body.get("data") if isinstance(body, dict) else None
    return len(data) if isinstance(data, list) else 0


def _posted_text(body: bytes | str | None) -> str:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return ""
    text = payload.get("text") if isinstance(payload, dict) else None
    return text if isinstance(text, str) else ""


def charge_of(
    method: str, path: str, body: bytes | str | None, ok: bool, answer: Callable[[], object]
) -> tuple[XRequest, int] | None:
    """The priced kind of a request and its units (posts returned, for reads; 0 when X
    refused a read), or None for a request X does not charge."""
    method = method.upper()
    if method == "POST" and path == "/2/tweets":
        return post_kind(_posted_text(body)), 1
    if method == "DELETE" and _DELETE.fullmatch(path):
        return XRequest.DELETE, 1
    if method == "GET" and path == "/2/tweets":
        return XRequest.READ_BY_ID, _returned(answer) if ok else 0
    if method == "GET" and _USER_TWEETS.fullmatch(path):
        return XRequest.OWNED_READ, _returned(answer) if ok else 0
    if method == "GET" and path == "/2/users/me":
        return XRequest.ACCOUNT_READ, 1
    if method == "POST" and path == "/2/media/upload":
        return XRequest.MEDIA_UPLOAD, 1
    if method == "POST" and path == "/2/media/metadata":
        return XRequest.MEDIA_METADATA, 1
    return None


def timeline_depth(wanted: int, recent: int | None, pricing: Pricing) -> int | None:
    """How many of the account's newest posts to read to find ``wanted`` posts known to be
    among its ``recent`` newest, when that is cheaper than reading them by id; else None."""
    if recent is None or wanted < 1 or recent > MAX_TIMELINE:
        return None
    depth = max(recent, MIN_TIMELINE)
    timeline: Decimal = pricing.cost(XRequest.OWNED_READ, depth)
    by_id: Decimal = pricing.cost(XRequest.READ_BY_ID, wanted)
    return depth if timeline < by_id else None


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
