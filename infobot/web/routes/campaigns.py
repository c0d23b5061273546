"""The Campaigns page: every campaign, and an admin's forms to create and change one.

A change goes in two steps, without JavaScript: the form's "Continue" checks it and shows
what would change and, when the timing moves, the next posting instants before and after
("Check your change"); "Save" there saves it. The check page carries the values in hidden
fields, and saving checks them again (and refuses when someone changed the campaign in
between).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response

from infobot.domain.campaign import DAY_LABELS, DAY_NAMES, CampaignField, CampaignSpec, Raw
from infobot.domain.errors import ValidationFailed
from infobot.service.campaigns import CampaignAdmin, Proposal
from infobot.web.core import Ctx, Page, Web

LISTS = (CampaignField.DAYS, CampaignField.PLATFORMS)
SWITCHES = (CampaignField.SHARE_FORM, CampaignField.STORIES_PAGE, CampaignField.ACTIVE)
HINTS = {
    CampaignField.NAME: "Lower-case letters, digits and hyphens, for example winter-2026. "
    "It goes in web addresses.",
    CampaignField.HASHTAG: "Added once to every post, for example #infostory.",
    CampaignField.TIMEZONE: "The post time is in this time zone, daylight saving included: "
    "a name such as Europe/London or America/New_York.",
    CampaignField.POST_TIME: "24-hour hours and minutes, for example 09:00.",
    CampaignField.START: "For example 2026-11-01. Leave it empty to start at once.",
    CampaignField.END: "For example 2026-11-30. Leave it empty for no end. The runway is "
    "measured against it.",
    CampaignField.LANGUAGES: "Language codes separated by commas, for example en, or en, cy "
    "for English and Welsh.",
}
SWITCH_LABELS = {  # by form field name
    CampaignField.SHARE_FORM.value: "The public share form is open (storytellers can send stories)",
    CampaignField.STORIES_PAGE.value: "The public stories page is open (followers can read every "
    "posted story)",
    CampaignField.ACTIVE.value: "Running: it posts every campaign day (untick to keep it without "
    "posting)",
}


def _admin(ctx: Ctx) -> CampaignAdmin:
    return ctx.web.app.campaign_admin()


def _values(spec: CampaignSpec) -> dict[str, Any]:
    """A campaign as the form shows it."""
    return {
        "name": spec.name,
        "hashtag": spec.hashtag,
        "timezone": spec.timezone,
        "post_time": spec.post_time.strftime("%H:%M"),
        "days": spec.day_names,
        "start": spec.start.isoformat() if spec.start else "",
        "end": spec.end.isoformat() if spec.end else "",
        "platforms": list(spec.platforms),
        "languages": ", ".join(spec.languages),
        "share_form": spec.share_form,
        "stories_page": spec.stories_page,
        "active": spec.active,
    }


def _submitted(ctx: Ctx) -> dict[str, Any]:
    """The form as it was sent (to show it again)."""
    values: dict[str, Any] = {}
    for field in CampaignField:
        if field in LISTS:
            values[field.value] = [str(v) for v in ctx.form.getlist(field.value)]
        elif field in SWITCHES:
            values[field.value] = ctx.field(field.value) == "yes"
        else:
            values[field.value] = ctx.field(field.value)
    return values


def _raw(values: dict[str, Any]) -> dict[CampaignField, Raw]:
    return {field: values[field.value] for field in CampaignField}


def _errors(exc: ValidationFailed) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in exc.problems]


async def campaigns_page(ctx: Ctx) -> Response:
    views = await ctx.call(_admin(ctx).list)
    shown = {
        view.name: {
            "days": "every day"
            if len(view.days) == 7
            else ", ".join(DAY_LABELS[DAY_NAMES.index(d)] for d in view.days),
            "next": local(view.next_post, view.timezone) if view.next_post else "None to come",
        }
        for view in views
    }
    return ctx.render("campaigns.html", title="Campaigns", views=views, shown=shown)


def local(instant: datetime, timezone: str) -> str:
    """An instant on a campaign's own clock, GOV.UK style: Monday 23 November 2026, 9:00 GMT."""
    at = instant.astimezone(ZoneInfo(timezone))
    return f"{at:%A %-d %B %Y}, {at:%H:%M} {at:%Z}"


