"""Pre-election periods: days off with a named reason, essential stories, the status line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infobot.domain.dayoff import DayOff
from infobot.domain.election import (
    ElectionDayOff,
    ElectionPeriod,
    Essential,
    covered_days,
    day_off,
    gov_uk_date,
    parse_period,
    period_for,
    status_line,
    stretch_end,
)

SENEDD = ElectionPeriod(date(2027, 3, 26), date(2027, 5, 6), "Senedd election")
LOCAL = ElectionPeriod(date(2027, 5, 1), date(2027, 5, 20), "local by-election")
WINTER = ElectionPeriod(date(2026, 12, 20), date(2027, 1, 5), "council by-election")
ESSENTIAL = Essential("public health advice", "Bethan (approver)")


def test_the_reason_has_the_value_of_the_calendars_day_off() -> None:
    # DayOff.ELECTION_PERIOD in infobot.domain.calendar has the same value; the two join.
    assert DayOff.ELECTION_PERIOD == "election_period"


def test_days_inside_are_off_and_days_around_are_not() -> None:
    assert day_off(date(2027, 3, 25), [SENEDD]) is None  # the day before
    first = day_off(date(2027, 3, 26), [SENEDD])
    last = day_off(date(2027, 5, 6), [SENEDD])
    assert first == last == ElectionDayOff(SENEDD, date(2027, 5, 6))
    assert first is not None and first.off is DayOff.ELECTION_PERIOD
    assert day_off(date(2027, 5, 7), [SENEDD]) is None  # the day after
    assert day_off(date(2027, 4, 1), []) is None


def test_an_essential_story_may_go_out_inside() -> None:
    assert day_off(date(2027, 4, 1), [SENEDD], essential=ESSENTIAL) is None
    assert day_off(date(2027, 4, 1), [SENEDD]) is not None


def test_essential_needs_a_reason_and_who_marked_it() -> None:
    with pytest.raises(ValueError, match="say why the story is essential"):
        Essential(" ", "Bethan")
    with pytest.raises(ValueError, match="name of the approver"):
        Essential("health advice", "")


def test_overlapping_periods_run_on_to_the_last_day() -> None:
    periods = [SENEDD, LOCAL]
    off = day_off(date(2027, 4, 1), periods)
    assert off is not None and off.until == date(2027, 5, 20) and off.period == SENEDD
    inside_both = day_off(date(2027, 5, 3), periods)
    assert inside_both is not None and inside_both.period == LOCAL  # the one ending last
    assert inside_both.describe(date(2027, 5, 3)) == (
        "pre-election period (local by-election) until 20 May"
    )
    assert day_off(date(2027, 5, 21), periods) is None


def test_touching_periods_make_one_stretch_and_a_gap_splits_them() -> None:
    a = ElectionPeriod(date(2027, 4, 1), date(2027, 4, 10), "a")
    b = ElectionPeriod(date(2027, 4, 11), date(2027, 4, 15), "b")
    c = ElectionPeriod(date(2027, 4, 17), date(2027, 4, 20), "c")
    assert stretch_end(date(2027, 4, 2), [c, b, a]) == date(2027, 4, 15)
    assert stretch_end(date(2027, 4, 16), [a, b, c]) is None
    assert stretch_end(date(2027, 4, 17), [a, b, c]) == date(2027, 4, 20)


def test_a_period_across_the_new_year() -> None:
    assert period_for(date(2026, 12, 31), [WINTER]) == WINTER
    assert period_for(date(2027, 1, 1), [WINTER]) == WINTER
    assert status_line(date(2026, 12, 24), [WINTER]) == (
        "Pre-election period until 5 January 2027 (council by-election): no posts"
    )
    assert status_line(date(2027, 1, 2), [WINTER]) == (
        "Pre-election period until 5 January (council by-election): no posts"
    )
    days = list(covered_days([WINTER], date(2026, 12, 30), date(2027, 1, 2)))
    assert days == [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]


def test_status_line_inside_before_and_after() -> None:
    assert status_line(date(2027, 4, 20), [SENEDD]) == (
        "Pre-election period until 6 May (Senedd election): no posts"
    )
    assert status_line(date(2027, 3, 20), [SENEDD]) == (
        "Pre-election period from 26 March until 6 May (Senedd election): no posts then"
    )
    assert status_line(date(2027, 3, 1), [SENEDD]) is None  # more than 14 days ahead
    assert status_line(date(2027, 3, 1), [SENEDD], ahead_days=30) is not None
    assert status_line(date(2027, 5, 7), [SENEDD]) is None


def test_gov_uk_dates() -> None:
    assert gov_uk_date(date(2027, 5, 7)) == "7 May 2027"
    assert gov_uk_date(date(2027, 5, 7), today=date(2027, 1, 1)) == "7 May"
    assert gov_uk_date(date(2027, 5, 7), today=date(2026, 12, 1)) == "7 May 2027"
    assert gov_uk_date(date(2026, 11, 1)) == "1 November 2026"


def test_covered_days_counts_each_day_once() -> None:
    days = list(covered_days([SENEDD, LOCAL], date(2027, 5, 1), date(2027, 5, 31)))
    assert days[0] == date(2027, 5, 1) and days[-1] == date(2027, 5, 20)
    assert len(days) == len(set(days)) == 20


def test_a_period_must_make_sense() -> None:
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        ElectionPeriod(date(2027, 5, 6), date(2027, 3, 26), "Senedd election")
    with pytest.raises(ValueError, match="reason"):
        ElectionPeriod(date(2027, 3, 26), date(2027, 5, 6), "")


@pytest.mark.parametrize(
    "text",
    [
        "2027-03-26..2027-05-06 Senedd election",
        " 2027-03-26 .. 2027-05-06: Senedd election ",
        "2027-03-26 to 2027-05-06, Senedd election",
        "2027-03-26–2027-05-06 Senedd election",
    ],
)
def test_parse_period(text: str) -> None:
    assert parse_period(text) == ElectionPeriod(
        date(2027, 3, 26), date(2027, 5, 6), "Senedd election"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Senedd election", "write FIRST..LAST REASON"),
        ("2027-03-26..2027-05-06", "reason"),
        ("2027-02-30..2027-05-06 x", "day is out of range"),
        ("2027-05-06..2027-03-26 x", "before it starts"),
    ],
)
def test_parse_period_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_period(text)


_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def _periods(draw: st.DrawFn) -> list[ElectionPeriod]:
    found = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(_days)
        found.append(ElectionPeriod(start, start + timedelta(days=draw(st.integers(0, 60))), "e"))
    return found


@given(_periods(), _days)
def test_until_is_the_end_of_an_unbroken_stretch(periods: list[ElectionPeriod], day: date) -> None:
    covered = set(covered_days(periods, date(2025, 1, 1), date(2030, 1, 1)))
    off = day_off(day, periods)
    assert (off is not None) == (day in covered)
    if off is not None:
        assert day <= off.until
        assert all(day + timedelta(days=n) in covered for n in range((off.until - day).days + 1))
        assert off.until + timedelta(days=1) not in covered
        assert day in off.period
        assert day_off(day, periods, essential=ESSENTIAL) is None
