"""Engagement counts, their sums, and the read schedule by age (infobot.domain.engagement)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.clock import FixedClock
from infobot.domain.engagement import (
    DEFAULT_BANDS,
    DEFAULT_BANDS_TEXT,
    MAX_COUNT,
    UNKNOWN,
    ZERO,
    Band,
    Bands,
    BandsError,
    Counts,
    Metric,
    PostState,
    ThreadCounts,
    backoff,
    interactions,
    next_read,
    parse_count,
    parse_duration,
    sum_counts,
    unchanged_streak,
)

H = timedelta(hours=1)
SENT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY30 = timedelta(days=30)


# -- counts from untrusted values -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, 0),
        (12, 12),
        (MAX_COUNT, MAX_COUNT),
        ("12", 12),
        ("0", 0),
        (None, None),
        (-1, None),
        (MAX_COUNT + 1, None),
        (10**100, None),
        (True, None),
        (False, None),
        (12.0, None),
        (float("nan"), None),
        (float("inf"), None),
        ("", None),
        (" 12", None),
        ("12 ", None),
        ("-3", None),
        ("1e3", None),
        ("12.0", None),
        ("１２", None),  # full-width digits
        ("٣", None),  # Arabic-Indic digit
        ("9" * 14, None),
        (Decimal(5), None),
        ([3], None),
        ({"count": 3}, None),
    ],
)
def test_parse_count(raw: object, expected: int | None) -> None:
    assert parse_count(raw) == expected


def test_counts_parse_keeps_unknown_apart_from_zero() -> None:
    counts = Counts.parse(likes=0, reposts="4", replies=None, quotes=-2, bookmarks=True)
    assert counts == Counts(likes=0, reposts=4)
    assert counts.replies is None and counts.quotes is None and counts.bookmarks is None
    assert counts.impressions is None
    assert counts.likes == 0


def test_counts_refuse_bad_values_when_built_directly() -> None:
    for bad in (-1, True, "3", 2.0):
        with pytest.raises(ValueError, match=r"Counts\.parse"):
            Counts(likes=bad)  # type: ignore[arg-type]


def test_totals_may_pass_the_limit_on_what_a_platform_may_send() -> None:
    big = Counts(impressions=MAX_COUNT)
    assert (big + big).impressions == 2 * MAX_COUNT
    assert Counts.parse(impressions=2 * MAX_COUNT).impressions is None


def test_counts_from_dict_and_back() -> None:
    counts = Counts(1, 2, 3, None, 5, None)
    assert counts.as_dict() == {
        "likes": 1,
        "reposts": 2,
        "replies": 3,
        "quotes": None,
        "bookmarks": 5,
        "impressions": None,
    }
    assert list(counts.as_dict()) == [m.value for m in Metric]
    assert Counts.from_dict(counts.as_dict()) == counts
    assert Counts.from_dict({"likes": "x", "extra": 9}) == UNKNOWN
    assert Counts.from_dict(["likes"]) == UNKNOWN
    assert Counts.from_dict(None) == UNKNOWN


def test_unknown_and_metric_access() -> None:
    assert UNKNOWN.unknown and not ZERO.unknown
    assert Counts(quotes=0).get(Metric.QUOTES) == 0
    assert Metric.IMPRESSIONS.label == "Impressions"


# -- the sum rule ---------------------------------------------------------------------------

counts_st = st.builds(
    Counts,
    *[st.none() | st.integers(0, 10**6) for _ in Metric],
)


def test_sum_rule_unknown_stays_unknown() -> None:
    a = Counts(likes=3, reposts=1, replies=None)
    b = Counts(likes=4, reposts=None, replies=None)
    total = a + b
    assert total.likes == 7
    assert total.reposts is None  # known + unknown: unknown, not 1
    assert total.replies is None
    assert sum_counts([]) == ZERO
    assert sum_counts([a]) == a + ZERO
    assert sum_counts([UNKNOWN, ZERO]) == UNKNOWN


@given(st.lists(counts_st, max_size=8))
def test_sum_never_turns_unknown_into_a_number(items: list[Counts]) -> None:
    total = sum_counts(items)
    for metric in Metric:
        values = [c.get(metric) for c in items]
        if any(v is None for v in values):
            assert total.get(metric) is None
        else:
            assert total.get(metric) == sum(v for v in values if v is not None)


@given(counts_st, counts_st, counts_st)
def test_sum_is_associative_and_commutative(a: Counts, b: Counts, c: Counts) -> None:
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + ZERO == a


def test_interactions_is_a_score_over_known_terms() -> None:
    assert interactions(Counts(1, 2, 3, 4, 100, 1000)) == 10  # bookmarks, impressions left out
    assert interactions(Counts(likes=5, reposts=1)) == 6  # quotes unknown (Mastodon < 4.5)
    assert interactions(Counts(bookmarks=3, impressions=9)) is None
    assert interactions(UNKNOWN) is None
    assert interactions(ZERO) == 0


def test_thread_counts_keep_first_and_rest_apart() -> None:
    first = Counts(10, 2, 1, 0, None, 500)
    second = Counts(3, 0, 0, 0, None, 40)
    third = Counts(1, 1, 0, 0, None, None)
    thread = ThreadCounts.of([first, second, third])
    assert thread.first == first
    assert thread.rest == Counts(4, 1, 0, 0, None, None)
    assert thread.parts == 3
    assert thread.total == Counts(14, 3, 1, 0, None, None)
    single = ThreadCounts.single(first)
    assert single.rest == ZERO and single.total == first and single.parts == 1
    with pytest.raises(ValueError):
        ThreadCounts.of([])
    with pytest.raises(ValueError):
        ThreadCounts(first, Counts(1, 1, 1, 1, 1, 1), parts=1)


def test_post_state_readable() -> None:
    assert PostState.LIVE.readable
    assert not PostState.GONE.readable and not PostState.WITHDRAWN.readable


def test_unchanged_streak() -> None:
    a, b = Counts(likes=1), Counts(likes=2)
    assert unchanged_streak(None, a, 5) == 0
    assert unchanged_streak(a, a, 0) == 1
    assert unchanged_streak(a, a, 2) == 3
    assert unchanged_streak(a, b, 2) == 0


# -- bands ----------------------------------------------------------------------------------


def test_default_bands() -> None:
    assert DEFAULT_BANDS.periodic == (
        Band(1 * H, 6 * H),
        Band(3 * H, 24 * H),
        Band(12 * H, 72 * H),
        Band(24 * H, 7 * 24 * H),
    )
    assert DEFAULT_BANDS.final == DAY30
    assert str(DEFAULT_BANDS) == DEFAULT_BANDS_TEXT
    assert DEFAULT_BANDS.max_backoff == 8


def test_bands_parse_is_forgiving_about_spaces_and_case() -> None:
    assert Bands.parse(" 1H@6h , 3h@1D,once@4W ") == Bands(
        (Band(H, 6 * H), Band(3 * H, 24 * H)), timedelta(weeks=4)
    )
    assert Bands.parse("90m@1d").periodic == (Band(timedelta(minutes=90), 24 * H),)
    assert Bands.parse("once@30d") == Bands((), DAY30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no bands"),
        ("   ", "no bands"),
        ("1h@6h,,3h@24h", "band 2 is empty"),
        ("1h", "band 1 (1h): write EVERY@UNTIL"),
        ("1h@6x", "band 1 (1h@6x): '6x' is not a duration"),
        ("1.5h@6h", "'1.5h' is not a duration"),
        ("-1h@6h", "is not a duration"),
        ("h@6h", "is not a duration"),
        ("1h@6h,3h@6h", "band 2 (3h@6h): ends at 6h, not after the band before it (6h)"),
        ("1h@24h,3h@6h", "list bands young to old"),
        ("3h@6h,1h@24h", "more often than the band before it"),
        ("1m@6h", "the shortest interval is 5m"),
        ("1h@400d", "ends after 366 days"),
        ("once@30d,1h@6h", "the once read must be last"),
        ("1h@6h,once@30d,once@40d", "the once read must be last"),
        ("24h@7d,once@5d", "must come after the last band ends (7d)"),
        ("1h@6h,once@400d", "the last read is after 366 days"),
        (",".join(f"{n}h@{n * 10}h" for n in range(1, 14)), "at most 12"),
    ],
)
def test_bands_parse_errors_say_which_band_and_why(text: str, message: str) -> None:
    with pytest.raises(BandsError) as caught:
        Bands.parse(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)  # a pydantic validator turns it into a field error


def test_bands_built_directly_are_checked_too() -> None:
    with pytest.raises(BandsError, match="no bands"):
        Bands(())
    with pytest.raises(BandsError, match="backoff"):
        Bands((Band(H, 6 * H),), max_backoff=0)
    with pytest.raises(BandsError, match="above zero"):
        Bands((), timedelta(0))


def test_parse_duration() -> None:
    assert parse_duration("45m") == timedelta(minutes=45)
    assert parse_duration("2w") == timedelta(weeks=2)
    with pytest.raises(BandsError):
        parse_duration("1000000h")


bands_st = st.lists(
    st.tuples(st.integers(1, 48), st.integers(1, 200)), min_size=1, max_size=6
).flatmap(
    lambda raw: st.builds(
        lambda final: _bands_from(raw, final),
        st.none() | st.integers(1, 100),
    )
)


def _bands_from(raw: list[tuple[int, int]], final_extra: int | None) -> Bands:
    every, until, periodic = 0, 0, []
    for step, length in raw:
        every += step * 30  # minutes, non-decreasing from 30
        until += length * 60 + 60  # minutes, increasing
        periodic.append(Band(timedelta(minutes=every), timedelta(minutes=until)))
    final = None if final_extra is None else timedelta(minutes=until + final_extra * 60)
    return Bands(tuple(periodic), final)


@given(bands_st)
def test_bands_text_round_trips(bands: Bands) -> None:
    assert Bands.parse(str(bands)) == bands


# -- next_read ------------------------------------------------------------------------------


def simulate(
    bands: Bands = DEFAULT_BANDS,
    changes: list[bool] | None = None,
    late: list[timedelta] | None = None,
) -> list[tuple[timedelta, int]]:
    """Read a post until the schedule stops: (age at read, streak before the read)."""
    reads: list[tuple[timedelta, int]] = []
    last: datetime | None = None
    streak, now = 0, SENT
    for n in range(20_000):
        due = next_read(SENT, last, streak, now, bands)
        if due is None:
            return reads
        now = due + (late[n % len(late)] if late else timedelta(0))
        reads.append((now - SENT, streak))
        changed = True if changes is None else changes[n % len(changes)]
        streak = 0 if changed else streak + 1
        last = now
    raise AssertionError("the schedule never stopped")


def test_changing_counts_are_read_6_6_4_4_1_times() -> None:
    ages = [age / H for age, _ in simulate()]
    assert ages == [1, 2, 3, 4, 5, 6, 9, 12, 15, 18, 21, 24, 36, 48, 60, 72, 96, 120, 144, 168, 720]

    def between(lo: float, hi: float) -> int:
        return sum(1 for a in ages if lo < a <= hi)

    assert [between(0, 6), between(6, 24), between(24, 72), between(72, 168)] == [6, 6, 4, 4]
    assert between(168, 720) == 1


def test_unchanged_counts_are_read_less_often() -> None:
    ages = [age / H for age, _ in simulate(changes=[False])]
    # the interval of the last read's band, times 1, 2, 4, then at most 8
    assert ages == [1, 3, 7, 7 + 3 * 8, 31 + 12 * 8, 127 + 24 * 8, 720]


def test_a_changed_read_resets_the_interval() -> None:
    ages = [age / H for age, _ in simulate(changes=[False, False, True])]
    assert ages[:4] == [1, 3, 7, 7 + 3]  # 7 h is in the 3 h band


def test_a_daemon_polling_every_five_minutes_reads_21_times_in_30_days() -> None:
    clock = FixedClock(SENT - timedelta(seconds=17))  # ticks not aligned with the post
    last: datetime | None = None
    reads = []
    due = next_read(SENT, None, 0, clock.now())
    while due is not None and clock.now() < SENT + timedelta(days=40):
        clock.advance(timedelta(minutes=5))
        if clock.now() >= due:
            reads.append(clock.now())
            last = clock.now()
            due = next_read(SENT, last, 0, clock.now())
    assert len(reads) == 21
    assert reads[-1] - SENT >= DAY30
    assert next_read(SENT, last, 0, clock.now()) is None


def test_overdue_reads_are_due_now_and_not_made_up() -> None:
    now = SENT + 50 * H  # the daemon was away since the 2 h read
    assert next_read(SENT, SENT + 2 * H, 0, now) == now
    # after that read, the 12 h band of a 50 h old post applies
    assert next_read(SENT, now, 0, now) == now + 12 * H


def test_a_post_never_read_for_months_is_read_once_then_never() -> None:
    now = SENT + timedelta(days=90)
    assert next_read(SENT, None, 0, now) == now
    assert next_read(SENT, now, 0, now) is None


def test_reads_stop_after_the_last_band_without_a_final_read() -> None:
    bands = Bands.parse("1h@3h")
    ages = [age / H for age, _ in simulate(bands)]
    assert ages == [1, 2, 3]


def test_next_read_needs_aware_times() -> None:
    naive = datetime(2026, 11, 2, 9, 0)
    with pytest.raises(ValueError, match="sent_at"):
        next_read(naive, None, 0, SENT)
    with pytest.raises(ValueError, match="now"):
        next_read(SENT, None, 0, naive)
    with pytest.raises(ValueError, match="last_read_at"):
        next_read(SENT, naive, 0, SENT)


def test_a_last_read_before_the_post_counts_as_never_read() -> None:
    assert next_read(SENT, SENT - H, 0, SENT) == SENT + H


def test_backoff_limit() -> None:
    assert [backoff(s) for s in range(6)] == [1, 2, 4, 8, 8, 8]
    assert backoff(-3) == 1
    assert backoff(10**9) == 8
    assert backoff(5, limit=4) == 4


@settings(max_examples=150, deadline=None)
@given(
    bands=st.one_of(st.just(DEFAULT_BANDS), bands_st),
    changes=st.lists(st.booleans(), min_size=1, max_size=10),
    late=st.lists(st.integers(0, 180).map(lambda m: timedelta(minutes=m)), min_size=1),
)
def test_reads_follow_the_bands(bands: Bands, changes: list[bool], late: list[timedelta]) -> None:
    on_time = simulate(bands)
    reads = simulate(bands, changes, late)
    # never more reads than the on-time schedule with counts always changing
    assert len(reads) <= len(on_time)
    if bands is DEFAULT_BANDS and not any(changes):
        assert len(reads) < len(on_time) == 21
    # never more often than the band of the earlier read (times the backoff)
    for (age, _), (next_age, streak) in itertools.pairwise(reads):
        band = bands.band_at(age)
        is_final = bands.final is not None and next_age >= bands.final
        if band is not None and not is_final:
            assert next_age - age >= band.every * backoff(streak, bands.max_backoff)
    # the final read happens, and nothing after it
    last_age = reads[-1][0]
    if bands.final is not None:
        assert last_age >= bands.final
        assert sum(1 for age, _ in reads if age >= bands.final) == 1
    else:
        assert last_age <= bands.periodic[-1].until + bands.periodic[-1].every * 8 + 3 * H
