"""Pre-election periods on the campaign page, and the essential mark on a story.

Each form calls the same service method as ``infobot campaign election`` and
``infobot stories essential``.
"""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from infobot.domain.election import ElectionPeriod, gov_uk_date
from infobot.domain.errors import UserError
from infobot.web.core import Ctx, Page, Web


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"enter {what} as YYYY-MM-DD, for example 2027-03-26") from None


async def election_add(ctx: Ctx) -> Response:
    first = _date(ctx.field("first"), "the first day")
    last = _date(ctx.field("last"), "the last day")
    try:
        period = ElectionPeriod(first, last, ctx.field("reason"))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    warnings = await ctx.call(ctx.app.editorial().election_add, period, actor=ctx.actor)
    ctx.flash(
        f"Nothing will post from {gov_uk_date(first)} to {gov_uk_date(last)}"
        f" ({period.reason}), but stories marked essential.",
        lines=warnings,
        kind="info" if warnings else "success",
    )
    return ctx.redirect("/campaign#elections")


async def election_remove(ctx: Ctx) -> Response:
    first = _date(ctx.param("first"), "the first day")
    period = await ctx.call(ctx.app.editorial().election_remove, first, actor=ctx.actor)
    ctx.flash(
        f"Removed the pre-election period {gov_uk_date(period.start)} to"
        f" {gov_uk_date(period.end)}: those days post again."
    )
    return ctx.redirect("/campaign#elections")


async def essential(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    reason = ctx.field("essential_reason")
    await ctx.call(ctx.app.editorial().mark_essential, story_id, reason=reason, actor=ctx.actor)
    ctx.flash(f"Story #{story_id} is essential: it may go out inside a pre-election period.")
    return ctx.redirect(f"/stories/{story_id}")


async def not_essential(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    await ctx.call(ctx.app.editorial().unmark_essential, story_id, actor=ctx.actor)
    ctx.flash(f"Story #{story_id} is no longer essential.")
    return ctx.redirect(f"/stories/{story_id}")


def routes(web: Web) -> list[Page]:
    post = ["POST"]
    return [
        Page(web, "/campaign/elections", election_add, role="approver", methods=post),
        Page(
            web,
            "/campaign/elections/{first}/delete",
            election_remove,
            role="approver",
            methods=post,
        ),
        Page(web, "/stories/{id:int}/essential", essential, role="approver", methods=post),
        Page(
            web,
            "/stories/{id:int}/essential/delete",
            not_essential,
            role="approver",
            methods=post,
        ),
    ]
