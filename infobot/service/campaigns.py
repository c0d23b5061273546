"""Campaigns run by the team: list, create and edit them, each change checked first.

A change is made in two steps, the same on the web and on the command line: ``check_*``
reads the team's input (every bad field named, in the team's words) and returns a
:class:`Proposal`: what would change and, when the timing moves, the next posting instants
before and after. ``create``/``edit`` check again and save it, with its audit event. The
campaign the settings made is edited like any other: the settings apply to it again only
when a setting itself changes (``infobot.store.campaigns.sync``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from infobot.clock import Clock
from infobot.domain.campaign import (
    CampaignField,
    CampaignSpec,
    Change,
    Raw,
    changes,
    described,
    moves_posts,
    read_campaign,
)
from infobot.domain.campaign_times import next_posts
from infobot.domain.election import ElectionPeriod
from infobot.domain.errors import NotFound, UserError
from infobot.store import campaigns, elections, events
from infobot.store.db import Database
from infobot.store.models import Campaign


@dataclass(frozen=True)
class CampaignView:
    """One campaign for the list (``infobot campaign list --json`` and the web page)."""

    id: int
    name: str
    hashtag: str
    timezone: str
    post_time: str
    days: list[str]
    start: date | None
    end: date | None
    platforms: list[str]
    languages: list[str]
    share_form: bool
    stories_page: bool
    active: bool
    paused: bool
    from_settings: bool
    next_post: datetime | None  # UTC; None when nothing is to come


@dataclass(frozen=True)
class Proposal:
    """A campaign as it would be after a change, checked and not yet saved (or just saved)."""

    campaign_id: int | None  # None: a new campaign
    before: CampaignSpec | None
    after: CampaignSpec
    changes: list[Change]
    posts_before: list[datetime] = field(default_factory=list)  # UTC
    posts_after: list[datetime] = field(default_factory=list)
    version: str = ""  # the row as it was read; saving refuses when it moved meanwhile

    @property
    def moves_posts(self) -> bool:
        return self.before is None or moves_posts(self.changes)


class CampaignAdmin:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        platforms: tuple[str, ...],
        defaults: CampaignSpec,
        election_periods: Sequence[ElectionPeriod] = (),
    ) -> None:
        self.db = db
        self.clock = clock
        self.platforms = platforms  # every platform set up on this infobot
        self.defaults = defaults  # a new campaign's starting values
        self.election_periods = election_periods  # the settings': every campaign's

    # -- reads ---------------------------------------------------------------------------
    def list(self) -> list[CampaignView]:
        now = self.clock.now()
        with self.db.read() as session:
            rows = campaigns.every(session)
            blackouts = {row.id: campaigns.blackout_days(session, row.id) for row in rows}
        views = []
        for row in rows:
            spec = campaigns.spec_of(row)
            coming = _next(row, spec, blackouts[row.id], now, 1)
            views.append(
                CampaignView(
                    id=row.id,
                    name=row.name,
                    hashtag=spec.hashtag,
                    timezone=spec.timezone,
                    post_time=row.post_time,
                    days=spec.day_names,
                    start=spec.start,
                    end=spec.end,
                    platforms=list(spec.platforms),
                    languages=list(spec.languages),
                    share_form=spec.share_form,
                    stories_page=spec.stories_page,
                    active=spec.active,
                    paused=row.paused,
                    from_settings=row.from_settings,
                    next_post=coming[0] if coming else None,
                )
            )
        return views

    def spec(self, name: str) -> CampaignSpec:
        with self.db.read() as session:
            return campaigns.spec_of(self._row(session, name))

    def version(self, name: str) -> str:
        with self.db.read() as session:
            return _version(self._row(session, name))

    # -- checks --------------------------------------------------------------------------
    def check_new(self, raw: Mapping[CampaignField, Raw]) -> Proposal:
        with self.db.read() as session:
            taken = campaigns.names(session)
        spec = read_campaign(
            raw, base=None, platforms=self.platforms, taken=taken, defaults=self.defaults
        )
        now = self.clock.now()
        return Proposal(None, None, spec, changes(None, spec), [], next_posts(spec, now))

    def check_edit(self, name: str, raw: Mapping[CampaignField, Raw]) -> Proposal:
        now = self.clock.now()
        with self.db.read() as session:
            row = self._row(session, name)
            taken = [n for n in campaigns.names(session) if n != row.name]
            blackouts = campaigns.blackout_days(session, row.id)
            before = campaigns.spec_of(row)
            version = _version(row)
        after = read_campaign(raw, base=before, platforms=self.platforms, taken=taken)
        found = changes(before, after)
        posts_before = _next(row, before, blackouts, now)
        posts_after = _next(row, after, blackouts, now) if moves_posts(found) else posts_before
        return Proposal(row.id, before, after, found, posts_before, posts_after, version)

    # -- changes -------------------------------------------------------------------------
    def create(self, raw: Mapping[CampaignField, Raw], *, actor: str) -> Proposal:
        proposal = self.check_new(raw)
        spec = proposal.after
        now = self.clock.now().astimezone(UTC)
        with self.db.write() as session:
            if campaigns.by_name(session, spec.name) is not None:
                raise UserError(f"there is already a campaign called {spec.name}")
            row = campaigns.insert(session, spec, now)
            events.record(
                session,
                at=now,
                actor=actor,
                action="campaign.created",
                campaign_id=row.id,
                after={c.field.value: spec.value(c.field) for c in proposal.changes},
                message=f"campaign {spec.name!r} created",
            )
            elections.give_new_campaign(session, row.id, self.election_periods, now)
            return Proposal(
                row.id, None, spec, proposal.changes, [], proposal.posts_after, _version(row)
            )

    def edit(
        self,
        name: str,
        raw: Mapping[CampaignField, Raw],
        *,
        actor: str,
        version: str = "",
    ) -> Proposal:
        """Save a change; ``version`` (from the check) refuses it when someone else changed
        the campaign in between. Nothing is written when nothing changes."""
        proposal = self.check_edit(name, raw)
        if version and version != proposal.version:
            raise UserError(
                f"someone changed campaign {name} while you were checking your change: "
                "check it again"
            )
        if not proposal.changes or proposal.campaign_id is None:
            return proposal
        now = self.clock.now().astimezone(UTC)
        before, after = proposal.before, proposal.after
        assert before is not None
        with self.db.write() as session:
            row = campaigns.locked(session, proposal.campaign_id)
            if _version(row) != proposal.version:
                raise UserError(
                    f"someone changed campaign {name} at the same moment: check your change again"
                )
            campaigns.update(row, after, now)
            events.record(
                session,
                at=now,
                actor=actor,
                action="campaign.edited",
                campaign_id=row.id,
                before={c.field.value: before.value(c.field) for c in proposal.changes},
                after={c.field.value: after.value(c.field) for c in proposal.changes},
                message=f"campaign {after.name!r} changed: " + described(proposal.changes),
            )
            return Proposal(
                row.id,
                before,
                after,
                proposal.changes,
                proposal.posts_before,
                proposal.posts_after,
                _version(row),
            )

    def _row(self, session: Session, name: str) -> Campaign:
        row = campaigns.by_name(session, name)
        if row is None:
            raise NotFound(
                f"there is no campaign called {name!r}; the campaigns are: "
                + ", ".join(campaigns.names(session))
            )
        return row


def _version(row: Campaign) -> str:
    """The campaign's values as read, in short: a check and its save must see the same."""
    spec = campaigns.spec_of(row)
    values = json.dumps([spec.value(f) for f in CampaignField], default=str)
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def _next(
    row: Campaign, spec: CampaignSpec, blackouts: Sequence[date], now: datetime, count: int = 5
) -> list[datetime]:
    """The next posting instants of ``spec``, with the row's pause and blackout dates."""
    return next_posts(
        spec,
        now,
        count=count,
        paused=row.paused,
        paused_until=row.paused_until,
        blackouts=blackouts,
    )
