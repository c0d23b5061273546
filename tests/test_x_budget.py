"""What X costs, against the fake X through tweepy: the ledger holds every request the
fake received, priced; with INFOBOT_X__MONTHLY_BUDGET a post that would take the month
over it is refused on X alone (an alert, an audit event), reads stop before any post is
refused, and the team is told a week ahead when the budget runs out before the queue."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from infobot.store import xledger
from infobot.store.models import Alert, Delivery, Event, XCharge
from tests.harness_x import URL, Recorded
from tests.support.impact_world import MONDAY, START, World, world

pytestmark = pytest.mark.slow
LINK = {"link": "https://www.example.gov.uk/infostory/shared-records"}


def priced(request: Recorded) -> Decimal:
    """What X charges for one request the fake received, by the published prices."""
    if not 200 <= request.status < 300:
        return Decimal(0)
    if request.method == "POST" and request.path == "/2/tweets":
        text = json.loads(request.body)["text"]
        return Decimal("0.200") if URL.search(text) else Decimal("0.015")
    if request.method == "GET" and request.path == "/2/tweets":
        return Decimal("0.005") * request.returned
    if request.method == "GET" and request.path.endswith("/tweets"):
        return Decimal("0.001") * request.returned
    if request.method == "GET" and request.path == "/2/users/me":
        return Decimal("0.010")
    if request.method == "DELETE":
        return Decimal("0.010")
    if request.path == "/2/media/metadata":
        return Decimal("0.005")
    return Decimal(0)


def ledger_total(w: World) -> tuple[int, Decimal]:
    with w.app.db.read() as session:
        rows = session.scalars(select(XCharge)).all()
        return len(rows), xledger.spent(
            session, START - timedelta(days=60), START + timedelta(days=60)
        )


def test_the_ledger_is_every_request_the_fake_x_received_priced(tmp_path: Path) -> None:
    with world(tmp_path, platforms="x", campaign_end=MONDAY + timedelta(days=2)) as w:
        w.stories(3, **LINK)
        w.run_until(START + timedelta(days=4))
        w.app.editorial().withdraw(1, reason="Consent withdrawn", actor="alex")
        received = w.x.received()
        assert {r.path for r in received} >= {"/2/tweets"}
        assert any(r.method == "GET" and r.path == "/2/tweets" for r in received), "reads made"
        count, total = ledger_total(w)
        assert count == len(received)
        assert total == sum((priced(r) for r in received), Decimal(0))
        assert total > Decimal("0.60")  # three posts with a link, then the reads


def test_the_post_that_would_cross_the_budget_is_refused_on_x_only(tmp_path: Path) -> None:
    with world(
        tmp_path,
        platforms="x,mastodon",
        campaign_end=MONDAY + timedelta(days=2),
        x={"monthly_budget": "0.50"},
    ) as w:
        w.stories(3, **LINK)
        w.run_until(START + timedelta(hours=1))
        with w.app.db.read() as session:
            runway = session.scalars(select(Alert).where(Alert.kind == "x_budget")).one()
        assert "runs out before the queue does" in runway.message
        assert "Wednesday 25 November 2026" in runway.message  # the third post's day
        w.run_until(START + timedelta(days=3))

        with w.app.db.read() as session:
            rows = session.execute(
                select(Delivery.story_id, Delivery.platform, Delivery.status, Delivery.error)
            ).all()
            refused = session.scalars(
                select(Event).where(Event.action == "delivery.budget_refused")
            ).all()
            alerts = session.scalars(select(Alert).where(Alert.kind == "delivery_failed")).all()
        status = {(s, p): st for s, p, st, _ in rows}
        assert status == {
            (1, "x"): "sent",
            (1, "mastodon"): "sent",
            (2, "x"): "sent",
            (2, "mastodon"): "sent",
            (3, "x"): "failed",
            (3, "mastodon"): "sent",
        }
        error = next(e for s, p, _, e in rows if (s, p) == (3, "x"))
        assert "not sent to X" in error and "INFOBOT_X__MONTHLY_BUDGET" in error
        assert "$0.60" in error and "$0.50" in error
        assert len(refused) == 1 and refused[0].story_id == 3
        assert len(alerts) == 1 and "INFOBOT_X__MONTHLY_BUDGET" in alerts[0].message
        # reads stopped first: no engagement read was ever made on X this month
        assert not [r for r in w.x.received() if r.method == "GET" and r.path == "/2/tweets"]
        assert len(w.fake_x.tweets) == 2
        _, total = ledger_total(w)
        assert total == Decimal("0.40") <= Decimal("0.50")
