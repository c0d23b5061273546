"""Engagement counts out of the platforms' metrics responses: pure functions, no SDK, no I/O.

Each parser takes a decoded JSON body, exactly as the platform sent it (a ``dict`` or a
``list``; Mastodon.py's ``Status`` and ``AttribAccessDict`` are dicts, and a tweepy
``Tweet`` is read through its ``.data``), and returns a :class:`MetricsPage`: counts per
remote id, the ids the platform said are gone, and the ids asked for but not answered.
Everything in a body is untrusted: a count missing or malformed is unknown, never 0
(:meth:`infobot.domain.engagement.Counts.parse`), and an item without a usable id is skipped.

=========  ==========================================  ==========================================
platform   request (client call)                       counts kept
=========  ==========================================  ==========================================
X          ``GET /2/users/:id/tweets?tweet.fields=      ``public_metrics``: ``like_count``,
           public_metrics`` (tweepy                     ``retweet_count``, ``reply_count``,
           ``Client.get_users_tweets(id, tweet_fields=  ``quote_count``, ``bookmark_count``,
           ["public_metrics"], max_results=5..100,      ``impression_count``
           user_auth=True)``); ``GET /2/tweets?ids=``
           up to 100 (``Client.get_tweets(ids,
           tweet_fields=["public_metrics"],
           user_auth=True)``)
Mastodon   ``GET /api/v1/statuses?id[]=`` up to 20      ``favourites_count``, ``reblogs_count``,
           (4.3+; ``Mastodon.statuses(ids)``);          ``replies_count``, ``quotes_count``
           ``GET /api/v1/statuses/:id``                 (4.5+); no bookmarks, no impressions
           (``Mastodon.status(id)``)
Bluesky    ``app.bsky.feed.getPosts`` up to 25 URIs     ``likeCount``, ``repostCount``,
           (``client.app.bsky.feed.get_posts(           ``replyCount``, ``quoteCount``,
           {"uris": [...]})``, body through             ``bookmarkCount``; no impressions
           ``atproto_client.models.get_model_as_dict``)
=========  ==========================================  ==========================================

Gone posts: X lists a deleted post under ``errors`` (``type`` ending
``/problems/resource-not-found``, its id in ``resource_id`` or ``value``); that is
:attr:`MetricsPage.gone`. Mastodon's batch and Bluesky's ``getPosts`` leave a deleted (or
hidden) post out without a word; those are :attr:`MetricsPage.missing`, to be confirmed one
by one (Mastodon ``status(id)``: 404; Bluesky ``com.atproto.repo.getRecord``: 400
``RecordNotFound``) before a post is called deleted. The shapes are written out, with
samples, in ``tests/support/metrics_fakes.py`` and ``tests/data/metrics/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from infobot.domain.engagement import Counts

X_BATCH = 100
MASTODON_BATCH = 20
BLUESKY_BATCH = 25
X_NOT_FOUND = "/problems/resource-not-found"
_MAX_ID = 300


@dataclass(frozen=True)
class MetricsPage:
    """What one metrics response said."""

    counts: dict[str, Counts] = field(default_factory=dict)
    gone: frozenset[str] = frozenset()  # the platform said these no longer exist
    asked: frozenset[str] = frozenset()

    @property
    def missing(self) -> frozenset[str]:
        """Asked for, neither answered nor reported gone: confirm one by one."""
        return self.asked - self.counts.keys() - self.gone


def _mapping(item: object) -> Mapping[str, object] | None:
    if isinstance(item, Mapping):
        return item
    data = getattr(item, "data", None)  # a tweepy Tweet keeps its JSON in .data
    return data if isinstance(data, Mapping) else None


def _items(body: object, key: str | None) -> list[Mapping[str, object]]:
    container = body
    if key is not None:
        outer = _mapping(body)
        container = outer.get(key) if outer is not None else None
    if not isinstance(container, list | tuple):
        return []
    return [m for m in (_mapping(item) for item in container) if m is not None]


def remote_id(value: object) -> str | None:
    """An id as a platform sent it: non-empty text without spaces or control characters, or
    a non-negative integer; anything else is unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_ID:
        return None
    if not value.isprintable() or any(ch.isspace() for ch in value):
        return None
    return str(value)


