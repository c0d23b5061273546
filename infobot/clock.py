"""Time comes from a Clock, never from ``datetime.now()`` elsewhere, so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and simulations: stands still until told to move."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def local_today(clock: Clock, tz: ZoneInfo) -> date:
    return clock.now().astimezone(tz).date()


class ShiftedClock:
    """Real time, moved to start at ``start`` (for demos); ``speed`` > 1 runs it faster."""

    def __init__(self, start: datetime, base: Clock | None = None, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware datetime")
        self._base = base or SystemClock()
        self._origin = self._base.now()
        self._start = start.astimezone(UTC)
        self._speed = speed

    def now(self) -> datetime:
        return self._start + (self._base.now() - self._origin) * self._speed

    def move_to(self, when: datetime) -> None:
        """Go on from ``when`` (a worker of ``infobot run`` keeps to its supervisor's time)."""
        if when.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware datetime")
        self._origin = self._base.now()
        self._start = when.astimezone(UTC)


def clock_from(start: datetime | None) -> Clock:
    """The clock the settings ask for: shifted to start at ``INFOBOT_CLOCK_START``, else
    the system's."""
    return ShiftedClock(start) if start is not None else SystemClock()
