"""Import: upload a story file; every problem is shown by line and field, and nothing is
written unless the whole file is good (the same all-or-nothing import as `infobot import`).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from starlette.responses import Response

from infobot.domain.errors import Problem, ValidationFailed
from infobot.web.core import Ctx, Page, Web

if TYPE_CHECKING:
    from infobot.service.importing import ImportReport

ACCEPT = ".csv,.tsv,.xlsx,.yaml,.yml,.json,.md,.markdown"


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
) -> Response:
    return ctx.render(
        "import.html",
        code=code,
        title="Import stories",
        errors=list(errors),
        problems=list(problems),
        report=report,
        filename=filename,
        accept=ACCEPT,
    )


async def import_form(ctx: Ctx) -> Response:
    return _page(ctx)


def _run(ctx: Ctx, source: BinaryIO, name: str, dry_run: bool) -> ImportReport:
    importer = ctx.app.importer()
    limit = importer.size_limit(name) or importer.max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="infobot-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            copied = 0
            while copied <= limit and (chunk := source.read(1 << 20)):
                out.write(chunk)
                copied += len(chunk)
        importer.refuse_size(name, copied)  # stops at the limit: never parses a huge file
        return importer.import_files([path], actor=ctx.actor, dry_run=dry_run, labels=[name])


async def import_upload(ctx: Ctx) -> Response:
    upload = ctx.upload("file")
    dry_run = ctx.field("dry_run") == "yes"
    if upload is None or not upload.filename:
        return _page(ctx, 400, errors=[("file", "Choose a file to import")])
    name = safe_name(upload.filename)
    try:
        report = await ctx.call(_run, ctx, upload.file, name, dry_run)
    except ValidationFailed as exc:
        message = f"{name}: {exc.summary}. Nothing was imported: fix the file and import it again."
        return _page(ctx, 400, errors=[("file", message)], problems=exc.problems, filename=name)
    finally:
        await upload.close()
    return _page(ctx, report=report, filename=name)


def routes(web: Web) -> list[Page]:
    return [
        Page(web, "/import", import_form, role="editor", nav="import"),
        Page(web, "/import", import_upload, role="editor", methods=["POST"], nav="import"),
    ]
