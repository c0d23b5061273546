"""The queue, a story (read, edit, preview, add), review, ordering, pins and withdrawal.

Each form calls the same service method as the matching ``infobot stories`` command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from infobot.domain import bounds
from infobot.domain.dates import weekday_date
from infobot.domain.errors import UserError, ValidationFailed
from infobot.domain.fields import FIELD_TEXTS, version_texts
from infobot.domain.platform_names import display_name
from infobot.domain.story import StoryStatus
from infobot.domain.versions import flatten, split_version_key
from infobot.web.core import Ctx, Page, Web

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.service.intake.inbox import NewStory
    from infobot.service.read.models import QueueOverview, Status

Field = tuple[str, str, str]  # name, label, hint
#: The story fields the team edits on the web page, with labels and hints. A pin date is
#: set with the Pin button (an approver's job), not in this form.
FIELDS: tuple[Field, ...] = tuple(
    (text.name, text.label, text.hint) for text in FIELD_TEXTS if text.name != "pin_date"
)
FIELD_NAMES = tuple(name for name, _, _ in FIELDS)


def _known(field: str) -> bool:
    return field in FIELD_NAMES or split_version_key(field) is not None


def _errors(exc: ValidationFailed) -> list[tuple[str, str]]:
    return [
        (p.field if _known(p.field) else "", _sentence(p.message, p.field)) for p in exc.problems
    ]


def _sentence(message: str, field: str) -> str:
    label = dict((n, lab) for n, lab, _ in FIELDS).get(field)
    split = split_version_key(field)
    if label is None and split is not None:
        label = version_texts((split[1],))[("title", "body", "image_alt").index(split[0])].label
    text = f"{label}: {message}" if label else message
    return text[:1].upper() + text[1:]


def _submitted(ctx: Ctx) -> dict[str, str]:
    values = {}
    for name in FIELD_NAMES:
        raw = ctx.form.get(name)
        values[name] = raw if isinstance(raw, str) else ""
    for name, raw in ctx.form.multi_items():
        if split_version_key(name) is not None and isinstance(raw, str):
            values[name] = raw
    return values


def version_fields(ctx: Ctx, own: str, have: tuple[str, ...] = ()) -> tuple[Field, ...]:
    """The form's fields for the story's versions: the campaign's other languages (when it
    is bilingual) and any the story has."""
    campaign = ctx.app.languages if len(ctx.app.languages) > 1 else ()
    languages = tuple(dict.fromkeys(lang for lang in (*campaign, *have) if lang != own))
    return tuple((t.name, t.label, t.hint) for t in version_texts(languages))


# -- the queue -----------------------------------------------------------------------------
def _queue_reads(app: App, page: int) -> tuple[QueueOverview, Status, tuple[int, list[NewStory]]]:
    """The queue page's reads, in one trip to a worker thread."""
    reads = app.reads
    return reads.stories.queue_page(page), reads.campaign.status(), app.inbox().new_from_form()


async def queue(ctx: Ctx) -> Response:
    page = ctx.query_int("page")
    overview, status, (new_total, new_stories) = await ctx.call(_queue_reads, ctx.app, page)
    return ctx.render(
        "queue.html",
        title="Queue",
        overview=overview,
        status=status,
        new_total=new_total,
        new_stories=new_stories,
        today=ctx.app.clock.now().astimezone(ctx.app.settings.tz).date(),
    )


