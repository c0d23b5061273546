"""The everyday commands without the whole stack: ``stories list``, ``stories show``,
``status`` and ``preview`` through the light settings reader, the database driver itself
and the same rules as the full application (``infobot.service.listing``, ``.showing``,
``.campaign_status``, ``.planning``, ``.previewing``). No SQLAlchemy, no
pydantic-settings, no Alembic.

:func:`open_lean` answers None whenever the full application must take over, which then
does what it always did: settings the light reader does not take on, a database URL it
does not read, a database that does not exist yet or needs a migration, or settings that
the campaign the settings made has not had applied yet (``App.open`` applies them, a
write). A campaign in two languages is read here too (``INFOBOT_LANGUAGES`` or its own
languages: its queue holds the stories ready in all of them, its posts show each version in
``INFOBOT_BILINGUAL_MODE``); ``INFOBOT_BILINGUAL_MODES`` and ``INFOBOT_BILINGUAL_FIRST`` set
are read by ``Settings`` alone, so such a campaign is the full path's. A command steps
aside (:class:`Unsupported`, and the full path answers) for what only the full application
reads: a platform whose rules the settings alone do not give (a plug-in or a second
account; Mastodon without ``INFOBOT_MASTODON__MAX_LENGTH``, whose limit the instance is
asked for; one whose account settings are missing), a pre-election period (essential
stories), or a delivery waiting for a person (``status``: the credentials check).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from infobot.store.reader import Unsupported

if TYPE_CHECKING:
    from datetime import tzinfo

    from infobot.domain.campaign import CampaignSpec
    from infobot.domain.costs import Pricing
    from infobot.domain.render import PlatformRules
    from infobot.service.checks import StoryChecker
    from infobot.service.importing import Importer
    from infobot.service.listing import StorySummary
    from infobot.service.previewing import PreviewDay
    from infobot.service.showing import StoryDetail
    from infobot.service.status_models import Status
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

    def show(self, story_id: int) -> tuple[StoryDetail, tzinfo]:
        """``stories show``: the story and the campaign's time zone (its history's)."""
        from infobot.service.showing import show

        settings = self.campaign_settings()
        checker = _checker(settings)
        tz = settings.tz
        return show(self.source.read, story_id, self.campaign_id, checker, tz), tz

    def status(self) -> Status:
        """``status`` (``infobot.service.campaign_status``)."""
        from infobot.clock import clock_from
        from infobot.service.campaign_status import read_status

        values = self.campaign_settings().values
        now = clock_from(values["clock_start"]).now()
        late_window = timedelta(hours=values["late_window_hours"])
        platforms, languages = values["platforms"], values["languages"]
        with self.source.read() as r:
            return read_status(r, self.campaign_id, now, late_window, platforms, languages)

    def preview(self, days: int) -> tuple[list[PreviewDay], tzinfo]:
        """``preview``: the coming days and the campaign's time zone (the days' times)."""
        from infobot.clock import clock_from
        from infobot.service.campaign_status import plan_of
        from infobot.service.planning import COMING
        from infobot.service.previewing import preview_days
        from infobot.store.queries.campaigns import state
        from infobot.store.queries.story_page import cards
        from infobot.store.rows import StoryRow

        settings = self.campaign_settings()
        checker = _checker(settings)
        values = settings.values
        now = clock_from(values["clock_start"]).now()
        late_window = timedelta(hours=values["late_window_hours"])
        with self.source.read() as r:
            found = state(r, self.campaign_id, late_window)
            if found is None:
                raise Unsupported("the campaign is gone")
            languages = values["languages"]
            plan = plan_of(r, self.campaign_id, found, now, days, StoryRow, languages)
            ids = [e.story.id for e in plan if e.story is not None and e.state in COMING]
            kept = cards(r, ids)
        return preview_days(plan, kept, checker, _x_pricing(values)), settings.tz

    def campaign_settings(self) -> LightSettings:
        """The settings as they apply to the campaign (``infobot.app.config.campaign_settings``):
        its own values laid over those read. Anything else they are asked for is
        :class:`~infobot.settings_light.Unusual`, so the full path answers instead."""
        from infobot.domain.campaign import settings_overlay
        from infobot.settings_light import LightSettings
        from infobot.store.queries.campaigns import spec

        with self.source.read() as r:
            found = spec(r, self.campaign_id)
        if found is None:
            raise Unsupported("the campaign is gone")
        values = self.settings.values
        return LightSettings(values | settings_overlay(found, values["platforms"]), None)

    def importing_settings(self) -> LightSettings:
        """The campaign's settings for ``infobot import``; :class:`Unsupported` when a
        campaign holds a pre-election period the settings made, which ``App.open`` would
        take away first (the settings read here name none: ``INFOBOT_ELECTION_PERIODS``
        is read by ``Settings`` alone), and the import's pin checks read the periods."""
        from infobot.store.queries.campaigns import has_settings_periods

        with self.source.read() as r:
            if has_settings_periods(r):
                raise Unsupported("pre-election periods from earlier settings")
        return self.campaign_settings()

    def importer(self) -> Importer:
        """``infobot import`` on this connection, with the campaign's settings (as
        ``App.importer``); :class:`Unsupported` when ``App.open`` would first write
        something the import reads (see :meth:`importing_settings`)."""
        from infobot.clock import clock_from
        from infobot.service.importing import importer_for
        from infobot.service.media import media_folder

        settings = self.importing_settings()
        clock = clock_from(settings.values["clock_start"])
        return importer_for(self.source, clock, self.campaign_id, settings, media_folder(settings))

    def close(self) -> None:
        self.source.close()


