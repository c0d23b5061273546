"""``infobot import``: load story files into the queue as drafts."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from infobot.cli.common import Env, by_option, json_option, pass_env, print_json

if TYPE_CHECKING:
    from infobot.service.importing import ImportReport


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files and report; write nothing.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid stories and list the invalid ones (default: import nothing "
    "if any story is invalid).",
)
@by_option()
@json_option
@pass_env
def import_command(
    env: Env,
    paths: tuple[Path, ...],
    dry_run: bool,
    skip_invalid: bool,
    by: str | None,
    as_json: bool,
) -> None:
    """Import stories from CSV, XLSX, YAML, JSON or Markdown files (or folders of .md files).

    Stories arrive as drafts for review. Re-importing the same story adds nothing. If any
    story is invalid nothing is imported and every problem is listed as file:line: field.
    """
    total_size = sum(p.stat().st_size for p in paths if p.is_file())
    # The application's modules load here, and the import makes 100,000s of objects:
    # none of them forms a reference cycle worth collecting meanwhile (the collections
    # loading the modules alone triggers cost about 0.04 s, and one more as the report
    # is printed, had collecting resumed before it, as much again).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with Progress(enabled=not as_json and total_size > 1_000_000) as progress:
            report = env.importer().import_files(
                list(paths),
                actor=env.actor(by),
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=progress,
            )
        _tell(report, as_json=as_json, dry_run=dry_run)  # (still no collection: see above)
    finally:
        if collecting:
            gc.enable()


def _tell(report: ImportReport, *, as_json: bool, dry_run: bool) -> None:
    """What the import did (or would do), as text or JSON."""
    if as_json:
        print_json(
            {
                "added": report.added,
                "already_queued": report.already,
                "invalid": report.invalid,
                "rows": report.rows,
                "dry_run": report.dry_run,
                "problems": [str(p) for p in report.problems],
                "notes": [str(n) for n in report.notes],
            }
        )
        return
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for problem in report.problems:
        click.echo(f"skipped: {problem}", err=True)
    verb = "would add" if dry_run else "added"
    parts = [f"{verb} {report.added} new stor{'y' if report.added == 1 else 'ies'} as drafts"]
    if report.already:
        parts.append(f"{report.already} already queued")
    if report.invalid:
        parts.append(f"{report.invalid} invalid skipped")
    click.echo("; ".join(parts) + ".")
    if report.added and not dry_run:
        click.echo(
            "Next: review them with `infobot stories list --status draft`, then "
            "`infobot stories approve ID... --by NAME`."
        )


class Progress:
    """A progress bar on standard error for big files; silent for small ones."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            make_bar: Any = click.progressbar
            self._bar = make_bar(length=total, label="Reading", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
