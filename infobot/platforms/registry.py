"""From a platform name in settings to an adapter, through entry points.

Built-in adapters are listed here so they work from a source checkout; outside packages add
theirs under the ``infobot.platforms`` entry-point group (``name = "module:create"``). A
factory is called as ``create(settings, config)``: ``config`` is the platform's own
``[plugins.NAME]`` section of the settings (``INFOBOT_PLUGINS__NAME__KEY`` in the
environment), empty when there is none.
"""

from __future__ import annotations

import difflib
from importlib import import_module
from typing import TYPE_CHECKING, cast

from infobot.domain.errors import ConfigError

if TYPE_CHECKING:
    from infobot.platforms.base import Platform, PlatformFactory
    from infobot.settings import Settings

GROUP = "infobot.platforms"
BUILTIN: dict[str, str] = {
    "outbox": "infobot.platforms.outbox:create",
    "mastodon": "infobot.platforms.mastodon:create",
    "x": "infobot.platforms.x:create",
    "bluesky": "infobot.platforms.bluesky:create",
}
#: What every adapter offers (``infobot.platforms.base.Platform``), checked at creation.
CONTRACT = ("name", "rules", "publish", "lookup", "delete", "verify", "prepare", "close")


def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=GROUP)}


def available() -> dict[str, str]:
    """Every known platform name and where its factory lives."""
    found = dict(BUILTIN)
    for name, target in _entry_points().items():
        found.setdefault(name, target)
    return found


def factory(name: str) -> PlatformFactory:
    known = available()
    target = known.get(name)
    if target is None:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise LookupError(
            f"unknown platform {name!r}.{hint} Known platforms: {', '.join(sorted(known))}."
        )
    module_name, _, attr = target.partition(":")
    module = import_module(module_name)
    return cast("PlatformFactory", getattr(module, attr))


def create(name: str, settings: Settings) -> Platform:
    """Build the adapter for ``name``, handing it its ``[plugins.NAME]`` section. A name
    that is a second account of a platform (``mastodon_cy``) is built by that platform's
    factory with the account's own section (see ``infobot.platforms.instances``)."""
    from infobot.platforms import instances
    from infobot.platforms.base import Platform

    base = instances.base_of(name, settings, available())
    if base is not None and base != name:
        adapter = instances.create(name, base, settings, factory(base))
    else:
        adapter = factory(name)(settings, settings.plugin(name))
    if not isinstance(adapter, Platform):
        missing = [part for part in CONTRACT if not hasattr(adapter, part)]
        raise ConfigError(
            [
                f"INFOBOT_PLATFORMS: the {name!r} platform ({available()[base or name]}) does not"
                f" offer {', '.join(missing)}; see 'Adding a platform' in the README (an"
                " adapter with nothing to load or close inherits"
                " infobot.platforms.base.PlatformBase)"
            ]
        )
    return adapter
