"""A campaign as the team defines it, the rules its fields follow, and when it posts next.

A campaign is a row, not a constant (DESIGN.md, "Campaigns"): the settings make the first
one; after that the team creates and edits campaigns on the web or with ``infobot campaign``.
Both read the team's input through :func:`read_campaign`, so both refuse the same things in
the same words, and both show a change with :func:`changes` and :func:`next_posts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from infobot.domain.errors import Problem, ValidationFailed

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: What ``Problem.file`` says for a campaign's input (the CLI and the web add their own words).
SOURCE = "campaign"
#: How many posting instants a change shows before it is saved.
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
_HASHTAG = re.compile(r"#\w+")
_POST_TIME = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


class CampaignField(StrEnum):
    """The fields of a campaign, as the forms and the options name them."""

    NAME = "name"
    HASHTAG = "hashtag"
    TIMEZONE = "timezone"
    POST_TIME = "post_time"
    DAYS = "days"
    START = "start"
    END = "end"
    PLATFORMS = "platforms"
    LANGUAGES = "languages"
    SHARE_FORM = "share_form"
    STORIES_PAGE = "stories_page"
    ACTIVE = "active"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CampaignField.NAME: "Name",
    CampaignField.HASHTAG: "Hashtag",
    CampaignField.TIMEZONE: "Time zone",
    CampaignField.POST_TIME: "Post time",
    CampaignField.DAYS: "Days of the week",
    CampaignField.START: "Start date",
    CampaignField.END: "End date",
    CampaignField.PLATFORMS: "Platforms",
    CampaignField.LANGUAGES: "Languages",
    CampaignField.SHARE_FORM: "Share form",
    CampaignField.STORIES_PAGE: "Public stories page",
    CampaignField.ACTIVE: "Running",
}
#: The fields whose change moves the posting instants (shown before it is saved).
TIMING = frozenset(
    {
        CampaignField.TIMEZONE,
        CampaignField.POST_TIME,
        CampaignField.DAYS,
        CampaignField.START,
        CampaignField.END,
        CampaignField.ACTIVE,
    }
)


@dataclass(frozen=True)
class CampaignSpec:
    """Everything the team decides about a campaign (pauses and blackouts apart)."""

    name: str
    hashtag: str
    timezone: str
    post_time: time
    weekdays: frozenset[int]  # Monday = 0
    start: date | None
    end: date | None
    platforms: tuple[str, ...]
    languages: tuple[str, ...]
    share_form: bool = False
    stories_page: bool = False
    active: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_names(self) -> list[str]:
        return [DAY_NAMES[d] for d in sorted(self.weekdays)]

    def shown(self, field: CampaignField) -> str:
        """One field's value in words for people."""
        value = self.value(field)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if value is None:
            return "none"
        return str(value)

    def value(self, field: CampaignField) -> Any:
        """One field's value as plain data (the audit trail and ``--json``)."""
        match field:
            case CampaignField.POST_TIME:
                return self.post_time.strftime("%H:%M")
            case CampaignField.DAYS:
                return ", ".join(self.day_names)
            case CampaignField.START:
                return self.start.isoformat() if self.start else None
            case CampaignField.END:
                return self.end.isoformat() if self.end else None
            case CampaignField.PLATFORMS:
                return ", ".join(self.platforms)
            case CampaignField.LANGUAGES:
                return ", ".join(self.languages)
        return getattr(self, field.value)


@dataclass(frozen=True)
class Change:
    field: CampaignField
    before: str
    after: str


def changes(before: CampaignSpec | None, after: CampaignSpec) -> list[Change]:
    """What differs, field by field, in words for people (everything for a new campaign)."""
    return [
        Change(f, before.shown(f) if before else "", after.shown(f))
        for f in CampaignField
        if before is None or before.value(f) != after.value(f)
    ]


def described(found: Iterable[Change]) -> str:
    """The changes in words, as the audit trail holds them."""
    return "; ".join(f"{c.field.label.lower()} {c.before} → {c.after}" for c in found)


def moves_posts(found: Iterable[Change]) -> bool:
    return any(change.field in TIMING for change in found)


# -- reading the team's input --------------------------------------------------------------
Raw = str | bool | Sequence[str] | None