def _page(
    found: Iterable[tuple[str, Counts]], gone: Iterable[str], asked: Iterable[str]
) -> MetricsPage:
    wanted = frozenset(asked)
    counts: dict[str, Counts] = {}
    for key, value in found:
        if not wanted or key in wanted:
            counts.setdefault(key, value)  # a repeated id keeps its first answer
    gone_ids = frozenset(g for g in gone if not wanted or g in wanted) - counts.keys()
    return MetricsPage(counts, gone_ids, wanted)


# -- X --------------------------------------------------------------------------------------


def x_counts(tweet: Mapping[str, object]) -> Counts:
    metrics = _mapping(tweet.get("public_metrics"))
    if metrics is None:
        return Counts()
    return Counts.parse(
        likes=metrics.get("like_count"),
        reposts=metrics.get("retweet_count"),
        replies=metrics.get("reply_count"),
        quotes=metrics.get("quote_count"),
        bookmarks=metrics.get("bookmark_count"),
        impressions=metrics.get("impression_count"),
    )


def _x_gone(body: object) -> list[str]:
    gone = []
    for problem in _items(body, "errors"):
        kind = problem.get("type")
        if not (isinstance(kind, str) and kind.endswith(X_NOT_FOUND)):
            continue
        if problem.get("resource_type", "tweet") != "tweet":
            continue
        ident = remote_id(problem.get("resource_id")) or remote_id(problem.get("value"))
        if ident is not None:
            gone.append(ident)
    return gone


def parse_x(body: object, asked: Iterable[str] = ()) -> MetricsPage:
    """``GET /2/tweets?ids=`` or ``GET /2/users/:id/tweets`` with ``public_metrics``.

    With ``asked`` (the ids requested), only those are kept; the timeline answers without
    ``asked`` and its posts are all kept. A tweepy ``Response`` is read from its ``data``
    and ``errors``: ``parse_x({"data": resp.data, "errors": resp.errors}, ids)``.
    """
    found = []
    for tweet in _items(body, "data"):
        ident = remote_id(tweet.get("id"))
        if ident is not None:
            found.append((ident, x_counts(tweet)))
    return _page(found, _x_gone(body), asked)


# -- Mastodon -------------------------------------------------------------------------------


def mastodon_counts(status: Mapping[str, object]) -> Counts:
    return Counts.parse(
        likes=status.get("favourites_count"),
        reposts=status.get("reblogs_count"),
        replies=status.get("replies_count"),
        quotes=status.get("quotes_count"),  # Mastodon 4.5+
    )


def parse_mastodon_statuses(body: object, asked: Iterable[str] = ()) -> MetricsPage:
    """``GET /api/v1/statuses?id[]=`` (a JSON array of Status). Mastodon leaves deleted and
    hidden statuses out silently: they end up in :attr:`MetricsPage.missing`."""
    found = []
    for status in _items(body, None):
        ident = remote_id(status.get("id"))
        if ident is not None:
            found.append((ident, mastodon_counts(status)))
    return _page(found, (), asked)


def parse_mastodon_status(body: object, asked: str | None = None) -> MetricsPage:
    """``GET /api/v1/statuses/:id`` (one Status). A 404 arrives as an HTTP error
    (``MastodonNotFoundError``), not as a body: the caller records that post as gone."""
    status = _mapping(body)
    found = []
    if status is not None and (ident := remote_id(status.get("id"))) is not None:
        found.append((ident, mastodon_counts(status)))
    return _page(found, (), () if asked is None else (asked,))


# -- Bluesky --------------------------------------------------------------------------------


def bluesky_counts(post: Mapping[str, object]) -> Counts:
    return Counts.parse(
        likes=post.get("likeCount"),
        reposts=post.get("repostCount"),
        replies=post.get("replyCount"),
        quotes=post.get("quoteCount"),
        bookmarks=post.get("bookmarkCount"),
    )


def parse_bluesky(body: object, asked: Iterable[str] = ()) -> MetricsPage:
    """``app.bsky.feed.getPosts`` (``{"posts": [PostView, ...]}``), keyed by ``at://`` URI
    (infobot's Bluesky remote id is ``URI|CID``: ask by the URI part). Posts the AppView
    does not return (deleted, taken down, or not indexed yet) are :attr:`MetricsPage.missing`.
    """
    found = []
    for post in _items(body, "posts"):
        uri = remote_id(post.get("uri"))
        if uri is not None and uri.startswith("at://"):
            found.append((uri, bluesky_counts(post)))
    return _page(found, (), asked)
