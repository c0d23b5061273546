"""Withdrawal: consent withdrawn. The story never posts, and its live posts are deleted
from every platform, replies first, then the thread's head."""

from __future__ import annotations

from dataclasses import dataclass, field

from infobot.domain.delivery import DeliveryStatus
from infobot.domain.errors import Hint, InvalidTransition, PlatformError, UserError
from infobot.domain.story import StoryAction, StoryStatus, allowed
from infobot.platforms.base import Published
from infobot.service.editorial.desk import Desk
from infobot.store import deliveries, stories


@dataclass
class Deletion:
    platform: str
    remote_id: str
    ok: bool
    error: str = ""


@dataclass
class Withdrawal:
    story_id: int
    deletions: list[Deletion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.deletions)


class Withdrawals(Desk):
    def withdraw(self, story_id: int, *, reason: str, actor: str) -> Withdrawal:
        """Consent withdrawn: the story never posts, and its live posts are deleted."""
        if not reason.strip():
            raise UserError("give a reason (for the audit trail)", hint=Hint.GIVE_REASON)
        with self.db.write() as session:
            story = stories.get(session, story_id, self.campaign_id)
            if not allowed(StoryAction.WITHDRAW, story.status):
                raise InvalidTransition(f"story #{story_id} is already withdrawn")
            self.set_status(
                session, story, StoryStatus.WITHDRAWN, reason.strip(), actor=actor, pin_date=None
            )
            live = [
                (d.id, d.platform, deliveries.live_ids(d))
                for d in deliveries.of_story(session, story.id)
            ]
        report = Withdrawal(story_id)
        for delivery_id, platform_name, remote_ids in live:
            for remote_id in reversed(remote_ids):  # replies first, then the thread's head
                report.deletions.append(self._delete(delivery_id, platform_name, remote_id, actor))
        return report

    def _delete(self, delivery_id: int, platform_name: str, remote_id: str, actor: str) -> Deletion:
        try:
            self.platforms.get(platform_name).delete(Published(remote_id))
            result = Deletion(platform_name, remote_id, ok=True)
        except (PlatformError, LookupError) as exc:
            result = Deletion(platform_name, remote_id, ok=False, error=str(exc))
        with self.db.write() as session:
            if result.ok:
                delivery = deliveries.get(session, delivery_id)
                left = [p for p in deliveries.parts(delivery) if p.remote_id != remote_id]
                deliveries.set_parts(delivery, left)
                if not left:
                    delivery.status = DeliveryStatus.DELETED
                delivery.updated_at = self.now()
            self.event(
                session,
                actor=actor,
                action="delivery.deleted" if result.ok else "delivery.delete_failed",
                delivery_id=delivery_id,
                after={"platform": platform_name, "remote_id": remote_id},
                message=result.error or f"deleted {remote_id} from {platform_name}",
            )
        return result