def read_campaign(
    raw: Mapping[CampaignField, Raw],
    *,
    base: CampaignSpec | None,
    platforms: Sequence[str],
    taken: Iterable[str] = (),
    defaults: CampaignSpec | None = None,
) -> CampaignSpec:
    """The campaign ``raw`` describes: a new one (``base`` None: ``defaults`` for what is
    not given), or ``base`` with the given fields changed. Raises ``ValidationFailed``
    naming every bad field. ``platforms``: the platforms set up on this infobot;
    ``taken``: the other campaigns' names.
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def bad(field: CampaignField, message: str) -> None:
        problems.append(Problem(SOURCE, None, field.value, message))

    for field, given in raw.items():
        if given is None:
            continue
        if field is CampaignField.NAME and base is not None and given == base.name:
            continue  # the settings may have given a name the team could not choose
        try:
            values[ATTRIBUTES[field]] = _read(field, given, platforms)
        except ValueError as exc:
            bad(field, str(exc))
    name = values.get("name")
    if name is not None and name in set(taken) and (base is None or name != base.name):
        bad(CampaignField.NAME, f"There is already a campaign called {name}: choose another name")
    spec = replace(base or defaults or _DEFAULTS, **values)
    for field in (CampaignField.NAME, CampaignField.PLATFORMS):
        if not spec.value(field) and field.value not in {p.field for p in problems}:
            bad(field, _MISSING[field])
    if spec.start and spec.end and spec.end < spec.start:
        bad(CampaignField.END, "The end date must be the same as or after the start date")
    if problems:
        raise ValidationFailed(sorted(problems, key=_order), "the campaign was not saved")
    return spec


def _order(problem: Problem) -> int:
    return list(CampaignField).index(CampaignField(problem.field))


_MISSING = {
    CampaignField.NAME: "Enter a name for the campaign, for example winter-2026",
    CampaignField.PLATFORMS: "Choose at least one platform to post to",
}
ATTRIBUTES = {
    CampaignField.NAME: "name",
    CampaignField.HASHTAG: "hashtag",
    CampaignField.TIMEZONE: "timezone",
    CampaignField.POST_TIME: "post_time",
    CampaignField.DAYS: "weekdays",
    CampaignField.START: "start",
    CampaignField.END: "end",
    CampaignField.PLATFORMS: "platforms",
    CampaignField.LANGUAGES: "languages",
    CampaignField.SHARE_FORM: "share_form",
    CampaignField.STORIES_PAGE: "stories_page",
    CampaignField.ACTIVE: "active",
}
#: What a new campaign gets for a field nobody gave (the forms show these).
_DEFAULTS = CampaignSpec(
    name="",
    hashtag="#infostory",
    timezone="Europe/London",
    post_time=time(9, 0),
    weekdays=frozenset(range(7)),
    start=None,
    end=None,
    platforms=(),
    languages=("en",),
)


def campaign_languages(configured: Sequence[str]) -> tuple[str, ...]:
    """The languages INFOBOT_LANGUAGES gives a campaign (checked and in order by the
    settings), else English."""
    return tuple(configured) or ("en",)


def defaults(
    *,
    hashtag: str,
    timezone: str,
    post_time: time,
    platforms: Sequence[str],
    languages: Sequence[str],
) -> CampaignSpec:
    """A new campaign's starting values (the settings' defaults)."""
    return replace(
        _DEFAULTS,
        hashtag=hashtag,
        timezone=timezone,
        post_time=post_time,
        platforms=tuple(platforms),
        languages=tuple(languages) or ("en",),
    )


def _items(given: Raw) -> list[str]:
    if isinstance(given, str):
        return [part.strip() for part in given.split(",") if part.strip()]
    if isinstance(given, bool) or given is None:
        return []
    return [str(part).strip() for part in given if str(part).strip()]


def _read(field: CampaignField, given: Raw, platforms: Sequence[str]) -> Any:
    if field in (CampaignField.SHARE_FORM, CampaignField.STORIES_PAGE, CampaignField.ACTIVE):
        if isinstance(given, bool):
            return given
        text = str(given).strip().lower()
        if text in ("yes", "true", "on", "1"):
            return True
        if text in ("no", "false", "off", "0", ""):
            return False
        raise ValueError("Answer yes or no")
    if field is CampaignField.DAYS:
        return read_days(_items(given))
    if field is CampaignField.PLATFORMS:
        return read_platforms(_items(given), platforms)
    if field is CampaignField.LANGUAGES:
        return read_languages(_items(given))
    text = given.strip() if isinstance(given, str) else ", ".join(_items(given))
    match field:
        case CampaignField.NAME:
            return read_name(text)
        case CampaignField.HASHTAG:
            return read_hashtag(text)
        case CampaignField.TIMEZONE:
            return read_timezone(text)
        case CampaignField.POST_TIME:
            return read_post_time(text)
        case _:  # the dates
            return read_date(text, field)


def read_name(text: str) -> str:
    if not text:
        raise ValueError(_MISSING[CampaignField.NAME])
    if not _NAME.fullmatch(text):
        raise ValueError(
            "Enter a name of lower-case letters, digits and hyphens, for example "
            "winter-2026 (at most 50 characters)"
        )
    if text.isdigit() or text in _RESERVED_NAMES:  # /stories/NAME is the public page
        raise ValueError(
            f"{text} cannot name a campaign: its public page would be the address of a "
            "story or a team page; add a word, for example winter-2026"
        )
    return text


#: Names taken by the team's pages under /stories/ (a story's number is one too).
_RESERVED_NAMES = frozenset({"new"})


def read_hashtag(text: str) -> str:
    value = text.strip()
    if value and not value.startswith("#"):
        value = "#" + value
    if not _HASHTAG.fullmatch(value) or value[1:].isdigit():
        raise ValueError("Enter a hashtag: # then letters, digits or _, for example #infostory")
    return value


def read_timezone(text: str) -> str:
    if not text:
        raise ValueError("Enter a time zone, for example Europe/London")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{text} is not a time zone infobot knows: use a name such as Europe/London "
            "or America/New_York"
        ) from None
    return text


def read_post_time(text: str) -> time:
    if not _POST_TIME.fullmatch(text):
        raise ValueError("Enter the post time in 24-hour hours and minutes, for example 09:00")
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def read_date(text: str, field: CampaignField) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"Enter the {field.label.lower()} as a real date, for example 2026-12-01"
        ) from None


def read_days(items: Sequence[str]) -> frozenset[int]:
    days = set()
    for item in items:
        key = item.strip().lower()[:3]
        if key not in DAY_NAMES:
            raise ValueError(f"{item} is not a day of the week: use mon, tue, wed … sun")
        days.add(DAY_NAMES.index(key))
    if not days:
        raise ValueError("Choose at least one day of the week to post on")
    return frozenset(days)


def read_platforms(items: Sequence[str], platforms: Sequence[str]) -> tuple[str, ...]:
    chosen = [item.lower() for item in items]
    unknown = [name for name in chosen if name not in platforms]
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not set up on this "
            f"infobot: choose from {', '.join(platforms)}"
        )
    if not chosen:
        raise ValueError(_MISSING[CampaignField.PLATFORMS])
    return tuple(name for name in platforms if name in chosen)


def read_languages(items: Sequence[str]) -> tuple[str, ...]:
    codes = [item.lower() for item in items]
    wrong = [code for code in codes if not _LANGUAGE.fullmatch(code)]
    if wrong:
        raise ValueError(
            f"{', '.join(wrong)}: use language codes such as en or cy, separated by commas"
        )
    if not codes:
        raise ValueError("Enter at least one language, for example en")
    return tuple(dict.fromkeys(codes))


#: What the settings say about the first campaign (the rest is the team's alone).
FROM_SETTINGS = (
    CampaignField.NAME,
    CampaignField.HASHTAG,
    CampaignField.TIMEZONE,
    CampaignField.POST_TIME,
    CampaignField.DAYS,
    CampaignField.START,
    CampaignField.END,
    CampaignField.PLATFORMS,
    CampaignField.LANGUAGES,
    CampaignField.SHARE_FORM,
    CampaignField.STORIES_PAGE,
)


def settings_values(spec: CampaignSpec) -> dict[str, Any]:
    """What the settings say about the first campaign, as ``campaigns.settings_applied``
    keeps it (JSON)."""
    return {f.value: spec.value(f) for f in FROM_SETTINGS}


def settings_overlay(spec: CampaignSpec, platforms: Sequence[str]) -> dict[str, Any]:
    """The settings values a campaign lays over the settings read (``platforms``: those
    enabled there): the settings as they apply to that campaign."""
    chosen = [name for name in platforms if name in spec.platforms]
    return {
        "campaign_name": spec.name,
        "hashtag": spec.hashtag,
        "timezone": spec.timezone,
        "post_time": spec.post_time,
        "campaign_days": spec.day_names,
        "campaign_start": spec.start,
        "campaign_end": spec.end,
        "platforms": chosen or list(platforms),
        "share_form": spec.share_form,
        "languages": list(spec.languages),
    }
