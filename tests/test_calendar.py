"""Campaign-day arithmetic, checked against a day-by-day walk."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.domain.calendar import CampaignCalendar, runway

MON_FRI = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def walk_nth(cal: CampaignCalendar, first: date, n: int, skip: set[date]) -> date | None:
    day = first
    for _ in range(5000):  # 400 weekly posting days from a start up to 2027-06: ~3,300
        if cal.is_posting_day(day) and day not in skip:
            n -= 1
            if n == 0:
                return day
        day += timedelta(days=1)
    return None


calendars = st.builds(
    CampaignCalendar,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.none() | st.dates(date(2026, 1, 1), date(2027, 6, 1)),
    end=st.none() | st.dates(date(2026, 6, 1), date(2029, 1, 1)),
    paused=st.booleans(),
    paused_until=st.none() | st.dates(date(2026, 1, 1), date(2027, 6, 1)),
    blackouts=st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(
    cal=calendars,
    first=st.dates(date(2026, 1, 1), date(2027, 1, 1)),
    n=st.integers(1, 400),
    skip=st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=8),
)
def test_nth_posting_day_matches_a_walk(
    cal: CampaignCalendar, first: date, n: int, skip: set[date]
) -> None:
    expected = walk_nth(cal, first, n, skip)
    got = cal.nth_posting_day(first, n, also_skip=skip)
    if cal.paused and cal.paused_until is None:
        assert got is None
    else:
        assert got == expected


@settings(max_examples=300, deadline=None)
@given(
    cal=calendars, first=st.dates(date(2026, 1, 1), date(2027, 1, 1)), length=st.integers(-3, 500)
)
def test_posting_days_between_matches_a_walk(
    cal: CampaignCalendar, first: date, length: int
) -> None:
    last = first + timedelta(days=length)
    expected = (
        sum(1 for k in range(length + 1) if cal.is_posting_day(first + timedelta(days=k)))
        if length >= 0
        else 0
    )
    assert cal.posting_days_between(first, last) == expected


def test_off_reasons_are_plain_english() -> None:
    cal = CampaignCalendar(
        MON_FRI,
        start=date(2026, 11, 2),
        end=date(2026, 11, 30),
        blackouts=frozenset({date(2026, 11, 11)}),
    )
    assert cal.off_reason(date(2026, 11, 1)) == "before the campaign starts"
    assert cal.off_reason(date(2026, 12, 1)) == "after the campaign ends"
    assert cal.off_reason(date(2026, 11, 7)) == "not a campaign day of the week"
    assert cal.off_reason(date(2026, 11, 11)) == "blackout date"
    assert cal.off_reason(date(2026, 11, 12)) is None
    paused = CampaignCalendar(EVERY_DAY, paused=True, paused_until=date(2026, 11, 25))
    assert paused.off_reason(date(2026, 11, 25)) == "campaign paused until 25 November 2026"
    assert paused.off_reason(date(2026, 11, 26)) is None


def test_runway_counts_pins_and_the_end_date() -> None:
    cal = CampaignCalendar(EVERY_DAY, end=date(2026, 11, 30))
    first = date(2026, 11, 15)  # 16 campaign days left
    result = runway(cal, first, unpinned=11, pin_dates=[date(2026, 11, 20)])
    assert result.days_left == 16
    assert result.approved == 12
    assert result.short_by == 4
    assert result.summary() == "12 approved, 16 campaign days left: 4 short"
    # 11 unpinned fill 15..25 except the pinned 20th, so the 27th is the first empty day
    assert result.runs_dry_on == date(2026, 11, 27)
    assert result.runway_days == 12


def test_runway_of_an_open_ended_weekday_campaign() -> None:
    cal = CampaignCalendar(MON_FRI, blackouts=frozenset({date(2026, 11, 25)}))
    result = runway(cal, date(2026, 11, 23), unpinned=3, pin_dates=[])
    # Mon 23, Tue 24, (Wed 25 blackout), Thu 26 -> dry on Fri 27
    assert result.runs_dry_on == date(2026, 11, 27)
    assert result.runway_days == 3
    assert result.summary() == ("3 approved: 3 days of posts, runs dry on Friday 27 November 2026")


def test_runway_with_an_empty_queue_runs_dry_on_the_first_day() -> None:
    result = runway(CampaignCalendar(EVERY_DAY), date(2026, 11, 23), 0, [])
    assert result.runs_dry_on == date(2026, 11, 23)
    assert result.runway_days == 0


def test_a_huge_queue_does_not_overflow() -> None:
    result = runway(CampaignCalendar(frozenset({0})), date(2026, 11, 23), 10**7, [])
    assert result.runs_dry_on is None
    assert result.runway_days == 10**7
