"""One Settings object, built once at the edge and passed down.

Sources, highest first: ``INFOBOT_*`` environment variables, ``.env``, secret files
(``/run/secrets`` or ``INFOBOT_SECRETS_DIR``), the TOML file (``INFOBOT_CONFIG``, default
``config/infobot.toml`` when present), then the defaults below.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from infobot import settings_checks as checks
from infobot.domain.errors import ConfigError
from infobot.settings_campaigns import CampaignSettings
from infobot.settings_checks import DAY_NAMES as _DAY_NAMES
from infobot.settings_checks import DEFAULT_CONFIG as DEFAULT_CONFIG
from infobot.settings_checks import DEFAULT_SECRETS_DIR as DEFAULT_SECRETS_DIR
from infobot.settings_checks import ENV_PREFIX as ENV_PREFIX
from infobot.settings_checks import MIN_SESSION_SECRET as MIN_SESSION_SECRET
from infobot.settings_impact import ImpactSettings, XCostSettings
from infobot.settings_intake import INTAKE_SECRET_FIELDS, IntakeSettings
from infobot.settings_languages import LanguageSettings
from infobot.settings_links import BlueskyLinks, LinkSettings, MastodonLinks, OutboxLinks, XLinks
from infobot.settings_publishing import PUBLISHING_SECRET_FIELDS, PublishingSettings
from infobot.settings_runtime import RuntimeSettings

#: a plug-in setting whose key matches this is a secret (``INFOBOT_PLUGINS__NAME__API_TOKEN``)
_SECRET_KEY = re.compile(r"(?i)token|secret|password|key")


class MastodonSettings(MastodonLinks):
    api_base_url: str = Field(default="", description="Address of the Mastodon instance")
    access_token: SecretStr | None = Field(default=None, description="The account's access token")
    visibility: Literal["public", "unlisted", "private", "direct"] = Field(
        default="public", description="Who sees the posts"
    )
    max_length: int | None = Field(
        default=None, ge=1, description="Override the instance's length limit"
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=300, description="Per-call timeout")


class XSettings(XCostSettings, XLinks):
    consumer_key: SecretStr | None = Field(default=None, description="App's API key")
    consumer_secret: SecretStr | None = Field(default=None, description="App's API key secret")
    access_token: SecretStr | None = Field(default=None, description="Account's access token")
    access_token_secret: SecretStr | None = Field(
        default=None, description="Account's access token secret"
    )
    threads: bool = Field(default=True, description="Post long stories as threads")
    timeout_seconds: float = Field(default=30.0, gt=0, le=300, description="Per-call timeout")


class BlueskySettings(BlueskyLinks):
    handle: str = Field(default="", description="Account handle, such as team.bsky.social")
    app_password: SecretStr | None = Field(default=None, description="An app password")
    service_url: str = Field(default="https://bsky.social", description="The account's PDS")
    session_file: Path = Field(
        default=Path("queue/bluesky-session.json"), description="Saved login session (0600)"
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=300, description="Per-call timeout")


class OutboxSettings(OutboxLinks):
    max_length: int = Field(default=500, ge=20, description="Length limit the outbox applies")


class Settings(
    BaseSettings,
    CampaignSettings,
    ImpactSettings,
    PublishingSettings,
    LanguageSettings,
    LinkSettings,
    IntakeSettings,
    RuntimeSettings,
):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        secrets_dir=None,
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
    )

    database_url: str = Field(
        default="sqlite:///queue/infobot.db",
        description="SQLAlchemy URL: a SQLite file, or postgresql://user@host/db",
    )
    timezone: str = Field(
        default="Europe/London", description="IANA timezone of the first campaign (and new ones)"
    )
    post_time: time = Field(
        default=time(9, 0),
        description="Local time of the first campaign's daily post (and new ones')",
    )
    hashtag: str = Field(
        default="#infostory", description="The first campaign's hashtag (and new ones'), added once"
    )
    platforms: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["outbox"],
        description="Comma list of enabled platforms: those a campaign may post to, and"
        " the first campaign's",
    )
    outbox_path: Path = Field(
        default=Path("queue/outbox.jsonl"), description="Where the outbox platform writes"
    )
    campaign_name: str = Field(default="infostory", description="Name of the first campaign")
    campaign_days: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(_DAY_NAMES),
        description="Days of the week the first campaign posts on",
    )
    campaign_start: date | None = Field(default=None, description="The first campaign's first day")
    campaign_end: date | None = Field(
        default=None,
        description="The first campaign's last day: the queue runway is measured against it",
    )
    late_window_hours: float = Field(
        default=6.0, ge=0, le=23, description="How late a missed post may still go out"
    )
    require_consent: bool = Field(
        default=True, description="Stories need consent_by and consent_date"
    )
    four_eyes: bool = Field(
        default=False, description="The approver must differ from whoever added or last edited"
    )
    overflow: Literal["thread", "reject"] = Field(
        default="thread", description="Too-long stories become threads or are rejected"
    )
    attribution: str = Field(
        default="— {author}, {role}, {organisation}", description="Attribution line template"
    )
    user: str = Field(
        default="",
        description="Name in the audit trail when --by is not given (default: login name)",
    )
    alert_urls: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Comma list of apprise URLs for alerts (Slack, Teams, e-mail, ...)",
    )
    clock_start: datetime | None = Field(
        default=None, description="Demos and rehearsals only: pretend time starts here"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text for people or JSON lines for collectors"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Least severe log level written"
    )
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve Prometheus metrics on this port"
    )
    metrics_host: str = Field(default="127.0.0.1", description="Address the metrics port binds")
    web_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve the team's web page on this port"
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web page binds")
    web_session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs web sessions, at least 32 bytes (random per start if unset)",
    )
    web_session_hours: float = Field(
        default=12.0,
        gt=0,
        le=168,
        description="Longest a web sign-in lasts, however busy, before signing in again",
    )
    web_cookie_secure: bool = Field(
        default=True, description="Send the session cookie over HTTPS only (localhost works)"
    )
    web_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma list of single-sign-on proxy addresses whose identity headers count",
    )
    web_identity_header: str = Field(
        default="X-Forwarded-User", description="Header with the user name set by the proxy"
    )
    web_role_header: str = Field(
        default="X-Forwarded-Role", description="Header with the role set by the proxy"
    )
    web_role_from_proxy: bool = Field(
        default=False,
        description="Let the proxy's role header give more than the local account's role "
        "(off: the local role is the ceiling)",
    )

    check_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Timeout of platform calls outside posting (instance limits, doctor)",
    )

    mastodon: MastodonSettings = Field(default_factory=MastodonSettings)
    x: XSettings = Field(default_factory=XSettings)
    bluesky: BlueskySettings = Field(default_factory=BlueskySettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    plugins: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Settings of outside platforms: `[plugins.NAME]` in TOML, one variable"
        " a key; keys naming a token, secret, password or key are kept secret",
    )

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        return checks.check_timezone(value)

    @field_validator("post_time", mode="before")
    @classmethod
    def _check_post_time(cls, value: Any) -> Any:
        return checks.check_post_time(value)

    @field_validator("hashtag")
    @classmethod
    def _check_hashtag(cls, value: str) -> str:
        return checks.check_hashtag(value)

    @field_validator("platforms", "web_trusted_proxies", "campaign_days", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        return checks.split_list(value)

    @field_validator("platforms")
    @classmethod
    def _check_platforms(cls, value: list[str]) -> list[str]:
        return checks.check_platforms(value)

    @field_validator("alert_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        return checks.split_urls(value)

    @field_validator("web_session_secret")
    @classmethod
    def _check_session_secret(cls, value: SecretStr | None) -> SecretStr | None:
        checks.check_session_secret(value.get_secret_value() if value is not None else None)
        return value

    @field_validator("campaign_days")
    @classmethod
    def _check_days(cls, value: list[str]) -> list[str]:
        return checks.check_days(value)

    @field_validator("attribution")
    @classmethod
    def _check_attribution(cls, value: str) -> str:
        return checks.check_attribution(value)

    @field_validator("clock_start")
    @classmethod
    def _check_clock_start(cls, value: datetime | None) -> datetime | None:
        return checks.check_clock_start(value)

    @field_validator("plugins")
    @classmethod
    def _hide_plugin_secrets(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {
            name.lower(): {
                key.lower(): SecretStr(item)
                if _SECRET_KEY.search(key) and isinstance(item, str)
                else item
                for key, item in section.items()
            }
            for name, section in value.items()
        }

    def plugin(self, name: str) -> dict[str, Any]:
        """The ``[plugins.NAME]`` section as plain values (secrets revealed) for its factory."""
        return {
            key: item.get_secret_value() if isinstance(item, SecretStr) else item
            for key, item in self.plugins.get(name, {}).items()
        }

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def weekdays(self) -> frozenset[int]:
        """Campaign days as ``date.weekday()`` numbers (Monday = 0)."""
        return frozenset(_DAY_NAMES.index(day) for day in self.campaign_days)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        named = _named_sources(
            settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
        )
        return tuple(source for _, source in named)


SECRET_FIELDS: frozenset[str] = (
    frozenset(
        {
            "mastodon.access_token",
            "x.consumer_key",
            "x.consumer_secret",
            "x.access_token",
            "x.access_token_secret",
            "bluesky.app_password",
            "web_session_secret",
        }
    )
    | PUBLISHING_SECRET_FIELDS
    | INTAKE_SECRET_FIELDS
)


def _config_path() -> Path | None:
    return checks.config_path(os.environ)


def _secrets_dir() -> Path | None:
    return checks.secrets_dir(os.environ)


def _named_sources(
    settings_cls: type[BaseSettings],
    init_settings: PydanticBaseSettingsSource,
    env_settings: PydanticBaseSettingsSource,
    dotenv_settings: PydanticBaseSettingsSource,
    file_secret_settings: PydanticBaseSettingsSource,
) -> list[tuple[str, PydanticBaseSettingsSource]]:
    from pydantic_settings import NestedSecretsSettingsSource

    named: list[tuple[str, PydanticBaseSettingsSource]] = [
        ("arguments", init_settings),
        ("environment", env_settings),
        (".env file", dotenv_settings),
    ]
    secrets = _secrets_dir()
    if secrets is not None:
        named.append(
            (
                f"secret file in {secrets}",
                NestedSecretsSettingsSource(
                    file_secret_settings,
                    secrets_dir=secrets,
                    secrets_nested_delimiter="__",
                    secrets_dir_missing="ok",
                ),
            )
        )
    config = _config_path()
    if config is not None:
        if not config.is_file():
            raise ConfigError([f"INFOBOT_CONFIG: {config} does not exist or is not a file"])
        named.append((str(config), TomlConfigSettingsSource(settings_cls, toml_file=config)))
    return named


def load_settings(**overrides: Any) -> Settings:
    """Build Settings or raise ConfigError listing every bad field and where it came from."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None
    except ValueError as exc:  # a source failed to parse (e.g. broken TOML)
        raise ConfigError([_redact(str(exc))]) from None


