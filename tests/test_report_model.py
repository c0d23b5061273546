"""The impact report's aggregation (infobot.service.report_model): totals equal the sums of
their rows, weeks, top stories, X spend by month and growth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.domain.costs import BillingMonth, XRequest
from infobot.domain.engagement import (
    ZERO,
    Counts,
    PostState,
    ThreadCounts,
    add_scores,
    interactions,
    sum_counts,
)
from infobot.service.report_model import (
    LedgerRow,
    PostRow,
    Snapshot,
    Tally,
    build_report,
    counts_text,
    iso_week,
    spend_by_month,
    total,
)

H = timedelta(hours=1)
PLATFORMS = ("bluesky", "mastodon", "x")


def row(
    story: int,
    day: date,
    platform: str,
    counts: Counts,
    *,
    title: str = "",
    sent_at: datetime | None = None,
    state: PostState = PostState.LIVE,
) -> PostRow:
    return PostRow(
        story,
        title or f"Story {story}",
        f"Teller {story}",
        day,
        platform,
        ThreadCounts.single(counts),
        f"https://{platform}.example/{story}",
        state,
        sent_at,
    )


def test_per_story_per_platform_and_totals() -> None:
    rows = [
        row(1, date(2026, 11, 2), "x", Counts(10, 2, 1, 0, 3, 900)),
        row(1, date(2026, 11, 2), "mastodon", Counts(5, 1, 0, None)),
        row(2, date(2026, 11, 3), "x", Counts(4, 0, 0, 0, 0, 100)),
        row(3, date(2026, 11, 9), "mastodon", Counts(7, 3, 2, None)),
    ]
    report = build_report(rows)
    assert report.platforms == ("mastodon", "x")
    assert [s.story_id for s in report.stories] == [1, 2, 3]
    first = report.stories[0]
    assert list(first.cells) == ["mastodon", "x"]
    assert first.cells["x"].url == "https://x.example/1"
    assert first.tally == Tally(2, Counts(15, 3, 1, None, None, None), 19)
    assert [(w.week, w.monday, w.stories, w.tally.posts) for w in report.weeks] == [
        ("2026-W45", date(2026, 11, 2), 2, 3),
        ("2026-W46", date(2026, 11, 9), 1, 1),
    ]
    x = next(p for p in report.by_platform if p.platform == "x")
    assert x.tally == Tally(2, Counts(14, 2, 1, 0, 3, 1000), 17)
    assert report.tally.posts == 4
    assert report.tally.counts.likes == 26
    assert report.tally.counts.quotes is None  # Mastodon < 4.5 does not say
    assert report.tally.engagement == 19 + 4 + 12


def test_a_thread_counts_first_plus_rest() -> None:
    thread = ThreadCounts.of([Counts(10, 1, 1, 0, 0, 50), Counts(2, 0, 1, 0, 0, 9)])
    rows = [
        PostRow(1, "T", "S", date(2026, 11, 2), "x", thread, None),
    ]
    report = build_report(rows)
    assert report.stories[0].tally.counts == Counts(12, 1, 2, 0, 0, 59)
    assert report.stories[0].cells["x"].counts.rest == Counts(2, 0, 1, 0, 0, 9)


def test_the_period_filters_campaign_dates_inclusively() -> None:
    rows = [row(n, date(2026, 11, n), "x", Counts(1, 0, 0, 0)) for n in range(1, 11)]
    report = build_report(rows, start=date(2026, 11, 3), end=date(2026, 11, 5))
    assert [s.story_id for s in report.stories] == [3, 4, 5]
    assert build_report(rows, start=date(2026, 11, 9)).tally.posts == 2
    assert build_report(rows, end=date(2026, 11, 1)).tally.posts == 1
    with pytest.raises(ValueError, match="ends"):
        build_report(rows, start=date(2026, 11, 5), end=date(2026, 11, 4))
    empty = build_report(rows, start=date(2027, 1, 1))
    assert empty.empty and empty.tally == Tally() and empty.weeks == ()


def test_top_stories_by_engagement_ties_by_date() -> None:
    rows = [
        row(1, date(2026, 11, 5), "x", Counts(5, 0, 0, 0)),
        row(2, date(2026, 11, 2), "x", Counts(5, 0, 0, 0)),  # same score, earlier date
        row(3, date(2026, 11, 3), "x", Counts(9, 0, 0, 0)),
        row(4, date(2026, 11, 4), "x", Counts(bookmarks=50)),  # no known engagement
        row(5, date(2026, 11, 2), "mastodon", Counts(5, 0, 0, None)),  # tie, same date, id 5
    ]
    report = build_report(rows, top=10)
    assert [s.story_id for s in report.top] == [3, 2, 5, 1]
    assert [s.story_id for s in build_report(rows, top=2).top] == [3, 2]
    assert build_report(rows, top=0).top == ()


def test_two_rows_for_one_story_and_platform_are_refused() -> None:
    day = date(2026, 11, 2)
    with pytest.raises(ValueError, match="story 1 has two rows"):
        build_report([row(1, day, "x", ZERO), row(1, day, "x", ZERO)])


def test_iso_weeks_across_the_new_year() -> None:
    assert iso_week(date(2026, 12, 31)) == "2026-W53"
    assert iso_week(date(2027, 1, 3)) == "2026-W53"
    assert iso_week(date(2027, 1, 4)) == "2027-W01"
    rows = [row(1, date(2026, 12, 31), "x", ZERO), row(2, date(2027, 1, 4), "x", ZERO)]
    assert [w.week for w in build_report(rows).weeks] == ["2026-W53", "2027-W01"]


def test_spend_by_billing_month() -> None:
    ledger = [
        LedgerRow(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), XRequest.POST, Decimal("0.015")),
        LedgerRow(datetime(2026, 11, 1, 9, tzinfo=UTC), XRequest.POST_WITH_URL, Decimal("0.2")),
        LedgerRow(datetime(2026, 11, 1, 10, tzinfo=UTC), XRequest.OWNED_READ, Decimal("0.003")),
        LedgerRow(datetime(2026, 11, 2, 10, tzinfo=UTC), XRequest.OWNED_READ, Decimal("0.002")),
    ]
    months = spend_by_month(ledger)
    assert [(str(m.month), m.requests, m.cost) for m in months] == [
        ("2026-10", 1, Decimal("0.015")),
        ("2026-11", 3, Decimal("0.205")),
    ]
    assert months[1].by_kind == {
        XRequest.POST_WITH_URL: Decimal("0.2"),
        XRequest.OWNED_READ: Decimal("0.005"),
    }
    only_nov = spend_by_month(ledger, start=date(2026, 11, 1))
    assert [m.month for m in only_nov] == [BillingMonth(2026, 11)]
    report = build_report([], ledger=ledger)
    assert report.spend_total == Decimal("0.220")
    with pytest.raises(ValueError, match="no timezone"):
        spend_by_month([LedgerRow(datetime(2026, 11, 1), XRequest.POST, Decimal(1))])


def test_growth_over_the_first_seven_days() -> None:
    sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
    rows = [row(1, date(2026, 11, 2), "x", Counts(9, 0, 0, 0), sent_at=sent)]
    snaps = [
        Snapshot(1, "x", sent + 3 * H, Counts(3, 0, 0, 0)),
        Snapshot(1, "x", sent + 1 * H, Counts(1, 0, 0, 0)),
        Snapshot(1, "x", sent + 8 * 24 * H, Counts(9, 0, 0, 0)),  # after the first week
        Snapshot(1, "mastodon", sent + H, Counts(1, 0, 0, 0)),  # no such post
        Snapshot(2, "x", sent + H, Counts(1, 0, 0, 0)),  # no such story
    ]
    report = build_report(rows, snaps)
    (series,) = report.growth[1]
    assert series.platform == "x"
    assert [(p.age, p.engagement) for p in series.points] == [(H, 1), (3 * H, 3)]
    assert 2 not in report.growth


def test_counts_text() -> None:
    assert counts_text(None) == "—"
    assert counts_text(0) == "0"
    assert counts_text(1234567) == "1,234,567"


counts_st = st.builds(Counts, *[st.none() | st.integers(0, 1000) for _ in range(6)])
rows_st = st.lists(
    st.tuples(
        st.integers(1, 12),  # story
        st.sampled_from(PLATFORMS),
        st.dates(date(2026, 11, 1), date(2027, 1, 31)),
        counts_st,
    ),
    max_size=40,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=200, deadline=None)
@given(rows_st)
def test_totals_equal_the_sums_of_their_rows(raw: list[tuple[int, str, date, Counts]]) -> None:
    story_day: dict[int, date] = {}
    rows = []
    for story, platform, day, counts in raw:
        day = story_day.setdefault(story, day)  # a story has one campaign date
        rows.append(row(story, day, platform, counts))
    report = build_report(rows)

    # the whole period, straight from the rows
    every = [r.counts.total for r in rows]
    assert report.tally.posts == len(rows)
    assert report.tally.counts == sum_counts(every)
    assert report.tally.engagement == add_scores(interactions(c) for c in every)
    # ... equals the sum of the stories, of the weeks and of the platforms
    assert total(s.tally for s in report.stories) == report.tally
    assert total(w.tally for w in report.weeks) == report.tally
    assert total(p.tally for p in report.by_platform) == report.tally
    for platform in report.platforms:
        mine = [r.counts.total for r in rows if r.platform == platform]
        line = next(p for p in report.by_platform if p.platform == platform)
        assert line.tally.counts == sum_counts(mine)
        assert line.tally.posts == len(mine)
        weekly = total(w.by_platform[platform] for w in report.weeks)
        assert weekly == line.tally
    for week in report.weeks:
        assert total(week.by_platform.values()) == week.tally
        assert week.stories == sum(1 for s in report.stories if s.week == week.week)
    for story in report.stories:
        assert total(c.tally for c in story.cells.values()) == story.tally
    # top stories: ranked by engagement, then date, then id
    keys = [(-(s.tally.engagement or 0), s.campaign_date, s.story_id) for s in report.top]
    assert keys == sorted(keys)
    assert all(s.tally.engagement is not None for s in report.top)
