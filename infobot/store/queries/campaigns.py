"""Which campaign a lean command serves: the one the settings made, or one by name."""

from __future__ import annotations

from datetime import time
from typing import Any

from infobot.domain.campaign import CampaignSpec
from infobot.store.reader import Reader
from infobot.store.rows import CampaignRow


def seed(r: Reader) -> tuple[int, str] | None:
    """The id of the campaign the settings made and the settings last applied to it (JSON,
    ``infobot.store.campaigns.sync``), or None before the settings made one."""
    found = r.row(
        "SELECT id, settings_applied FROM campaigns WHERE from_settings = :yes ORDER BY id LIMIT 1",
        yes=True,
    )
    return (int(found[0]), str(found[1] or "")) if found is not None else None


def id_by_name(r: Reader, name: str) -> int | None:
    found = r.scalar("SELECT id FROM campaigns WHERE name = :name", name=name)
    return int(found) if found is not None else None


def spec(r: Reader, campaign_id: int) -> CampaignSpec | None:
    """What the team decided about the campaign ``campaign_id`` (None: there is none)."""
    found = r.row(f"SELECT {CampaignRow.COLUMNS} FROM campaigns WHERE id = :id", id=campaign_id)
    return spec_of(CampaignRow.of(found)) if found is not None else None


def spec_of(campaign: Any) -> CampaignSpec:
    """What the team decided about ``campaign`` (the model or a :class:`CampaignRow`), as
    the domain reads it."""
    return CampaignSpec(
        name=campaign.name,
        hashtag=campaign.hashtag,
        timezone=campaign.timezone,
        post_time=time.fromisoformat(campaign.post_time),
        weekdays=frozenset(int(ch) for ch in campaign.weekdays),
        start=campaign.start_date,
        end=campaign.end_date,
        platforms=_split(campaign.platforms),
        languages=_split(campaign.languages) or ("en",),
        share_form=bool(campaign.share_form),
        stories_page=bool(campaign.stories_page),
        active=bool(campaign.active),
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)
