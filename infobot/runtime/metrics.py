"""Prometheus metrics, read from the database at each scrape.

The database is the truth shared by every daemon (and by restarts), so the figures are
computed from it when Prometheus asks rather than counted in one process's memory: two
replicas report the same numbers and a restart loses nothing. Each scrape runs a handful
of small aggregate queries (deliveries are one row per story and platform).

``INFOBOT_METRICS_PORT`` turns the endpoint on (``infobot run`` serves it on
``INFOBOT_METRICS_HOST``, default 127.0.0.1; the container sets 0.0.0.0).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from infobot.domain.delivery import UNCONFIRMED
from infobot.service.read.plan import Planner
from infobot.store import deliveries, heartbeats
from infobot.store.db import Database

log = logging.getLogger("infobot.metrics")


class DatabaseCollector:
    """A prometheus-client collector: every figure comes from one read transaction."""

    def __init__(self, db: Database, planner: Planner, platforms: Sequence[str]) -> None:
        self.db = db
        self.planner = planner
        self.platforms = tuple(platforms)

    def describe(self) -> list[Any]:
        return []  # figures are computed per scrape; nothing to pre-register

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        with self.db.read() as session:
            by_status = deliveries.stats(session)
            beat = heartbeats.latest_beat_at(session)
            runway, _ = self.planner.runway(session)

        posts = CounterMetricFamily(
            "infobot_posts",
            "Deliveries of a story to a platform, by platform and outcome",
            labels=["platform", "outcome"],
        )
        attempts = CounterMetricFamily(
            "infobot_delivery_attempts",
            "Calls made to a platform to deliver posts, first tries and retries",
            labels=["platform"],
        )
        retries = CounterMetricFamily(
            "infobot_delivery_retries",
            "Calls beyond the first for a delivery (transient errors, rate limits, doubt)",
            labels=["platform"],
        )
        doubt = GaugeMetricFamily(
            "infobot_deliveries_in_doubt",
            "Deliveries whose result is unknown and waits for reconciliation",
            labels=["platform"],
        )
        last = GaugeMetricFamily(
            "infobot_last_successful_post_timestamp_seconds",
            "When a post last went out on the platform (Unix time)",
            labels=["platform"],
        )
        tries: dict[str, int] = {}
        counts: dict[str, int] = {}
        latest: dict[str, float] = {}
        in_doubt: dict[str, int] = {}
        for platform, status, count, tried, sent_at in by_status:
            posts.add_metric([platform, status], count)
            tries[platform] = tries.get(platform, 0) + int(tried)
            counts[platform] = counts.get(platform, 0) + count
            if status in UNCONFIRMED:
                in_doubt[platform] = in_doubt.get(platform, 0) + count
            if sent_at is not None:
                latest[platform] = max(latest.get(platform, 0.0), sent_at.timestamp())
        for platform in sorted(set(tries) | set(self.platforms)):
            attempts.add_metric([platform], tries.get(platform, 0))
            retries.add_metric([platform], max(tries.get(platform, 0) - counts.get(platform, 0), 0))
            doubt.add_metric([platform], in_doubt.get(platform, 0))
            if platform in latest:
                last.add_metric([platform], latest[platform])
        yield from (posts, attempts, retries, doubt, last)
        yield GaugeMetricFamily(
            "infobot_queue_runway_days",
            "Posting days the approved queue covers without a gap",
            value=runway.runway_days,
        )
        yield GaugeMetricFamily(
            "infobot_queue_approved_stories", "Approved stories waiting", value=runway.approved
        )
        if beat is not None:
            yield GaugeMetricFamily(
                "infobot_scheduler_heartbeat_timestamp_seconds",
                "Last heartbeat of any daemon on this database (Unix time)",
                value=beat.timestamp(),
            )


def registry_for(collector: DatabaseCollector) -> Any:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def render(collector: DatabaseCollector) -> bytes:
    """The text exposition format, as a scrape would receive it."""
    from prometheus_client import generate_latest

    data: bytes = generate_latest(registry_for(collector))
    return data


def serve(collector: DatabaseCollector, host: str, port: int) -> Callable[[], None]:
    """Serve ``/metrics`` in a background thread; returns a function that stops it."""
    from prometheus_client import start_http_server

    server, thread = start_http_server(port, addr=host, registry=registry_for(collector))
    log.info("metrics on http://%s:%s/metrics", host, port)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
