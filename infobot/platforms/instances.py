"""More than one account on one platform: platform instances such as ``mastodon_cy``.

A bilingual campaign may post each language from its own account. The second account is
a platform *instance*: a name in ``INFOBOT_PLATFORMS`` that is not a platform of its own
(``mastodon_cy``), with a settings section of its own, the plug-in section
``[plugins.mastodon_cy]`` (``INFOBOT_PLUGINS__MASTODON_CY__KEY``):

.. code-block:: toml

    [plugins.mastodon_cy]
    language = "cy"                       # the language this account posts in
    api_base_url = "https://toot.wales"   # the keys of INFOBOT_MASTODON__*, for this account
    # access_token: a secret: INFOBOT_PLUGINS__MASTODON_CY__ACCESS_TOKEN in a secret file

The platform is the name before the last ``_`` (or ``platform = "mastodon"`` in the
section). A built-in platform's instance starts from that platform's defaults, never from
the other account's values (so it can never post with the other account's token); a
plug-in's instance gets its own section as its ``config``. ``language`` may be set for the
first account too (``[plugins.mastodon] language = "en"``); otherwise it posts the campaign
language no other account of its platform posts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from infobot.domain.errors import ConfigError

if TYPE_CHECKING:
    from infobot.domain.render.types import Bilingual
    from infobot.platforms.base import Platform
    from infobot.settings import Settings

#: Keys of an instance's section that are about the instance, not the platform's settings.
OWN_KEYS = frozenset({"platform", "language"})
#: Built-in platforms whose settings are a section of ``Settings`` (``settings.mastodon``).
SECTIONS = frozenset({"mastodon", "x", "bluesky", "outbox"})


def base_of(name: str, settings: PlanSettings, known: Mapping[str, str]) -> str | None:
    """The platform ``name`` is an account of: itself when it is a platform, else its
    section's ``platform``, else the name before its last ``_`` when that is a platform."""
    if name in known:
        return name
    config = settings.plugin(name)
    given = str(config.get("platform") or "").strip().lower()
    if given:
        return given if given in known else None
    prefix, _, _ = name.rpartition("_")
    return prefix if prefix in known else None


def language_of(name: str, settings: PlanSettings) -> str:
    """The language set for the account ``name`` ("" when none is)."""
    return str(settings.plugin(name).get("language") or "").strip().lower()


class PlanSettings(Protocol):
    """What :func:`bilingual_plan` reads: ``Settings`` and the light reader's
    ``LightSettings`` alike."""

    @property
    def platforms(self) -> Sequence[str]: ...
    @property
    def languages(self) -> Sequence[str]: ...
    @property
    def bilingual_mode(self) -> Bilingual: ...
    @property
    def bilingual_modes(self) -> Mapping[str, Bilingual]: ...

    def plugin(self, name: str) -> Mapping[str, Any]: ...


def bilingual_plan(
    settings: PlanSettings, known: Mapping[str, str]
) -> tuple[tuple[tuple[str, Bilingual], ...], tuple[tuple[str, str], ...]]:
    """Each enabled platform's bilingual mode, and the language of each account (a platform
    instance such as ``mastodon_cy``); ``known``: the platforms there are (by name)."""
    from infobot.domain.versions import account_languages

    bases = {n: base_of(n, settings, known) or n for n in settings.platforms}
    chosen = settings.bilingual_modes
    modes = tuple(
        (name, chosen.get(name) or chosen.get(bases[name]) or settings.bilingual_mode)
        for name in settings.platforms
    )
    accounts = {name: (bases[name], language_of(name, settings)) for name in bases}
    return modes, tuple(account_languages(accounts, settings.languages).items())


def create(
    name: str,
    base: str,
    settings: Settings,
    factory: Callable[[Settings, Mapping[str, Any]], Platform],
) -> Platform:
    """Build the account ``name`` with ``base``'s factory and the instance's own settings."""
    config = {k: v for k, v in settings.plugin(name).items() if k not in OWN_KEYS}
    if base not in SECTIONS:
        return factory(settings, config)
    try:
        return factory(_instance_settings(name, base, settings, config), {})
    except ConfigError as exc:  # name the instance's variables, not the first account's
        own = f"INFOBOT_PLUGINS__{name.upper()}__"
        raise ConfigError(
            [line.replace(f"INFOBOT_{base.upper()}__", own) for line in exc.lines]
        ) from None


def _instance_settings(
    name: str, base: str, settings: Settings, config: dict[str, Any]
) -> Settings:
    from infobot.platforms.common import plugin_settings

    update: dict[str, Any] = {}
    if base == "outbox":
        path = config.pop("path", None)
        update["outbox_path"] = (
            settings.outbox_path.with_name(f"{name}.jsonl") if path is None else path
        )
    model = type(getattr(settings, base))
    unknown = sorted(set(config) - set(model.model_fields))
    if unknown:
        known = ", ".join(sorted({*model.model_fields, *OWN_KEYS}))
        raise ConfigError(
            [
                f"INFOBOT_PLUGINS__{name.upper()}__{key.upper()} ([plugins.{name}] {key}):"
                f" {base} has no setting {key!r}; its settings are {known}"
                for key in unknown
            ]
        )
    if base == "bluesky" and "session_file" not in config:
        config["session_file"] = settings.bluesky.session_file.with_name(f"{name}-session.json")
    update[base] = plugin_settings(model, config, name=name)
    if "outbox_path" in update:
        from pathlib import Path

        update["outbox_path"] = Path(update["outbox_path"])
    return settings.model_copy(update=update)
