"""What X costs: its pay-per-use prices, the monthly budget rule, and the budget's runway.

**Prices** (:class:`Pricing`, money always ``Decimal``, never float). Defaults are X's
published pay-per-use prices (docs.x.com/x-api/getting-started/pricing, 2026): creating a
post $0.015 per request, a post whose text carries a URL $0.200, deleting $0.010, alt text
(media metadata) $0.005; reads are charged *per post returned*: $0.001 for the account's
own posts (``GET /2/users/:id/tweets``), $0.005 by id (``GET /2/tweets?ids=``). Two
requests the page does not list are kept apart so that the ledger holds every request:
the account lookup (``GET /2/users/me``, priced like a user read, $0.010; the adapter makes
it once per process) and the image upload (no price given: $0). X counts a
bare domain such as ``example.gov.uk`` as a link, so :func:`post_has_url` does too. X
deduplicates reads of the same post within a UTC day; the ledger does not, so it may
overstate reads a little, never understate them.

**Billing month.** The month of a request is its month in UTC (:class:`BillingMonth`), the
calendar X bills by (its windows reset at midnight UTC), whatever the campaign's timezone:
a post at 00:30 on 1 April in London (BST) is billed in March.

**The budget rule** (:func:`check_request`), with a monthly budget in USD (None: no limit):

* a post (or its alt text) is sent only when the month's spend plus its cost stays within
  the budget; otherwise it is refused on X alone (other platforms are never affected);
* an engagement read is made only when the month's spend, plus its cost, plus a *reserve*
  (the cost of the month's planned posts still to come, :func:`month_reserve`) stays within
  the budget: reads stop first, before any post is refused;
* a delete is never refused: a story whose consent is withdrawn must come down.

**Runway** (:func:`budget_runway`): walking the planned posts in order, how many the budget
pays for and the campaign day of the first it cannot; :func:`budget_alert` warns a week
ahead when that day comes before the queue runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infobot.domain.render import Post

MAX_PRICE = Decimal(100)
WARN_AHEAD = timedelta(days=7)
BUDGET_SETTING = "INFOBOT_X__MONTHLY_BUDGET"


class XRequest(StrEnum):
    """A kind of request infobot makes to X, as priced."""

    POST = "post"  # POST /2/tweets, per request
    POST_WITH_URL = "post_with_url"  # POST /2/tweets whose text carries a link
    MEDIA_METADATA = "media_metadata"  # POST /2/media/metadata (alt text)
    DELETE = "delete"  # DELETE /2/tweets/:id
    OWNED_READ = "owned_read"  # GET /2/users/:id/tweets, per post returned
    READ_BY_ID = "read_by_id"  # GET /2/tweets?ids=, per post returned
    ACCOUNT_READ = "account_read"  # GET /2/users/me (which account posts), per request
    MEDIA_UPLOAD = "media_upload"  # POST /2/media/upload (not priced on the page: 0)

    @property
    def is_read(self) -> bool:
        return self in (XRequest.OWNED_READ, XRequest.READ_BY_ID)


def _money(value: object, what: str) -> Decimal:
    """A price or an amount from settings: Decimal, int, text, or a float (by its text)."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: {value!r} is not an amount of money")
    try:
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, int | str):
            amount = Decimal(str(value).strip().removeprefix("$"))
        elif isinstance(value, float):
            amount = Decimal(repr(value))  # 0.015 stays 0.015, not its binary expansion
        else:
            raise ValueError(f"{what}: {value!r} is not an amount of money")
    except InvalidOperation:
        raise ValueError(f"{what}: {value!r} is not an amount of money, e.g. 0.015") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what}: {value!r} must be zero or more")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise ValueError(f"{what}: {value!r} has more than 6 decimal places")
    return amount


