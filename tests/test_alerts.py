"""Alerts go out once each, to the log and through apprise to real HTTP endpoints."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from infobot.app import App
from infobot.clock import FixedClock
from infobot.settings import load_settings


def test_an_alert_is_sent_once_through_apprise(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = f"json://{httpserver.host}:{httpserver.port}/hook"
    os.environ["INFOBOT_ALERT_URLS"] = url
    app = App.open(
        load_settings(database_url=f"sqlite:///{tmp_path / 'a.db'}"),
        FixedClock(datetime(2026, 11, 23, 9, 31, tzinfo=UTC)),
    )
    try:
        alerter = app.alerts
        assert alerter.raise_once("deadman:2026-11-23", "dead_man", "Today's post is late.")
        assert not alerter.raise_once("deadman:2026-11-23", "dead_man", "Today's post is late.")
    finally:
        app.close()
    requests = [r for r, _ in httpserver.log]
    assert len(requests) == 1
    body = json.loads(requests[0].get_data(as_text=True))
    assert body["message"] == "Today's post is late."
    assert "dead man" in body["title"]
    assert "ALERT dead_man: Today's post is late." in caplog.text


def test_a_broken_alert_channel_does_not_stop_the_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    os.environ["INFOBOT_ALERT_URLS"] = "json://127.0.0.1:9/nobody-listens"
    app = App.open(
        load_settings(database_url=f"sqlite:///{tmp_path / 'a.db'}"),
        FixedClock(datetime(2026, 11, 23, 9, 31, tzinfo=UTC)),
    )
    try:
        assert app.alerts.raise_once("missed:x", "missed_day", "No post today.")
    finally:
        app.close()
    assert "could not send the alert" in caplog.text


def test_alert_urls_are_secrets(tmp_path: Path) -> None:
    from infobot.settings import secret_values

    os.environ["INFOBOT_ALERT_URLS"] = "slack://T000/B000/XXXXSECRET, mailto://u:pw@example.org"
    settings = load_settings()
    assert "XXXXSECRET" not in repr(settings)
    assert "slack://T000/B000/XXXXSECRET" in secret_values(settings)
