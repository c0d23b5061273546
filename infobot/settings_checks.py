"""The checks on setting values, shared by ``Settings`` (pydantic validators call them) and
the light reader (``infobot.settings_light``), so both refuse and tidy values alike.

Stdlib only.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from infobot.domain.accessibility import AccessibilityRules
    from infobot.domain.links import Tracking

ENV_PREFIX = "INFOBOT_"
DEFAULT_CONFIG = Path("config/infobot.toml")
DEFAULT_SECRETS_DIR = Path("/run/secrets")
#: Shortest web session secret accepted, in bytes (a shorter one can be guessed offline
#: from any cookie, and then cookies forged).
MIN_SESSION_SECRET = 32
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
    return value


def check_post_time(value: Any) -> Any:
    """Before parsing: HH:MM, no seconds."""
    if isinstance(value, str) and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
        raise ValueError("use 24-hour HH:MM, for example 09:00")
    if isinstance(value, time) and (value.second or value.microsecond):
        raise ValueError("use 24-hour HH:MM, for example 09:00 (no seconds)")
    return value


def check_hashtag(value: str) -> str:
    value = value.strip()
    if not value.startswith("#"):
        value = "#" + value
    if not re.fullmatch(r"#\w+", value) or value[1:].isdigit():
        raise ValueError("a hashtag is '#' then letters, digits or '_', e.g. #infostory")
    return value


def split_list(value: Any) -> Any:
    """Before parsing: a comma list as lower-case items."""
    if isinstance(value, str):
        return [part.strip().lower() for part in value.split(",") if part.strip()]
    return value


def split_urls(value: Any) -> Any:
    """Before parsing: a comma list, each item kept as written."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def check_platforms(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("enable at least one platform (for example 'outbox')")
    for name in value:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"{name!r} is not a platform name")
    return list(dict.fromkeys(value))


def check_languages(value: list[str]) -> list[str]:
    """The campaign languages (``INFOBOT_LANGUAGES``): two-letter codes, each once."""
    from infobot.domain.validate.values import LANGUAGE_CODES

    for code in value:
        if code not in LANGUAGE_CODES:
            raise ValueError(f"{code!r} is not a two-letter language code; write for example cy,en")
    if len(set(value)) != len(value):
        raise ValueError("a language is listed twice; list each once, e.g. cy,en")
    return value


def check_session_secret(value: str | None) -> None:
    if value is not None and len(value.encode()) < MIN_SESSION_SECRET:
        raise ValueError(
            f"the web session secret must be at least {MIN_SESSION_SECRET} bytes, or anyone "
            "who guesses it can sign in as anyone; make one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(48))"`'
        )


def check_days(value: list[str]) -> list[str]:
    days: list[str] = []
    for item in value:
        key = item[:3]
        if key not in DAY_NAMES:
            raise ValueError(f"{item!r} is not a day (use mon, tue, ... sun)")
        days.append(key)
    if not days:
        raise ValueError("post on at least one day of the week")
    return sorted(set(days), key=DAY_NAMES.index)


def check_attribution(value: str) -> str:
    try:
        value.format(author="a", role="r", organisation="o", title="t")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            "use only {author}, {role}, {organisation} and {title} in the template"
        ) from exc
    return value


def check_clock_start(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("give a UTC offset, e.g. 2026-11-23T08:00:00+00:00")
    return value


def config_path(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("INFOBOT_CONFIG")
    if explicit:
        return Path(explicit)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def secrets_dir(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("INFOBOT_SECRETS_DIR")
    if explicit:
        return Path(explicit)
    return DEFAULT_SECRETS_DIR if DEFAULT_SECRETS_DIR.is_dir() else None


# -- what the composition roots make of the values (``Settings`` and ``LightSettings``) ------
def tracking(
    domains: Iterable[str], campaign: str, campaign_name: str, *, include_bare: bool = True
) -> Tracking | None:
    """Campaign tracking for one platform, or None when no domain is listed."""
    listed = tuple(domains)
    if not listed:
        return None
    from infobot.domain.links import Tracking

    return Tracking(listed, campaign or campaign_name, include_bare=include_bare)


def accessibility_rules(
    hashtag_display: str, refuse: Iterable[str], words: tuple[str, ...] = ()
) -> AccessibilityRules:
    """The accessibility checks as the settings choose them."""
    from infobot.domain.accessibility import AccessibilityRules, Check

    display = (hashtag_display,) if hashtag_display else ()
    refused = frozenset(Check(name) for name in refuse)
    return AccessibilityRules(hashtag_display=display, words=words, refuse=refused)


def default_media_dir(database_url: str) -> Path:
    """``media`` next to a SQLite database file; ``queue/media`` for any other database."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        return Path(database_url.removeprefix(prefix).split("?", 1)[0]).parent / "media"
    return Path("queue/media")
