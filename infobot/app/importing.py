"""The importer, built from the settings: by ``App.importer`` or, for ``infobot import``,
straight from the light settings (:func:`lean_importer`) when ``App.open`` would change
nothing first, so that an import does not load pydantic-settings nor open the whole App
(about 0.12 s of CPU at start)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infobot.clock import Clock
    from infobot.lean import Lean
    from infobot.service.importing import Importer
    from infobot.service.media import MediaFolder
    from infobot.store.db import Database


def media_folder(settings: Any) -> MediaFolder:
    """The folder of the stories' pictures (``INFOBOT_MEDIA_DIR``) for ``settings`` (the
    ``Settings`` or the light settings of a campaign)."""
    from infobot.service.media import MediaFolder
    from infobot.settings_checks import default_media_dir

    root = settings.media_dir or default_media_dir(settings.database_url)
    return MediaFolder(root, settings.media_max_bytes)


def importer(
    db: Database, clock: Clock, campaign_id: int, settings: Any, media: MediaFolder
) -> Importer:
    """The importer of a campaign whose settings are ``settings``."""
    from infobot.service.importing import Importer

    return Importer(
        db,
        clock,
        campaign_id,
        timezone=settings.tz,
        require_consent=settings.require_consent,
        media=media,
    )


def lean_importer(lean: Lean) -> Importer:
    """The importer of the lean path's campaign, with a database of its own (the caller
    disposes of ``importer.db``). ``Unsupported`` when ``App.open`` would first write
    something that the import reads (see ``Lean.importing_settings``)."""
    from infobot.clock import clock_from
    from infobot.store.db import Database

    settings = lean.importing_settings()
    db = Database(settings.values["database_url"])
    clock = clock_from(settings.values["clock_start"])
    return importer(db, clock, lean.campaign_id, settings, media_folder(settings))
