"""One exception hierarchy for infobot.

::

    InfobotError
    ├── UserError                 bad input or usage: the CLI exits 2
    │   ├── ValidationFailed      carries every Problem (file, line, field, message)
    │   ├── NotFound              no such story, blackout, ...
    │   └── InvalidTransition     e.g. approving a withdrawn story
    ├── ConfigError               bad settings: the CLI exits 2
    └── PlatformError             raised by platform adapters, never by the SDKs directly
        ├── TransientError        worth retrying later (5xx, connection refused before send)
        │   └── RateLimited       retry no earlier than ``retry_at`` (UTC)
        ├── PermanentError        retrying cannot help (auth, content rejected, credits)
        └── InDoubt               the post may or may not exist (timeout, reset mid-call):
                                  reconcile with a lookup before any retry

Anything else escaping to the CLI is an operational failure (exit 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Hint(StrEnum):
    """What the person can do next. The message says what is wrong in plain words; each
    interface adds the hint in its own terms (a CLI option, a form field)."""

    NAME_ACTOR = "name_actor"  # say who is doing this
    GIVE_REASON = "give_reason"
    NAME_STORY = "name_story"  # name the story to send
    LIST_STORIES = "list_stories"  # the stories there are


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input, pinned to where it came from."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


class InfobotError(Exception):
    """Base of every error infobot raises on purpose."""


class UserError(InfobotError):
    """The request or its input is wrong; nothing was changed."""

    def __init__(self, *args: object, hint: Hint | None = None) -> None:
        super().__init__(*args)
        self.hint = hint


class ValidationFailed(UserError):
    def __init__(self, problems: Iterable[Problem], summary: str = "") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        self.summary = summary or f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__(self.summary)


class NotFound(UserError):
    pass


class InvalidTransition(UserError):
    pass


class ConfigError(InfobotError):
    """Settings are invalid. ``lines`` holds one readable line per bad field."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("invalid configuration:\n" + "\n".join(self.lines))


class PlatformError(InfobotError):
    def __init__(self, message: str, *, platform: str = "") -> None:
        self.platform = platform
        super().__init__(message)


class TransientError(PlatformError):
    pass


class RateLimited(TransientError):
    def __init__(self, message: str, *, retry_at: datetime | None, platform: str = "") -> None:
        self.retry_at = retry_at
        super().__init__(message, platform=platform)


class PermanentError(PlatformError):
    pass


class CredentialsRejected(PermanentError):
    """The platform refused the account's credentials: a person must renew them."""


class InDoubt(PlatformError):
    pass
