"""Engagement: the public counts of a post, how they add up, and when to read them again.

**Counts.** :class:`Counts` holds likes, reposts, replies, quotes, bookmarks and impressions.
Each is an ``int`` or ``None``; ``None`` means *unknown* (the platform did not say, sent
something malformed, or the post has not been read yet) and is never written as 0.
:meth:`Counts.parse` and :func:`parse_count` take untrusted values: a count is a
non-negative JSON integer (or a string of ASCII digits) up to :data:`MAX_COUNT`; anything
else (missing, ``null``, negative, ``True``/``False``, floats, huge numbers, text) is unknown.

**Sums, one rule.** Unknown stays unknown: for each kind of count, ``a + b`` is ``None`` when
either side is ``None`` (the true sum could be anything at least the known part, so no
number is shown). The sum of no counts at all is 0 (:data:`ZERO`). Every total in infobot
(a thread's rest, a week, a platform, a campaign) uses this rule, so a total shown is always
exact. The one exception is :func:`interactions`, a *score* for ranking stories
(likes + reposts + replies + quotes over the ones the platform reports), which skips
unknown terms and is ``None`` only when all four are unknown.

**Threads.** :class:`ThreadCounts` keeps a thread's first post apart from the sum of the
rest; ``total`` is ``first + rest`` by the rule above. A single post is a thread of one
whose rest is :data:`ZERO`.

**Read schedule.** A post's counts are read on a schedule by its age, given as
:class:`Bands` (default ``1h@6h,3h@24h,12h@72h,24h@7d,once@30d``: hourly until 6 hours,
every 3 hours until 24 hours, every 12 hours until 72 hours, daily until 7 days, then once
at 30 days, then never). The band is the one the *last* read (or the post, when never
read) falls in; each read that found the counts unchanged doubles the interval, up to
8 times. :func:`next_read` gives the instant of the next read, or ``None`` when reading is
over. With counts that always change that is 6 + 6 + 4 + 4 + 1 = 21 reads in 30 days
(at ages 1..6 h, 9..24 h, 36..72 h, 96..168 h and 720 h). Reads are never closer than
their band's interval, and since the interval never shrinks as a post ages, a late read
can only make the reads fewer, never more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

MAX_COUNT = 10**12
"""A count above this (a trillion, beyond any real post) is treated as malformed."""


class Metric(StrEnum):
    """The kinds of count, in the order reports show them."""

    LIKES = "likes"
    REPOSTS = "reposts"
    REPLIES = "replies"
    QUOTES = "quotes"
    BOOKMARKS = "bookmarks"
    IMPRESSIONS = "impressions"

    @property
    def label(self) -> str:
        return self.value.capitalize()


SCORE_METRICS = (Metric.LIKES, Metric.REPOSTS, Metric.REPLIES, Metric.QUOTES)
"""What :func:`interactions` adds up. Bookmarks and impressions are left out: most
platforms do not publish them, so they would rank posts by platform, not by interest."""


class PostState(StrEnum):
    """Whether a post is still there to be read."""

    LIVE = "live"
    GONE = "gone"  # the platform says it no longer exists (404): deleted by someone else
    WITHDRAWN = "withdrawn"  # infobot deleted it (consent withdrawn)

    @property
    def readable(self) -> bool:
        """Only live posts are read; a deleted or withdrawn post stops being read."""
        return self is PostState.LIVE


def parse_count(value: object) -> int | None:
    """A count from an untrusted value, or None (unknown) when it is not a plausible count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 13 and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 <= number <= MAX_COUNT else None


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


