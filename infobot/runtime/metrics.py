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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from infobot.domain.calendar import Runway
from infobot.domain.delivery import UNCONFIRMED

if TYPE_CHECKING:
    from infobot.service.read.plan import Planner
    from infobot.store.db import Database
    from infobot.store.reader import Reader
    from infobot.store.rows import CampaignRow

log = logging.getLogger("infobot.metrics")


@dataclass(frozen=True)
class Figures:
    """What a scrape reports, from one read: per platform and delivery status how many,
    their attempts and the latest sent time; the latest heartbeat; the queue's runway."""

    deliveries: Sequence[tuple[str, str, int, int, datetime | None]]
    beat: datetime | None
    runway: Runway


def database_figures(db: Database, planner: Planner) -> Callable[[], Figures]:
    """The figures through the full application's store (the daemon in one process; the
    supervisor of ``infobot run`` reads the same through the lean SQL)."""

    def read() -> Figures:
        from infobot.store.db import reader_of

        with db.read() as session:
            runway, _ = planner.runway(session)
            return figures_of(reader_of(session), runway)

    return read


def figures_of(r: Reader, runway: Runway) -> Figures:
    """The deliveries and the heartbeat (one SQL for both paths), with the ``runway``."""
    from infobot.store.queries import daemon, slots

    beat = slots.latest_heartbeat(r)
    return Figures(daemon.delivery_stats(r), beat[0] if beat else None, runway)


def lean_figures(r: Reader, campaign: str, now: datetime, late_window: timedelta) -> Figures:
    """The figures through the lean SQL (the supervisor of ``infobot run``), for the
    campaign the full application would report: ``campaign`` by name, else the one the
    settings made."""
    from infobot.service.campaign_status import runway_of
    from infobot.store.queries import campaigns, slots

    row = chosen_campaign(r, campaign)
    state = campaigns.state(r, row.id, late_window)
    if state is None:
        raise LookupError("the campaign is gone")
    today = slots.status_on(r, row.id, state.schedule.local_date(now))
    languages = campaigns.spec_of(row).languages
    runway, _ = runway_of(r, row.id, state, now, today, languages)
    return figures_of(r, runway)


def chosen_campaign(r: Reader, campaign: str) -> CampaignRow:
    """The campaign named ``campaign``, else the one the settings made (``App.open``)."""
    from infobot.store.queries import campaigns

    rows = campaigns.every(r)
    found = [row for row in rows if row.name == campaign] if campaign else []
    found = found or [row for row in rows if row.from_settings] or rows
    if not found:
        raise LookupError("no campaign yet")
    return found[0]


class DatabaseCollector:
    """A prometheus-client collector: every figure comes from one read transaction."""

    def __init__(self, figures: Callable[[], Figures], platforms: Sequence[str]) -> None:
        self.figures = figures
        self.platforms = tuple(platforms)

    def describe(self) -> list[Any]:
        return []  # figures are computed per scrape; nothing to pre-register

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        found = self.figures()
        by_status, beat, runway = found.deliveries, found.beat, found.runway

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
