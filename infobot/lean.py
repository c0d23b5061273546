"""``infobot stories list`` without the whole stack: the light settings reader, the
database driver itself and the same listing (``infobot.service.listing``) as the full
application. No SQLAlchemy, no pydantic-settings, no Alembic.

:func:`open_lean` answers None whenever the full application must take over, which then
does what it always did: settings the light reader does not take on, a database URL it
does not read, a database that does not exist yet or needs a migration, or settings that
the campaign the settings made has not had applied yet (``App.open`` applies them, a
write). Every other command (``status``, ``preview``, ``stories show``) takes the full
path: their reads know features (bilingual titles, elections, overdue posts, first
figures, X costs, link cards) the lean path does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infobot.domain.campaign import CampaignSpec
    from infobot.service.listing import StorySummary
    from infobot.settings_light import LightSettings
    from infobot.store.reader import LeanSource


@dataclass
class Lean:
    settings: LightSettings
    source: LeanSource
    campaign_id: int

    def listing(self, status: str | None, limit: int | None) -> list[StorySummary]:
        from infobot.service.listing import listing

        with self.source.read() as r:
            return listing(r, self.campaign_id, status, limit)

    def close(self) -> None:
        self.source.close()


def open_lean(campaign: str | None = None) -> Lean | None:
    """The listing over the driver and the light settings, or None (see the module).
    ``campaign``: the name given with ``--campaign``."""
    from infobot import settings_light

    light = settings_light.read()
    if light is None:
        return None
    from infobot.store.reader import Unsupported, connect

    try:
        source = connect(light.values["database_url"])
    except Unsupported:
        return None
    try:
        wanted = campaign or light.values["campaign"]
        campaign_id = _campaign_id(source, spec_of(light), wanted.strip() if wanted else None)
    except BaseException:
        source.close()
        raise
    if campaign_id is None:
        source.close()
        return None
    return Lean(light, source, campaign_id)


def spec_of(light: LightSettings) -> CampaignSpec:
    """The campaign the settings describe (``infobot.app.campaign_config``)."""
    from infobot.domain.campaign import CampaignSpec, campaign_languages

    values = light.values
    return CampaignSpec(
        name=values["campaign_name"],
        hashtag=values["hashtag"],
        timezone=values["timezone"],
        post_time=values["post_time"],
        weekdays=light.weekdays,
        start=values["campaign_start"],
        end=values["campaign_end"],
        platforms=tuple(values["platforms"]),
        languages=campaign_languages(values["languages"]),
        share_form=values["share_form"],
        stories_page=values["public_page"],
    )


def _campaign_id(source: LeanSource, spec: CampaignSpec, name: str | None) -> int | None:
    """The campaign's id when the schema is current and the settings were applied to the
    campaign they made exactly as they are now (so ``App.open`` would write nothing)."""
    from infobot.domain.campaign import settings_values
    from infobot.store.migrate import HEAD
    from infobot.store.queries.campaigns import id_by_name, seed

    try:
        with source.read() as r:
            if r.scalar("SELECT version_num FROM alembic_version") != HEAD:
                return None
            made = seed(r)
            if made is None or not made[1] or json.loads(made[1]) != settings_values(spec):
                return None
            return id_by_name(r, name) if name else made[0]
    except Exception:  # no schema yet, or a driver error: the full path says what is wrong
        return None
