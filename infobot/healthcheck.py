"""``infobot health`` answered by the running daemon, importing only the standard library.

With ``INFOBOT_HEALTH_PORT`` set (the container sets 9465), ``infobot run`` answers health
checks on 127.0.0.1 at that port (``infobot.runtime.health``) and this client asks it: one
HTTP request over a socket, with the port read from the usual settings sources
(``infobot.settings_light``). The container runs it every minute, so it must cost nearly
nothing: no click, no pydantic, no SQLAlchemy.

:func:`main` answers None when no port is set, when a campaign is chosen
(``INFOBOT_CAMPAIGN``: the daemon answers for every running campaign), or when either
setting is written in a form the light reader leaves to ``Settings``: the full command
then decides (it asks the same endpoint, or reads the database).
"""

from __future__ import annotations

import socket

TIMEOUT = 8.0  # within the image's HEALTHCHECK --timeout


def ask(port: int, timeout: float = TIMEOUT) -> tuple[int, str]:
    """Exit code and the line to print, from the daemon at 127.0.0.1:``port``."""
    where = f"127.0.0.1:{port}"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
    except ConnectionRefusedError:
        return 1, f"unhealthy: no infobot daemon answers on {where} (is `infobot run` running?)"
    except OSError as exc:
        return 1, f"unhealthy: the daemon on {where} did not answer ({exc})"
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1:2]
    line = body.decode("utf-8", "replace").strip()
    if status == [b"200"]:
        return 0, line
    if status == [b"503"] and line:
        return 1, line
    return 1, f"unhealthy: unexpected answer from {where}: {head[:80]!r}"


def port_setting() -> int | None:
    """``INFOBOT_HEALTH_PORT`` from the settings sources; None when unset or unusual."""
    from infobot import settings_light

    port = settings_light.read_one("health_port")
    return port if isinstance(port, int) else None


def main() -> int | None:
    from infobot import settings_light

    port = port_setting()
    if port is None or settings_light.read_one("campaign") is not None:
        return None
    code, line = ask(port)
    print(line)
    return code
