"""The light settings reader agrees with ``Settings``: whenever it answers, ``Settings``
succeeds with the same value for every field, over generated combinations of the four
sources (environment, ``.env``, secret files, TOML) with good, bad and odd values.
When it is not sure it answers None, and the commands use ``Settings`` itself."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, SecretStr

from infobot import settings_light
from infobot.domain.errors import ConfigError
from infobot.settings import Settings, load_settings
from infobot.settings_light import FIELDS, Secret

SOURCES = ("env", "dotenv", "secret", "toml")

NUMBERS = ["0", "1", "5", "6", "6.0", "6.5", "19", "20", "23", "23.5", "24", "60", "61", "168",
           "169", "300", "301", "500", "8080", "65535", "65536", "-1", "08080", " 80", "80.0",
           "1e3", "nan", "inf", ".5", "6.", "abc", ""]  # fmt: skip
POOLS: dict[str, list[str]] = {
    "str": [
        "x",
        "",
        " padded ",
        "sqlite:///q.db",
        "é",
        "a=b",
        "has space",
        "a#b",
        "$HOME",
        "'q'",
        "https://social.example.org",
    ],
    "int": NUMBERS,
    "float": NUMBERS,
    "bool": ["true", "false", "1", "0", "True", "FALSE", "yes", "no", "on", "off", "t", "2", ""],
    "date": ["2026-11-23", "2026-13-01", "23/11/2026", "20261123", "1700000000", ""],
    "datetime": [
        "2026-11-23T08:00:00+00:00",
        "2026-11-23T08:00:00Z",
        "2026-11-23 08:00:00Z",
        "2026-11-23T08:00:00",
        "2026-11-23T08:00+01:00",
        "2026-11-23T08:00:00.5-05:00",
        "1700000000",
        "",
    ],
    "time": ["09:00", "9:00", "23:59", "24:00", "09:00:00", "0900", "", "12:30"],
    "path": ["queue/x.jsonl", "", "/abs/p.json", "~/x"],
    "secret": ["tok-1234", "", " spaced ", "s" * 40, "short", "é" * 20],
    "list": [
        "outbox",
        "outbox,mastodon",
        "Outbox, X",
        "",
        ",",
        "bad name",
        "mon,tue",
        "monday",
        "sunday,SAT",
        "fri",
    ],
    "secrets": ["json://a.example,json://b.example", "", "x"],
    "fixed": ["x", "", "1"],
}
EXTRA: dict[str, list[str]] = {
    "timezone": ["Europe/London", "UTC", "Mars/Base", "europe/london", "America/New_York"],
    "hashtag": ["#infostory", "info", "123", "#a b", "  #Tag_1 "],
    "attribution": ["— {author}", "{nope}", "{author} {title}", "{"],
    "overflow": ["thread", "reject", "Thread"],
    "log_format": ["text", "json", "JSON"],
    "log_level": ["DEBUG", "info", "ERROR"],
    "mastodon.visibility": ["public", "direct", "secret"],
    "bilingual_mode": ["post", "accounts", "Thread"],
    "languages": ["cy,en", "en", "CY, en", "en,cy,ga", "xx", "cy,cy", "eng"],
}
#: Values every field of the kind takes (most examples should be read lightly).
GOOD: dict[str, list[str]] = {
    "str": ["x", "sqlite:///q.db", "é"],
    "int": ["20", "500", "8080"],
    "float": ["1", "5.5", "20"],
    "bool": ["true", "false", "1", "0"],
    "date": ["2026-11-23"],
    "datetime": ["2026-11-23T08:00:00+00:00", "2026-11-23T08:00:00Z"],
    "time": ["09:00", "12:30"],
    "path": ["queue/x.jsonl"],
    "secret": ["s" * 40],
    "list": ["outbox", "mon,tue"],
    "secrets": ["json://a.example"],
    "fixed": ["x"],
}
#: Names that are not fields of the light reader: it must step aside when they are set.
ODD_NAMES = ["plugins__shouty__path", "mastodon", "mastodon__nope", "not_a_setting",
             "x__access_token__deep", "plugins"]  # fmt: skip


def _values(name: str) -> list[str]:
    field = FIELDS[name]
    return EXTRA.get(name, []) + POOLS[field.kind if field.kind != "literal" else "str"]


def _typed(name: str) -> st.SearchStrategy[Any]:
    """TOML-only typed values of the field's kind (and some of the wrong kind)."""
    kind = FIELDS[name].kind
    pool: list[Any] = [True, 7, 2.5, date(2026, 11, 23)]
    pool += {
        "int": [1, 20, 500, 8080, 65536, 0, -1],
        "float": [0, 6, 6.5, 23, 30.0, 301],
        "bool": [True, False],
        "date": [date(2026, 1, 2), datetime(2026, 1, 2, 3, 4)],
        "time": [time(9, 0), time(9, 0, 30), time(23, 59)],
        "datetime": [datetime.fromisoformat("2026-11-23T08:00:00+00:00"), datetime(2026, 1, 1)],
        "list": [["outbox"], ["Outbox"], [], ["mon", "fri"], [1]],
        "secrets": [["json://a"], []],
    }.get(kind, [])
    return st.sampled_from(pool)


