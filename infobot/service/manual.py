"""Manual operations on top of the publisher: post-now and doctor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from infobot.domain.errors import InfobotError, PlatformError, UserError
from infobot.domain.render import render
from infobot.domain.schedule import DayState, SlotStatus
from infobot.service.publisher import Publisher
from infobot.service.schedule import Planner, schedule_of
from infobot.service.stories import get_story, to_input
from infobot.store.models import Campaign, Slot

if TYPE_CHECKING:
    from infobot.app import App

ADVICE = {
    "failed": "This will not fix itself: check the message, fix the account or the story, "
    "then send it with `infobot post-now --story ID --platform NAME`.",
    "retry_wait": "A temporary problem: infobot retries automatically; or run "
    "`infobot post-now --story ID` later.",
    "in_doubt": "infobot could not tell whether it went out; it checks the platform before "
    "any retry, so it will not post twice. Run `infobot post-now --story ID` to "
    "check now.",
    "pending": "Not attempted yet.",
    "sending": "Was being sent when infobot stopped; it is checked before any retry.",
}


def post_now(
    app: App, *, story_id: int | None, platforms: Sequence[str] | None, dry_run: bool
) -> dict[str, Any]:
    enabled = list(app.settings.platforms)
    for name in platforms or ():
        if name not in enabled:
            raise UserError(f"platform {name!r} is not enabled (enabled: {', '.join(enabled)})")
    names = list(platforms or enabled)
    publisher = Publisher(app, worker="post-now")
    tz = app.settings.tz
    today = app.clock.now().astimezone(tz).date()
    with app.db.read() as session:
        slot = session.scalar(
            select(Slot).where(Slot.campaign_id == app.campaign_id, Slot.local_date == today)
        )
        campaign = session.get_one(Campaign, app.campaign_id)
        when = schedule_of(campaign, Planner(app).late_window).due_at(today)
        if slot is not None and slot.story_id is not None and story_id is None:
            if slot.status == SlotStatus.CLAIMED:
                story_id = slot.story_id  # resume today's unfinished delivery
            else:
                raise UserError(
                    f"today's story (#{slot.story_id}) is already {slot.status}; to send "
                    "another story as well, name it with --story ID"
                )
        if slot is not None and slot.story_id is None and story_id is None:
            raise UserError(
                f"today is recorded as {slot.status} ({slot.reason}); name a "
                "story with --story ID to send one anyway"
            )
        if dry_run:
            if story_id is not None:
                story = get_story(session, story_id, app.campaign_id)
            else:
                plan = Planner(app).plan(session, 1)
                coming = (DayState.SCHEDULED, DayState.PINNED)
                upcoming = plan[0].story if plan[0].state in coming else None
                if upcoming is None:
                    raise UserError("there is no approved story to send")
                story = upcoming
            outcomes = []
            for name in names:
                rendered = render(to_input(story), app.platform(name).rules(), app.render_options)
                outcomes.append(
                    {
                        "platform": name,
                        "status": "would_send",
                        "parts": len(rendered.posts),
                        "texts": [p.text for p in rendered.posts],
                        "problems": list(rendered.problems),
                    }
                )
            return {
                "story_id": story.id,
                "day": today.isoformat(),
                "dry_run": True,
                "message": f"Would send story #{story.id} now.",
                "outcomes": outcomes,
            }
    if slot is None:
        claim = publisher.claim(today, story_id=story_id, platforms=enabled, due_at=when)
        if claim.story_id is None:
            raise UserError(f"nothing to post today: {claim.reason}")
        story_id = claim.story_id
        message = f"Sending story #{story_id} as today's story."
    else:
        assert story_id is not None
        if slot.story_id != story_id:
            publisher.schedule_extra(story_id, enabled)
            message = f"Sending story #{story_id} in addition to today's story."
        else:
            message = f"Resuming today's story #{story_id}."
    delivered = publisher.deliver(story_id, names, retry_now=True)
    if delivered.attempted == 0 and delivered.ok:
        message = f"Story #{story_id} was already posted on {', '.join(names)}; nothing sent."
    return {
        "story_id": story_id,
        "day": today.isoformat(),
        "dry_run": False,
        "message": message,
        "outcomes": [
            {
                "platform": o.platform,
                "status": o.status,
                "url": o.url,
                "error": o.error,
                "advice": ADVICE.get(o.status, ""),
            }
            for o in delivered.outcomes
        ],
    }


def doctor(app: App) -> list[dict[str, Any]]:
    results = []
    for name in app.settings.platforms:
        entry: dict[str, Any] = {"platform": name, "ok": False}
        try:
            platform = app.platform(name)
            rules = platform.rules()
            entry.update(limit=rules.max_length, counter=rules.counter, max_parts=rules.max_parts)
            account = platform.verify()
            entry.update(
                ok=account.can_post, account=account.name, url=account.url, error=account.detail
            )
        except (PlatformError, InfobotError, LookupError) as exc:
            entry["error"] = str(exc)
        results.append(entry)
    return results
