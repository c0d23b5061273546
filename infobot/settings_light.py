"""The settings without pydantic: the same sources, the same precedence, the same checks,
for the commands that must start at once (``infobot.lean``, ``infobot.healthcheck``).

:func:`read` reads what :class:`infobot.settings.Settings` reads (``INFOBOT_*`` variables,
``.env``, secret files, the TOML file, then the defaults) for the fields in :data:`FIELDS`,
and checks each value with the same functions ``Settings`` calls
(:mod:`infobot.settings_checks`). It accepts only a plain subset of what pydantic accepts
and answers None for anything else: a form it is not sure of (quotes with escapes in
``.env``, JSON in a variable, ``yes`` for a boolean), a field it does not know
(``[plugins]``, a field added to ``Settings`` but not here), or a bad value. None means
"use ``Settings``", which then reads everything again and says what is wrong exactly as
before. ``tests/test_settings_light.py`` proves the two agree over many generated
combinations.

Stdlib only: no pydantic, no dotenv.
"""

from __future__ import annotations

import os
import re
from copy import deepcopy
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from infobot import settings_checks
from infobot.settings_checks import (
    DAY_NAMES,
    ENV_PREFIX,
    config_path,
    secrets_dir,
)
from infobot.settings_fields import FIELDS as FIELDS
from infobot.settings_fields import SECTIONS, Field

if TYPE_CHECKING:  # kept out of the start-up of ``infobot health``
    from collections.abc import Callable, Mapping
    from typing import Any

    from infobot.domain.accessibility import AccessibilityRules
    from infobot.domain.links import Tracking

_PREFIX = ENV_PREFIX.lower()
#: ``INFOBOT_*`` variables that are not settings (``Settings`` ignores them too).
NOT_SETTINGS = frozenset({"config", "secrets_dir"})
SECRETS_DIR_MAX_SIZE = 16 * 2**20  # pydantic-settings' own limit


class Unusual(Exception):
    """Something this reader does not take on: ``Settings`` decides instead."""


