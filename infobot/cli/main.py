"""``infobot``: assemble the command groups and turn errors into exit codes.

Exit codes: 0 success, 1 operational failure, 2 bad input or usage.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

import click

from infobot import __version__
from infobot.cli.common import Env, add_campaign_option

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: How to do what an error's hint asks, on the command line (``infobot.domain.errors.Hint``).
CLI_HINTS = {
    "name_actor": " with --by NAME",
    "give_reason": " (--reason TEXT)",
    "name_story": " with --story ID",
    "list_stories": " (see `infobot stories list`)",
}


#: Every command and where it is defined. A command's module is imported when that command
#: runs (or help lists it): the daemon, ``infobot run``, holds none of the others.
COMMANDS = {
    "import": "importing:import_command",
    "stories": "stories:stories",
    "campaign": "campaign:campaign",
    "preview": "views:preview",
    "status": "views:status",
    "export": "views:export",
    "report": "report:report",
    "post-now": "posting:post_now",
    "doctor": "posting:doctor",
    "run": "runcmd:run",
    "health": "runcmd:health",
    "db": "dbcmd:db",
    "backup": "dbcmd:backup",
    "web": "webcmd:web",
    "users": "users:users",
    "media": "share:media",
    "share": "share:share",
}


class Commands(click.Group):
    """The top-level group: each command is imported on first use (see ``COMMANDS``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, _, name = COMMANDS[cmd_name].partition(":")
            command: click.Command = getattr(import_module(f"infobot.cli.{module}"), name)
            self.add_command(command, cmd_name)
            add_campaign_option(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="infobot")
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="TOML settings file (default: INFOBOT_CONFIG, else config/infobot.toml if present).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, config: str | None, debug: bool) -> None:
    """infobot posts one approved #infostory a day to every configured platform.

    Load stories with `infobot import`, review them with `infobot stories`, check what
    goes out with `infobot preview` and `infobot status`.
    """
    if config:
        os.environ["INFOBOT_CONFIG"] = config
    env = ctx.ensure_object(Env)
    env.debug = debug
    ctx.call_on_close(env.close)


def main(argv: list[str] | None = None) -> None:
    leave(run(argv))


def leave(code: int) -> None:
    """End the process with ``code`` once the command is done, without tearing down the
    interpreter when nothing is left to do.

    By the time a command returns, its database connections are closed (``Env.close``)
    and its files written (each in a ``with`` block), so taking every module and object
    apart one by one (about 0.09 s of CPU with SQLAlchemy and pydantic loaded) does
    nothing anyone sees. The standard output and error are flushed and the ``atexit``
    functions run (logging's, the upload folder's), then the process ends. With a thread
    still running, output that cannot be flushed, or a profiler or tracer watching, the
    interpreter ends as usual.
    """
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or a debugger writes its findings when the program ends
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        sys.exit(code)  # Python says what went wrong and exits as it always does
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (used by tests and ``main``)."""
    env = Env()
    try:
        result = cli.main(args=argv, prog_name="infobot", standalone_mode=False, obj=env)
        return result if isinstance(result, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        return report(exc, env)


def report(exc: BaseException, env: Env) -> int:
    from infobot.domain.errors import ConfigError, InfobotError, UserError, ValidationFailed

    if isinstance(exc, ConfigError):
        click.secho("error: the configuration is not valid:", fg="red", err=True)
        for line in exc.lines:
            click.echo(f"  {line}", err=True)
        return EXIT_USAGE
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.secho(f"error: {exc.summary}; nothing was changed", fg="red", err=True)
        return EXIT_USAGE
    if isinstance(exc, UserError):
        hint = CLI_HINTS.get(exc.hint, "") if exc.hint is not None else ""
        click.secho(f"error: {exc}{hint}", fg="red", err=True)
        return EXIT_USAGE
    if isinstance(exc, InfobotError):
        click.secho(f"error: {_scrub(str(exc), env)}", fg="red", err=True)
        return EXIT_FAILURE
    message = _describe(exc)
    click.secho(f"error: {_scrub(message, env)}", fg="red", err=True)
    if env.debug:
        import traceback

        text = "".join(traceback.format_exception(exc))
        click.echo(_scrub(text, env), err=True)
    else:
        click.echo("(run with --debug for details)", err=True)
    return EXIT_FAILURE


def _describe(exc: BaseException) -> str:
    name = type(exc).__module__ + "." + type(exc).__name__
    if name.startswith("sqlalchemy.exc."):
        orig: Any = getattr(exc, "orig", None)
        detail = str(orig) if orig is not None else str(exc).splitlines()[0]
        return f"database problem: {detail}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def _scrub(text: str, env: Env) -> str:
    """Remove every configured secret value from text meant for people."""
    settings = env._settings
    if settings is None:
        return text
    from infobot.settings import secret_values

    for value in secret_values(settings):
        text = text.replace(value, "***")
    return text


if __name__ == "__main__":  # pragma: no cover
    main()