@st.composite
def configurations(draw: st.DrawFn) -> list[tuple[str, str, Any, str]]:
    """(source, name, value, how) entries; ``how`` varies the spelling of each source."""
    names = draw(
        st.lists(st.sampled_from(list(FIELDS)), max_size=7)
        | st.lists(st.sampled_from([*FIELDS, *ODD_NAMES]), max_size=7)
    )
    entries = []
    for name in names:
        source = draw(st.sampled_from(SOURCES))
        if name in FIELDS:
            good = EXTRA.get(name, [])[:2] or GOOD[FIELDS[name].kind]
            values: st.SearchStrategy[Any] = st.sampled_from(good) | st.sampled_from(_values(name))
            if source == "toml":
                values = values | _typed(name)
        else:
            values = st.sampled_from(["x", '{"access_token": "t"}', ""])
        how = draw(st.sampled_from(["upper", "lower", "mixed", "quoted", "export", "spaced"]))
        entries.append((source, name, draw(values), how))
    return entries


def _env_name(name: str, how: str) -> str:
    text = "INFOBOT_" + name.replace(".", "__").upper()
    if how == "lower":
        return text.lower()
    if how == "mixed":
        return "".join(c.lower() if i % 2 else c for i, c in enumerate(text))
    return text


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, date | time):
        return value.isoformat()
    return repr(value)


def _write(entries: list[tuple[str, str, Any, str]], folder: Path) -> dict[str, str]:
    env: dict[str, str] = {"INFOBOT_SECRETS_DIR": str(folder / "secrets")}
    dotenv: list[str] = ["# settings", ""]
    top: list[str] = []
    sections: dict[str, list[str]] = {}
    (folder / "secrets").mkdir()
    for source, name, value, how in entries:
        if source == "toml":
            head, _, tail = name.partition(".")
            if tail and head in settings_light.SECTIONS:
                sections.setdefault(head, []).append(f"{tail} = {_toml_value(value)}")
            else:
                top.append(f"{name.replace('.', '__')} = {_toml_value(value)}")
            continue
        env_name = _env_name(name, how)
        if source == "env":
            env[env_name] = value
        elif source == "dotenv":
            text = f'"{value}"' if how == "quoted" else f"'{value}'" if how == "export" else value
            prefix = "export " if how == "export" else ""
            sep = " = " if how == "spaced" else "="
            dotenv.append(f"{prefix}{env_name}{sep}{text}")
        else:
            (folder / "secrets" / env_name).write_text(value + "\n", encoding="utf-8")
    (folder / ".env").write_text("\n".join(dotenv) + "\n", encoding="utf-8")
    toml = (
        "\n".join(top)
        + "\n"
        + "".join(f"[{head}]\n" + "\n".join(lines) + "\n" for head, lines in sections.items())
    )
    (folder / "infobot.toml").write_text(toml, encoding="utf-8")
    env["INFOBOT_CONFIG"] = str(folder / "infobot.toml")
    return env


@contextmanager
def _inside(folder: Path, env: dict[str, str]) -> Iterator[None]:
    saved, cwd = dict(os.environ), Path.cwd()
    for key in list(os.environ):
        if key.upper().startswith("INFOBOT_"):
            del os.environ[key]
    os.environ.update(env)
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr | Secret):
        return ("secret", value.get_secret_value())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return (value.isoformat(), value.utcoffset())
    return value