# -- values --------------------------------------------------------------------------------
class Secret:
    """A secret value, hidden when printed (as pydantic's ``SecretStr``)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


_INT = re.compile(r"0|[1-9][0-9]{0,9}")
_FLOAT = re.compile(r"(0|[1-9][0-9]{0,9})(\.[0-9]{1,9})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def _number(field: Field, value: Any) -> Any:
    if field.kind == "int":
        if isinstance(value, str) and _INT.fullmatch(value):
            value = int(value)
        if type(value) is not int:
            raise Unusual
    else:
        if isinstance(value, str) and _FLOAT.fullmatch(value):
            value = float(value)
        if type(value) not in (int, float):
            raise Unusual
        value = float(value)
    if field.ge is not None and not value >= field.ge:
        raise Unusual
    if field.gt is not None and not value > field.gt:
        raise Unusual
    if field.le is not None and not value <= field.le:
        raise Unusual
    return value


def _parse(field: Field, value: Any) -> Any:
    """The value as ``Settings`` holds it, or :class:`Unusual`."""
    if isinstance(value, str) and value == "" and field.kind not in ("str", "list", "secrets"):
        raise Unusual  # pydantic's answer to an empty value depends on the source
    if field.before is not None:
        try:
            value = field.before(value)
        except ValueError:
            raise Unusual from None
    kind = field.kind
    if value is None:
        if not field.optional:
            raise Unusual
    elif kind in ("str", "literal", "secret", "path"):
        if not isinstance(value, str):
            raise Unusual
        if kind == "literal" and value not in field.choices:
            raise Unusual
        if kind == "path":
            if not value or "\x00" in value:
                raise Unusual
            value = Path(value)
        if kind == "secret":
            if field.after is not None:
                try:
                    field.after(value)
                except ValueError:
                    raise Unusual from None
            return Secret(value)
    elif kind in ("int", "float"):
        value = _number(field, value)
    elif kind == "bool":
        if isinstance(value, str) and value in _BOOLS:
            value = _BOOLS[value]
        if not isinstance(value, bool):
            raise Unusual
    elif kind == "date":
        if isinstance(value, str) and _DATE.fullmatch(value):
            value = date.fromisoformat(value)
        if type(value) is not date:
            raise Unusual
    elif kind == "datetime":
        if isinstance(value, str) and _DATETIME.fullmatch(value):
            value = datetime.fromisoformat(value)
        if type(value) is not datetime or value.tzinfo is None:
            raise Unusual
    elif kind == "time":
        if isinstance(value, str) and re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            value = time(int(value[:2]), int(value[3:]))
        if type(value) is not time or value.tzinfo is not None:
            raise Unusual
    elif kind in ("list", "secrets"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Unusual
        if kind == "secrets":
            value = [Secret(v) for v in value]
    else:  # pragma: no cover - FIELDS holds known kinds only
        raise Unusual
    if field.after is not None and value is not None:
        try:
            value = field.after(value)
        except ValueError:
            raise Unusual from None
    return value


# -- the sources ---------------------------------------------------------------------------
def _flat_key(name: str) -> str:
    """``INFOBOT_MASTODON__ACCESS_TOKEN`` (any case) -> ``mastodon.access_token``."""
    key = name.lower()[len(_PREFIX) :]
    if key in NOT_SETTINGS:
        return ""
    parts = key.split("__")
    if len(parts) > 2 or any(not part for part in parts):
        raise Unusual
    dotted = ".".join(parts)
    if dotted not in FIELDS:
        raise Unusual  # JSON for a section, plug-ins, a new field, a misspelling
    return dotted


def _from_pairs(pairs: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in pairs.items():
        if not name.lower().startswith(_PREFIX):  # pydantic-settings compares lower case
            continue
        dotted = _flat_key(name)
        if not dotted:
            continue
        if dotted in found:
            raise Unusual  # two spellings of one name
        if value == "" and "." in dotted:
            raise Unusual  # pydantic-settings skips an empty nested value, or not
        found[dotted] = value
    return found


_DOTENV_LINE = re.compile(r"(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)")
_PLAIN_VALUE = re.compile(r"[^\s'\"#$\\`]*(?:[ \t]+[^\s'\"#$\\`]+)*")
_QUOTED = re.compile(r"(['\"])([^'\"$\\`]*)\1")


def _dotenv(path: Path) -> dict[str, str]:
    """A ``.env`` file of plain ``NAME=value`` lines (python-dotenv reads them the same)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise Unusual from None
    pairs: dict[str, str] = {}
    for raw in text.split("\n"):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        match = _DOTENV_LINE.fullmatch(line)
        if match is None:
            raise Unusual
        name, value = match.group(1), match.group(2)
        quoted = _QUOTED.fullmatch(value)
        if quoted is not None:
            value = quoted.group(2)
        elif not _PLAIN_VALUE.fullmatch(value):
            raise Unusual
        if name in pairs or "\r" in raw[:-1] or "\x0b" in line or "\x0c" in line:
            raise Unusual
        pairs[name] = value
    return pairs


def _secret_files(folder: Path) -> dict[str, str]:
    try:
        root = folder.expanduser().resolve()
        entries = sorted(root.iterdir()) if root.is_dir() else []
    except OSError:
        raise Unusual from None
    pairs: dict[str, str] = {}
    total = 0
    for entry in entries:
        if entry.name.startswith("."):
            continue
        target = entry.resolve()
        if not target.is_file() or root not in target.parents:
            raise Unusual  # a folder, or a link out of the secrets folder
        total += target.stat().st_size
        if total > SECRETS_DIR_MAX_SIZE:
            raise Unusual
        if entry.name.lower().startswith(_PREFIX):
            try:
                pairs[entry.name] = target.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                raise Unusual from None
    return pairs


def _toml_table(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, ValueError):
        raise Unusual from None


def _toml(path: Path) -> dict[str, Any]:
    data = _toml_table(path)
    found: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS and isinstance(value, dict):
            for sub, item in value.items():
                if f"{key}.{sub}" not in FIELDS:
                    raise Unusual
                found[f"{key}.{sub}"] = item
        elif key in FIELDS and key not in SECTIONS:
            found[key] = value
        else:
            raise Unusual
    return found


