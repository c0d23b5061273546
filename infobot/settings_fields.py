"""The fields the light settings reader (:mod:`infobot.settings_light`) reads: each setting
of ``Settings`` with its kind, default, bounds and checks. Stdlib only."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from infobot.settings_checks import (
    DAY_NAMES,
    check_attribution,
    check_clock_start,
    check_days,
    check_hashtag,
    check_languages,
    check_platforms,
    check_post_time,
    check_session_secret,
    check_timezone,
    split_list,
    split_urls,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


# -- the fields ----------------------------------------------------------------------------
class Field:
    """One setting as ``Settings`` declares it: its kind, default, bounds and checks."""

    __slots__ = ("after", "before", "choices", "default", "ge", "gt", "kind", "le", "optional")

    def __init__(
        self,
        kind: str,  # str int float bool date datetime time path secret literal list secrets
        #           fixed (only the default is read here)
        default: Any = None,
        *,
        optional: bool = False,  # None is a value (``X | None``)
        ge: float | None = None,
        gt: float | None = None,
        le: float | None = None,
        choices: tuple[str, ...] = (),
        before: Callable[[Any], Any] | None = None,  # a mode="before" validator
        after: Callable[[Any], Any] | None = None,  # a mode="after" validator
    ) -> None:
        self.kind, self.default, self.optional = kind, default, optional
        self.ge, self.gt, self.le, self.choices = ge, gt, le, choices
        self.before, self.after = before, after


_field = Field


_SECRET = _field("secret", optional=True)
_TIMEOUT = _field("float", 30.0, gt=0, le=300)
_FIXED_NONE = _field("fixed", optional=True)

#: Every field this module reads, by its dotted name; ``tests/test_settings_light.py``
#: checks each against ``Settings`` (kind, default, bounds, validators).
FIELDS: dict[str, Field] = {
    "database_url": _field("str", "sqlite:///queue/infobot.db"),
    "timezone": _field("str", "Europe/London", after=check_timezone),
    "post_time": _field("time", "09:00", before=check_post_time),
    "hashtag": _field("str", "#infostory", after=check_hashtag),
    "platforms": _field("list", ["outbox"], before=split_list, after=check_platforms),
    "outbox_path": _field("path", "queue/outbox.jsonl"),
    "campaign_name": _field("str", "infostory"),
    "campaign_days": _field("list", list(DAY_NAMES), before=split_list, after=check_days),
    "campaign_start": _field("date", optional=True),
    "campaign_end": _field("date", optional=True),
    "late_window_hours": _field("float", 6.0, ge=0, le=23),
    "require_consent": _field("bool", True),
    "four_eyes": _field("bool", False),
    "overflow": _field("literal", "thread", choices=("thread", "reject")),
    "attribution": _field("str", "— {author}, {role}, {organisation}", after=check_attribution),
    "user": _field("str", ""),
    "alert_urls": _field("secrets", [], before=split_urls),
    "clock_start": _field("datetime", optional=True, after=check_clock_start),
    "log_format": _field("literal", "text", choices=("text", "json")),
    "log_level": _field("literal", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    "metrics_port": _field("int", optional=True, ge=1, le=65535),
    "metrics_host": _field("str", "127.0.0.1"),
    "web_port": _field("int", optional=True, ge=1, le=65535),
    "web_host": _field("str", "127.0.0.1"),
    "web_session_secret": _field("secret", optional=True, after=check_session_secret),
    "web_session_hours": _field("float", 12.0, gt=0, le=168),
    "web_cookie_secure": _field("bool", True),
    "web_trusted_proxies": _field("list", [], before=split_list),
    "web_identity_header": _field("str", "X-Forwarded-User"),
    "web_role_header": _field("str", "X-Forwarded-Role"),
    "web_role_from_proxy": _field("bool", False),
    "check_timeout_seconds": _field("float", 5.0, gt=0, le=60),
    "health_port": _field("int", optional=True, ge=1, le=65535),
    "mastodon.api_base_url": _field("str", ""),
    "mastodon.access_token": _SECRET,
    "mastodon.visibility": _field(
        "literal", "public", choices=("public", "unlisted", "private", "direct")
    ),
    "mastodon.max_length": _field("int", optional=True, ge=1),
    "mastodon.timeout_seconds": _TIMEOUT,
    "x.consumer_key": _SECRET,
    "x.consumer_secret": _SECRET,
    "x.access_token": _SECRET,
    "x.access_token_secret": _SECRET,
    "x.threads": _field("bool", True),
    "x.timeout_seconds": _TIMEOUT,
    "bluesky.handle": _field("str", ""),
    "bluesky.app_password": _SECRET,
    "bluesky.service_url": _field("str", "https://bsky.social"),
    "bluesky.session_file": _field("path", "queue/bluesky-session.json"),
    "bluesky.timeout_seconds": _TIMEOUT,
    "outbox.max_length": _field("int", 500, ge=20),
    # campaigns, impact, publishing, languages, links, intake (issues 11-17): the plain
    # ones are read here; a "fixed" one is taken at its default and, when set, leaves the
    # whole read to ``Settings`` (its own parsing and checks)
    "campaign": _field("str", ""),
    "share_form": _field("bool", False),
    "public_page": _field("bool", False),
    "media_dir": _field("path", optional=True),
    "media_max_bytes": _field("int", 10485760, ge=100000, le=52428800),
    "share_retention_days": _field("int", 180, ge=1, le=3650),
    "share_limit_per_address": _field("int", 10, ge=1, le=10000),
    "share_limit_per_campaign": _field("int", 200, ge=1, le=100000),
    "mail_url": _SECRET,
    "web_public_url": _field("fixed", ""),
    "link_cards": _field("bool", True),
    "link_cards_allow_private": _field("bool", False),
    "link_card_timeout_seconds": _field("float", 8.0, gt=0, le=30),
    "languages": _field("list", [], before=split_list, after=check_languages),
    "bilingual_mode": _field("literal", "post", choices=("post", "thread", "accounts")),
    "bilingual_modes": _field("fixed", {}),
    "bilingual_first": _field("fixed", ""),
    "hashtag_display": _field("fixed", ""),
    "accessibility_refuse": _field("fixed", []),
    "tracking_domains": _field("fixed", []),
    "tracking_campaign": _field("str", ""),
    "heartbeat_url": _SECRET,
    "heartbeat_timeout_seconds": _field("float", 5.0, gt=0, le=30),
    "election_periods": _field("fixed", []),
    "engagement_reads": _field("bool", True),
    "engagement_bands": _field("fixed", "1h@6h,3h@24h,12h@72h,24h@7d,once@30d"),
    "mastodon.link_in_reply": _field("bool", False),
    "mastodon.quotes": _FIXED_NONE,
    "x.link_in_reply": _field("bool", False),
    "x.replies": _FIXED_NONE,
    "x.monthly_budget": _FIXED_NONE,
    "x.price_post": _field("fixed", Decimal("0.015")),
    "x.price_post_with_url": _field("fixed", Decimal("0.200")),
    "x.price_media_metadata": _field("fixed", Decimal("0.005")),
    "x.price_delete": _field("fixed", Decimal("0.010")),
    "x.price_owned_read": _field("fixed", Decimal("0.001")),
    "x.price_read_by_id": _field("fixed", Decimal("0.005")),
    "x.price_account_read": _field("fixed", Decimal("0.010")),
    "x.price_media_upload": _field("fixed", Decimal("0")),
    "bluesky.link_in_reply": _field("bool", False),
    "bluesky.replies": _FIXED_NONE,
    "bluesky.quotes": _FIXED_NONE,
    "outbox.link_in_reply": _field("bool", False),
}
SECTIONS = frozenset(name.partition(".")[0] for name in FIELDS if "." in name)
