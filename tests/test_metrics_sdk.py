"""The metrics samples served to the real SDKs over real HTTP: which request each client call
sends, and that what the SDK hands back parses to the same counts as the raw body."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from infobot.domain.engagement import Counts
from infobot.platforms.metrics_parse import (
    BLUESKY_BATCH,
    parse_bluesky,
    parse_mastodon_status,
    parse_mastodon_statuses,
    parse_x,
)
from tests.support.metrics_fakes import MASTODON_NOT_FOUND, sample

IDS = ["1861234567890123456", "1861234567890123457", "1861234567890123999"]
BSKY = "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/"


class _ToFake(requests.adapters.HTTPAdapter):
    """Sends what tweepy addresses to api.twitter.com to the local server instead."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        request.url = request.url.replace("https://api.twitter.com", self.base, 1)
        return super().send(request, **kwargs)


def _tweepy(httpserver: HTTPServer) -> Any:
    import tweepy

    client = tweepy.Client(
        consumer_key="ck", consumer_secret="cs", access_token="at", access_token_secret="ats"
    )
    client.session.mount("https://api.twitter.com/", _ToFake(httpserver.url_for("")))
    return client


def test_tweepy_get_tweets_by_ids(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/2/tweets", method="GET").respond_with_json(sample("x_get_tweets"))
    response = _tweepy(httpserver).get_tweets(IDS, tweet_fields=["public_metrics"], user_auth=True)
    request = httpserver.log[0][0]
    assert request.args.to_dict() == {"ids": ",".join(IDS), "tweet.fields": "public_metrics"}
    assert request.headers["Authorization"].startswith("OAuth ")
    page = parse_x({"data": response.data, "errors": response.errors}, IDS)
    assert page == parse_x(sample("x_get_tweets"), IDS)
    assert page.counts[IDS[0]].impressions == 1250
    assert page.gone == {IDS[2]}


def test_tweepy_get_users_tweets(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/2/users/42/tweets").respond_with_json(sample("x_users_tweets"))
    response = _tweepy(httpserver).get_users_tweets(
        "42", tweet_fields=["public_metrics"], max_results=100, user_auth=True
    )
    request = httpserver.log[0][0]
    assert request.args.to_dict() == {"max_results": "100", "tweet.fields": "public_metrics"}
    assert parse_x({"data": response.data}).counts == parse_x(sample("x_users_tweets")).counts


def _mastodon(httpserver: HTTPServer, version: str) -> Any:
    from mastodon import Mastodon

    return Mastodon(
        api_base_url=httpserver.url_for("").rstrip("/"),
        access_token="token",
        ratelimit_method="throw",
        mastodon_version=version,
        version_check_mode="created",
    )


def test_mastodon_py_statuses_batch(httpserver: HTTPServer) -> None:
    ids = ["113456789012345678", "113456789012345679", "113456789012345680"]
    body = sample("mastodon_statuses_4_5")
    httpserver.expect_request("/api/v1/statuses", method="GET").respond_with_json(body)
    statuses = _mastodon(httpserver, "4.5.0").statuses(ids)
    request = httpserver.log[0][0]
    assert request.args.getlist("id[]") == ids
    page = parse_mastodon_statuses(statuses, ids)
    assert page == parse_mastodon_statuses(body, ids)
    assert page.counts[ids[0]] == Counts(likes=40, reposts=12, replies=3, quotes=2)
    assert page.missing == {ids[2]}


def test_mastodon_py_refuses_the_batch_below_4_3_without_sending(httpserver: HTTPServer) -> None:
    """The adapter declares 4.0.0 (see infobot.platforms.mastodon): ``statuses()`` then fails
    in the SDK, so the reader must know the server's version or fall back to ``status()``."""
    from mastodon import MastodonVersionError

    with pytest.raises(MastodonVersionError):
        _mastodon(httpserver, "4.0.0").statuses(["1"])
    assert httpserver.log == []


def test_mastodon_py_single_status_and_404(httpserver: HTTPServer) -> None:
    from mastodon import MastodonNotFoundError

    body = sample("mastodon_status")
    httpserver.expect_request("/api/v1/statuses/113456789012345678").respond_with_json(body)
    httpserver.expect_request("/api/v1/statuses/404").respond_with_json(
        MASTODON_NOT_FOUND, status=404
    )
    client = _mastodon(httpserver, "4.0.0")
    status = client.status("113456789012345678")
    page = parse_mastodon_status(status, "113456789012345678")
    assert page.counts == {"113456789012345678": Counts(40, 12, 3, 2)}
    with pytest.raises(MastodonNotFoundError):
        client.status("404")


def test_atproto_get_posts(httpserver: HTTPServer) -> None:
    from atproto import Client
    from atproto_client.models import get_model_as_dict

    uris = [BSKY + "3lbtxz2bq7c2a", BSKY + "3lbtxz2bq7c2b"]
    body = sample("bluesky_get_posts")
    httpserver.expect_request("/xrpc/app.bsky.feed.getPosts").respond_with_json(body)
    client = Client(base_url=httpserver.url_for("/xrpc"))
    response = client.app.bsky.feed.get_posts({"uris": uris})
    request = httpserver.log[0][0]
    assert request.args.getlist("uris") == uris
    page = parse_bluesky(get_model_as_dict(response), uris)
    assert page == parse_bluesky(body, uris)
    assert page.counts[uris[0]] == Counts(likes=25, reposts=7, replies=1, quotes=1, bookmarks=2)


def test_atproto_refuses_more_than_25_uris_before_sending(httpserver: HTTPServer) -> None:
    from atproto import Client
    from atproto_client.exceptions import ModelError

    client = Client(base_url=httpserver.url_for("/xrpc"))
    with pytest.raises(ModelError, match="at most 25 items"):
        client.app.bsky.feed.get_posts({"uris": [BSKY + str(n) for n in range(BLUESKY_BATCH + 1)]})
    assert httpserver.log == []
