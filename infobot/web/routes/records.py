"""What happened: the post history and the audit trail (with its CSV export)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from starlette.responses import Response, StreamingResponse

from infobot.domain.bounds import parse_number
from infobot.web.core import Ctx, Page, Web

CHUNK = 64 * 1024


async def history(ctx: Ctx) -> Response:
    paged, quiet_days = await ctx.call(ctx.app.reads.records.history, ctx.query_int("page"))
    return ctx.render("history.html", title="History", paged=paged, quiet_days=quiet_days)


async def audit(ctx: Ctx) -> Response:
    story_text = ctx.request.query_params.get("story", "")
    story_id = parse_number(story_text) if story_text else None
    records = ctx.app.reads.records
    paged = await ctx.call(records.audit_page, ctx.query_int("page"), story_id=story_id)
    base = f"/audit?story={story_id}" if story_id else "/audit"
    return ctx.render("audit.html", title="Audit trail", paged=paged, story_id=story_id, base=base)


def _export(ctx: Ctx) -> tempfile.SpooledTemporaryFile[bytes]:
    """The audit trail as CSV, written exactly as `infobot export --what events` writes it
    (UTF-8 with a byte-order mark, formulas neutralised for spreadsheets)."""
    import io

    # closed by the response once it has streamed the file
    spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=4 * 1024 * 1024
    )
    text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="", write_through=True)
    ctx.app.reads.records.export("events", "csv", text)
    text.flush()
    text.detach()
    spool.seek(0)
    return spool


async def audit_csv(ctx: Ctx) -> Response:
    spool = await ctx.call(_export, ctx)
    today = ctx.app.clock.now().astimezone(ctx.app.settings.tz).date().isoformat()

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK):
                yield block

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="infobot-audit-{today}.csv"'},
    )


def routes(web: Web) -> list[Page]:
    return [
        Page(web, "/history", history, role="editor", nav="history"),
        Page(web, "/audit", audit, role="editor", nav="audit"),
        Page(web, "/audit.csv", audit_csv, role="editor", nav="audit"),
    ]
