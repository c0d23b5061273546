"""The calendar, the campaign page (pause, resume, blackouts) and "post now"."""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from infobot.domain.delivery import DeliveryStatus
from infobot.domain.errors import UserError
from infobot.service.manual import Sent
from infobot.web.core import Ctx, Page, Web

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"enter {what} as YYYY-MM-DD, for example 2026-12-25") from None


async def calendar(ctx: Ctx) -> Response:
    today = ctx.app.clock.now().astimezone(ctx.app.settings.tz).date()
    wanted = ctx.request.query_params.get("month", "")
    try:
        year, month = (int(part) for part in wanted.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    view = await ctx.call(ctx.app.reads.calendar.month, first.year, first.month)
    return ctx.render(
        "calendar.html",
        title=f"Calendar: {first:%B %Y}",
        view=view,
        weekdays=WEEKDAYS,
    )


async def campaign_page(ctx: Ctx) -> Response:
    status = await ctx.call(ctx.app.reads.campaign.status)
    blackouts = await ctx.call(ctx.app.reads.campaign.blackouts)
    elections = await ctx.call(ctx.app.reads.campaign.elections)
    settings = ctx.app.settings
    days = ", ".join(WEEKDAYS[d] for d in sorted(settings.weekdays))
    return ctx.render(
        "campaign.html",
        title="Campaign",
        status=status,
        blackouts=blackouts,
        elections=elections,
        days=days,
        settings=settings,
    )


async def pause(ctx: Ctx) -> Response:
    until_text = ctx.field("until")
    until = _date(until_text, "the date to pause until") if until_text else None
    await ctx.call(
        ctx.app.editorial().pause, until=until, reason=ctx.field("reason"), actor=ctx.actor
    )
    if until:
        ctx.flash(f"Paused: nothing posts up to and including {until:%A %-d %B %Y}.")
    else:
        ctx.flash("Paused: nothing posts until you resume the campaign.")
    return ctx.redirect("/campaign")


async def resume(ctx: Ctx) -> Response:
    if await ctx.call(ctx.app.editorial().resume, actor=ctx.actor):
        ctx.flash("Resumed: posting continues on the next campaign day.")
    else:
        ctx.flash("The campaign was not paused.", kind="info")
    return ctx.redirect("/campaign")


async def blackout_add(ctx: Ctx) -> Response:
    day = _date(ctx.field("date"), "the date")
    warnings = await ctx.call(
        ctx.app.editorial().blackout_add, day, reason=ctx.field("reason"), actor=ctx.actor
    )
    ctx.flash(
        f"Nothing will post on {day:%A %-d %B %Y}.",
        lines=warnings,
        kind="info" if warnings else "success",
    )
    return ctx.redirect("/campaign")


async def blackout_remove(ctx: Ctx) -> Response:
    day = _date(ctx.param("date"), "the date")
    await ctx.call(ctx.app.editorial().blackout_remove, day, actor=ctx.actor)
    ctx.flash(f"{day:%A %-d %B %Y} is a posting day again.")
    return ctx.redirect("/campaign")


async def post_now(ctx: Ctx) -> Response:
    story_text = ctx.field("story")
    try:
        story_id = int(story_text) if story_text else None
    except ValueError:
        raise UserError("enter the story number, for example 12, or leave it empty") from None
    manual = ctx.app.manual()
    report = await ctx.call(manual.post_now, story_id=story_id, platforms=None, dry_run=False)
    lines = []
    for outcome in report.outcomes:
        if outcome.status == DeliveryStatus.SENT:
            lines.append(f"{outcome.platform}: posted {outcome.url}")
        elif isinstance(outcome, Sent):
            lines.append(
                f"{outcome.platform}: {outcome.status.replace('_', ' ')}: "
                f"{outcome.error} {outcome.advice}"
            )
    ctx.flash(report.message, kind="success" if report.ok else "error", lines=lines)
    return ctx.redirect("/history")


def routes(web: Web) -> list[Page]:
    post = ["POST"]
    return [
        Page(web, "/calendar", calendar, role="editor", nav="calendar"),
        Page(web, "/campaign", campaign_page, role="editor", nav="campaign"),
        Page(web, "/campaign/pause", pause, role="approver", methods=post),
        Page(web, "/campaign/resume", resume, role="approver", methods=post),
        Page(web, "/campaign/blackouts", blackout_add, role="approver", methods=post),
        Page(
            web, "/campaign/blackouts/{date}/delete", blackout_remove, role="approver", methods=post
        ),
        Page(web, "/post-now", post_now, role="approver", methods=post),
    ]
