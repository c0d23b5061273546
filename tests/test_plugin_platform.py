"""An outside package adds a platform through the ``infobot.platforms`` entry point.

The example package in tests/data/example_platform is made importable with real package
metadata (a .dist-info folder on sys.path, as pip would write it), so the registry finds
it through importlib.metadata exactly as it would after ``pip install``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from infobot.domain.errors import ConfigError
from infobot.platforms import registry
from infobot.settings import load_settings, secret_values
from tests.conftest import QUEUE, Cli

EXAMPLE = Path(__file__).parent / "data" / "example_platform"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(EXAMPLE / "infobot_example_platform.py", site)
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    meta = project["project"]
    dist = site / f"infobot_example_platform-{meta['version']}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n",
        encoding="utf-8",
    )
    lines = ["[infobot.platforms]"] + [
        f"{name} = {target}" for name, target in meta["entry-points"]["infobot.platforms"].items()
    ]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("infobot_example_platform", None)


def test_registry_finds_the_entry_point(installed: Path) -> None:
    assert registry.available()["shouty"] == "infobot_example_platform:create"


def test_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(LookupError) as info:
        registry.factory("mastadon")
    assert "Did you mean 'mastodon'?" in str(info.value)
    assert "outbox" in str(info.value)


def test_the_plugin_works_end_to_end(installed: Path, cli: Cli, tmp_path: Path) -> None:
    os.environ["INFOBOT_PLUGINS__SHOUTY__PATH"] = str(tmp_path / "shouty.txt")
    os.environ["INFOBOT_PLATFORMS"] = "outbox,shouty"
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok("stories", "approve", "6", "--by", "alex")
    plan = cli.ok("preview", "--days", "1", "--json").json()
    assert plan[0]["platforms"]["shouty"]["posts"][0]["limit"] == 200
    assert "shouty: OK" in cli.ok("doctor").out
    cli.ok("post-now")
    lines = (tmp_path / "shouty.txt").read_text(encoding="utf-8").splitlines()
    parts = len(plan[0]["platforms"]["shouty"]["posts"])
    assert len(lines) == parts
    assert sum(x.count("#INFOSTORY") for x in lines) == 1
    assert cli.sql("SELECT platform, status FROM deliveries ORDER BY platform") == [
        ("outbox", "sent"),
        ("shouty", "sent"),
    ]


def test_the_plugin_reads_its_own_section_from_toml_and_environment(
    installed: Path, cli: Cli, tmp_path: Path
) -> None:
    config = tmp_path / "infobot.toml"
    config.write_text(
        'platforms = "shouty"\n\n[plugins.shouty]\nmax_length = 120\npath = "from-toml.txt"\n',
        encoding="utf-8",
    )
    os.environ["INFOBOT_CONFIG"] = str(config)
    os.environ["INFOBOT_PLUGINS__SHOUTY__PATH"] = str(tmp_path / "from-env.txt")  # env wins
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok("stories", "approve", "6", "--by", "alex")
    plan = cli.ok("preview", "--days", "1", "--json").json()
    assert plan[0]["platforms"]["shouty"]["posts"][0]["limit"] == 120
    cli.ok("post-now")
    assert (tmp_path / "from-env.txt").exists() and not (tmp_path / "from-toml.txt").exists()


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("MAX_LENGTH", "5", "INFOBOT_PLUGINS__SHOUTY__MAX_LENGTH ([plugins.shouty] max_length)"),
        ("MAX_LENGHT", "120", "INFOBOT_PLUGINS__SHOUTY__MAX_LENGHT ([plugins.shouty] max_lenght)"),
    ],
)
def test_a_bad_plugin_setting_is_named_both_ways(
    installed: Path, cli: Cli, key: str, value: str, said: str
) -> None:
    os.environ["INFOBOT_PLATFORMS"] = "shouty"
    os.environ[f"INFOBOT_PLUGINS__SHOUTY__{key}"] = value
    result = cli("preview", "--days", "1")
    assert result.code == 2 and said in result.err
    assert said in cli("doctor").out  # and doctor says it too


def test_a_plugin_secret_is_kept_secret(installed: Path) -> None:
    secrets = Path(os.environ["INFOBOT_SECRETS_DIR"])
    secrets.mkdir()
    (secrets / "infobot_plugins__shouty__api_token").write_text("sh0uty-t0ken-value\n")
    os.environ["INFOBOT_PLUGINS__SHOUTY__PATH"] = "shouty.txt"
    settings = load_settings()
    assert "sh0uty-t0ken-value" not in repr(settings) + str(settings.model_dump())
    assert "sh0uty-t0ken-value" in secret_values(settings)  # so logs and errors redact it
    assert settings.plugin("shouty") == {"api_token": "sh0uty-t0ken-value", "path": "shouty.txt"}


def test_a_plugin_missing_part_of_the_contract_is_refused_plainly(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (installed / "infobot_half_platform.py").write_text(
        "from infobot.platforms.base import Account\n"
        "class Half:\n"
        "    name = 'half'\n"
        "    def rules(self): ...\n"
        "    def publish(self, post, *, idempotency_key, reply_to=None): ...\n"
        "    def lookup(self, post, *, idempotency_key): ...\n"
        "    def delete(self, published): ...\n"
        "    def verify(self): return Account(name='half')\n"
        "def create(settings, config):\n"
        "    return Half()\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(registry.BUILTIN, "half", "infobot_half_platform:create")
    try:
        with pytest.raises(ConfigError) as info:
            registry.create("half", load_settings())
    finally:
        sys.modules.pop("infobot_half_platform", None)
    assert "does not offer prepare, close" in str(info.value)
    assert "PlatformBase" in str(info.value)
