"""Settings for a campaign in several languages (issue 15), mixed into ``Settings``.

``INFOBOT_LANGUAGES=cy,en`` makes the campaign bilingual: every story carries a version in
each language and both go out in the same slot. How they go out is chosen per platform:
``INFOBOT_BILINGUAL_MODE`` for all, ``INFOBOT_BILINGUAL_MODES`` for some (``x=thread``).
In ``accounts`` mode each language posts from its own account: a second instance of the
platform, configured as a plug-in section with a ``language`` (``[plugins.mastodon_cy]``,
see ``infobot.platforms.registry``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import NoDecode

from infobot import settings_checks as checks

__all__ = ["LanguageSettings"]

Mode = Literal["post", "thread", "accounts"]
_MODES = ("post", "thread", "accounts")


class LanguageSettings(BaseModel):
    languages: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Campaign languages in the order their versions are shown, e.g. cy,en"
        " (two or more: bilingual; empty: one language, each story in its own)",
    )
    bilingual_mode: Mode = Field(
        default="post",
        description="How a bilingual story goes out: one post with both versions, a thread"
        " with one post per language, or each language from its own account",
    )
    bilingual_modes: Annotated[dict[str, Mode], NoDecode] = Field(
        default_factory=dict,
        description="The mode of some platforms, e.g. x=thread,mastodon=accounts",
    )
    bilingual_first: str = Field(
        default="",
        description="Language first in a bilingual post or thread (default: the first of"
        " INFOBOT_LANGUAGES)",
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: Any) -> Any:
        return checks.split_list(value)

    @field_validator("languages")
    @classmethod
    def _check_languages(cls, value: list[str]) -> list[str]:
        return checks.check_languages(value)

    @field_validator("bilingual_modes", mode="before")
    @classmethod
    def _split_modes(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        modes: dict[str, str] = {}
        for part in value.split(","):
            if not part.strip():
                continue
            name, sep, mode = part.replace(":", "=").partition("=")
            if not sep or mode.strip().lower() not in _MODES:
                raise ValueError(
                    f"{part.strip()!r}: write PLATFORM=MODE, MODE one of {', '.join(_MODES)}"
                    " (e.g. x=thread,mastodon=accounts)"
                )
            modes[name.strip().lower()] = mode.strip().lower()
        return modes

    @field_validator("bilingual_first")
    @classmethod
    def _first_lower(cls, value: str) -> str:
        return value.strip().lower()

    @model_validator(mode="after")
    def _first_is_a_language(self) -> LanguageSettings:
        if self.bilingual_first and self.bilingual_first not in self.languages:
            raise ValueError(
                f"INFOBOT_BILINGUAL_FIRST {self.bilingual_first!r} is not one of"
                f" INFOBOT_LANGUAGES ({','.join(self.languages) or 'none set'})"
            )
        return self
