"""Manual operations on top of the publisher: post-now and doctor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from infobot.domain.calendar import CampaignCalendar, DayOff
from infobot.domain.delivery import DeliveryStatus, advice
from infobot.domain.errors import Hint, InfobotError, PlatformError, UserError
from infobot.domain.render import RenderOptions, render
from infobot.domain.schedule import SlotStatus
from infobot.service.pool import PlatformPool
from infobot.service.publisher import Publisher
from infobot.service.read.models import OMIT_NONE
from infobot.service.read.plan import COMING, Planner
from infobot.store import slots, stories
from infobot.store.db import Database
from infobot.store.models import Story

WOULD_SEND = "would_send"


@dataclass(frozen=True)
class WouldSend:
    """What a dry run would send to one platform."""

    platform: str
    status: str
    parts: int
    texts: list[str]
    problems: list[str]


@dataclass(frozen=True)
class Sent:
    """What became of one platform's delivery, and what to do about it."""

    platform: str
    status: str
    url: str
    error: str
    advice: str


@dataclass(frozen=True)
class PostNow:
    story_id: int
    day: date
    dry_run: bool
    message: str
    outcomes: list[WouldSend | Sent]

    @property
    def ok(self) -> bool:
        return self.dry_run or all(o.status == DeliveryStatus.SENT for o in self.outcomes)


@dataclass(frozen=True)
class PlatformCheck:
    """``infobot doctor`` for one platform: its limits and the account it posts as."""

    platform: str
    ok: bool = False
    limit: int | None = field(default=None, metadata=OMIT_NONE)
    counter: str | None = field(default=None, metadata=OMIT_NONE)
    max_parts: int | None = field(default=None, metadata=OMIT_NONE)
    account: str | None = field(default=None, metadata=OMIT_NONE)
    url: str | None = field(default=None, metadata=OMIT_NONE)
    error: str | None = field(default=None, metadata=OMIT_NONE)


class ManualPosting:
    def __init__(
        self,
        db: Database,
        planner: Planner,
        platforms: PlatformPool,
        options: RenderOptions,
        publisher: Publisher,
    ) -> None:
        self.db = db
        self.planner = planner
        self.platforms = platforms
        self.options = options
        self.publisher = publisher

    def post_now(
        self, *, story_id: int | None, platforms: Sequence[str] | None, dry_run: bool
    ) -> PostNow:
        """Send today's story now (taking today's slot early if it is still free), or a
        named story as well; each platform still gets a story at most once."""
        enabled = list(self.platforms.enabled)
        for name in platforms or ():
            if name not in enabled:
                raise UserError(f"platform {name!r} is not enabled (enabled: {', '.join(enabled)})")
        names = list(platforms or enabled)
        cid = self.planner.campaign_id
        with self.db.read() as session:
            state = self.planner.state(session)
            today = state.schedule.local_date(self.planner.clock.now())
            election = _election(state.calendar, today)
            slot = slots.on(session, cid, today)
            if slot is not None and slot.story_id is not None and story_id is None:
                if slot.status == SlotStatus.CLAIMED:
                    story_id = slot.story_id  # resume today's unfinished delivery
                else:
                    raise UserError(
                        f"today's story (#{slot.story_id}) is already {slot.status}; to send "
                        "another story as well, name it",
                        hint=Hint.NAME_STORY,
                    )
            if slot is not None and slot.story_id is None and story_id is None:
                raise UserError(
                    f"today is recorded as {slot.status} ({slot.reason}); to send a story "
                    "anyway, name it",
                    hint=Hint.NAME_STORY,
                )
            if dry_run:
                if story_id is not None:
                    story = stories.get(session, story_id, cid)
                else:
                    plan = self.planner.plan(session, 1, state)
                    upcoming = plan[0].story if plan[0].state in COMING else None
                    if upcoming is None:
                        raise UserError("there is no approved story to send")
                    story = upcoming
                return self._dry_run(story, today, names)
        if slot is None:
            due = state.schedule.due_at(today)
            claim = self.publisher.claim(
                today, story_id=story_id, platforms=enabled, due_at=due, election=election
            )
            if claim.story_id is None:
                raise UserError(f"nothing to post today: {claim.reason}")
            story_id = claim.story_id
            message = f"Sending story #{story_id} as today's story."
        else:
            assert story_id is not None
            if slot.story_id != story_id:
                self.publisher.schedule_extra(story_id, enabled, election=election)
                message = f"Sending story #{story_id} in addition to today's story."
            else:
                message = f"Resuming today's story #{story_id}."
        delivered = self.publisher.deliver(story_id, names, retry_now=True)
        if delivered.attempted == 0 and delivered.ok:
            message = f"Story #{story_id} was already posted on {', '.join(names)}; nothing sent."
        outcomes: list[WouldSend | Sent] = [
            Sent(o.platform, o.status, o.url, o.error, advice(o.status)) for o in delivered.outcomes
        ]
        return PostNow(story_id, today, False, message, outcomes)

    def _dry_run(self, story: Story, today: date, names: Sequence[str]) -> PostNow:
        story_input = stories.to_input(story)
        outcomes: list[WouldSend | Sent] = []
        for name in names:
            options = self.options.for_platform(name)
            rendered = render(story_input, self.platforms.get(name).rules(), options)
            outcomes.append(
                WouldSend(
                    name,
                    WOULD_SEND,
                    len(rendered.posts),
                    [p.text for p in rendered.posts],
                    list(rendered.problems),
                )
            )
        return PostNow(story.id, today, True, f"Would send story #{story.id} now.", outcomes)

    def doctor(self) -> list[PlatformCheck]:
        """Check every enabled platform: credentials, account, limits."""
        return [self._check(name) for name in self.platforms.enabled]

    def _check(self, name: str) -> PlatformCheck:
        failures = (PlatformError, InfobotError, LookupError)
        try:
            platform = self.platforms.get(name)
            rules = platform.rules()
        except failures as exc:
            return PlatformCheck(name, error=str(exc))
        limits = PlatformCheck(
            name, limit=rules.max_length, counter=rules.counter, max_parts=rules.max_parts
        )
        try:
            account = platform.verify()
        except failures as exc:
            return replace(limits, error=str(exc))
        return replace(
            limits, ok=account.can_post, account=account.name, url=account.url, error=account.detail
        )


def _election(calendar: CampaignCalendar, day: date) -> str:
    """Why ``day`` is inside a pre-election period, or "" when it is not."""
    if calendar.day_off(day) is DayOff.ELECTION_PERIOD:
        return calendar.describe(DayOff.ELECTION_PERIOD, day)
    return ""
