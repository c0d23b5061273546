"""``infobot web``: serve the team's web page."""

from __future__ import annotations

import click

from infobot.cli.common import Env, pass_env

DEFAULT_PORT = 8080


@click.command()
@click.option("--host", default=None, help="Address to bind (default: INFOBOT_WEB_HOST).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help=f"Port to serve on (default: INFOBOT_WEB_PORT, else {DEFAULT_PORT}).",
)
@pass_env
def web(env: Env, host: str | None, port: int | None) -> None:
    """Serve the team's web page: queue, review, import, calendar, history and audit trail.

    Sign in with an account made by `infobot users add`, or through a single-sign-on proxy
    listed in INFOBOT_WEB_TRUSTED_PROXIES. Stops cleanly on Ctrl+C or SIGTERM.
    """
    from infobot import logs
    from infobot.settings import secret_values
    from infobot.web.server import serve

    logs.setup(env.settings.log_format, env.settings.log_level, secret_values(env.settings))

    changes: dict[str, object] = {}
    if host:
        changes["web_host"] = host
    changes["web_port"] = port or env.settings.web_port or DEFAULT_PORT
    settings = env.settings.model_copy(update=changes)
    raise click.exceptions.Exit(serve(settings, env.app))
