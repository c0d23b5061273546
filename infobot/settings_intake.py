"""Settings for story pictures, the public share form, the storyteller's link and the
campaign's public page (issues 12 and 16), to join ``infobot.settings.Settings``.

A plain pydantic model whose fields are flat, so that they read as ``INFOBOT_MEDIA_DIR``
and ``INFOBOT_SHARE_FORM`` once ``Settings`` inherits it; ``SECRET_FIELDS`` takes
``INTAKE_SECRET_FIELDS``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator

from infobot.settings_checks import default_media_dir

__all__ = ["INTAKE_SECRET_FIELDS", "IntakeSettings", "default_media_dir"]

INTAKE_SECRET_FIELDS: frozenset[str] = frozenset({"mail_url"})
MB = 1024 * 1024


class IntakeSettings(BaseModel):
    media_dir: Path | None = Field(
        default=None,
        description="Folder of the stories' pictures; an image is named by its path in it"
        " (default: media/ next to the SQLite database, else queue/media)",
    )
    media_max_bytes: int = Field(
        default=10 * MB,
        ge=100_000,
        le=50 * MB,
        description="Largest picture accepted, in bytes (uploads and the share form)",
    )
    public_page: bool = Field(
        default=False,
        description="Open the first campaign's public page /stories/NAME and its Atom feed;"
        " an admin opens or closes each campaign's page on the web or with `infobot campaign"
        " edit`",
    )
    share_retention_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="Days a storyteller's link works after the campaign ends, and days"
        " before a withdrawn story's personal fields are erased",
    )
    share_limit_per_address: int = Field(
        default=10, ge=1, le=10_000, description="Share form submissions per address per hour"
    )
    share_limit_per_campaign: int = Field(
        default=200, ge=1, le=100_000, description="Share form submissions per campaign per hour"
    )
    mail_url: SecretStr | None = Field(
        default=None,
        description="apprise mailto:// (SMTP) URL that emails storytellers their link",
    )
    web_public_url: str = Field(
        default="",
        description="The web page's public address (https://…), for links in emails",
    )

    @field_validator("web_public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValueError("give the address with https://, e.g. https://stories.example.gov.uk")
        return value
