"""Alerts: each one raised once (a unique key in the database), always logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from infobot.clock import Clock
from infobot.domain.attention import Alert
from infobot.store import alerts
from infobot.store.db import Database

log = logging.getLogger("infobot.alerts")


class Alerter:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        urls: Sequence[str] = (),
        campaign_name: str = "",
        key_prefix: str = "",
        name_campaign: bool = False,
    ) -> None:
        self.db = db
        self.clock = clock
        self.urls = tuple(urls)  # apprise URLs: they hold tokens
        self.campaign_name = campaign_name
        #: Alerts of campaigns other than the first carry their campaign in the key (each
        #: campaign's "missed on 2026-12-01" goes out once), and with several campaigns
        #: each message starts with the campaign's name.
        self.key_prefix = key_prefix
        self.name_campaign = name_campaign

    def raise_alert(self, alert: Alert) -> bool:
        message = alert.message
        if self.name_campaign:
            message = f"Campaign {self.campaign_name}: {message}"
        return self.raise_once(self.key_prefix + alert.key, alert.kind, message)

    def raise_alerts(self, found: Sequence[Alert]) -> None:
        """:meth:`raise_alert` for each of ``found``, those raised before answered by one
        read for them all (the daemon asks for every alert that still holds each tick)."""
        if not found:
            return
        with self.db.read() as session:
            raised = alerts.raised(session, [self.key_prefix + alert.key for alert in found])
        for alert in found:
            if self.key_prefix + alert.key not in raised:
                self.raise_alert(alert)

    def raise_once(self, key: str, kind: str, message: str) -> bool:
        """Record and announce an alert; False when this key was raised before.

        The daemon asks every minute for every alert whose condition still holds (a failed
        delivery stays failed), so an alert already raised is answered from a read, which
        takes no write lock; the unique key settles a race between two daemons."""
        with self.db.read() as session:
            if alerts.was_raised(session, key):
                return False
        try:
            with self.db.write() as session:
                alerts.add(session, key, kind, self.clock.now(), message)
        except IntegrityError:
            return False
        log.warning("ALERT %s: %s", kind, message)
        self._send(kind, message)
        return True

    def _send(self, kind: str, message: str) -> None:
        """Deliver through apprise to every configured URL; a failure is logged, not fatal."""
        if not self.urls:
            return
        import warnings

        title = f"infobot ({self.campaign_name}): {kind.replace('_', ' ')}"
        with warnings.catch_warnings():
            # apprise's plugins import the standard library's deprecated imghdr module
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            notifier = apprise.Apprise()
            for url in self.urls:
                notifier.add(url)
            try:
                sent = notifier.notify(title=title, body=message)
            except Exception:  # a broken alert channel must not stop the daemon
                log.exception("could not send the alert")
                return
        if not sent:
            log.error("could not send the alert to every alert URL (see apprise's log)")