@dataclass(frozen=True, slots=True)
class Counts:
    """A post's public counts; ``None`` = unknown (see the module doc)."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    bookmarks: int | None = None
    impressions: int | None = None

    NAMES: ClassVar[tuple[str, ...]] = tuple(m.value for m in Metric)

    def __post_init__(self) -> None:
        # Only the type is checked here: MAX_COUNT bounds what a platform may send
        # (Counts.parse), not what a campaign's totals may add up to.
        for name in self.NAMES:
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 0):
                raise ValueError(
                    f"{name} must be a whole number, 0 or more, or None, not {value!r} "
                    "(use Counts.parse for untrusted values)"
                )

    @classmethod
    def parse(
        cls,
        *,
        likes: object = None,
        reposts: object = None,
        replies: object = None,
        quotes: object = None,
        bookmarks: object = None,
        impressions: object = None,
    ) -> Counts:
        """Counts from untrusted values: anything that is not a plausible count is unknown."""
        return cls(
            parse_count(likes),
            parse_count(reposts),
            parse_count(replies),
            parse_count(quotes),
            parse_count(bookmarks),
            parse_count(impressions),
        )

    @classmethod
    def from_dict(cls, data: object) -> Counts:
        """Counts from a mapping keyed by metric name (a stored snapshot), untrusted."""
        if not isinstance(data, Mapping):
            return UNKNOWN
        return cls.parse(**{name: data.get(name) for name in cls.NAMES})

    def as_dict(self) -> dict[str, int | None]:
        """``{"likes": 3, ..., "impressions": None}``, in :class:`Metric` order."""
        return {name: getattr(self, name) for name in self.NAMES}

    def get(self, metric: Metric) -> int | None:
        value: int | None = getattr(self, metric.value)
        return value

    @property
    def unknown(self) -> bool:
        """True when nothing at all is known."""
        return all(getattr(self, name) is None for name in self.NAMES)

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            _plus(self.likes, other.likes),
            _plus(self.reposts, other.reposts),
            _plus(self.replies, other.replies),
            _plus(self.quotes, other.quotes),
            _plus(self.bookmarks, other.bookmarks),
            _plus(self.impressions, other.impressions),
        )


UNKNOWN = Counts()
ZERO = Counts(0, 0, 0, 0, 0, 0)


def sum_counts(items: Iterable[Counts]) -> Counts:
    """The total of ``items`` by the one rule: unknown anywhere makes that kind unknown;
    the total of nothing is :data:`ZERO`."""
    total = ZERO
    for item in items:
        total = total + item
    return total


def interactions(counts: Counts) -> int | None:
    """The ranking score: likes + reposts + replies + quotes, over the ones that are known;
    None only when none of the four is known."""
    known = [v for v in (counts.get(m) for m in SCORE_METRICS) if v is not None]
    return sum(known) if known else None


def add_scores(scores: Iterable[int | None]) -> int | None:
    """Scores added the way :func:`interactions` adds terms: unknown ones skipped."""
    known = [s for s in scores if s is not None]
    return sum(known) if known else None


@dataclass(frozen=True, slots=True)
class ThreadCounts:
    """A thread's counts: its first post, and the sum of the rest, kept apart."""

    first: Counts
    rest: Counts = ZERO
    parts: int = 1

    def __post_init__(self) -> None:
        if self.parts < 1:
            raise ValueError("a thread has at least one part")
        if self.parts == 1 and self.rest != ZERO:
            raise ValueError("a single post has no rest to count")

    @classmethod
    def of(cls, parts: Sequence[Counts]) -> ThreadCounts:
        """From each part's counts, first post first."""
        if not parts:
            raise ValueError("a thread has at least one part")
        return cls(parts[0], sum_counts(parts[1:]), len(parts))

    @classmethod
    def single(cls, counts: Counts) -> ThreadCounts:
        return cls(counts)

    @property
    def total(self) -> Counts:
        return self.first + self.rest


def unchanged_streak(previous: Counts | None, current: Counts, streak: int) -> int:
    """The streak after a read: one longer when the counts did not change, else 0."""
    if previous is None or current != previous:
        return 0
    return max(streak, 0) + 1


# -- the read schedule ---------------------------------------------------------------------

DEFAULT_BANDS_TEXT = "1h@6h,3h@24h,12h@72h,24h@7d,once@30d"
MIN_INTERVAL = timedelta(minutes=5)
MAX_AGE = timedelta(days=366)
MAX_BANDS = 12
MAX_BACKOFF = 8
_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_DURATION = re.compile(r"([0-9]{1,6})([mhdw])")
_UNIT_NAMES = "m (minutes), h (hours), d (days) or w (weeks)"


class BandsError(ValueError):
    """A read schedule that cannot be used; the message says which band and why."""


