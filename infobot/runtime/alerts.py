"""Alerts: each one raised once (a unique key in the database), always logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from infobot.store.models import Alert

if TYPE_CHECKING:
    from infobot.app import App

log = logging.getLogger("infobot.alerts")


class Alerter:
    def __init__(self, app: App) -> None:
        self.app = app

    def raise_once(self, key: str, kind: str, message: str) -> bool:
        """Record and announce an alert; False when this key was raised before."""
        try:
            with self.app.db.write() as session:
                session.add(Alert(key=key, kind=kind, at=self.app.clock.now(), message=message))
        except IntegrityError:
            return False
        log.warning("ALERT %s: %s", kind, message)
        return True
