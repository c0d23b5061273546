"""Settings for links and replies (issue 15), joined into ``infobot.settings``.

``LinkSettings`` is mixed into ``Settings`` (top-level ``INFOBOT_*`` names); the platform
models are the bases of the platform sections, so their fields read as
``INFOBOT_X__LINK_IN_REPLY``, ``INFOBOT_BLUESKY__REPLIES`` and so on. Campaign tracking and
whether link cards are read at all (``INFOBOT_TRACKING_DOMAINS``, ``INFOBOT_LINK_CARDS``)
are in :mod:`infobot.settings_publishing`. Which reply and quote controls each platform
can enforce is the domain's rule (:mod:`infobot.domain.replies`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode

from infobot.domain.replies import WhoCanQuote, WhoCanReply, check_quotes, check_replies

__all__ = ["BlueskyLinks", "LinkSettings", "MastodonLinks", "OutboxLinks", "XLinks"]

_IN_REPLY = (
    "Put the story's link in a reply to the post (after a thread: after its last part),"
    " not in the post"
)


class LinkSettings(BaseModel):
    link_cards_allow_private: bool = Field(
        default=False,
        description="Let link cards read pages on this machine or a private network (tests,"
        " staging); link-local addresses such as 169.254.169.254 stay refused",
    )


class _InReply(BaseModel):
    link_in_reply: bool = Field(default=False, description=_IN_REPLY)


def _split(value: Any) -> Any:
    if isinstance(value, str):
        parts = [part.strip().lower() for part in value.split(",") if part.strip()]
        return parts or None
    return value


class XLinks(_InReply):
    replies: WhoCanReply | None = Field(
        default=None,
        description="Who may reply to the first post: following, mentioned, verified or"
        " subscribers (X's reply_settings; none: everyone)",
    )

    @field_validator("replies")
    @classmethod
    def _x_can(cls, value: WhoCanReply | None) -> WhoCanReply | None:
        if value is not None:
            check_replies("x", (value,))
        return value


class BlueskyLinks(_InReply):
    replies: Annotated[list[WhoCanReply] | None, NoDecode] = Field(
        default=None,
        description="Who may reply (a threadgate, written with the post): nobody, or a comma"
        " list of mentioned, followers and following (none: everyone)",
    )
    quotes: WhoCanQuote | None = Field(
        default=None,
        description="nobody turns quoting off (a postgate, written with the post); none: everyone",
    )

    @field_validator("replies", mode="before")
    @classmethod
    def _split_replies(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("replies")
    @classmethod
    def _bluesky_can(cls, value: list[WhoCanReply] | None) -> list[WhoCanReply] | None:
        return None if value is None else list(check_replies("bluesky", tuple(value)))

    @field_validator("quotes")
    @classmethod
    def _bluesky_quotes(cls, value: WhoCanQuote | None) -> WhoCanQuote | None:
        return None if value is None else check_quotes("bluesky", value)


class MastodonLinks(_InReply):
    quotes: WhoCanQuote | None = Field(
        default=None,
        description="Who may quote the posts: everyone, followers or nobody (Mastodon 4.5 and"
        " later; none: the account's own setting)",
    )


class OutboxLinks(_InReply):
    pass