def _explain(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = [str(part) for part in error["loc"]]
        message = str(error["msg"]).removeprefix("Value error, ")
        if not loc:  # a rule across settings: its message names them
            lines.append(message)
            continue
        env_name = ENV_PREFIX + "__".join(part.upper() for part in loc)
        source = _source_of(loc)
        lines.append(f"{env_name} (from {source}): {message}")
    return lines


def _source_of(loc: list[str]) -> str:
    """Name the highest-priority source that supplied this field (for error messages)."""
    if not loc:
        return "settings"
    env_name = (ENV_PREFIX + "__".join(loc)).upper()
    if any(key.upper() == env_name for key in os.environ):
        return "environment"
    dotenv = Path(".env")
    if dotenv.is_file():
        try:
            text = dotenv.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        if re.search(rf"(?im)^\s*(export\s+)?{re.escape(env_name)}\s*=", text):
            return ".env file"
    secrets = _secrets_dir()
    if secrets is not None and secrets.is_dir():
        names = {p.name.upper() for p in secrets.iterdir()}
        if env_name in names or (ENV_PREFIX + loc[0]).upper() in names:
            return f"secret file in {secrets}"
    config = _config_path()
    if config is not None and config.is_file():
        return str(config)
    return "default"


_SECRETISH = re.compile(r"(?i)(token|secret|password)\S*\s*[=:]\s*\S+")


def _redact(text: str) -> str:
    return _SECRETISH.sub(lambda m: m.group(0).split("=")[0].split(":")[0] + "=***", text)


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret, for scrubbing text meant for people or logs."""
    values = [url.get_secret_value() for url in settings.alert_urls]
    for dotted in SECRET_FIELDS:
        secret: Any = settings
        for name in dotted.split("."):
            secret = getattr(secret, name)
        if isinstance(secret, SecretStr):
            raw = secret.get_secret_value()
            if len(raw) >= 4:
                values.append(raw)
    for section in settings.plugins.values():
        for item in section.values():
            if isinstance(item, SecretStr) and len(item.get_secret_value()) >= 4:
                values.append(item.get_secret_value())
    return sorted(values, key=len, reverse=True)
