"""A 30-day campaign in accelerated time against the three local fakes (real tweepy,
Mastodon.py and atproto over real HTTP), where the counts grow as the posts age:

- the number and the ages of each post's reads follow the bands;
- the report's totals equal what the fake platforms say;
- a 429 from one platform delays that platform's reads only;
- the daily post is never later than it is with no reads at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from infobot.domain.engagement import Counts, sum_counts
from infobot.store import engagement
from infobot.store.models import Delivery, EngagementSnapshot
from tests.support.impact_world import MONDAY, START, World, world

pytestmark = pytest.mark.slow

DAYS = 5  # posting days; the campaign is then read for 30 days more
#: The ages (hours) of the reads of a post whose counts always change, with the default
#: bands 1h@6h,3h@24h,12h@72h,24h@7d,once@30d.
BANDS = [1, 2, 3, 4, 5, 6, 9, 12, 15, 18, 21, 24, 36, 48, 60, 72, 96, 120, 144, 168, 720]


def deliveries(w: World) -> list[Delivery]:
    with w.app.db.read() as session:
        return list(
            session.scalars(select(Delivery).order_by(Delivery.story_id, Delivery.platform))
        )


def read_ages(w: World, delivery: Delivery) -> list[float]:
    assert delivery.sent_at is not None
    with w.app.db.read() as session:
        reads = engagement.reads_of(session, delivery.id)
    return [(at - delivery.sent_at) / timedelta(hours=1) for at in reads]


def sent_times(w: World) -> dict[tuple[int, str], datetime | None]:
    return {(d.story_id, d.platform): d.sent_at for d in deliveries(w)}


def test_a_30_day_campaign_reads_by_the_bands_and_totals_match_the_fakes(
    tmp_path: Path,
) -> None:
    with world(tmp_path, campaign_end=MONDAY + timedelta(days=DAYS - 1)) as w:
        w.stories(DAYS)
        # Day 2, 11:00: Mastodon answers the next metrics read with 429.
        rate_limited_at = START + timedelta(days=1, hours=3)
        w.run_until(rate_limited_at - timedelta(hours=1))
        w.mastodon.engagement.faults.append("rate_limited")
        w.run_until(rate_limited_at)
        with w.app.db.read() as session:
            read_then = {
                d: p
                for d, p in session.execute(
                    select(EngagementSnapshot.delivery_id, Delivery.platform)
                    .join(Delivery, Delivery.id == EngagementSnapshot.delivery_id)
                    .where(EngagementSnapshot.read_at == rate_limited_at)
                )
            }
        assert set(read_then.values()) == {"x", "bluesky"}, "only Mastodon's reads wait"
        w.run_until(START + timedelta(days=DAYS + 31))

        sent = deliveries(w)
        assert len(sent) == DAYS * 3 and all(d.status == "sent" for d in sent)
        for d in sent:
            ages = read_ages(w, d)
            if d.platform == "mastodon":  # one read came an hour late: never more reads
                assert len(ages) <= len(BANDS) and ages[-1] == 720
            else:
                assert ages == BANDS, f"{d.platform} story #{d.story_id}"
        mastodon_late = [d for d in sent if d.platform == "mastodon" and d.id in read_then]
        assert not mastodon_late

        report = w.app.impact.report()
        assert report.tally.posts == DAYS * 3
        by_platform = {line.platform: line.tally.counts for line in report.by_platform}
        x_now = sum_counts(w.fake_x.engagement.counts(t) for t in w.fake_x.tweets)
        assert by_platform["x"] == x_now
        toots = [w.mastodon.engagement.counts(i) for i in w.mastodon.live_ids()]
        assert by_platform["mastodon"] == Counts(
            sum(c.likes or 0 for c in toots),
            sum(c.reposts or 0 for c in toots),
            sum(c.replies or 0 for c in toots),
        )  # Mastodon 4.3 gives no quotes, bookmarks or impressions: unknown, not 0
        skies = [w.bluesky.pds.engagement.counts(p.uri) for p in w.bluesky.pds.live()]
        assert by_platform["bluesky"] == sum_counts(
            Counts(c.likes, c.reposts, c.replies, c.quotes, c.bookmarks) for c in skies
        )
        assert report.tally.counts.likes == sum(c.likes or 0 for c in by_platform.values())
        posts_sent = sent_times(w)

    with world(
        tmp_path / "no-reads",
        campaign_end=MONDAY + timedelta(days=DAYS - 1),
        engagement_reads=False,
    ) as quiet:
        quiet.stories(DAYS)
        quiet.run_until(START + timedelta(days=DAYS))
        assert sent_times(quiet) == posts_sent, "reads never make a post later"
        with quiet.app.db.read() as session:
            assert session.scalar(select(EngagementSnapshot.id)) is None


def test_a_post_deleted_on_x_by_someone_else_is_noticed_shown_and_alerted_once(
    tmp_path: Path,
) -> None:
    from infobot.store.models import Alert

    with world(tmp_path, platforms="x,bluesky", campaign_end=MONDAY) as w:
        w.stories(1)
        w.run_until(START + timedelta(hours=3))
        tweet = next(iter(w.fake_x.tweets))
        w.fake_x.delete_elsewhere(tweet)
        w.run_until(START + timedelta(days=2))
        with w.app.db.read() as session:
            gone = session.scalars(select(Alert).where(Alert.kind == "post_gone")).all()
        assert len(gone) == 1 and "post on x was deleted on x, not by infobot" in gone[0].message
        cells = w.app.impact.report().stories[0].cells
        assert cells["x"].state.value == "gone" and cells["bluesky"].state.value == "live"
        assert cells["x"].counts.first.likes is not None  # the last counts read are kept
        status = w.app.reads.campaign.status()
        assert status.first_figures is not None
        assert [p.text for p in status.first_figures.platforms][1] == "deleted on x"