# -- the result ----------------------------------------------------------------------------
class LightSettings:
    """The settings :func:`read` found, with the attributes of ``Settings`` for the fields
    in :data:`FIELDS` (sections too: ``settings.mastodon.access_token``). Any other
    attribute comes from ``fallback()`` (the full ``Settings``, read on first need), so a
    field added to ``Settings`` and not yet to :data:`FIELDS` still reads right."""

    def __init__(self, values: Mapping[str, Any], fallback: Callable[[], Any] | None) -> None:
        self.values = dict(values)
        self._fallback = fallback
        self._full: Any = None
        for name in SECTIONS:
            prefix = name + "."
            section = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
            setattr(self, name, _Section(section, self, name))
        for name, value in values.items():
            if "." not in name:
                setattr(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def full(self) -> Any:
        """The full ``Settings`` (read once, on first need)."""
        if self._full is None:
            if self._fallback is None:
                raise Unusual("no full settings to fall back on")
            self._full = self._fallback()
        return self._full

    def secret_values(self) -> list[str]:
        """Every configured secret (``infobot.settings.secret_values``), for scrubbing."""
        found: list[str] = []
        for name, field in FIELDS.items():
            value = self.values[name]
            if field.kind == "secrets":
                found += [item.get_secret_value() for item in value]
            elif field.kind == "secret" and value is not None and len(value._value) >= 4:
                found.append(value.get_secret_value())
        return sorted(found, key=len, reverse=True)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.values["timezone"])

    @property
    def weekdays(self) -> frozenset[int]:
        """Campaign days as ``date.weekday()`` numbers (Monday = 0)."""
        return frozenset(DAY_NAMES.index(day) for day in self.values["campaign_days"])

    def tracking(self, campaign_name: str, *, include_bare: bool = True) -> Tracking | None:
        """As ``Settings.tracking``."""
        values = self.values
        return settings_checks.tracking(
            values["tracking_domains"],
            values["tracking_campaign"],
            campaign_name,
            include_bare=include_bare,
        )

    def accessibility_rules(self, words: tuple[str, ...] = ()) -> AccessibilityRules:
        """As ``Settings.accessibility_rules``."""
        values = self.values
        return settings_checks.accessibility_rules(
            values["hashtag_display"], values["accessibility_refuse"], words
        )

    @property
    def plugins(self) -> dict[str, dict[str, Any]]:
        return {}  # a [plugins] section is never read here (see _flat_key and _toml)

    def plugin(self, name: str) -> dict[str, Any]:
        return {}


class _Section:
    def __init__(self, values: Mapping[str, Any], owner: LightSettings, name: str) -> None:
        self._owner, self._name = owner, name
        for key, value in values.items():
            setattr(self, key, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(getattr(self._owner.full(), self._name), name)


def read(
    environ: Mapping[str, str] | None = None, *, fallback: Callable[[], Any] | None = None
) -> LightSettings | None:
    """The settings from every source, or None when ``Settings`` must read them.
    ``fallback`` builds the full ``Settings`` for attributes outside :data:`FIELDS`."""
    environ = os.environ if environ is None else environ
    try:
        layers: list[Mapping[str, Any]] = [
            _from_pairs(environ)  # the environment
        ]
        dotenv = Path(".env")
        if dotenv.is_file():
            layers.append(_from_pairs(_dotenv(dotenv)))
        elif dotenv.exists():
            raise Unusual
        folder = secrets_dir(environ)
        if folder is not None:
            layers.append(_from_pairs(_secret_files(folder)))
        config = config_path(environ)
        if config is not None:
            if not config.is_file():
                raise Unusual
            layers.append(_toml(config))
        values: dict[str, Any] = {}
        for name, field in FIELDS.items():
            given = next((layer[name] for layer in layers if name in layer), _MISSING)
            if field.kind == "fixed":
                if given is not _MISSING:
                    raise Unusual
                values[name] = deepcopy(field.default)
                continue
            raw = field.default if given is _MISSING else given
            if isinstance(raw, list):
                raw = list(raw)
            values[name] = _parse(field, raw)
    except (Unusual, ValueError):  # a value a check refuses, or one that does not parse
        return None
    return LightSettings(values, fallback)


def read_one(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One top-level setting from the sources, first found wins, checked as :func:`read`
    checks it; None when it is not set or anything about it is unusual. For a command
    that needs one value and nothing else (``infobot.healthcheck``)."""
    environ = os.environ if environ is None else environ
    field = FIELDS[name]
    wanted = _PREFIX + name
    try:
        found = [v for k, v in environ.items() if k.lower() == wanted]
        if not found:
            dotenv = Path(".env")
            if dotenv.exists():
                found = [v for k, v in _dotenv(dotenv).items() if k.lower() == wanted]
        if not found:
            folder = secrets_dir(environ)
            if folder is not None and folder.is_dir():
                found = [v for k, v in _secret_files(folder).items() if k.lower() == wanted]
        if not found:
            config = config_path(environ)
            if config is not None:
                value = _toml_table(config).get(name, _MISSING)
                found = [] if value is _MISSING else [value]
        if len(found) != 1:
            return None
        return _parse(field, found[0])
    except (Unusual, ValueError):
        return None


_MISSING = object()
