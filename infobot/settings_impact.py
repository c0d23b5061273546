"""Settings for the impact work (issue 14), joined into ``infobot.settings.Settings``.

:class:`ImpactSettings` holds flat fields (``INFOBOT_ENGAGEMENT_READS``,
``INFOBOT_ENGAGEMENT_BANDS``) and is mixed into ``Settings``; :class:`XCostSettings` holds
X's monthly budget and prices and is mixed into the ``x`` section, so that they read as
``INFOBOT_X__MONTHLY_BUDGET`` and ``INFOBOT_X__PRICE_POST``. The defaults are the published
prices of :mod:`infobot.domain.costs`; the helpers turn the values into its types.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from infobot.domain.costs import DEFAULT_PRICING, Pricing, XRequest
from infobot.domain.engagement import DEFAULT_BANDS_TEXT, Bands, BandsError

__all__ = ["ImpactSettings", "XCostSettings"]


class ImpactSettings(BaseModel):
    engagement_reads: bool = Field(
        default=True,
        description="Read the public counts (likes, reposts, replies…) of live posts back from"
        " the platforms, for the report",
    )
    engagement_bands: str = Field(
        default=DEFAULT_BANDS_TEXT,
        description="When to read a post's counts, by its age: EVERY@UNTIL from young to old,"
        " then once@AGE (an unchanged read doubles the interval, up to 8 times)",
    )

    @field_validator("engagement_bands")
    @classmethod
    def _check_bands(cls, value: str) -> str:
        try:
            return str(Bands.parse(value))
        except BandsError as exc:
            raise ValueError(str(exc)) from None

    @property
    def bands(self) -> Bands:
        return Bands.parse(self.engagement_bands)


def _price(kind: XRequest, what: str) -> Decimal:
    price: Decimal = Field(
        default=DEFAULT_PRICING.unit(kind),
        ge=0,
        le=100,
        decimal_places=6,
        description=f"USD for {what}",
    )
    return price


class XCostSettings(BaseModel):
    monthly_budget: Decimal | None = Field(
        default=None,
        ge=0,
        decimal_places=6,
        description="Most infobot may spend on X in a calendar month (UTC), in USD: a post"
        " that would go over it is not sent to X, and engagement reads stop first",
    )
    price_post: Decimal = _price(XRequest.POST, "a post")
    price_post_with_url: Decimal = _price(XRequest.POST_WITH_URL, "a post whose text has a link")
    price_media_metadata: Decimal = _price(XRequest.MEDIA_METADATA, "an image's alt text")
    price_delete: Decimal = _price(XRequest.DELETE, "deleting a post")
    price_owned_read: Decimal = _price(
        XRequest.OWNED_READ, "each post returned from the account's own timeline"
    )
    price_read_by_id: Decimal = _price(XRequest.READ_BY_ID, "each post read by its id")
    price_account_read: Decimal = _price(
        XRequest.ACCOUNT_READ, "looking up the account (once per start)"
    )
    price_media_upload: Decimal = _price(XRequest.MEDIA_UPLOAD, "an image upload")

    def pricing(self) -> Pricing:
        return Pricing.from_fields(lambda name: getattr(self, name))