def parse_budget(value: object) -> Decimal | None:
    """The monthly budget from a setting: None (or empty) for no budget, else USD >= 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _money(value, "monthly budget")


@dataclass(frozen=True, slots=True)
class Pricing:
    """X's price per request (writes) or per post returned (reads), in USD."""

    post: Decimal = Decimal("0.015")
    post_with_url: Decimal = Decimal("0.200")
    media_metadata: Decimal = Decimal("0.005")
    delete: Decimal = Decimal("0.010")
    owned_read: Decimal = Decimal("0.001")
    read_by_id: Decimal = Decimal("0.005")
    account_read: Decimal = Decimal("0.010")
    media_upload: Decimal = Decimal("0")

    @classmethod
    def from_fields(cls, price: Callable[[str], Decimal]) -> Pricing:
        """The prices from the settings' fields ``price_<kind>`` (``price`` reads one by
        that name), the same table for ``Settings`` and the light reader."""
        return cls(**{kind.value: price(f"price_{kind.value}") for kind in XRequest})

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, Decimal):
                raise TypeError(f"price {f.name} must be a Decimal, not {type(value).__name__}")
            _money(value, f"price {f.name}")
            if value > MAX_PRICE:
                raise ValueError(f"price {f.name}: {value} is above {MAX_PRICE} per request")

    @classmethod
    def parse(cls, prices: Mapping[str, object]) -> Pricing:
        """Prices from settings, keyed by :class:`XRequest` value; missing ones default."""
        unknown = sorted(set(prices) - {k.value for k in XRequest})
        if unknown:
            names = ", ".join(k.value for k in XRequest)
            raise ValueError(f"unknown X price {', '.join(unknown)}; the prices are {names}")
        return cls(**{key: _money(value, f"price {key}") for key, value in prices.items()})

    def unit(self, kind: XRequest) -> Decimal:
        price: Decimal = getattr(self, kind.value)
        return price

    def cost(self, kind: XRequest, units: int = 1) -> Decimal:
        """The cost of ``units`` requests (writes) or posts returned (reads)."""
        if units < 0:
            raise ValueError("units cannot be negative")
        return self.unit(kind) * units


DEFAULT_PRICING = Pricing()


def post_has_url(text: str) -> bool:
    """True when X would see a link in ``text`` (bare domains too), as twitter-text does."""
    from twitter_text import extract_urls_with_indices  # slow import: only when asked

    return bool(extract_urls_with_indices(text, True))


def post_kind(post: str | bool) -> XRequest:
    """The priced kind of a post, from its text or from whether it carries a link."""
    has_url = post if isinstance(post, bool) else post_has_url(post)
    return XRequest.POST_WITH_URL if has_url else XRequest.POST


def cost_of_post(post: str | bool, pricing: Pricing = DEFAULT_PRICING) -> Decimal:
    """What sending one post to X costs: its text, or True/False for "carries a link"."""
    return pricing.unit(post_kind(post))


def cost_of_thread(parts: Iterable[str | bool], pricing: Pricing = DEFAULT_PRICING) -> Decimal:
    """Each part of a thread is its own request, priced by its own text."""
    return sum((cost_of_post(part, pricing) for part in parts), Decimal(0))


def cost_of_posts(posts: Sequence[Post], pricing: Pricing) -> Decimal:
    """What sending these posts to X costs: each part by its own text (a link costs more),
    and an image's upload and alt text."""
    total = Decimal(0)
    for post in posts:
        total += pricing.unit(post_kind(post.text))
        if post.image:
            total += pricing.unit(XRequest.MEDIA_UPLOAD)
            if post.image_alt:
                total += pricing.unit(XRequest.MEDIA_METADATA)
    return total