def _full_value(settings: Settings, dotted: str) -> Any:
    value: Any = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _compare(entries: list[tuple[str, str, Any, str]]) -> bool:
    """True when the light reader answered (and then agreed)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = _write(entries, folder)
        with _inside(folder, env):
            light = settings_light.read()
            try:
                full: Settings | None = load_settings()
            except ConfigError:
                full = None
    if light is None:
        return False
    assert full is not None, f"the light reader accepted what Settings refuses: {entries}"
    for dotted in FIELDS:
        assert _plain(light.values[dotted]) == _plain(_full_value(full, dotted)), (dotted, entries)
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_the_light_reader_agrees_with_settings(entries: list[tuple[str, str, Any, str]]) -> None:
    event("light reader answered" if _compare(entries) else "light reader stepped aside")


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [  # the container's image and environment file, secrets in files
            ("env", "database_url", "sqlite:////data/infobot.db", "upper"),
            ("env", "outbox_path", "/data/outbox.jsonl", "upper"),
            ("env", "bluesky.session_file", "/data/bluesky-session.json", "upper"),
            ("env", "log_format", "json", "upper"),
            ("env", "platforms", "mastodon,bluesky,x", "upper"),
            ("env", "web_port", "8080", "upper"),
            ("env", "metrics_port", "9464", "upper"),
            ("secret", "mastodon.access_token", "tok-1234", "lower"),
            ("secret", "x.consumer_key", "key-1234", "lower"),
            ("secret", "web_session_secret", "s" * 40, "lower"),
            ("secret", "alert_urls", "json://a.example", "lower"),
        ],
        [  # a TOML file with typed values, overridden by .env and the environment
            ("toml", "post_time", time(9, 30), ""),
            ("toml", "campaign_start", date(2026, 11, 1), ""),
            ("toml", "late_window_hours", 4, ""),
            ("toml", "mastodon.api_base_url", "https://social.example.org", ""),
            ("toml", "campaign_days", ["mon", "wed"], ""),
            ("dotenv", "hashtag", "#infostory", "quoted"),
            ("dotenv", "timezone", "Europe/London", "export"),
            ("env", "clock_start", "2026-11-23T08:00:00+00:00", "upper"),
        ],
    ],
)
def test_everyday_configurations_are_read_lightly(entries: list[tuple[str, str, Any, str]]) -> None:
    assert _compare(entries)


def test_every_setting_is_known_to_the_light_reader() -> None:
    """A field added to ``Settings`` must be added to ``settings_light.FIELDS`` too (with the
    same kind, default, bounds and checks); until then, setting it makes every command read
    ``Settings`` instead (slower, never wrong)."""
    names = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= {f"{name}.{sub}" for sub in annotation.model_fields}
        elif name != "plugins":  # plug-in sections: always read by Settings
            names.add(name)
    missing = sorted(names - set(FIELDS))
    assert not missing, f"add these to infobot.settings_light.FIELDS: {missing}"
    assert not set(FIELDS) - names


def test_the_light_secrets_are_the_settings_secrets(tmp_path: Path) -> None:
    """Scrubbing finds the same secrets in the light settings as in ``Settings``."""
    from infobot.settings import SECRET_FIELDS, secret_values

    assert {n for n, f in FIELDS.items() if f.kind == "secret"} == SECRET_FIELDS
    entries = [
        ("env", "mastodon.access_token", "tok-1234", "upper"),
        ("secret", "x.consumer_key", "key-5678", "lower"),
        ("env", "alert_urls", "json://a.example,json://b.example", "upper"),
        ("env", "web_session_secret", "s" * 40, "upper"),
        ("env", "bluesky.app_password", "abc", "upper"),  # too short to scrub
    ]
    env = _write(entries, tmp_path)
    with _inside(tmp_path, env):
        light = settings_light.read()
        full = load_settings()
    assert light is not None
    assert sorted(light.secret_values()) == sorted(secret_values(full))


def test_a_field_the_light_reader_lacks_is_read_from_settings(tmp_path: Path) -> None:
    with _inside(tmp_path, {"INFOBOT_SECRETS_DIR": str(tmp_path / "none")}):
        light = settings_light.read(fallback=load_settings)
        assert light is not None
        assert light.model_config["env_prefix"] == "INFOBOT_"  # not a field: from Settings
        assert light.mastodon.model_fields_set == set()
