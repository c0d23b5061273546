"""The read side: one set of typed queries and models for the web page and the CLI.

- :mod:`.stories`: the story list, one story, the queue page, review, live posts;
- :mod:`.plan`: the plan of coming days (``preview``) and the runway;
- :mod:`.calendar`: a month of the web page's calendar;
- :mod:`.status`: ``status``, and what needs attention (the daemon's alerts too);
- :mod:`.records`: the post history, the audit trail and the exports.

The models are in :mod:`.models`; the CLI prints them as JSON, the web page renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the lean path imports parts of this package without the others
    from infobot.service.read.calendar import CalendarReads
    from infobot.service.read.plan import PlanReads
    from infobot.service.read.records import RecordReads
    from infobot.service.read.status import CampaignReads
    from infobot.service.read.stories import StoryReads

__all__ = ["Reads"]


@dataclass(frozen=True)
class Reads:
    stories: StoryReads
    plan: PlanReads
    calendar: CalendarReads
    campaign: CampaignReads
    records: RecordReads
