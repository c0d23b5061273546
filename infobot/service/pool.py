"""The platform pool: the enabled platforms' adapters, each built once, on first use.

The composition root gives the pool the enabled names and a factory (the registry, with
the settings); tests give it ready adapters with :meth:`PlatformPool.add`. Services ask it
for an adapter by name and never build one themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from infobot.domain.render import PlatformRules
from infobot.platforms.base import Platform

log = logging.getLogger("infobot.platforms")


class PlatformPool:
    def __init__(self, enabled: Iterable[str], factory: Callable[[str], Platform]) -> None:
        self.enabled: tuple[str, ...] = tuple(enabled)
        self._factory = factory
        self._built: dict[str, Platform] = {}
        self._lock = threading.Lock()

    def only(self, names: Iterable[str]) -> PlatformPool:
        """The same adapters, with only ``names`` enabled (those of them this pool enables):
        one campaign's platforms. Adapters built through either pool are shared."""
        wanted = set(names)
        view = PlatformPool((n for n in self.enabled if n in wanted), self._factory)
        view._built, view._lock = self._built, self._lock
        return view

    def add(self, name: str, platform: Platform) -> None:
        """Use ``platform`` as the adapter for ``name`` (a test's fake, a ready adapter)."""
        with self._lock:
            self._built[name] = platform

    def get(self, name: str) -> Platform:
        """The adapter for ``name``, built on first use. Raises ``LookupError`` for a
        platform nobody provides, or the adapter's own error for bad settings."""
        with self._lock:
            if name not in self._built:
                self._built[name] = self._factory(name)
            return self._built[name]

    def all(self) -> dict[str, Platform]:
        """Every enabled platform's adapter."""
        return {name: self.get(name) for name in self.enabled}

    def rules(self) -> dict[str, PlatformRules]:
        """Every enabled platform's rules (length counter, limits, features)."""
        return {name: platform.rules() for name, platform in self.all().items()}

    def prepare(self) -> None:
        """Build the adapters and load their SDKs now, so the first post does not wait
        for imports."""
        for name in self.enabled:
            try:
                self.get(name).prepare()
            except Exception as exc:  # the post itself will report it plainly
                log.warning("could not prepare the %s platform: %s", name, exc)

    def close(self) -> None:
        """Close the adapters that hold sessions (HTTP connections, files)."""
        with self._lock:
            built = list(self._built.values())
            self._built.clear()  # shared with the campaigns' views (``only``)
        for platform in built:
            platform.close()
