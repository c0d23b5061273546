"""What every command shares: the lazily built application, options and output helpers."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.lean import Lean
    from infobot.service.importing import Importer
    from infobot.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Env:
    """Built once per invocation; opens the settings and the store only when a command asks."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.campaign: str | None = None  # --campaign NAME (else INFOBOT_CAMPAIGN, else the first)
        self._settings: Settings | None = None
        self._app: App | None = None
        self._lean: Lean | None = None
        self._lean_tried = False

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from infobot.settings import load_settings

            self._settings = load_settings()
        return self._settings

    @property
    def app(self) -> App:
        if self._app is None:
            from infobot.app import App

            self._app = App.open(self.settings, campaign=self.campaign)
        return self._app

    def read(self, lean: Callable[[Lean], T], full: Callable[[App], T]) -> T:
        """``lean`` on the lean path (``infobot.lean``: no SQLAlchemy, no pydantic-settings)
        when it can serve, else ``full`` through the full application. Anything unexpected
        on the lean path is asked again of the full one, which answers (or fails) exactly
        as before."""
        from infobot.domain.errors import UserError

        found = self._open_lean()
        if found is not None:
            try:
                return lean(found)
            except UserError:
                raise  # the same read says the same through either path
            except Exception:
                self._drop_lean()
        return full(self.app)

    def importer(self) -> Importer:
        """The campaign's importer: built from the light settings on the lean path when it
        can serve (``Lean.importer``), else by the full application.
        Either way the same importer, with the same settings, as ``App.importer``."""
        found = self._open_lean()
        if found is not None:
            try:
                return found.importer()
            except Exception:  # the full path opens the application and says what is wrong
                self._drop_lean()
        return self.app.importer()

    def _open_lean(self) -> Lean | None:
        if not self._lean_tried:
            self._lean_tried = True
            if self._app is None and self._settings is None:
                from infobot.lean import open_lean

                try:
                    self._lean = open_lean(self.campaign)
                except Exception:  # the full path reports whatever it was
                    self._lean = None
        return self._lean

    def _drop_lean(self) -> None:
        if self._lean is not None:
            lean, self._lean = self._lean, None
            lean.close()

    def actor(self, given: str | None) -> str:
        if given and given.strip():
            return given.strip()
        if self._settings is not None or os.environ.get("INFOBOT_USER"):
            name = self.settings.user
            if name:
                return name
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # pragma: no cover - no passwd entry in a container
            return "unknown"

    def close(self) -> None:
        self._drop_lean()
        if self._app is not None:
            self._app.close()


pass_env = click.make_pass_decorator(Env, ensure=True)


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        from infobot.domain.bounds import out_of_range

        if isinstance(value, date):
            day = value
        else:
            text = str(value).strip()
            try:
                day = date.fromisoformat(text)
            except ValueError:
                try:
                    first, month, year = (int(p) for p in text.split("/"))
                    day = date(year, month, first)
                except ValueError:
                    self.fail(
                        f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-10", param, ctx
                    )
        problem = out_of_range(day)
        if problem is not None:
            self.fail(problem, param, ctx)
        return day


DATE = DateType()


class NumberType(click.ParamType):  # type: ignore[type-arg]
    """A story number or a position: a whole number from 1 to the database's largest id."""

    name = "NUMBER"

    def __init__(self, what: str) -> None:
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from infobot.domain.bounds import MAX_ID

        text = str(value).strip()
        if not (text.isdigit() and text.isascii()) or not 1 <= int(text[:12]) <= MAX_ID:
            self.fail(f"{self.what} must be a whole number from 1 to {MAX_ID:,}", param, ctx)
        return int(text)


STORY_ID = NumberType("a story number")
POSITION = NumberType("a position")


def by_option(required: bool = False) -> Callable[[F], F]:
    return click.option(
        "--by",
        "by",
        required=required,
        metavar="NAME",
        help="Who is doing this, for the audit trail"
        + ("" if required else " (default: INFOBOT_USER or your login name)."),
    )


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)

#: Commands that act on no one campaign (``run`` posts for every one of them).
NOT_PER_CAMPAIGN = frozenset({"run", "users", "db", "backup", "campaign list", "campaign create"})


def _choose_campaign(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Env).campaign = value


def add_campaign_option(command: click.Command, path: str) -> None:
    """Give ``command`` (named ``path``: ``"campaign pause"``), or every command of it that
    acts on one campaign, the ``--campaign NAME`` option."""
    if path in NOT_PER_CAMPAIGN or path == "campaign edit":
        return
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            add_campaign_option(sub, f"{path} {name}")
        return
    command.params.append(
        click.Option(
            ["--campaign"],
            metavar="NAME",
            expose_value=False,
            is_eager=True,
            callback=_choose_campaign,
            help="The campaign to act on (default: INFOBOT_CAMPAIGN, or the first "
            "campaign; see `infobot campaign list`).",
        )
    )


def plain(value: Any) -> Any:
    """``value`` as JSON values: a read model field by field (a field's name is its key;
    one marked ``omit_none`` is left out when None), dates and instants in ISO 8601."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in fields(value)
            if not (f.metadata.get("omit_none") and getattr(value, f.name) is None)
        }
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def print_json(data: Any) -> None:
    click.echo(json.dumps(plain(data), ensure_ascii=False, indent=2, default=str))


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    click.echo(line.rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def warn(lines: Iterable[str]) -> None:
    for line in lines:
        click.secho(f"warning: {line}", fg="yellow", err=True)


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()
