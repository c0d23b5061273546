"""The ``infobot`` command's entry point: ``infobot health`` goes straight to the daemon
(``infobot.healthcheck``, standard library only); everything else to the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["health"]:
        from infobot.healthcheck import main as health

        code = health()
        if code is not None:
            sys.exit(code)
    from infobot.cli.main import main as cli

    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
