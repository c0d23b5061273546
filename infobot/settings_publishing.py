"""Settings for public-sector publishing (issue 15), to join ``infobot.settings.Settings``.

A plain pydantic model whose fields are flat, so that they read as ``INFOBOT_HEARTBEAT_URL``
and ``INFOBOT_HASHTAG_DISPLAY`` once ``Settings`` inherits it::

    class Settings(BaseSettings, PublishingSettings): ...

and ``SECRET_FIELDS`` takes ``PUBLISHING_SECRET_FIELDS``. The helpers at the end turn the
values into the domain's own types (``Tracking``, ``AccessibilityRules``) for the
composition root.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from infobot import settings_checks
from infobot.domain.election import ElectionPeriod, parse_period

if TYPE_CHECKING:  # imported when used: the settings load on every command
    from infobot.domain.accessibility import AccessibilityRules
    from infobot.domain.links import Tracking

__all__ = ["PUBLISHING_SECRET_FIELDS", "PublishingSettings"]

PUBLISHING_SECRET_FIELDS: frozenset[str] = frozenset({"heartbeat_url"})


class PublishingSettings(BaseModel):
    hashtag_display: str = Field(
        default="",
        description="The hashtag as shown, in camel case for screen readers (e.g. #InfoStory);"
        " the same tag as INFOBOT_HASHTAG",
    )
    accessibility_refuse: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma list of accessibility checks that refuse approval instead of"
        " warning (check names, or all)",
    )
    tracking_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma list of the team's own domains: their links get utm_ campaign"
        " tracking (subdomains count)",
    )
    tracking_campaign: str = Field(
        default="", description="utm_campaign value for tracked links (default: campaign name)"
    )
    link_cards: bool = Field(
        default=True, description="Bluesky posts with a link get a card read at approval"
    )
    link_card_timeout_seconds: float = Field(
        default=8.0, gt=0, le=30, description="Time allowed to read a linked page and picture"
    )
    heartbeat_url: SecretStr | None = Field(
        default=None,
        description="healthchecks.io-style URL pinged after each day's run and every 5 minutes",
    )
    heartbeat_timeout_seconds: float = Field(
        default=5.0, gt=0, le=30, description="Time allowed for each heartbeat ping"
    )
    election_periods: Annotated[list[ElectionPeriod], NoDecode] = Field(
        default_factory=list,
        description=(
            "Pre-election periods with no posts, for every campaign: FIRST..LAST REASON,"
            " separated by ';'"
        ),
    )

    @field_validator("hashtag_display")
    @classmethod
    def _check_display(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith("#"):
            value = "#" + value
        if value and (not re.fullmatch(r"#\w+", value) or value[1:].isdigit()):
            raise ValueError("a hashtag is '#' then letters, digits or '_', e.g. #InfoStory")
        return value

    @field_validator("accessibility_refuse", mode="before")
    @classmethod
    def _split_checks(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        if not value:
            return value
        from infobot.domain.accessibility import CHECKS, Check

        if isinstance(value, list) and "all" in value:
            return list(Check)
        if isinstance(value, list):
            unknown = [v for v in value if isinstance(v, str) and v not in CHECKS]
            if unknown:
                raise ValueError(
                    f"unknown check {', '.join(map(repr, unknown))}: use all or some of "
                    + ", ".join(check.value for check in Check)
                )
        return value

    @field_validator("tracking_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("tracking_domains")
    @classmethod
    def _check_domains(cls, value: list[str]) -> list[str]:
        cleaned = []
        for domain in value:
            domain = domain.strip().lower().strip(".")
            if "://" in domain or "/" in domain or "." not in domain or " " in domain:
                raise ValueError(f"{domain!r} is not a domain: give a host name such as gov.wales")
            cleaned.append(domain)
        return list(dict.fromkeys(cleaned))

    @field_validator("election_periods", mode="before")
    @classmethod
    def _parse_periods(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.split(";") if part.strip()]
        if isinstance(value, list):
            return [parse_period(item) if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _display_is_the_hashtag(self) -> PublishingSettings:
        hashtag = getattr(self, "hashtag", "")
        if self.hashtag_display and hashtag and self.hashtag_display.lower() != hashtag.lower():
            raise ValueError(
                f"INFOBOT_HASHTAG_DISPLAY {self.hashtag_display} is not INFOBOT_HASHTAG"
                f" {hashtag} in other letters: write the same tag, e.g. #InfoStory for #infostory"
            )
        return self

    # -- for the composition root ------------------------------------------------------

    def tracking(self, campaign_name: str, *, include_bare: bool = True) -> Tracking | None:
        """Campaign tracking for one platform, or None when no domain is listed."""
        return settings_checks.tracking(
            self.tracking_domains,
            self.tracking_campaign,
            campaign_name,
            include_bare=include_bare,
        )

    def accessibility_rules(self, words: tuple[str, ...] = ()) -> AccessibilityRules:
        return settings_checks.accessibility_rules(
            self.hashtag_display, self.accessibility_refuse, words
        )
