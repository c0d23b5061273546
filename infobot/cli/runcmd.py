"""``infobot run`` and ``infobot health``: the daemon and its container health check."""

from __future__ import annotations

import click

from infobot.cli.common import Env, pass_env


@click.command()
@click.option(
    "--once",
    is_flag=True,
    help="Do one round of work (post if due, retry, catch up) and exit: for cron or a test.",
)
@pass_env
def run(env: Env, once: bool) -> None:
    """Run the daemon: post every campaign day at the post time, retry, alert."""
    from infobot import logs
    from infobot.runtime.service import Runner
    from infobot.settings import secret_values

    settings = env.settings
    logs.setup(settings.log_format, settings.log_level, secret_values(settings))

    runner = Runner(env.app)
    if once:
        runner.tick()
        runner.daemon.beat("stopped")
        return
    raise click.exceptions.Exit(runner.run())


@click.command()
@pass_env
def health(env: Env) -> None:
    """Exit 0 when the daemon is alive and today's post is not overdue; 1 otherwise."""
    from infobot.runtime.service import health as check

    ok, line = check(env.app)
    click.echo(line)
    if not ok:
        raise click.exceptions.Exit(1)
