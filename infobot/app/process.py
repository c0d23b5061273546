"""What one process shares between the Apps of its campaigns.

The runner asks for the running campaigns at every tick; each campaign's App (and the
daemon built from it) is kept while the campaign's row stands as it was, so what a daemon
remembers between ticks survives: the days it is sending (their result is pinged when
their work ends, perhaps ticks later), and the dead-man switch's state (one URL for the
process: a failed day holds the ticks back, and a tick pings at most every 5 minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infobot.runtime.heartbeat_ping import Pings
    from infobot.runtime.runner import CampaignDaemon


@dataclass
class ProcessParts:
    pinger: Pings | None = None  # a worker of `infobot run`: the relay to its supervisor's
    daemons: dict[int, tuple[Hashable, CampaignDaemon]] = field(default_factory=dict)

    def daemon(
        self, campaign_id: int, key: Hashable, build: Callable[[], CampaignDaemon]
    ) -> CampaignDaemon:
        """The campaign's daemon, built again only when ``key`` (what it was built
        from) changed."""
        cached = self.daemons.get(campaign_id)
        if cached is None or cached[0] != key:
            cached = (key, build())
            self.daemons[campaign_id] = cached
        return cached[1]

    def keep_only(self, campaign_ids: set[int]) -> None:
        """Forget the daemons of campaigns that no longer run."""
        for gone in set(self.daemons) - campaign_ids:
            del self.daemons[gone]
