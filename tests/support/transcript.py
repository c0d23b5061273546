"""Everything the program printed or logged during the test run, and the secrets it knows.

The whole suite feeds this transcript: pytest's captured stdout, stderr and log of every
test (``conftest.pytest_runtest_logreport``), the in-process CLI runner's output, and the
output of every subprocess a test reads with ``communicate`` or ``subprocess.run`` (a tee
installed for the session). Tests register the secret values they configure with
``secret()``; ``tests/test_zz_secret_scan.py`` runs last and fails on any hit.
"""

from __future__ import annotations

import subprocess
from typing import Any

RECORDED: list[str] = []
SECRETS: set[str] = set()
_installed = False


def secret(value: str) -> str:
    """Register a secret value configured by a test; returns it for convenience."""
    if len(value) >= 4:
        SECRETS.add(value)
    return value


def record(*texts: object) -> None:
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if isinstance(text, str) and text:
            RECORDED.append(text)


def install() -> None:
    """Tee the output that tests read from subprocesses into the transcript."""
    global _installed
    if _installed:
        return
    original = subprocess.Popen.communicate

    def communicate(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> Any:
        out, err = original(self, *args, **kwargs)
        record(out, err)
        return out, err

    subprocess.Popen.communicate = communicate  # type: ignore[method-assign]
    _installed = True


def leaks(texts: list[str] | None = None, secrets: set[str] | None = None) -> list[str]:
    """One line per secret found: which secret (masked) and where (an excerpt, masked)."""
    found: list[str] = []
    for value in sorted(secrets if secrets is not None else SECRETS):
        masked = value[:2] + "…" + value[-2:]
        for text in texts if texts is not None else RECORDED:
            at = text.find(value)
            if at >= 0:
                excerpt = text[max(0, at - 80) : at + len(value) + 40].replace(value, masked)
                found.append(f"secret {masked!r} printed: …{excerpt!r}…")
                break
    return found
