"""The read side: one set of typed queries and models for the web page and the CLI.

- :mod:`.stories`: the story list, one story, the queue page, review, live posts;
- :mod:`.plan`: the plan of coming days (``preview``) and the runway;
- :mod:`.calendar`: a month of the web page's calendar;
- :mod:`.status`: ``status``, and what needs attention (the daemon's alerts too);
- :mod:`.records`: the post history, the audit trail and the exports.

The models are in :mod:`.models`; the CLI prints them as JSON, the web page renders them.
Every read runs the SQL queries of :mod:`infobot.store.queries` through a
:class:`~infobot.store.reader.Reader` (no ORM), so the same reads serve the full
application (the web page, the daemon) and the lean path of the everyday commands, which
never imports SQLAlchemy or pydantic-settings (``infobot.lean``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from infobot.clock import Clock
from infobot.service.checks import StoryChecker
from infobot.service.read.calendar import CalendarReads
from infobot.service.read.plan import Planner, PlanReads
from infobot.service.read.previews import Previews
from infobot.service.read.records import RecordReads
from infobot.service.read.status import CampaignReads
from infobot.service.read.stories import StoryReads
from infobot.store.reader import ReadSource

if TYPE_CHECKING:
    from infobot.store.db import Database

__all__ = ["ReadParts", "Reads"]


@dataclass(frozen=True)
class ReadParts:
    """What the read side is built with."""

    source: ReadSource  # opens a read transaction (``Database.reader`` or the lean source)
    clock: Clock
    campaign_id: int
    late_window: timedelta
    checker: StoryChecker
    platforms: tuple[str, ...]  # the enabled platforms' names
    require_consent: bool
    exports: Database | None = None  # the exports stream through the ORM


@dataclass(frozen=True)
class Reads:
    stories: StoryReads
    plan: PlanReads
    calendar: CalendarReads
    campaign: CampaignReads
    records: RecordReads

    @classmethod
    def build(cls, parts: ReadParts, planner: Planner | None = None) -> Reads:
        source = parts.source
        planner = planner or Planner(parts.clock, parts.campaign_id, parts.late_window)
        previews = Previews(parts.checker)
        return cls(
            stories=StoryReads(
                source, parts.campaign_id, previews, require_consent=parts.require_consent
            ),
            plan=PlanReads(source, planner, previews),
            calendar=CalendarReads(source, planner),
            campaign=CampaignReads(source, planner, parts.platforms),
            records=RecordReads(source, parts.campaign_id, parts.exports),
        )