async def move(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    to = ctx.field("to")
    current = await ctx.call(ctx.app.reads.stories.position, story_id)
    if to == "position":
        position = bounds.parse_number(ctx.field("position"), "the new position (1 = next)")
    elif to == "top":
        position = 1
    elif to in ("up", "down"):
        # not in the queue: asking for position 1 lets the service explain why
        step = -1 if to == "up" else 1
        position = 1 if current is None else max(1, current + step)
    else:
        raise UserError("say where to move the story: up, down, top or a position")
    await ctx.call(ctx.app.editorial().move, story_id, position, actor=ctx.actor)
    ctx.flash(f"Story #{story_id} is now number {position} in the queue.")
    page = f"/queue?page={(position - 1) // 50 + 1}"
    # The queue row's form says where it came from; a story moved to the top is on page 1.
    back = page if to == "top" else ctx.back(page)
    return ctx.redirect(back + f"#story-{story_id}")


async def pin(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    day = bounds.parse_date(ctx.field("date"), "the date")
    await ctx.call(ctx.app.editorial().pin, story_id, day, actor=ctx.actor)
    ctx.flash(f"Story #{story_id} will post on {weekday_date(day)}.")
    return ctx.redirect(ctx.back(f"/stories/{story_id}"))


async def unpin(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    await ctx.call(ctx.app.editorial().unpin, story_id, actor=ctx.actor)
    ctx.flash(f"Story #{story_id} is no longer pinned: it is back in its place in the queue.")
    return ctx.redirect(ctx.back(f"/stories/{story_id}"))


# -- one story -----------------------------------------------------------------------------
async def story_page(
    ctx: Ctx,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    story_id = ctx.int_param("id")
    data = await ctx.call(ctx.app.reads.stories.show, story_id)
    extra = version_fields(ctx, data.language, tuple(v.language for v in data.versions))
    consent = await ctx.call(ctx.app.inbox().consent_of, story_id)
    shown = values or {name: _text(getattr(data, name)) for name in FIELD_NAMES}
    saved = flatten(data.versions)
    for name, _, _ in extra:
        shown.setdefault(name, saved.get(name, ""))
    return ctx.render(
        "story.html",
        code=status,
        title=f"Story #{story_id}",
        story=data,
        values=shown,
        fields=FIELDS + extra,
        errors=errors or [],
        preview=data,
        consent=consent,
        media_size=_media_size(ctx),
    )


def _media_size(ctx: Ctx) -> str:
    return ctx.app.media.limit_words


async def _upload_picture(ctx: Ctx, values: dict[str, str]) -> list[tuple[str, str]]:
    """A picture uploaded with the form: cleaned, stored in the media folder under a name
    made from its content, and set as the story's image. The problem, if any."""
    upload = ctx.upload("image_file")
    if upload is None or not upload.filename:
        return []
    media = ctx.app.media
    try:
        data = await ctx.call(media.read_limited, upload.file)
        values["image"] = await ctx.call(media.add, data)
    except UserError as exc:
        return [("image_file", _sentence(str(exc), ""))]
    finally:
        await upload.close()
    return []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


async def story_edit(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    values = _submitted(ctx)
    refused = await _upload_picture(ctx, values)
    if refused:
        return await story_page(ctx, refused, values, status=400)
    before = await ctx.call(ctx.app.reads.stories.status_of, story_id)
    try:
        story = await ctx.call(ctx.app.editorial().edit, story_id, values, actor=ctx.actor)
    except ValidationFailed as exc:
        return await story_page(ctx, _errors(exc), values, status=400)
    lines = []
    if story.status != before and before == StoryStatus.SUBMITTED:
        lines.append("It came from the share form and is a draft now: it needs approving.")
    elif story.status != before:  # only approval is undone by an edit
        lines.append("It was approved, so it is back in draft: it needs approving again.")
    ctx.flash(f"Saved story #{story_id}.", lines=lines)
    return ctx.redirect(f"/stories/{story_id}")


async def preview(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    given = {k: v for k, v in ctx.request.query_params.items() if _known(k)}
    data = await ctx.call(ctx.app.reads.stories.preview_edit, story_id, given)
    return ctx.render("_preview.html", preview=data)


async def new_form(ctx: Ctx) -> Response:
    values = {name: "" for name in FIELD_NAMES}
    values["language"] = "en"
    return await _new_page(ctx, values, [])


async def _new_page(
    ctx: Ctx, values: dict[str, str], errors: list[tuple[str, str]], code: int = 200
) -> Response:
    """The "Add a story" form beside its preview (the edit page's, following the typing)."""
    extra = version_fields(ctx, values.get("language") or "en")
    for name, _, _ in extra:
        values.setdefault(name, "")
    shown = await ctx.call(ctx.app.reads.stories.preview_new, values)
    return ctx.render(
        "story_new.html",
        code=code,
        title="Add a story",
        values=values,
        fields=FIELDS + extra,
        errors=errors,
        preview=shown,
        media_size=_media_size(ctx),
    )


async def new_preview(ctx: Ctx) -> Response:
    given = {k: v for k, v in ctx.request.query_params.items() if k in FIELD_NAMES}
    data = await ctx.call(ctx.app.reads.stories.preview_new, given)
    return ctx.render("_preview.html", preview=data)


async def new_story(ctx: Ctx) -> Response:
    values = _submitted(ctx)
    errors = await _upload_picture(ctx, values)
    if not errors:
        try:
            story = await ctx.call(ctx.app.editorial().add, values, actor=ctx.actor, source="web")
        except UserError as exc:  # ValidationFailed names its fields; others are one sentence
            errors = (
                _errors(exc)
                if isinstance(exc, ValidationFailed)
                else [("", _sentence(str(exc), ""))]
            )
    if errors:
        return await _new_page(ctx, values, errors, code=400)
    ctx.flash(f"Added story #{story.id} as a draft. An approver reviews it next.")
    return ctx.redirect(f"/stories/{story.id}")


# -- review --------------------------------------------------------------------------------
async def review(ctx: Ctx) -> Response:
    page = await ctx.call(ctx.app.reads.stories.review_page, ctx.query_int("page"))
    return ctx.render(
        "review.html", title="Review", paged=page, four_eyes=ctx.app.settings.four_eyes
    )


async def approve(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    acknowledge = [v for v in ctx.form.getlist("acknowledge") if isinstance(v, str)]
    try:
        results = await ctx.call(
            ctx.app.editorial().approve, [story_id], actor=ctx.actor, acknowledge=acknowledge
        )
    except ValidationFailed as exc:
        lines = [_sentence(p.message, "") for p in exc.problems]
        if any("accessibility warning" in p.message for p in exc.problems):
            lines.insert(0, "Tick each accessibility warning you accept, then approve again.")
        ctx.flash(f"Story #{story_id} was not approved.", kind="error", lines=lines)
        return ctx.redirect(ctx.back(f"/stories/{story_id}"))
    for result in results:
        text = (
            f"Story #{result.story_id} was already approved."
            if result.already
            else f"Approved story #{result.story_id}."
        )
        acknowledged = [f"Acknowledged: {f.message}" for f in result.acknowledged]
        ctx.flash(
            text,
            kind="success" if not result.warnings else "info",
            lines=[_sentence(w, "") for w in result.warnings] + acknowledged,
        )
    return ctx.redirect(ctx.back("/review"))


async def reject(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    await ctx.call(
        ctx.app.editorial().reject, story_id, reason=ctx.field("reason"), actor=ctx.actor
    )
    ctx.flash(f"Rejected story #{story_id}. The reason is on the story for its author.")
    return ctx.redirect(ctx.back("/review"))


# -- withdrawal ----------------------------------------------------------------------------
async def withdraw_form(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    data = await ctx.call(ctx.app.reads.stories.show, story_id)
    live = await ctx.call(ctx.app.reads.stories.live_posts, story_id)
    return ctx.render(
        "withdraw.html",
        title=f"Withdraw story #{story_id}",
        story=data,
        live=live,
        errors=[],
        reason="",
    )


async def withdraw(ctx: Ctx) -> Response:
    story_id = ctx.int_param("id")
    reason = ctx.field("reason")
    if not reason:
        data = await ctx.call(ctx.app.reads.stories.show, story_id)
        live = await ctx.call(ctx.app.reads.stories.live_posts, story_id)
        return ctx.render(
            "withdraw.html",
            code=400,
            title=f"Withdraw story #{story_id}",
            story=data,
            live=live,
            reason="",
            errors=[
                (
                    "reason",
                    "Give a reason for the audit trail, for example Consent withdrawn by phone",
                )
            ],
        )
    report = await ctx.call(ctx.app.editorial().withdraw, story_id, reason=reason, actor=ctx.actor)
    lines = [
        f"Deleted its post {d.remote_id} on {display_name(d.platform)}."
        if d.ok
        else f"Could not delete its post {d.remote_id} on {display_name(d.platform)}: {d.error}. "
        "Delete it by hand on the platform and tell the team."
        for d in report.deletions
    ]
    ctx.flash(
        f"Withdrew story #{story_id}: it will never post.",
        kind="success" if report.ok else "error",
        lines=lines,
    )
    return ctx.redirect(f"/stories/{story_id}")


def routes(web: Web) -> list[Page]:
    post = ["POST"]
    return [
        Page(web, "/queue", queue, role="editor", nav="queue"),
        Page(web, "/stories/new", new_form, role="editor", nav="queue"),
        Page(web, "/stories/new", new_story, role="editor", methods=post, nav="queue"),
        Page(web, "/stories/new/preview", new_preview, role="editor"),
        Page(web, "/stories/{id:int}", story_page, role="editor", nav="queue"),
        Page(web, "/stories/{id:int}", story_edit, role="editor", methods=post, nav="queue"),
        Page(web, "/stories/{id:int}/preview", preview, role="editor"),
        Page(web, "/stories/{id:int}/move", move, role="approver", methods=post),
        Page(web, "/stories/{id:int}/pin", pin, role="approver", methods=post),
        Page(web, "/stories/{id:int}/unpin", unpin, role="approver", methods=post),
        Page(web, "/review", review, role="editor", nav="review"),
        Page(web, "/stories/{id:int}/approve", approve, role="approver", methods=post),
        Page(web, "/stories/{id:int}/reject", reject, role="approver", methods=post),
        Page(web, "/stories/{id:int}/withdraw", withdraw_form, role="approver", nav="queue"),
        Page(
            web, "/stories/{id:int}/withdraw", withdraw, role="approver", methods=post, nav="queue"
        ),
    ]
