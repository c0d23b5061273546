"""``infobot report``: the campaign's impact, per story, week and platform, and X spend."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from infobot.cli.common import DATE, Env, output_option, pass_env

if TYPE_CHECKING:
    from infobot.service.report_model import Report

FORMATS = ("table", "csv", "xlsx", "json")
TABLES = ("posts", "stories", "weeks", "platforms", "top", "spend")


@click.command("report")
@click.option("--from", "start", type=DATE, help="First campaign date (default: the first).")
@click.option("--to", "end", type=DATE, help="Last campaign date (default: the last).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for reading, csv or xlsx for a spreadsheet (xlsx: every table, one sheet"
    " each), json for scripts.",
)
@click.option(
    "--table",
    type=click.Choice(TABLES),
    default="posts",
    show_default=True,
    help="Which table a CSV holds (posts: one row per story and platform).",
)
@output_option
@pass_env
def report(
    env: Env, start: date | None, end: date | None, fmt: str, table: str, output: Path | None
) -> None:
    """The campaign's impact: each story's counts and links on every platform, the weeks,
    the platforms, the top stories and what X cost by month. Totals are the sums of the
    rows; a count a platform does not give is shown as "—" (empty in CSV), never as 0."""
    from infobot.domain.errors import UserError

    if start is not None and end is not None and end < start:
        raise UserError(f"--to {end} is before --from {start}: give the earlier date first")
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise UserError("an XLSX file cannot be shown here: give --output report.xlsx")
    found = env.app.impact.report(start, end)
    if output is None:
        if fmt == "xlsx":
            _xlsx(found, sys.stdout.buffer)
        else:
            _text(found, fmt, table, sys.stdout)
        return
    part = output.with_name(output.name + ".part")
    if fmt == "xlsx":
        with part.open("wb") as binary:
            _xlsx(found, binary)
    else:
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        with part.open("w", encoding=encoding, newline="") as text:
            _text(found, fmt, table, text)
    part.replace(output)
    click.echo(
        f"Wrote the report ({len(found.stories)} stories, {found.tally.posts} posts) to {output}.",
        err=True,
    )


def _xlsx(found: Report, out: IO[bytes]) -> None:
    from infobot.service.report_writers import write_xlsx

    write_xlsx(found, out)


def _text(found: Report, fmt: str, table: str, out: IO[str]) -> None:
    from infobot.service import report_writers as writers
    from infobot.service.report_tables import ReportTable

    if fmt == "csv":
        writers.write_csv(found, out, ReportTable(table))
    elif fmt == "json":
        writers.write_json(found, out)
    else:
        out.write(writers.report_table(found))
