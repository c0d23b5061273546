"""A dead-man switch outside the container: pings to a healthchecks.io-compatible URL.

Alerts from inside infobot stop when the whole container is gone. With
``INFOBOT_HEARTBEAT_URL`` set (``https://hc-ping.com/<uuid>``, or any server speaking the
same protocol), the daemon tells an outside service that it is alive, and that service
tells the operator when the pings stop:

* ``start()``: ``GET <url>/start`` when the day's run begins;
* ``success(note)``: ``POST <url>`` when it ends well (or ``GET`` with no note);
* ``fail(reason)``: ``POST <url>/fail`` with the reason as the body, secrets scrubbed;
* ``tick()``: ``GET <url>`` from the minute tick, at most once every 5 minutes.

The day's run result always goes out. A tick after a failure is held back until the next
run succeeds, so that the check stays failed (a tick must not hide a failed day). With
several campaigns (one URL for the process), each run's result carries its campaign as
``key``: a good day of one campaign is sent as ``/fail`` while another's day stands
failed, with that day's reason.

The URL is a secret of sorts (whoever has it can ping): it is never logged whole, only
its scheme and host. A ping that fails is logged and counted, never raised: the daemon's
work does not depend on the pinger. Time comes from the injected clock.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from infobot.clock import Clock
from infobot.logs import Redactor
from infobot.service.webfetch import FetchLimits, FetchRefused, GuardedHttp

__all__ = ["MIN_TICK_INTERVAL", "HeartbeatPinger", "PingKind", "PingOutcome", "Pings", "masked"]

log = logging.getLogger(__name__)

MIN_TICK_INTERVAL = timedelta(minutes=5)
MAX_BODY = 10_000  # characters of a reason sent; healthchecks.io keeps 100 kB
_MAX_ANSWER = 64 * 1024
_SECRETISH = re.compile(
    r"(?i)\b(token|secret|password|passwd|api[_-]?key|authorization)"
    r"(\s*[=:]\s*(?:bearer\s+|basic\s+)?)[^\s,;&]+"
)


class PingKind(StrEnum):
    START = "start"
    SUCCESS = "success"
    FAIL = "fail"
    TICK = "tick"


class PingOutcome(StrEnum):
    SENT = "sent"
    DISABLED = "disabled"  # no heartbeat URL configured
    TOO_SOON = "too_soon"  # a tick within MIN_TICK_INTERVAL of the last ping
    HELD = "held"  # a tick while the last run result is a failure
    FAILED = "failed"  # the ping could not be delivered (logged)


class Pings(Protocol):
    """What the daemon asks of the dead-man switch (:class:`HeartbeatPinger`, or in a
    worker of ``infobot run`` the relay to its supervisor's, ``infobot.runtime.worker``)."""

    @property
    def enabled(self) -> bool: ...

    def start(self) -> object: ...

    def success(self, note: str = "", key: str = "") -> object: ...

    def fail(self, reason: str, key: str = "") -> object: ...

    def tick(self) -> object: ...


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


def masked(url: str) -> str:
    """The URL as it may be logged: scheme and host only (``https://hc-ping.com/…``)."""
    try:
        split = urlsplit(url)
    except ValueError:
        return "(heartbeat URL)"
    if not split.scheme or not split.hostname:
        return "(heartbeat URL)"
    return f"{split.scheme}://{split.hostname}/…"


class HeartbeatPinger:
    """Sends the pings. Thread-safe: the daily run and the minute tick may overlap."""

    def __init__(
        self,
        url: _Secret | str | None,  # pydantic's SecretStr or the light reader's Secret
        clock: Clock,
        *,
        timeout_seconds: float = 5.0,
        min_tick_interval: timedelta = MIN_TICK_INTERVAL,
        secrets: Iterable[str] = (),
        http: GuardedHttp | None = None,
    ) -> None:
        raw = url if isinstance(url, str) else url.get_secret_value() if url else ""
        self._url = raw.strip().rstrip("/")
        self.clock = clock
        self.min_tick_interval = min_tick_interval
        path = urlsplit(self._url).path.strip("/") if self._url else ""
        parts = [part for part in path.split("/") if len(part) >= 8]  # ping keys, UUIDs
        self._redact = Redactor([*secrets, self._url, path, *parts])
        limits = FetchLimits(
            connect_seconds=timeout_seconds,
            read_seconds=timeout_seconds,
            total_seconds=timeout_seconds,
            max_redirects=0,
        )
        # The operator chose this address: a healthchecks server on the local network is fine.
        self._http = http or GuardedHttp(
            limits=limits, allow_private=True, user_agent="infobot (heartbeat)"
        )
        self._lock = threading.Lock()
        self.last_ping_at: datetime | None = None
        self._failed_runs: dict[str, str] = {}  # campaign -> why its last run failed
        self.failures = 0  # pings that could not be delivered, since start

    @property
    def failing(self) -> bool:
        """The last run result of some campaign was a failure."""
        return bool(self._failed_runs)

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def scrub(self, text: str) -> str:
        """``text`` without the configured secrets, the URL's key, or anything written
        as ``token=…``, ``password: …`` or ``Authorization: Bearer …``."""
        return _SECRETISH.sub(r"\1\2[redacted]", self._redact(text))

    def start(self) -> PingOutcome:
        return self._ping(PingKind.START, "/start", "")

    def success(self, note: str = "", key: str = "") -> PingOutcome:
        return self._ping(PingKind.SUCCESS, "", note, key)

    def fail(self, reason: str, key: str = "") -> PingOutcome:
        return self._ping(PingKind.FAIL, "/fail", reason or "failed", key)

    def tick(self) -> PingOutcome:
        return self._ping(PingKind.TICK, "", "")

    def _ping(self, kind: PingKind, suffix: str, body: str, key: str = "") -> PingOutcome:
        if not self._url:
            return PingOutcome.DISABLED
        with self._lock:
            now = self.clock.now()
            if kind is PingKind.TICK:
                if self.failing:
                    return PingOutcome.HELD
                if self.last_ping_at is not None and now - self.last_ping_at < (
                    self.min_tick_interval
                ):
                    return PingOutcome.TOO_SOON
            elif kind is PingKind.FAIL:
                self._failed_runs[key] = body
            elif kind is PingKind.SUCCESS:
                self._failed_runs.pop(key, None)
                if self._failed_runs:  # another campaign's day stands failed
                    kind, suffix = PingKind.FAIL, "/fail"
                    still = "; ".join(self._failed_runs.values())
                    body = f"{body or 'ok'}; still failed: {still}"
            self.last_ping_at = now
        data = self.scrub(body)[:MAX_BODY].encode("utf-8")
        try:
            self._http.request(
                "POST" if data else "GET",
                self._url + suffix,
                body=data,
                headers={"Content-Type": "text/plain; charset=utf-8"} if data else None,
                max_bytes=_MAX_ANSWER,
                truncate=True,
                follow_redirects=False,
            )
        except FetchRefused as exc:
            return self._failed(kind, exc.reason)
        except Exception as exc:  # the pinger must never take the daemon down
            return self._failed(kind, f"unexpected error ({type(exc).__name__})")
        log.debug("heartbeat %s sent to %s", kind.value, masked(self._url))
        return PingOutcome.SENT

    def _failed(self, kind: PingKind, reason: str) -> PingOutcome:
        with self._lock:
            self.failures += 1
        log.warning(
            "heartbeat %s to %s could not be sent: %s",
            kind.value,
            masked(self._url),
            self.scrub(reason),
            extra={"event": "heartbeat_ping", "outcome": "failed"},
        )
        return PingOutcome.FAILED
