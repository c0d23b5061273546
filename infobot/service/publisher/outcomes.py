"""What claiming a day and delivering a story come to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from infobot.domain.delivery import DeliveryStatus


@dataclass
class Claim:
    """The outcome of claiming a day."""

    day: date
    slot_id: int | None
    story_id: int | None
    created: bool  # False: the slot was already taken (by us earlier or another process)
    status: str
    reason: str = ""


@dataclass
class Outcome:
    platform: str
    status: str
    url: str = ""
    error: str = ""
    parts_sent: int = 0
    parts_total: int = 0


@dataclass
class Delivered:
    story_id: int
    outcomes: list[Outcome] = field(default_factory=list)
    attempted: int = 0  # deliveries that were open and driven now

    @property
    def ok(self) -> bool:
        return all(o.status == DeliveryStatus.SENT for o in self.outcomes)
