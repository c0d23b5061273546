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
from pathlib import Path

import pytest

from infobot.platforms import registry
from tests.conftest import QUEUE, Cli

EXAMPLE = Path(__file__).parent / "data" / "example_platform"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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
    os.environ["SHOUTY_PATH"] = str(tmp_path / "shouty.txt")
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
