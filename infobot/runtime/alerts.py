"""Alerts: each one raised once (a unique key in the database), always logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from infobot.store.models import Alert

if TYPE_CHECKING:
    from infobot.app import App

log = logging.getLogger("infobot.alerts")


class Alerter:
    def __init__(self, app: App) -> None:
        self.app = app

    def raise_once(self, key: str, kind: str, message: str) -> bool:
        """Record and announce an alert; False when this key was raised before.

        The daemon asks every minute for every alert whose condition still holds (a failed
        delivery stays failed), so an alert already raised is answered from a read, which
        takes no write lock; the unique key settles a race between two daemons."""
        with self.app.db.read() as session:
            if session.scalar(select(Alert.id).where(Alert.key == key)) is not None:
                return False
        try:
            with self.app.db.write() as session:
                session.add(Alert(key=key, kind=kind, at=self.app.clock.now(), message=message))
        except IntegrityError:
            return False
        log.warning("ALERT %s: %s", kind, message)
        self._send(kind, message)
        return True

    def _send(self, kind: str, message: str) -> None:
        """Deliver through apprise to every configured URL; a failure is logged, not fatal."""
        urls = [url.get_secret_value() for url in self.app.settings.alert_urls]
        if not urls:
            return
        import warnings

        title = f"infobot ({self.app.settings.campaign_name}): {kind.replace('_', ' ')}"
        with warnings.catch_warnings():
            # apprise's plugins import the standard library's deprecated imghdr module
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            notifier = apprise.Apprise()
            for url in urls:
                notifier.add(url)
            try:
                sent = notifier.notify(title=title, body=message)
            except Exception:  # a broken alert channel must not stop the daemon
                log.exception("could not send the alert")
                return
        if not sent:
            log.error("could not send the alert to every alert URL (see apprise's log)")
