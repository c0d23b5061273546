"""Settings for campaigns run from the database (issue 16), joined to ``Settings``.

A plain pydantic model whose fields are flat, so that they read as ``INFOBOT_SHARE_FORM``
and ``INFOBOT_CAMPAIGN`` once ``Settings`` inherits it. The first campaign itself comes
from ``INFOBOT_CAMPAIGN_NAME``, ``INFOBOT_HASHTAG`` and the rest in ``infobot.settings``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["CampaignSettings"]


class CampaignSettings(BaseModel):
    share_form: bool = Field(
        default=False,
        description="Open the first campaign's public share form (/share/NAME); an admin"
        " opens or closes each campaign's form on the web or with `infobot campaign edit`",
    )
    campaign: str = Field(
        default="",
        description="The campaign commands act on when --campaign is not given (default:"
        " the first campaign, the one INFOBOT_CAMPAIGN_NAME names)",
    )
