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
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

if TYPE_CHECKING:
    from infobot.app import App

log = logging.getLogger("infobot.metrics")


class DatabaseCollector:
    """A prometheus-client collector: every figure comes from one read transaction."""

    def __init__(self, app: App) -> None:
        self.app = app

    def describe(self) -> list[Any]:
        return []  # figures are computed per scrape; nothing to pre-register

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from infobot.domain.delivery import UNCONFIRMED
        from infobot.service.schedule import Planner
        from infobot.store.models import Delivery, Heartbeat

        with self.app.db.read() as session:
            by_status = session.execute(
                select(
                    Delivery.platform,
                    Delivery.status,
                    func.count(),
                    func.coalesce(func.sum(Delivery.attempts), 0),
                    func.max(Delivery.sent_at),
                ).group_by(Delivery.platform, Delivery.status)
            ).all()
            beat = session.scalar(select(func.max(Heartbeat.beat_at)))
            runway, _ = Planner(self.app).runway(session)

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
        for platform in sorted(set(tries) | set(self.app.settings.platforms)):
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


def registry_for(app: App) -> Any:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(app))
    return registry


def render(app: App) -> bytes:
    """The text exposition format, as a scrape would receive it."""
    from prometheus_client import generate_latest

    data: bytes = generate_latest(registry_for(app))
    return data


def serve(app: App, host: str, port: int) -> Callable[[], None]:
    """Serve ``/metrics`` in a background thread; returns a function that stops it."""
    from prometheus_client import start_http_server

    server, thread = start_http_server(port, addr=host, registry=registry_for(app))
    log.info("metrics on http://%s:%s/metrics", host, port)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