def usd(amount: Decimal) -> str:
    """``$0.015``, ``$0.20``, ``$1,234.50``: cents always, more places only when needed."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    cents = amount.quantize(Decimal("0.01"))
    shown = cents if cents == amount else amount.normalize()
    exponent = shown.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{sign}${shown:,.{places}f}"


@dataclass(frozen=True, order=True, slots=True)
class BillingMonth:
    """A calendar month in UTC: the month X bills a request in."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise ValueError(f"no such month: {self.year}-{self.month}")

    @classmethod
    def of(cls, instant: datetime) -> BillingMonth:
        if instant.utcoffset() is None:
            raise ValueError("the time of a request must be timezone-aware")
        utc = instant.astimezone(UTC)
        return cls(utc.year, utc.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    def next(self) -> BillingMonth:
        return BillingMonth(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def end(self) -> datetime:
        """The first instant of the next month."""
        return self.next().start

    def __contains__(self, instant: datetime) -> bool:
        return BillingMonth.of(instant) == self

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return self.start.strftime("%B %Y")


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """A post infobot means to send to X: its campaign day, the instant it is due, its cost."""

    day: date
    at: datetime
    cost: Decimal

    @property
    def month(self) -> BillingMonth:
        return BillingMonth.of(self.at)


def month_reserve(planned: Iterable[PlannedPost], at: datetime) -> Decimal:
    """What the month's planned posts still to come (due after ``at``) will cost."""
    month = BillingMonth.of(at)
    return sum((p.cost for p in planned if p.at > at and p.month == month), Decimal(0))


@dataclass(frozen=True, slots=True)
class BudgetDecision:
    allowed: bool
    reason: str  # plain words for the team, the audit trail and the log
    kind: XRequest
    month: BillingMonth
    cost: Decimal
    spent: Decimal  # the month's spend before this request
    budget: Decimal | None
    reserve: Decimal = Decimal(0)


def check_request(
    kind: XRequest,
    cost: Decimal,
    *,
    at: datetime,
    spent: Decimal,
    budget: Decimal | None,
    reserve: Decimal = Decimal(0),
) -> BudgetDecision:
    """May infobot make this request to X now? ``spent`` is the billing month's spend so far
    (the ledger for ``BillingMonth.of(at)``); ``reserve`` is :func:`month_reserve` (reads only).
    """
    month = BillingMonth.of(at)

    def decide(allowed: bool, reason: str) -> BudgetDecision:
        return BudgetDecision(allowed, reason, kind, month, cost, spent, budget, reserve)

    if budget is None:
        return decide(True, "no monthly X budget is set")
    after = spent + cost
    of_budget = f"{usd(after)} of the {usd(budget)} budget for {month.label}"
    if kind is XRequest.DELETE:
        return decide(True, f"a delete is never refused for money ({of_budget})")
    if kind.is_read:
        if after + reserve <= budget:
            return decide(True, f"within the budget: {of_budget}, {usd(reserve)} kept for posts")
        return decide(
            False,
            f"engagement read on X skipped: {usd(spent)} of the {usd(budget)} budget for "
            f"{month.label} is spent and {usd(reserve)} is kept for the month's remaining "
            "posts; reads stop before any post is refused",
        )
    if after <= budget:
        return decide(True, f"within the budget: {of_budget}")
    return decide(
        False,
        f"not sent to X: it costs {usd(cost)} and would take X spending for {month.label} "
        f"to {usd(after)}, over the monthly budget of {usd(budget)} ({BUDGET_SETTING}); "
        "other platforms are not affected",
    )


@dataclass(frozen=True, slots=True)
class BudgetRunway:
    budget: Decimal | None
    planned: int  # planned posts looked at
    covered: int  # how many of them, in order, the budget pays for
    runs_out_on: date | None  # campaign day of the first planned post it cannot pay for
    month: BillingMonth | None  # that post's billing month
    cost: Decimal  # that post's cost

    def affordable(self, remaining: Decimal, unit: Decimal) -> int:
        """How many more requests at ``unit`` each ``remaining`` pays for."""
        return int(remaining // unit) if unit > 0 and remaining > 0 else 0


def budget_runway(
    planned: Sequence[PlannedPost],
    *,
    spent: Mapping[BillingMonth, Decimal],
    budget: Decimal | None,
) -> BudgetRunway:
    """Walk the planned posts in time order, each billing month from its spend so far, and
    find the first post the budget cannot pay for. Reads are left out: they stop first."""
    ordered = sorted(planned, key=lambda p: p.at)
    if budget is None:
        return BudgetRunway(None, len(ordered), len(ordered), None, None, Decimal(0))
    running: dict[BillingMonth, Decimal] = {}
    for n, post in enumerate(ordered):
        month = post.month
        total = running.get(month, spent.get(month, Decimal(0))) + post.cost
        if total > budget:
            return BudgetRunway(budget, len(ordered), n, post.day, month, post.cost)
        running[month] = total
    return BudgetRunway(budget, len(ordered), len(ordered), None, None, Decimal(0))


@dataclass(frozen=True, slots=True)
class BudgetAlert:
    runs_out_on: date
    queue_until: date | None
    message: str


def budget_alert(
    runway: BudgetRunway,
    *,
    today: date,
    queue_until: date | None,
    ahead: timedelta = WARN_AHEAD,
) -> BudgetAlert | None:
    """An alert when the budget runs out before the queue does, within ``ahead`` of today.

    ``queue_until`` is the last campaign day the queue has a story for (None: no story).
    """
    day = runway.runs_out_on
    if day is None or runway.budget is None or queue_until is None or day > queue_until:
        return None
    if day - today > ahead:
        return None
    month = runway.month.label if runway.month else "the month"
    message = (
        f"The X budget runs out before the queue does: {usd(runway.budget)} a month pays for "
        f"{runway.covered} more X post{'s' if runway.covered != 1 else ''}, and the post on "
        f"{_day(day)} ({usd(runway.cost)}) would take {month} over it, while the queue has "
        f"stories until {_day(queue_until)}. Raise {BUDGET_SETTING}, or take links out of "
        "the posts (a post with a link costs far more on X); other platforms are not affected."
    )
    return BudgetAlert(day, queue_until, message)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
