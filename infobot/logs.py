"""Logging for the daemon and the web page: to stdout, text or JSON lines, secrets redacted.

``INFOBOT_LOG_FORMAT=text`` (the default) writes one readable line per event;
``json`` writes one JSON object per line, with the structured fields an event carries
(``story_id``, ``platform``, ``outcome``, ...) as keys. Every configured secret is replaced
by ``[redacted]`` in the whole formatted line, tracebacks included, whatever code logged it.
"""

from __future__ import annotations

import json
import logging
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
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


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
