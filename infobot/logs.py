"""Logging for the daemon and the web page: to stdout, text or JSON lines, secrets redacted.

``INFOBOT_LOG_FORMAT=text`` (the default) writes one readable line per event;
``json`` writes one JSON object per line, with the structured fields an event carries
(``story_id``, ``platform``, ``outcome``, ...) as keys. Every configured secret is replaced
by ``[redacted]`` in the whole formatted line, tracebacks included, whatever code logged it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

REDACTED = "[redacted]"
#: Structured fields an event may carry, in the order the text format shows them.
FIELDS = (
    "event",
    "story_id",
    "platform",
    "outcome",
    "delivery_id",
    "day",
    "url",
    "error",
    "kind",
    "worker",
    "user",
    "address",
)
_HANDLER_NAME = "infobot"


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        every = {part for secret in secrets for part in (secret, *url_parts(secret))}
        self.secrets = sorted({s for s in every if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


#: Words of alert URLs that are not secret (apprise's own options and paths).
_PLAIN_PARTS = frozenset({"services", "webhook", "webhooks", "markdown", "format", "overflow"})


def url_parts(secret: str) -> list[str]:
    """The pieces of a secret URL that carry its secret, each redacted on its own.

    Libraries log an alert URL in other shapes than the one configured: apprise logs
    ``slack://T1/B2/token`` as ``https://hooks.slack.com/services/T1/B2/token`` at DEBUG.
    So every path segment, user, password and query value of six characters or more
    counts as secret too, except host names and a few plain words."""
    if "://" not in secret:
        return []
    from urllib.parse import parse_qsl, unquote, urlsplit

    pieces = [unquote(p) for p in re.split(r"[/:@?&=#,;]+", secret.split("://", 1)[1])]
    try:
        parts = urlsplit(secret)
        pieces += [parts.username or "", parts.password or ""]
        pieces += [value for _, value in parse_qsl(parts.query)]
    except ValueError:  # a malformed URL: its pieces split on punctuation will do
        pass
    found = []
    for piece in set(pieces):
        is_host = "." in piece and re.fullmatch(r"[A-Za-z0-9.-]+", piece) is not None
        if len(piece) >= 6 and not is_host and piece.lower() not in _PLAIN_PARTS:
            found.append(piece)
    return found


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in FIELDS if hasattr(record, name)}


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = event_fields(record)
        if extra:
            head, sep, tail = line.partition("\n")
            pairs = " ".join(f"{key}={value}" for key, value in extra.items())
            line = f"{head} [{pairs}]{sep}{tail}"
        return self.redact(line)


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(event_fields(record))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exception"] = record.exc_text
        clean = {k: self.redact(v) if isinstance(v, str) else v for k, v in data.items()}
        # Redact the encoded line too: a secret could sit in a field that is not a string.
        return self.redact(json.dumps(clean, ensure_ascii=False, default=str))


def setup(
    fmt: str = "text",
    level: str = "INFO",
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send the root logger to ``stream`` (stdout) once; calling again replaces the handler."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs two lines a minute for the heartbeat tick: noise unless debugging.
    logging.getLogger("apscheduler").setLevel(level if level == "DEBUG" else "WARNING")
    logging.captureWarnings(True)
    return handler