def _checker(settings: LightSettings) -> StoryChecker:
    """The campaign's checker as ``App.checker`` builds it (with a bilingual campaign's plan:
    each platform's mode and account language, ``infobot.platforms.instances``), for the
    built-in platforms whose rules come from the settings alone (:func:`_rules`); otherwise
    :class:`Unsupported` (other adapters are built by the full path)."""
    from infobot.platforms.instances import SECTIONS, bilingual_plan
    from infobot.service.checks import render_options, story_checker

    values = settings.values
    rules = {name: _rules(name, values) for name in values["platforms"]}
    if len(values["languages"]) > 1:  # every platform a built-in one (:func:`_rules`)
        options = render_options(settings, *bilingual_plan(settings, dict.fromkeys(SECTIONS, "")))
    else:
        options = render_options(settings)
    return story_checker(settings, lambda: rules, options)


#: What each built-in platform needs set before its adapter is built (else the full path
#: says what is missing).
_NEEDED = {
    "x": ("x.consumer_key", "x.consumer_secret", "x.access_token", "x.access_token_secret"),
    "mastodon": ("mastodon.api_base_url", "mastodon.access_token", "mastodon.max_length"),
    "bluesky": ("bluesky.handle", "bluesky.app_password"),
}


def _rules(name: str, values: dict[str, Any]) -> PlatformRules:
    """A platform's rules from the settings, built as its adapter builds them
    (``PlatformRules.*_account``). Mastodon's limit is the instance's: only with
    ``INFOBOT_MASTODON__MAX_LENGTH`` set is it known without asking the instance. The
    audience settings (``__REPLIES``, ``__QUOTES``) leave the whole read to ``Settings``,
    so they are unset here."""
    from infobot.domain.render import PlatformRules

    if name == "outbox":
        return PlatformRules.outbox(values["outbox.max_length"], values["outbox.link_in_reply"])
    needed = _NEEDED.get(name)
    if needed is None or not all(_given(values[key]) for key in needed):
        raise Unsupported(f"the {name} adapter is built by the full path")
    if name == "x":
        return PlatformRules.x_account(
            threads=values["x.threads"], link_in_reply=values["x.link_in_reply"], replies=None
        )
    if name == "mastodon":
        return PlatformRules.mastodon_account(
            values["mastodon.max_length"],
            link_in_reply=values["mastodon.link_in_reply"],
            quotes=None,
        )
    return PlatformRules.bluesky_account(
        link_in_reply=values["bluesky.link_in_reply"],
        link_cards=values["link_cards"],
        replies=None,
        quotes=None,
    )


def _x_pricing(values: dict[str, Any]) -> Pricing | None:
    """X's prices when the campaign posts to X (``App.x_pricing``): the light reader takes
    them at their defaults (a price set leaves the whole read to ``Settings``)."""
    from infobot.domain.costs import Pricing

    if "x" not in values["platforms"]:
        return None
    return Pricing.from_fields(lambda name: values[f"x.{name}"])


def _given(value: object) -> bool:
    if value is None:
        return False
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return not isinstance(value, str) or bool(value.strip())


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