def _form(
    ctx: Ctx,
    *,
    editing: str | None,
    values: dict[str, Any],
    errors: list[tuple[str, str]] | None = None,
    version: str = "",
) -> Response:
    title = f"Change campaign {editing}" if editing else "Create a campaign"
    return ctx.render(
        "campaign_form.html",
        code=400 if errors else 200,
        title=title,
        editing=editing,
        action=_action(editing),
        values=values,
        errors=errors or [],
        version=version,
        fields=CampaignField,
        hints=HINTS,
        switch_labels=SWITCH_LABELS,
        days=list(zip(DAY_NAMES, DAY_LABELS, strict=True)),
        platform_options=[(name, name) for name in ctx.web.app.base_settings.platforms],
    )


def _action(editing: str | None) -> str:
    from urllib.parse import quote

    return f"/campaigns/{quote(editing, safe='')}/edit" if editing else "/campaigns/new"


def _check(ctx: Ctx, editing: str | None, proposal: Proposal, values: dict[str, Any]) -> Response:
    return ctx.render(
        "campaign_check.html",
        title="Check the new campaign" if editing is None else f"Check your change to {editing}",
        editing=editing,
        action=_action(editing),
        proposal=proposal,
        values=values,
        lists=[f.value for f in LISTS],
        switches=[f.value for f in SWITCHES],
        local=local,
    )


async def new_form(ctx: Ctx) -> Response:
    values = _values(_admin(ctx).defaults)
    return _form(ctx, editing=None, values=values)


async def new_post(ctx: Ctx) -> Response:
    values = _submitted(ctx)
    step = ctx.field("step")
    if step == "change":
        return _form(ctx, editing=None, values=values)
    admin = _admin(ctx)
    try:
        if step == "save":
            proposal = await ctx.call(admin.create, _raw(values), actor=ctx.actor)
        else:
            proposal = await ctx.call(admin.check_new, _raw(values))
    except ValidationFailed as exc:
        return _form(ctx, editing=None, values=values, errors=_errors(exc))
    if step != "save":
        return _check(ctx, None, proposal, values)
    name = proposal.after.name
    ctx.flash(f"Campaign {name} created. Add its stories on the Import page.")
    ctx.request.session["campaign"] = name
    return ctx.redirect("/campaigns")


async def edit_form(ctx: Ctx) -> Response:
    name = ctx.param("campaign")
    admin = _admin(ctx)
    spec = await ctx.call(admin.spec, name)
    version = await ctx.call(admin.version, name)
    return _form(ctx, editing=name, values=_values(spec), version=version)


async def edit_post(ctx: Ctx) -> Response:
    name = ctx.param("campaign")
    values = _submitted(ctx)
    version = ctx.field("version")
    step = ctx.field("step")
    if step == "change":
        return _form(ctx, editing=name, values=values, version=version)
    admin = _admin(ctx)
    try:
        if step == "save":
            proposal = await ctx.call(
                admin.edit, name, _raw(values), actor=ctx.actor, version=version
            )
        else:
            proposal = await ctx.call(admin.check_edit, name, _raw(values))
    except ValidationFailed as exc:
        return _form(ctx, editing=name, values=values, errors=_errors(exc), version=version)
    if step != "save":
        return _check(ctx, name, proposal, values | {"version": version or proposal.version})
    if not proposal.changes:
        ctx.flash(f"Nothing changed: campaign {name} already was like that.", kind="info")
    else:
        ctx.flash(f"Campaign {proposal.after.name} changed.")
    if ctx.request.session.get("campaign") == name:
        ctx.request.session["campaign"] = proposal.after.name
    return ctx.redirect("/campaigns")


def routes(web: Web) -> list[Page]:
    post = ["POST"]
    edit = "/campaigns/{campaign}/edit"
    return [
        Page(web, "/campaigns", campaigns_page, role="editor", nav="campaign"),
        Page(web, "/campaigns/new", new_form, role="admin", nav="campaign"),
        Page(web, "/campaigns/new", new_post, role="admin", methods=post, nav="campaign"),
        Page(web, edit, edit_form, role="admin", nav="campaign"),
        Page(web, edit, edit_post, role="admin", methods=post, nav="campaign"),
    ]
