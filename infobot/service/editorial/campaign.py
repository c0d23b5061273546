"""The campaign's own switches: pause and resume, and blackout dates."""

from __future__ import annotations

from datetime import date

from infobot.domain.dates import long_date, weekday_date
from infobot.domain.errors import UserError
from infobot.service.editorial.desk import Desk
from infobot.store import campaigns, stories


class CampaignDesk(Desk):
    def pause(self, *, until: date | None, reason: str, actor: str) -> None:
        if until is not None and until < self.today():
            raise UserError(f"the pause would end on {long_date(until)}, which is in the past")
        with self.db.write() as session:
            campaign = campaigns.get(session, self.campaign_id)
            before = {"paused": campaign.paused, "paused_until": campaign.paused_until}
            campaign.paused = True
            campaign.paused_until = until
            campaign.pause_reason = reason
            self.event(
                session,
                actor=actor,
                action="campaign.paused",
                before=before,
                after={"paused": True, "paused_until": until, "reason": reason},
                message="paused" + (f" until {until.isoformat()}" if until else ""),
            )

    def resume(self, *, actor: str) -> bool:
        with self.db.write() as session:
            campaign = campaigns.get(session, self.campaign_id)
            if not campaign.paused:
                return False
            before = {"paused": True, "paused_until": campaign.paused_until}
            campaign.paused = False
            campaign.paused_until = None
            campaign.pause_reason = ""
            self.event(
                session,
                actor=actor,
                action="campaign.resumed",
                before=before,
                after={"paused": False, "paused_until": None},
                message="resumed",
            )
            return True

    def blackout_add(self, day: date, *, reason: str, actor: str) -> list[str]:
        """Add a blackout date; returns warnings (e.g. a story pinned to that day)."""
        if day < self.today():
            raise UserError(f"{long_date(day)} is in the past")
        warnings = []
        with self.db.write() as session:
            if campaigns.blackout_on(session, self.campaign_id, day) is not None:
                raise UserError(f"{weekday_date(day)} is already a blackout date")
            campaigns.add_blackout(session, self.campaign_id, day, reason, actor, self.now())
            pinned = stories.pinned_on(session, self.campaign_id, day)
            if pinned is not None:
                warnings.append(
                    f"story #{pinned.id} is pinned to {weekday_date(day)} and will not post "
                    "while this blackout stands; pin it to another date"
                )
            self.event(
                session,
                actor=actor,
                action="blackout.added",
                after={"day": day, "reason": reason},
                message=f"blackout {day.isoformat()}",
            )
        return warnings

    def blackout_remove(self, day: date, *, actor: str) -> None:
        with self.db.write() as session:
            row = campaigns.blackout_on(session, self.campaign_id, day)
            if row is None:
                raise UserError(f"{weekday_date(day)} is not a blackout date")
            before = {"day": row.day, "reason": row.reason}
            session.delete(row)
            self.event(
                session,
                actor=actor,
                action="blackout.removed",
                before=before,
                message=f"blackout {day.isoformat()} removed",
            )
