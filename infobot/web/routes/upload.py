"""Import: upload a story file, see what it would do, then import it.

An upload is checked first (a dry run in a worker process, see :mod:`infobot.web.uploads`):
the page shows how many stories it would add, how many are already in the queue, and
every problem by line and field. Only a file without problems can then be imported, with
the same all-or-nothing import as `infobot import`, which checks it all again. An editor's
file may not pin stories to dates: pinning is an approver's right (issue 12).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import Response

from infobot.domain.errors import Problem, UserError, ValidationFailed
from infobot.service.importers import too_big
from infobot.web import uploads
from infobot.web.core import Ctx, Page, Web
from infobot.web.uploads import (
    HOLD_FOR,
    MAX_UPLOAD_BYTES,
    WORKERS,
    Held,
    HeldUploads,
    ImportTimedOut,
    UploadTooBig,
    run_import,
)
from infobot.web.words import sentence

if TYPE_CHECKING:
    from infobot.service.importing import ImportReport

ACCEPT = ".csv,.tsv,.xlsx,.yaml,.yml,.json,.md,.markdown"
SESSION_KEY = "import"
#: Imports read at the same time by one web server (each in its own process).
PARALLEL_IMPORTS = 2


def safe_name(filename: str | None) -> str:
    """The uploaded file's own name, reduced to harmless characters (it names the file in
    problems and in each story's source)."""
    name = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w .()+-]", "_", name).strip(" .")
    return name[:100] or "upload"


def _page(
    ctx: Ctx,
    code: int = 200,
    *,
    errors: Sequence[tuple[str, str]] = (),
    problems: Sequence[Problem] = (),
    report: ImportReport | None = None,
    filename: str = "",
    token: str = "",
) -> Response:
    return ctx.render(
        "import.html",
        code=code,
        title="Import stories",
        errors=list(errors),
        problems=list(problems),
        report=report,
        filename=filename,
        token=token,
        accept=ACCEPT,
        limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        hold_minutes=HOLD_FOR // 60,
    )


def routes(web: Web) -> list[Page]:
    held_uploads = HeldUploads(web.app.clock)
    slots = asyncio.Semaphore(PARALLEL_IMPORTS)

    async def import_form(ctx: Ctx) -> Response:
        await ctx.call(WORKERS.warm)  # ready by the time a file is chosen
        return _page(ctx)

    async def imported(ctx: Ctx, held: Held, *, dry_run: bool) -> ImportReport:
        """Check (``dry_run``: every problem listed in the report) or import ``held``, in a
        worker process, with the person's right to pin."""
        async with slots:
            report: ImportReport = await ctx.call(
                run_import,
                ctx.app,
                held,
                actor=ctx.actor,
                dry_run=dry_run,
                may_pin=ctx.can("approver"),
                skip_invalid=dry_run,
            )
        return report

    async def check(ctx: Ctx) -> Response:
        """Hold the upload and show what importing it would do; nothing is written."""
        upload = ctx.upload("file")
        if upload is None or not upload.filename:
            return _page(ctx, 400, errors=[("file", "Choose a file to import")])
        name = safe_name(upload.filename)
        cap = uploads.MAX_UPLOAD_BYTES
        limit = min(ctx.app.importer().size_limit(name) or cap, cap)
        try:
            held = await ctx.call(held_uploads.hold, upload.file, name, ctx.actor, limit)
        except UploadTooBig:  # the importer's words: the format's limit, nothing imported
            summary = (
                f"the file is over {uploads.size_words(limit)}, the largest file infobot "
                "imports from the web page"
            )
            too_big_file = ValidationFailed([too_big(None, limit, name)], summary=summary)
            return _refused(ctx, name, too_big_file)
        except UserError as exc:
            return _page(ctx, 400, errors=[("file", sentence(str(exc)))], filename=name)
        finally:
            await upload.close()
        try:
            report = await imported(ctx, held, dry_run=True)
        except (ValidationFailed, ImportTimedOut, UserError) as exc:
            held_uploads.drop(held.token)
            return _refused(ctx, name, exc)
        if report.problems or not report.added:
            held_uploads.drop(held.token)
            ctx.request.session.pop(SESSION_KEY, None)
            if report.problems:
                count = len(report.problems)
                message = (
                    f"{name}: {count} problem{'s' if count != 1 else ''}. Nothing was "
                    "imported: fix the file and upload it again."
                )
                return _page(
                    ctx,
                    400,
                    errors=[("file", message)],
                    problems=report.problems,
                    report=report,
                    filename=name,
                )
            return _page(ctx, report=report, filename=name)
        ctx.request.session[SESSION_KEY] = held.token
        return _page(ctx, report=report, filename=name, token=held.token)

    async def confirm(ctx: Ctx) -> Response:
        """Import the file checked before, for real: checked again, all or nothing."""
        token = ctx.field("token")
        ours = token and ctx.request.session.get(SESSION_KEY) == token
        held = held_uploads.get(token, ctx.actor) if ours else None
        if held is None:
            return _page(
                ctx,
                400,
                errors=[
                    (
                        "file",
                        f"That check has expired (after {HOLD_FOR // 60} minutes) or was made "
                        "in another sign-in. Nothing was imported: upload the file again.",
                    )
                ],
            )
        try:
            report = await imported(ctx, held, dry_run=False)
        except (ValidationFailed, ImportTimedOut, UserError) as exc:
            return _refused(ctx, held.name, exc)
        finally:
            held_uploads.drop(held.token)
            ctx.request.session.pop(SESSION_KEY, None)
        added = report.added
        text = (
            f"Imported {held.name}: added {added} new stor{'y' if added == 1 else 'ies'} as drafts"
        )
        if report.already:
            text += f"; {report.already} already in the queue"
        ctx.flash(text + ". They wait for review.", lines=[str(n) for n in report.notes])
        return ctx.redirect("/review" if added else "/import")

    return [
        Page(web, "/import", import_form, role="editor", nav="import"),
        Page(web, "/import", check, role="editor", methods=["POST"], nav="import"),
        Page(web, "/import/confirm", confirm, role="editor", methods=["POST"], nav="import"),
    ]


def _refused(ctx: Ctx, name: str, exc: Exception) -> Response:
    """The import was refused: every problem by line, and nothing written."""
    if isinstance(exc, ValidationFailed):
        message = f"{name}: {exc.summary}. Nothing was imported: fix the file and upload it again."
        problems = exc.problems
    else:
        message, problems = sentence(str(exc)), []
    return _page(ctx, 400, errors=[("file", message)], problems=problems, filename=name)
