"""Counts out of the platforms' metrics responses (infobot.platforms.metrics_parse)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.domain.engagement import Counts
from infobot.platforms.metrics_parse import (
    MetricsPage,
    parse_bluesky,
    parse_mastodon_status,
    parse_mastodon_statuses,
    parse_x,
    remote_id,
)
from tests.support.metrics_fakes import (
    GrowingCounts,
    bluesky_post_view,
    bluesky_posts_body,
    mastodon_status,
    sample,
    x_tweet,
    x_tweets_body,
    x_users_tweets_body,
)

FIRST, SECOND = "1861234567890123456", "1861234567890123457"
DELETED, HIDDEN = "1861234567890123999", "1861234567890124000"
BSKY = "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/"


def test_x_lookup_by_ids() -> None:
    page = parse_x(sample("x_get_tweets"), [FIRST, SECOND, DELETED, HIDDEN])
    assert page.counts == {
        FIRST: Counts(likes=31, reposts=4, replies=2, quotes=1, bookmarks=3, impressions=1250),
        SECOND: Counts(likes=5, reposts=0, replies=0, quotes=0, bookmarks=0, impressions=310),
    }
    assert page.gone == {DELETED}  # "Not Found Error": deleted on X
    assert page.missing == {HIDDEN}  # "Authorization Error" is not proof of deletion


def test_x_own_timeline_keeps_every_post_unless_asked() -> None:
    body = sample("x_users_tweets")
    assert set(parse_x(body).counts) == {FIRST, SECOND}
    assert set(parse_x(body, [FIRST]).counts) == {FIRST}
    assert parse_x(body).missing == frozenset()


def test_x_malformed_counts_are_unknown_never_zero() -> None:
    page = parse_x(sample("x_malformed"))
    assert page.counts == {
        "1861234567890123458": Counts(),  # -1, null, "lots", true, 1e20: all unknown
        "1861234567890123459": Counts(),
        "1861234567890123460": Counts(),
    }
    assert page.gone == frozenset()


def test_x_reads_tweepy_tweets_through_their_data() -> None:
    class Tweet:  # the shape of tweepy.Tweet: the JSON object in .data
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = data

    tweets = [Tweet(t) for t in sample("x_get_tweets")["data"]]
    page = parse_x({"data": tweets, "errors": sample("x_get_tweets")["errors"]}, [FIRST])
    assert page.counts[FIRST].likes == 31


def test_x_gone_is_only_for_asked_ids_and_never_for_found_ones() -> None:
    body = x_tweets_body([x_tweet(FIRST, "t", Counts(1, 1, 1, 1, 1, 1))], gone=[FIRST, "999"])
    page = parse_x(body, [FIRST, "123"])
    assert page.gone == frozenset()
    assert page.missing == {"123"}
    assert parse_x(x_tweets_body([], gone=["5"])).gone == {"5"}


def test_mastodon_batch_4_5_and_4_3() -> None:
    ids = ["113456789012345678", "113456789012345679", "113456789012345680"]
    new = parse_mastodon_statuses(sample("mastodon_statuses_4_5"), ids)
    assert new.counts["113456789012345678"] == Counts(likes=40, reposts=12, replies=3, quotes=2)
    assert new.counts["113456789012345679"] == Counts(likes=6, reposts=1, replies=0, quotes=0)
    assert new.missing == {"113456789012345680"}  # left out silently: confirm one by one
    assert new.gone == frozenset()
    old = parse_mastodon_statuses(sample("mastodon_statuses_4_3"), ids)
    assert old.counts["113456789012345678"] == Counts(likes=40, reposts=12, replies=3)
    assert old.counts["113456789012345678"].quotes is None  # before 4.5: unknown, not 0


def test_mastodon_single_status_and_not_found_body() -> None:
    page = parse_mastodon_status(sample("mastodon_status"), "113456789012345678")
    assert page.counts == {"113456789012345678": Counts(40, 12, 3, 2)}
    missing = parse_mastodon_status(sample("mastodon_not_found"), "113456789012345678")
    assert missing.counts == {} and missing.missing == {"113456789012345678"}
    other = parse_mastodon_status(sample("mastodon_status"), "1")
    assert other.counts == {} and other.missing == {"1"}


def test_bluesky_get_posts() -> None:
    first, reply, gone = BSKY + "3lbtxz2bq7c2a", BSKY + "3lbtxz2bq7c2b", BSKY + "3lbtxz2bq7c2z"
    page = parse_bluesky(sample("bluesky_get_posts"), [first, reply, gone])
    assert page.counts[first] == Counts(likes=25, reposts=7, replies=1, quotes=1, bookmarks=2)
    assert page.counts[reply] == Counts(likes=4, reposts=0, replies=0, quotes=0)
    assert page.counts[reply].bookmarks is None  # this AppView did not send bookmarkCount
    assert page.missing == {gone}


def test_bluesky_malformed() -> None:
    page = parse_bluesky(sample("bluesky_malformed"))
    assert page.counts == {BSKY + "3lbtxz2bq7c2c": Counts(reposts=7)}  # "7" is digits


def test_shapes_that_are_not_bodies_give_empty_pages() -> None:
    for body in (None, "text", 42, [], {}, {"data": "x"}, {"posts": {"a": 1}}, [None, 3]):
        assert parse_x(body) == MetricsPage()
        assert parse_bluesky(body) == MetricsPage()
        assert parse_mastodon_statuses(body) == MetricsPage()
        assert parse_mastodon_status(body) == MetricsPage()


def test_remote_id() -> None:
    assert remote_id("123") == "123"
    assert remote_id(123) == "123"
    assert remote_id("01HXYZ") == "01HXYZ"  # GoToSocial ids are not numbers
    for bad in ("", "a b", "a\nb", "\x1b[31m", "x" * 301, -1, True, None, 1.5, ["1"]):
        assert remote_id(bad) is None


def test_a_repeated_id_keeps_its_first_answer() -> None:
    body = [mastodon_status("7", Counts(1, 0, 0, 0), base_url="https://m.example")] * 2
    body[1] = mastodon_status("7", Counts(9, 0, 0, 0), base_url="https://m.example")
    assert parse_mastodon_statuses(body).counts["7"].likes == 1


counts_st = st.builds(
    Counts,
    *[st.integers(0, 10**9) for _ in range(6)],
)


@settings(max_examples=50)
@given(st.dictionaries(st.from_regex(r"[1-9][0-9]{17}", fullmatch=True), counts_st, max_size=15))
def test_fake_bodies_round_trip_through_the_parsers(posts: dict[str, Counts]) -> None:
    tweets = [x_tweet(k, "text", v) for k, v in posts.items()]
    assert parse_x(x_tweets_body(tweets), posts).counts == posts
    assert parse_x(x_users_tweets_body(tweets)).counts == posts
    statuses = [mastodon_status(k, v, base_url="https://m.example") for k, v in posts.items()]
    expected = {k: Counts(v.likes, v.reposts, v.replies, v.quotes) for k, v in posts.items()}
    assert parse_mastodon_statuses(statuses, posts).counts == expected
    views = [bluesky_post_view(BSKY + k, v) for k, v in posts.items()]
    assert parse_bluesky(bluesky_posts_body(views)).counts == {
        BSKY + k: Counts(v.likes, v.reposts, v.replies, v.quotes, v.bookmarks)
        for k, v in posts.items()
    }


def test_growing_counts_rise_and_level_off() -> None:
    grow = GrowingCounts()
    ages = [timedelta(hours=h) for h in (0, 1, 6, 24, 72, 168, 720)]
    likes = [grow.at("1861234567890123456", a).likes for a in ages]
    assert likes == sorted(likes) and likes[0] == 0
    assert likes[-1] == likes[-2]  # nothing new after a week
    assert grow.at("a", timedelta(hours=5)) == grow.at("a", timedelta(hours=5))