def parse_duration(text: str) -> timedelta:
    """``"90m"``, ``"6h"``, ``"7d"``, ``"2w"``: a whole number and a unit."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise BandsError(
            f"{text!r} is not a duration: write a whole number and a unit, {_UNIT_NAMES}, e.g. 3h"
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


def format_duration(delta: timedelta) -> str:
    """Whole days from 4 days up (``"7d"``), else whole hours (``"72h"``), else minutes."""
    days, left = divmod(delta, _UNITS["d"])
    if days > 3 and not left:
        return f"{days}d"
    hours, left = divmod(delta, _UNITS["h"])
    if hours and not left:
        return f"{hours}h"
    return f"{delta // _UNITS['m']}m"


@dataclass(frozen=True, slots=True)
class Band:
    """Read every ``every`` while the post is younger than ``until``."""

    every: timedelta
    until: timedelta


@dataclass(frozen=True, slots=True)
class Bands:
    """A read schedule: periodic bands from young to old, then maybe one last read."""

    periodic: tuple[Band, ...]
    final: timedelta | None = None  # one last read at this age; None: stop after the bands
    max_backoff: int = MAX_BACKOFF

    def __post_init__(self) -> None:
        if not self.periodic and self.final is None:
            raise BandsError("no bands: give at least one, e.g. " + DEFAULT_BANDS_TEXT)
        if len(self.periodic) > MAX_BANDS:
            raise BandsError(f"{len(self.periodic)} bands: at most {MAX_BANDS} are allowed")
        if not 1 <= self.max_backoff <= 64:
            raise BandsError("the backoff limit must be from 1 to 64 times the interval")
        previous: Band | None = None
        for n, band in enumerate(self.periodic, start=1):
            where = f"band {n} ({_band_text(band)})"
            if band.every < MIN_INTERVAL:
                raise BandsError(
                    f"{where}: reads every {format_duration(band.every)}; "
                    f"the shortest interval is {format_duration(MIN_INTERVAL)}"
                )
            if band.until > MAX_AGE:
                raise BandsError(f"{where}: ends after {MAX_AGE.days} days; bands must end sooner")
            if previous is not None and band.until <= previous.until:
                raise BandsError(
                    f"{where}: ends at {format_duration(band.until)}, not after the band "
                    f"before it ({format_duration(previous.until)}); list bands young to old"
                )
            if previous is not None and band.every < previous.every:
                raise BandsError(
                    f"{where}: reads every {format_duration(band.every)}, more often than the "
                    f"band before it (every {format_duration(previous.every)}); "
                    "older posts must be read as often or less often"
                )
            previous = band
        if self.final is not None:
            if self.final > MAX_AGE:
                raise BandsError(f"the last read is after {MAX_AGE.days} days; it must be sooner")
            if previous is not None and self.final <= previous.until:
                raise BandsError(
                    f"the last read (once@{format_duration(self.final)}) must come after the "
                    f"last band ends ({format_duration(previous.until)})"
                )
            if self.final <= timedelta(0):
                raise BandsError("the last read must be at an age above zero")

    @classmethod
    def parse(cls, text: str) -> Bands:
        """Bands from a setting such as ``"1h@6h,3h@24h,12h@72h,24h@7d,once@30d"``:
        ``EVERY@UNTIL`` items from young to old, and optionally ``once@AGE`` last."""
        items = [item.strip().lower() for item in text.split(",")]
        if items == [""]:
            raise BandsError("no bands: give at least one, e.g. " + DEFAULT_BANDS_TEXT)
        periodic: list[Band] = []
        final: timedelta | None = None
        for n, item in enumerate(items, start=1):
            where = f"band {n} ({item})"
            if not item:
                raise BandsError(f"band {n} is empty (two commas in a row?)")
            if final is not None:
                raise BandsError(f"{where}: comes after once@...; the once read must be last")
            every_text, at, until_text = item.partition("@")
            if not at:
                raise BandsError(f"{where}: write EVERY@UNTIL (e.g. 3h@24h) or once@AGE")
            try:
                until = parse_duration(until_text)
                if every_text.strip() == "once":
                    final = until
                else:
                    periodic.append(Band(parse_duration(every_text), until))
            except BandsError as exc:
                raise BandsError(f"{where}: {exc}") from None
        return cls(tuple(periodic), final)

    def __str__(self) -> str:
        parts = [_band_text(band) for band in self.periodic]
        if self.final is not None:
            parts.append(f"once@{format_duration(self.final)}")
        return ",".join(parts)

    def band_at(self, age: timedelta) -> Band | None:
        """The periodic band a post of this age is in, or None past the last one."""
        for band in self.periodic:
            if age < band.until:
                return band
        return None


def _band_text(band: Band) -> str:
    return f"{format_duration(band.every)}@{format_duration(band.until)}"


DEFAULT_BANDS = Bands.parse(DEFAULT_BANDS_TEXT)


def backoff(streak: int, limit: int = MAX_BACKOFF) -> int:
    """How many intervals to wait after ``streak`` unchanged reads in a row: 1, 2, 4, 8..."""
    doubled: int = 2 ** min(max(streak, 0), 16)
    return min(doubled, limit)


def next_read(
    sent_at: datetime,
    last_read_at: datetime | None,
    unchanged: int,
    now: datetime,
    bands: Bands = DEFAULT_BANDS,
) -> datetime | None:
    """When to read a post's counts next, or None when reading it is over.

    ``last_read_at`` is the last attempt, successful or not (a failed read waits for the
    next band time, like a good one); ``unchanged`` is the number of reads in a row that
    found the counts unchanged (see :func:`unchanged_streak`). A read that is already due
    (the daemon was away) is due ``now``: missed reads are not made up.
    """
    for name, value in (("sent_at", sent_at), ("last_read_at", last_read_at), ("now", now)):
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    last = sent_at if last_read_at is None else max(last_read_at, sent_at)
    final_at = None if bands.final is None else sent_at + bands.final
    if last_read_at is not None and final_at is not None and last >= final_at:
        return None
    band = bands.band_at(last - sent_at)
    if band is None:
        if final_at is None:
            return None
        due = final_at
    else:
        due = last + band.every * backoff(unchanged, bands.max_backoff)
        if final_at is not None:
            due = min(due, final_at)
    return max(due, now)
