"""The calendar, the campaign page (pause, resume, blackouts) and "post now"."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from starlette.responses import Response

from infobot.domain import bounds
from infobot.domain.dates import month_year, weekday_date
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.errors import UserError
from infobot.domain.platform_names import display_name
from infobot.service.manual import Sent
from infobot.web.core import Ctx, Page, Web
from infobot.web.words import sentence

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _date(text: str, what: str) -> date:
    return bounds.parse_date(text, what)


def _month(wanted: str, today: date) -> date:
    """The first day of the month asked for as YYYY-MM (this month when it is not one)."""
    parts = wanted.split("-")
    if len(parts) != 2 or not all(p.isdigit() and p.isascii() and len(p) <= 4 for p in parts):
        return today.replace(day=1)
    try:
        first = date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        return today.replace(day=1)
    last = date(first.year, first.month, monthrange(first.year, first.month)[1])
    if bounds.out_of_range(first) or bounds.out_of_range(last):
        raise bounds.OutOfRange(f"{month_year(first)} is out of range: {bounds.DATE_RANGE}")
    return first


async def calendar(ctx: Ctx) -> Response:
    today = ctx.app.clock.now().astimezone(ctx.app.settings.tz).date()
    first = _month(ctx.request.query_params.get("month", ""), today)
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
        ctx.flash(f"Paused: nothing posts up to and including {weekday_date(until)}.")
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
        f"Nothing will post on {weekday_date(day)}.",
        lines=warnings,
        kind="info" if warnings else "success",
    )
    return ctx.redirect("/campaign")


async def blackout_remove(ctx: Ctx) -> Response:
    day = _date(ctx.param("date"), "the date")
    await ctx.call(ctx.app.editorial().blackout_remove, day, actor=ctx.actor)
    ctx.flash(f"{weekday_date(day)} is a posting day again.")
    return ctx.redirect("/campaign")


async def post_now_confirm(ctx: Ctx) -> Response:
    """Post now asks first: which story, which platforms, and what each gets."""
    story_text = ctx.field("story") or ctx.request.query_params.get("story", "").strip()
    story_id = bounds.parse_number(story_text) if story_text else None
    try:
        plan = await ctx.call(
            ctx.app.manual().post_now, story_id=story_id, platforms=None, dry_run=True
        )
    except UserError as exc:
        return ctx.render(
            "post_now.html",
            code=400 if ctx.form_data is not None else 200,
            title="Post now",
            plan=None,
            story=story_text,
            errors=[("story", sentence(str(exc)))],
        )
    title = await ctx.call(ctx.app.reads.stories.show, plan.story_id)
    return ctx.render(
        "post_now.html",
        title=f"Post story #{plan.story_id} now?",
        plan=plan,
        story=story_text,
        story_title=title.title,
        platforms=[o.platform for o in plan.outcomes],
        errors=[],
    )


async def post_now(ctx: Ctx) -> Response:
    if ctx.field("confirm") != "yes":  # a form that did not ask first: ask now
        return await post_now_confirm(ctx)
    story_text = ctx.field("story")
    story_id = bounds.parse_number(story_text) if story_text else None
    manual = ctx.app.manual()
    report = await ctx.call(manual.post_now, story_id=story_id, platforms=None, dry_run=False)
    lines = []
    for outcome in report.outcomes:
        if outcome.status == DeliveryStatus.SENT:
            lines.append(f"{display_name(outcome.platform)}: posted {outcome.url}")
        elif isinstance(outcome, Sent):
            lines.append(
                f"{display_name(outcome.platform)}: {outcome.status.replace('_', ' ')}: "
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
        Page(web, "/post-now", post_now_confirm, role="approver", nav="queue"),
        Page(web, "/post-now", post_now, role="approver", methods=post, nav="queue"),
    ]
