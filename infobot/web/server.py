"""Serve the web page with uvicorn: in the foreground (`infobot web`) or in a thread next to
the daemon (`infobot run` with ``INFOBOT_WEB_PORT``)."""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

    from infobot.app import App
    from infobot.settings import Settings

log = logging.getLogger("infobot.web")

DEFAULT_PORT = 8080
STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def build_server(settings: Settings, app: App) -> uvicorn.Server:
    import uvicorn

    from infobot.web.app import create_app

    config = uvicorn.Config(
        create_app(app, settings),
        host=settings.web_host,
        port=settings.web_port or DEFAULT_PORT,
        # Query strings can hold story text (the live preview): no access log.
        access_log=False,
        # The TCP peer must stay the peer: the trusted-proxy check depends on it.
        proxy_headers=False,
        server_header=False,
        lifespan="off",
        log_config=None,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def settle() -> None:
    """Set aside what exists once the page is built (the modules, the application, its
    services) from the garbage collector's full passes: they live as long as the process.
    Walking them all (over 100,000 objects) stalled every request under way for 50-220 ms,
    a few times a minute under load; now a full pass takes a few ms. Called by the
    commands that serve (their process is theirs), not by ``build_server`` (a test's
    process is not)."""
    gc.collect()
    gc.freeze()


def _url(settings: Settings) -> str:
    host = settings.web_host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.web_port or DEFAULT_PORT}/"


def serve(settings: Settings, app: App) -> int:
    """Serve until SIGTERM or SIGINT; return 0 after a clean stop, 1 if it could not start."""
    server = build_server(settings, app)
    _hint(settings, app)
    settle()
    log.info("serving the team web page on %s", _url(settings))
    # uvicorn re-raises the stopping signal after a graceful shutdown; with these no-op
    # handlers in place that re-raise ends here, and the command exits 0.
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: None)
    try:
        server.run()
    except SystemExit:  # uvicorn exits this way when it cannot bind the port
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        return 1
    log.info("the web page stopped")
    return 0


def start_in_thread(settings: Settings, app: App) -> Callable[[], None]:
    """Start serving in a daemon thread; return a function that stops it and waits.

    Raises ``RuntimeError`` when the server does not come up (for example, the port is
    taken), so the caller can report it instead of running without its web page.
    """
    server = build_server(settings, app)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run()
        except BaseException as exc:  # SystemExit from uvicorn on a bind error
            failure.append(exc)

    thread = threading.Thread(target=run, name="infobot-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        thread.join(STOP_TIMEOUT)
        raise RuntimeError(
            f"the web page could not start on {_url(settings)}: is the port already in use?"
        )
    _hint(settings, app)
    log.info("serving the team web page on %s", _url(settings))

    def stop() -> None:
        server.should_exit = True
        thread.join(STOP_TIMEOUT)

    return stop


def _hint(settings: Settings, app: App) -> None:
    if not settings.web_trusted_proxies and app.accounts().count() == 0:
        log.warning(
            "no one can sign in yet: add an account with `infobot users add NAME --role admin`"
        )
