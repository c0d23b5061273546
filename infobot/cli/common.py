"""What every command shares: the lazily built application, options and output helpers."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from infobot.app import App
    from infobot.lean import Lean
    from infobot.service.read import Reads
    from infobot.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Env:
    """Built once per invocation; opens the settings and the store only when a command asks."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
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

    def quick_settings(self) -> Settings:
        """The settings, from the light reader when it takes them on (the same values,
        without pydantic: the daemon stays smaller), else from ``Settings``; either way
        they become this invocation's settings."""
        if self._settings is None:
            from typing import cast

            from infobot.settings_light import read

            light = read(fallback=_load_settings)
            if light is not None:
                self._settings = cast("Settings", light)
        return self.settings

    @property
    def app(self) -> App:
        if self._app is None:
            from infobot.app import App

            self._app = App.open(self.settings)
        return self._app

    def read(self, use: Callable[[Reads], T]) -> T:
        """``use`` the read side: on the lean path (``infobot.lean``: no SQLAlchemy, no
        pydantic-settings) when it can serve, else through the full application. Anything
        unexpected on the lean path is asked again of the full one, which answers (or
        fails) exactly as before."""
        from infobot.domain.errors import UserError

        lean = self._open_lean()
        if lean is not None:
            try:
                return use(lean.reads)
            except UserError:
                raise  # the same read says the same through either path
            except Exception:
                self._drop_lean()
        return use(self.app.reads)

    @property
    def tz(self) -> ZoneInfo:
        """The campaign's time zone, from whichever settings the reads used."""
        return self._lean.settings.tz if self._lean is not None else self.settings.tz

    def _open_lean(self) -> Lean | None:
        if not self._lean_tried:
            self._lean_tried = True
            if self._app is None and self._settings is None:
                from infobot.lean import open_lean

                try:
                    self._lean = open_lean()
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


def _load_settings() -> Settings:
    from infobot.settings import load_settings

    return load_settings()


pass_env = click.make_pass_decorator(Env, ensure=True)


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        except ValueError:
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-10", param, ctx)


DATE = DateType()


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


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret of the settings (light or full), for scrubbing."""
    from infobot.settings_light import LightSettings

    if isinstance(settings, LightSettings):
        return settings.secret_values()
    from infobot.settings import secret_values as of_settings

    return of_settings(settings)


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
