"""``infobot run`` and ``infobot health``: the daemon and its container health check."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from infobot.cli.common import Env, pass_env

log = logging.getLogger("infobot.run")

if TYPE_CHECKING:
    from infobot.runtime.runner import ServerStarter


@click.command()
@click.option(
    "--once",
    is_flag=True,
    help="Do one round of work (post if due, retry, catch up) and exit: for cron or a test.",
)
@click.option("--worker", "worker_of", hidden=True, help="Started by `infobot run` itself.")
@click.option("--reply-fd", type=int, hidden=True, help="Started by `infobot run` itself.")
@pass_env
def run(env: Env, once: bool, worker_of: str | None, reply_fd: int | None) -> None:
    """Run the daemon: post every campaign day at the post time, retry, alert."""
    if not once and worker_of is None:
        code = _supervised(env)
        if code is not None:
            raise click.exceptions.Exit(code)
    from infobot import logs
    from infobot.settings import secret_values

    settings = env.settings
    logs.setup(settings.log_format, settings.log_level, secret_values(settings))
    if worker_of is not None:
        if reply_fd is None:
            raise click.UsageError("--worker is for `infobot run` itself")
        from infobot.runtime.worker import RelayPinger, replies, serve

        app, out = env.app, replies(reply_fd)
        if app.pinger.enabled:  # a heartbeat URL: the supervisor sends the pings
            app.process.pinger = RelayPinger(out)
        raise click.exceptions.Exit(serve(app.runner(worker=worker_of), app.clock, out))

    runner = env.app.runner(servers=[] if once else _servers(env))
    if once:
        runner.tick()
        runner.stop_beat()
        return
    raise click.exceptions.Exit(runner.run())


def _supervised(env: Env) -> int | None:
    """``infobot run`` as a small supervisor that starts a worker when there is work
    (:mod:`infobot.runtime.supervisor`): its exit code, or None when the daemon must run in
    one process (settings the light reader leaves to ``Settings``, a database URL it does
    not read, the web page beside the daemon)."""
    from infobot import settings_light

    light = settings_light.read()
    if light is None:
        return None
    values = light.values
    url = values["database_url"]
    if values["web_port"]:
        return None
    from infobot.store.reader import postgres_arguments, sqlite_path

    if sqlite_path(url) is None and postgres_arguments(url) is None:
        return None
    import os
    import sys
    from datetime import datetime, timedelta

    from infobot import logs
    from infobot.clock import clock_from
    from infobot.runtime.supervisor import Supervisor
    from infobot.runtime.worker import default_worker
    from infobot.runtime.workers import WorkerProcess
    from infobot.store.reader import connect

    logs.setup(values["log_format"], values["log_level"], light.secret_values())
    clock = clock_from(values["clock_start"])
    pinger = None
    if values["heartbeat_url"] is not None and values["heartbeat_url"].get_secret_value():
        from infobot.runtime.heartbeat_ping import HeartbeatPinger

        pinger = HeartbeatPinger(
            values["heartbeat_url"],
            clock,
            timeout_seconds=values["heartbeat_timeout_seconds"],
            secrets=light.secret_values(),
        )
    name = default_worker()
    argv = [sys.executable, "-m", "infobot", *(["--debug"] if env.debug else [])]
    argv += ["run", "--worker", name]
    pretended = values["clock_start"] is not None

    def spawn(now: datetime) -> WorkerProcess:
        environ = dict(os.environ)
        if pretended:  # the worker's clock goes on from the supervisor's
            environ["INFOBOT_CLOCK_START"] = now.isoformat()
        return WorkerProcess(argv, environ)

    return Supervisor(
        lambda: connect(url),
        clock,
        timedelta(hours=values["late_window_hours"]),
        spawn,
        worker=name,
        health_port=values["health_port"],
        pinger=pinger,
        metrics=(values["metrics_host"], port, values["campaign"])
        if (port := values["metrics_port"])
        else None,
    ).run()


def _servers(env: Env) -> list[ServerStarter]:
    """The metrics endpoint, the web page and the health endpoint beside the daemon, when
    their ports are set.

    They are wired here, at the edge, so the runtime never imports the web page."""
    settings, app = env.settings, env.app
    starters: list[ServerStarter] = []
    if settings.metrics_port:
        host, port = settings.metrics_host, settings.metrics_port

        def metrics() -> Callable[[], None]:
            from infobot.runtime.metrics import serve

            return serve(app.metrics(), host, port)

        starters.append(metrics)
    if settings.web_port:

        def web() -> Callable[[], None]:
            from infobot.app import App
            from infobot.web.server import settle, start_in_thread

            # The page gets its own App (engine and platform adapters): adapters are not
            # shared between the daemon's deliveries and the page's "post now".
            web_app = App.open(settings, app.clock, migrate=False)
            try:
                stop_web = start_in_thread(settings, web_app)
            except BaseException:
                web_app.close()
                raise
            settle()  # the daemon's and the page's long-lived objects

            def stop() -> None:
                stop_web()
                web_app.close()

            return stop

        starters.append(web)
    if settings.health_port:
        port = settings.health_port

        def health() -> Callable[[], None]:
            from infobot.runtime.health import serve_or_say

            return serve_or_say(app.health, port)  # every running campaign

        starters.append(health)
    return starters


@click.command()
@pass_env
def health(env: Env) -> None:
    """Exit 0 when the daemon is alive and no campaign's post is overdue today; 1 otherwise.

    With INFOBOT_HEALTH_PORT set and no campaign chosen, the running daemon is asked (the
    container's check; it answers for every running campaign); otherwise the database is
    read."""
    every = not (env.campaign or env.settings.campaign)
    port = env.settings.health_port
    if every and port is not None:
        from infobot.healthcheck import ask

        code, line = ask(port)
        click.echo(line)
        raise click.exceptions.Exit(code)
    ok, line = env.app.health(every=every)
    click.echo(line)
    if not ok:
        raise click.exceptions.Exit(1)
