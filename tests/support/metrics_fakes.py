"""The metrics endpoints, written down for the fakes that will serve them (issue 14).

The platform fakes (``tests/harness_x.py``, ``harness_mastodon.py``, ``harness_bluesky.py``)
belong to the platform work; this module documents what each must answer and builds the
bodies, so extending a fake is a matter of routing a request here. Samples of every body
are in ``tests/data/metrics/``; ``tests/test_metrics_parse.py`` checks them against
:mod:`infobot.platforms.metrics_parse`, and ``tests/test_metrics_sdk.py`` serves them to the
real SDKs to pin the requests each client call sends.

X (API v2; tweepy 4.17, ``user_auth=True`` signs with OAuth 1.0a)
-----------------------------------------------------------------
``Client.get_users_tweets(user_id, tweet_fields=["public_metrics"], max_results=N,
user_auth=True)`` sends ``GET /2/users/:id/tweets?max_results=N&tweet.fields=public_metrics``
(``N`` from 5 to 100, else 400; newest first; ``pagination_token`` from ``meta.next_token``).
``Client.get_tweets(ids, tweet_fields=["public_metrics"], user_auth=True)`` sends
``GET /2/tweets?ids=1,2,3&tweet.fields=public_metrics`` (at most 100 ids, else 400).
Answer 200 with ``{"data": [Tweet...], "meta": {...}}``; each Tweet is ``{"id", "text",
"edit_history_tweet_ids", "public_metrics": {"retweet_count", "reply_count", "like_count",
"quote_count", "bookmark_count", "impression_count"}}`` (all integers). A deleted post in
``ids`` is not an HTTP error: it is listed under ``"errors"`` as
``{"value": id, "detail": "Could not find tweet with ids: [id].", "title": "Not Found
Error", "resource_type": "tweet", "parameter": "ids", "resource_id": id, "type":
"https://api.twitter.com/2/problems/resource-not-found"}`` and ``"data"`` is left out when
nothing was found. 429 carries ``x-rate-limit-limit``, ``x-rate-limit-remaining`` and
``x-rate-limit-reset`` (epoch seconds), no ``Retry-After``; tweepy raises
``TooManyRequests``. Pay-per-use: reads are charged per post returned.

Mastodon (Mastodon.py 2.3; ``version_check_mode`` decides whether 4.3 is checked)
---------------------------------------------------------------------------------
``Mastodon.statuses(ids)`` sends ``GET /api/v1/statuses?id[]=1&id[]=2`` (Mastodon 4.3+;
more than 20 ids is 422 ``{"error": "..."}``); the answer is a JSON array of Status in any
order, with deleted, private or unknown ids silently left out. Older servers answer 404
(no such route): fall back to ``Mastodon.status(id)``, ``GET /api/v1/statuses/:id``, which
answers one Status, or 404 ``{"error": "Record not found"}`` (``MastodonNotFoundError``)
for a deleted one. Counts: ``favourites_count``, ``reblogs_count``, ``replies_count``, and
``quotes_count`` from Mastodon 4.5. 429 carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (ISO 8601);
``ratelimit_method="throw"`` makes Mastodon.py raise ``MastodonRatelimitError``.

Bluesky (atproto 0.0.73)
------------------------
``client.app.bsky.feed.get_posts({"uris": [...]})`` sends
``GET /xrpc/app.bsky.feed.getPosts?uris=at://...&uris=at://...`` (at most 25: the SDK
refuses more before sending). The answer is ``{"posts": [PostView...]}``; each PostView has
``uri``, ``cid``, ``author`` (``did``, ``handle``), ``record``, ``indexedAt`` and the counts
``likeCount``, ``repostCount``, ``replyCount``, ``quoteCount`` and (newer AppViews)
``bookmarkCount``. A deleted post is left out silently. 429 carries ``ratelimit-limit``,
``ratelimit-remaining``, ``ratelimit-reset`` (epoch seconds) and ``ratelimit-policy``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from infobot.domain.engagement import Counts

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "metrics"
X_NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"


def sample(name: str) -> Any:
    """A sample body from ``tests/data/metrics/<name>.json``."""
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _n(value: int | None) -> int:
    return 0 if value is None else value


# -- X --------------------------------------------------------------------------------------


def x_tweet(tweet_id: str, text: str, counts: Counts) -> dict[str, Any]:
    """One Tweet object with ``tweet.fields=public_metrics`` (X always sends all six)."""
    return {
        "id": tweet_id,
        "text": text,
        "edit_history_tweet_ids": [tweet_id],
        "public_metrics": {
            "retweet_count": _n(counts.reposts),
            "reply_count": _n(counts.replies),
            "like_count": _n(counts.likes),
            "quote_count": _n(counts.quotes),
            "bookmark_count": _n(counts.bookmarks),
            "impression_count": _n(counts.impressions),
        },
    }


def x_not_found(tweet_id: str) -> dict[str, str]:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with ids: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": tweet_id,
        "type": X_NOT_FOUND_TYPE,
    }


def x_tweets_body(tweets: Sequence[dict[str, Any]], gone: Iterable[str] = ()) -> dict[str, Any]:
    """``GET /2/tweets?ids=``: found tweets in ``data``, deleted ones in ``errors``."""
    body: dict[str, Any] = {}
    if tweets:
        body["data"] = list(tweets)
    errors = [x_not_found(g) for g in gone]
    if errors:
        body["errors"] = errors
    return body


def x_users_tweets_body(
    tweets: Sequence[dict[str, Any]], next_token: str | None = None
) -> dict[str, Any]:
    """``GET /2/users/:id/tweets``: newest first, with ``meta``."""
    if not tweets:
        return {"meta": {"result_count": 0}}
    meta: dict[str, Any] = {
        "result_count": len(tweets),
        "newest_id": tweets[0]["id"],
        "oldest_id": tweets[-1]["id"],
    }
    if next_token:
        meta["next_token"] = next_token
    return {"data": list(tweets), "meta": meta}


# -- Mastodon -------------------------------------------------------------------------------


def mastodon_status(
    status_id: str, counts: Counts, *, base_url: str, quotes: bool = True
) -> dict[str, Any]:
    """A Status as far as the metrics read needs it; ``quotes=False`` for servers < 4.5."""
    status: dict[str, Any] = {
        "id": status_id,
        "created_at": "2026-11-02T09:00:00.000Z",
        "visibility": "public",
        "url": f"{base_url}/@infostory/{status_id}",
        "uri": f"{base_url}/users/infostory/statuses/{status_id}",
        "content": "<p></p>",
        "reblog": None,
        "account": {"id": "1", "username": "infostory", "acct": "infostory", "bot": True},
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "replies_count": _n(counts.replies),
        "reblogs_count": _n(counts.reposts),
        "favourites_count": _n(counts.likes),
    }
    if quotes:
        status["quotes_count"] = _n(counts.quotes)
    return status


MASTODON_NOT_FOUND = {"error": "Record not found"}


# -- Bluesky --------------------------------------------------------------------------------


def bluesky_post_view(uri: str, counts: Counts, *, bookmarks: bool = True) -> dict[str, Any]:
    """A PostView from ``getPosts``; ``bookmarks=False`` for an AppView without them."""
    did = uri.removeprefix("at://").split("/", 1)[0]
    view: dict[str, Any] = {
        "uri": uri,
        "cid": "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:52],
        "author": {"did": did, "handle": "infostory.example.gov.uk", "labels": []},
        "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-02T09:00:00.000Z"},
        "indexedAt": "2026-11-02T09:00:01.000Z",
        "likeCount": _n(counts.likes),
        "repostCount": _n(counts.reposts),
        "replyCount": _n(counts.replies),
        "quoteCount": _n(counts.quotes),
        "labels": [],
    }
    if bookmarks:
        view["bookmarkCount"] = _n(counts.bookmarks)
    return view


def bluesky_posts_body(views: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"posts": list(views)}


# -- counts that grow, for simulated campaigns ----------------------------------------------


@dataclass(frozen=True)
class GrowingCounts:
    """Deterministic counts that rise with a post's age and level off after about a week:
    what the fakes answer in a simulated campaign, so a test can say what the report must
    total. ``weight`` scales a post's popularity (from its id, so reruns agree)."""

    scale: int = 40

    def weight(self, remote_id: str) -> int:
        return 1 + hashlib.sha256(remote_id.encode()).digest()[0] % 5

    def at(self, remote_id: str, age: timedelta) -> Counts:
        hours = max(age.total_seconds(), 0) / 3600
        grown = min(hours, 168) / 168  # 0..1 over the first week
        reach = round(self.scale * self.weight(remote_id) * (grown**0.5))
        return Counts(
            likes=reach,
            reposts=reach // 4,
            replies=reach // 10,
            quotes=reach // 20,
            bookmarks=reach // 8,
            impressions=reach * 30,
        )


def counts_by_id(pairs: Mapping[str, Counts]) -> dict[str, dict[str, int | None]]:
    """Counts as plain dicts, for comparing with a report's JSON."""
    return {key: value.as_dict() for key, value in pairs.items()}


# -- what the local fakes use ---------------------------------------------------------------


def _real_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeEngagement:
    """What a fake platform's posts have earned, shared by the three fakes: counts that grow
    with each post's age on a clock the test controls (``now``, real time by default),
    faults for the next metrics requests, and what each metrics answer returned."""

    now: Callable[[], datetime] = _real_now
    growth: GrowingCounts = field(default_factory=GrowingCounts)
    born: dict[str, datetime] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  # "rate_limited", "server_error"
    returned: list[int] = field(default_factory=list)  # posts in each metrics answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def created(self, post_id: str) -> None:
        with self.lock:
            self.born[post_id] = self.now()

    def counts(self, post_id: str) -> Counts:
        with self.lock:
            now = self.now()
            born = self.born.get(post_id, now)
        return self.growth.at(post_id, now - born)

    def fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def answered(self, count: int) -> None:
        with self.lock:
            self.returned.append(count)
