"""The Prometheus endpoint, scraped over real HTTP; its figures follow the database."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from infobot.app import App
from infobot.clock import FixedClock
from infobot.runtime.metrics import serve
from infobot.settings import load_settings
from tests.conftest import story_row, write_csv

MONDAY_9 = datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'm.db'}",
        outbox_path=str(tmp_path / "outbox.jsonl"),
        platforms="outbox",
    )
    application = App.open(settings, FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)))
    yield application
    application.close()


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_are_scraped_and_change_after_a_post(app: App, tmp_path: Path) -> None:
    rows = [story_row(n) for n in range(1, 4)]
    report = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam")
    app.editorial().approve(report.added_ids, actor="alex")
    port = free_port()
    stop = serve(app.metrics(), "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        before = scrape(url)
        assert before[("infobot_queue_approved_stories", ())] == 3
        assert before[("infobot_queue_runway_days", ())] == 3
        assert before[("infobot_delivery_attempts_total", (("platform", "outbox"),))] == 0
        assert ("infobot_posts_total", (("outcome", "sent"), ("platform", "outbox"))) not in before
        assert not any(
            name == "infobot_scheduler_heartbeat_timestamp_seconds" for name, _ in before
        )

        assert isinstance(app.clock, FixedClock)
        app.clock.set(MONDAY_9)
        app.daemon().tick()

        after = scrape(url)
        assert after[("infobot_posts_total", (("outcome", "sent"), ("platform", "outbox")))] == 1
        assert after[("infobot_delivery_attempts_total", (("platform", "outbox"),))] == 1
        assert after[("infobot_delivery_retries_total", (("platform", "outbox"),))] == 0
        assert after[("infobot_deliveries_in_doubt", (("platform", "outbox"),))] == 0
        assert after[("infobot_queue_approved_stories", ())] == 2
        assert after[("infobot_queue_runway_days", ())] == 2
        last = after[("infobot_last_successful_post_timestamp_seconds", (("platform", "outbox"),))]
        assert last == MONDAY_9.timestamp()
        beat = after[("infobot_scheduler_heartbeat_timestamp_seconds", ())]
        assert beat == MONDAY_9.timestamp()
    finally:
        stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)


def test_metrics_port_setting_is_validated() -> None:
    from infobot.domain.errors import ConfigError

    with pytest.raises(ConfigError, match="INFOBOT_METRICS_PORT"):
        load_settings(metrics_port="99999")


def test_the_supervisor_reports_what_the_full_application_reports(app: App, tmp_path: Path) -> None:
    """``infobot run``'s small process reads the figures through the lean SQL: the same
    exposition, scrape for scrape, as the full application's."""
    from datetime import timedelta

    from infobot.runtime.metrics import render
    from infobot.runtime.supervisor import Supervisor
    from infobot.store.reader import connect

    rows = [story_row(n) for n in range(1, 4)]
    report = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam")
    app.editorial().approve(report.added_ids[:2], actor="alex")
    url = app.settings.database_url
    from tests.test_supervisor import no_worker

    supervisor = Supervisor(
        lambda: connect(url), app.clock, timedelta(hours=6), no_worker, worker="m:1"
    )
    try:
        lean = supervisor.collector("")
        assert render(lean) == render(app.metrics())
        assert isinstance(app.clock, FixedClock)
        app.clock.set(MONDAY_9)
        app.daemon().tick()
        after = render(lean)
        assert after == render(app.metrics())
        assert b'infobot_posts_total{outcome="sent",platform="outbox"} 1.0' in after
        assert b"infobot_queue_runway_days 1.0" in after
    finally:
        supervisor.close()
