"""X prices, the monthly budget rule and its runway (infobot.domain.costs)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infobot.domain.costs import (
    DEFAULT_PRICING,
    BillingMonth,
    PlannedPost,
    Pricing,
    XRequest,
    budget_alert,
    budget_runway,
    check_request,
    cost_of_post,
    cost_of_thread,
    month_reserve,
    parse_budget,
    post_has_url,
    post_kind,
    usd,
)

D = Decimal
LONDON = ZoneInfo("Europe/London")
NOV = BillingMonth(2026, 11)


def at(y: int, m: int, d: int, h: int = 9, minute: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=tz)


# -- prices ---------------------------------------------------------------------------------


def test_published_prices_are_the_defaults() -> None:
    p = DEFAULT_PRICING
    assert p.unit(XRequest.POST) == D("0.015")
    assert p.unit(XRequest.POST_WITH_URL) == D("0.20")
    assert p.unit(XRequest.OWNED_READ) == D("0.001")
    assert p.unit(XRequest.READ_BY_ID) == D("0.005")
    assert p.unit(XRequest.DELETE) == D("0.010")
    assert p.unit(XRequest.MEDIA_METADATA) == D("0.005")
    assert all(isinstance(p.unit(k), Decimal) for k in XRequest)


def test_reads_are_priced_per_post_returned() -> None:
    assert DEFAULT_PRICING.cost(XRequest.READ_BY_ID, 100) == D("0.500")
    assert DEFAULT_PRICING.cost(XRequest.OWNED_READ, 0) == 0
    with pytest.raises(ValueError):
        DEFAULT_PRICING.cost(XRequest.OWNED_READ, -1)


def test_money_stays_exact() -> None:
    total = sum((DEFAULT_PRICING.unit(XRequest.POST) for _ in range(1000)), D(0))
    assert total == D("15")  # as floats: 15.000000000000002
    assert sum(0.015 for _ in range(1000)) != 15


@pytest.mark.parametrize(
    ("text", "has_url"),
    [
        ("A nurse's story. #infostory", False),
        ("Read more at https://example.gov.uk/story #infostory", True),
        ("see example.gov.uk now", True),  # a bare domain is a link on X
        ("Dr. Smith said: no. Really.", False),
        ("", False),
    ],
)
def test_a_link_changes_the_price(text: str, has_url: bool) -> None:
    assert post_has_url(text) is has_url
    assert post_kind(text) is (XRequest.POST_WITH_URL if has_url else XRequest.POST)
    assert cost_of_post(text) == (D("0.20") if has_url else D("0.015"))


def test_cost_of_post_from_a_flag_and_of_a_thread() -> None:
    assert cost_of_post(True) == D("0.2")
    assert cost_of_post(False) == D("0.015")
    assert cost_of_thread(["part one https://example.org/a", "part two", False]) == D("0.230")
    assert cost_of_thread([]) == 0


def test_pricing_from_settings() -> None:
    p = Pricing.parse({"post": "0.02", "post_with_url": 0.25, "delete": D("0.01"), "owned_read": 0})
    assert p.post == D("0.02")
    assert p.post_with_url == D("0.25")  # a float from TOML, read by its text
    assert p.owned_read == 0
    assert p.read_by_id == D("0.005")  # default kept
    assert Pricing.parse({"post": "$0.015"}).post == D("0.015")


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        ({"post": "-0.01"}, "must be zero or more"),
        ({"post": "abc"}, "not an amount of money"),
        ({"post": "NaN"}, "must be zero or more"),
        ({"post": "Infinity"}, "must be zero or more"),
        ({"post": True}, "not an amount of money"),
        ({"post": [1]}, "not an amount of money"),
        ({"post": "0.0000001"}, "more than 6 decimal places"),
        ({"post": "1000"}, "above 100"),
        ({"tweet": "0.01"}, "unknown X price tweet"),
    ],
)
def test_bad_prices_are_refused_with_the_reason(prices: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pricing.parse(prices)


def test_pricing_wants_decimals() -> None:
    with pytest.raises(TypeError):
        Pricing(post=0.015)  # type: ignore[arg-type]


def test_parse_budget() -> None:
    assert parse_budget(None) is None
    assert parse_budget("  ") is None
    assert parse_budget("100") == D(100)
    assert parse_budget(D("12.50")) == D("12.50")
    with pytest.raises(ValueError, match="monthly budget"):
        parse_budget("-5")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.015", "$0.015"),
        ("0.200", "$0.20"),
        ("0.2", "$0.20"),
        ("100", "$100.00"),
        ("1234.5", "$1,234.50"),
        ("0", "$0.00"),
        ("-1.5", "-$1.50"),
        ("12.345", "$12.345"),
    ],
)
def test_usd(amount: str, shown: str) -> None:
    assert usd(D(amount)) == shown


# -- billing months -------------------------------------------------------------------------


def test_the_billing_month_is_the_utc_month_of_the_request() -> None:
    # 00:30 on 1 April in London is 23:30 on 31 March in UTC (BST): billed in March
    assert BillingMonth.of(at(2026, 4, 1, 0, 30)) == BillingMonth(2026, 3)
    # in November London is on UTC: 00:30 on 1 November is November
    assert BillingMonth.of(at(2026, 11, 1, 0, 30)) == NOV
    # 23:30 on 31 December in New York is already January in UTC
    ny = ZoneInfo("America/New_York")
    assert BillingMonth.of(at(2026, 12, 31, 23, 30, ny)) == BillingMonth(2027, 1)
    with pytest.raises(ValueError):
        BillingMonth.of(datetime(2026, 11, 1))


def test_billing_month_arithmetic() -> None:
    dec = BillingMonth(2026, 12)
    assert dec.next() == BillingMonth(2027, 1)
    assert dec.start == datetime(2026, 12, 1, tzinfo=UTC)
    assert dec.end == datetime(2027, 1, 1, tzinfo=UTC)
    assert str(dec) == "2026-12" and dec.label == "December 2026"
    assert dec.end - timedelta(microseconds=1) in dec
    assert dec.end not in dec
    assert dec > NOV
    with pytest.raises(ValueError):
        BillingMonth(2026, 13)


# -- the budget rule ------------------------------------------------------------------------


def test_no_budget_allows_everything() -> None:
    d = check_request(
        XRequest.POST_WITH_URL, D("0.2"), at=at(2026, 11, 2), spent=D(999), budget=None
    )
    assert d.allowed and "no monthly X budget" in d.reason


def test_a_post_that_would_cross_the_budget_is_refused() -> None:
    when = at(2026, 11, 20)
    fits = check_request(XRequest.POST_WITH_URL, D("0.2"), at=when, spent=D("9.8"), budget=D(10))
    assert fits.allowed  # exactly at the budget is within it
    over = check_request(XRequest.POST_WITH_URL, D("0.2"), at=when, spent=D("9.81"), budget=D(10))
    assert not over.allowed
    assert over.reason == (
        "not sent to X: it costs $0.20 and would take X spending for November 2026 to $10.01, "
        "over the monthly budget of $10.00 (INFOBOT_X__MONTHLY_BUDGET); "
        "other platforms are not affected"
    )
    assert over.month == NOV and over.spent == D("9.81") and over.cost == D("0.2")
    cheap = check_request(XRequest.POST, D("0.015"), at=when, spent=D("9.81"), budget=D(10))
    assert cheap.allowed  # a post without a link still fits


def test_reads_stop_first_to_keep_the_months_posts() -> None:
    when = at(2026, 11, 20, 12)
    planned = [PlannedPost(date(2026, 11, d), at(2026, 11, d), D("0.2")) for d in range(20, 31)]
    reserve = month_reserve(planned, when)
    assert reserve == D("2.0")  # 21..30 November; the post due at 09:00 on the 20th is past
    read = check_request(
        XRequest.OWNED_READ, D("0.01"), at=when, spent=D("7.99"), budget=D(10), reserve=reserve
    )
    assert read.allowed
    refused = check_request(
        XRequest.OWNED_READ, D("0.01"), at=when, spent=D("8.00"), budget=D(10), reserve=reserve
    )
    assert not refused.allowed
    assert refused.reason.startswith("engagement read on X skipped")
    assert "$2.00 is kept for the month's remaining posts" in refused.reason
    # the same spend still lets the next post out
    post = check_request(XRequest.POST_WITH_URL, D("0.2"), at=when, spent=D("8.00"), budget=D(10))
    assert post.allowed


def test_a_delete_is_never_refused() -> None:
    d = check_request(XRequest.DELETE, D("0.01"), at=at(2026, 11, 2), spent=D(50), budget=D(10))
    assert d.allowed and "never refused" in d.reason


def test_a_zero_budget_refuses_posts_and_reads() -> None:
    when = at(2026, 11, 2)
    assert not check_request(XRequest.POST, D("0.015"), at=when, spent=D(0), budget=D(0)).allowed
    assert not check_request(
        XRequest.READ_BY_ID, D("0.005"), at=when, spent=D(0), budget=D(0)
    ).allowed
    assert check_request(XRequest.POST, D(0), at=when, spent=D(0), budget=D(0)).allowed


def test_the_reserve_counts_only_the_same_billing_month() -> None:
    planned = [
        PlannedPost(date(2026, 3, 31), at(2026, 3, 31, 9), D("0.2")),
        PlannedPost(date(2026, 4, 1), at(2026, 4, 1, 0, 30), D("0.2")),  # 23:30 UTC 31 March
        PlannedPost(date(2026, 4, 1), at(2026, 4, 1, 9), D("0.2")),  # April
    ]
    assert month_reserve(planned, at(2026, 3, 31, 12)) == D("0.2")
    assert month_reserve(planned, at(2026, 4, 1, 1)) == D("0.2")


@given(
    spent=st.decimals(0, 100, places=3),
    cost=st.decimals(0, 1, places=3),
    reserve=st.decimals(0, 20, places=3),
    budget=st.decimals(0, 100, places=2),
)
def test_reads_are_never_allowed_when_a_post_of_the_same_cost_is_not(
    spent: Decimal, cost: Decimal, reserve: Decimal, budget: Decimal
) -> None:
    when = at(2026, 11, 2)
    read = check_request(
        XRequest.READ_BY_ID, cost, at=when, spent=spent, budget=budget, reserve=reserve
    )
    post = check_request(XRequest.POST, cost, at=when, spent=spent, budget=budget)
    assert not read.allowed or post.allowed
    assert post.allowed == (spent + cost <= budget)


# -- runway and the alert -------------------------------------------------------------------


def december(days: range, cost: str = "0.2") -> list[PlannedPost]:
    return [PlannedPost(date(2026, 12, d), at(2026, 12, d), D(cost)) for d in days]


def test_runway_counts_the_posts_the_budget_pays_for() -> None:
    planned = december(range(1, 32))
    spent = {BillingMonth(2026, 12): D("1.00")}
    runway = budget_runway(planned, spent=spent, budget=D(5))
    assert runway.covered == 20  # $4.00 left: 20 posts at $0.20
    assert runway.runs_out_on == date(2026, 12, 21)
    assert runway.month == BillingMonth(2026, 12)
    assert runway.planned == 31
    assert runway.affordable(D("4.00"), D("0.015")) == 266
    assert runway.affordable(D("4.00"), D(0)) == 0


def test_runway_starts_each_billing_month_afresh() -> None:
    planned = december(range(28, 32)) + [
        PlannedPost(date(2027, 1, d), at(2027, 1, d), D("0.2")) for d in range(1, 5)
    ]
    runway = budget_runway(planned, spent={BillingMonth(2026, 12): D("0.5")}, budget=D("0.8"))
    # December: $0.30 left pays for one of four; the first refusal is 29 December
    assert runway.runs_out_on == date(2026, 12, 29)
    nothing_spent = budget_runway(planned, spent={}, budget=D("0.8"))
    assert nothing_spent.runs_out_on is None and nothing_spent.covered == 8


def test_runway_without_budget_is_endless() -> None:
    runway = budget_runway(december(range(1, 5)), spent={}, budget=None)
    assert runway.runs_out_on is None and runway.covered == 4


def test_the_alert_comes_a_week_ahead_when_the_budget_is_shorter_than_the_queue() -> None:
    runway = budget_runway(december(range(1, 32)), spent={}, budget=D(4))
    assert runway.runs_out_on == date(2026, 12, 21)
    queue_until = date(2026, 12, 31)
    assert budget_alert(runway, today=date(2026, 12, 13), queue_until=queue_until) is None
    alert = budget_alert(runway, today=date(2026, 12, 14), queue_until=queue_until)
    assert alert is not None and alert.runs_out_on == date(2026, 12, 21)
    assert alert.message == (
        "The X budget runs out before the queue does: $4.00 a month pays for 20 more X posts, "
        "and the post on Monday 21 December 2026 ($0.20) would take December 2026 over it, "
        "while the queue has stories until Thursday 31 December 2026. "
        "Raise INFOBOT_X__MONTHLY_BUDGET, or take links out of the posts (a post with a link "
        "costs far more on X); other platforms are not affected."
    )
    # no alert when the queue ends first, or there is no budget
    assert budget_alert(runway, today=date(2026, 12, 20), queue_until=date(2026, 12, 20)) is None
    assert budget_alert(runway, today=date(2026, 12, 20), queue_until=None) is None
    endless = budget_runway(december(range(1, 32)), spent={}, budget=None)
    assert budget_alert(endless, today=date(2026, 12, 20), queue_until=queue_until) is None
