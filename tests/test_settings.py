"""Settings: sources in the documented order, every bad field reported, secrets hidden."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

import pytest

from infobot.domain.errors import ConfigError
from infobot.settings import Settings, load_settings, secret_values
from tests.conftest import Cli
from tests.support import transcript

TOKEN = transcript.secret("tok-SUPERSECRET-4242")


def test_defaults_are_the_public_contract() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///queue/infobot.db"
    assert s.timezone == "Europe/London"
    assert s.post_time == time(9, 0)
    assert s.hashtag == "#infostory"
    assert s.platforms == ["outbox"]
    assert s.outbox_path == Path("queue/outbox.jsonl")


def test_sources_in_order_env_dotenv_secrets_toml(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "infobot.toml").write_text(
        'timezone = "Europe/Paris"\npost_time = "07:30"\nhashtag = "#fromtoml"\n'
        'platforms = "outbox"\n[mastodon]\nvisibility = "unlisted"\n'
        'api_base_url = "https://toml.example"\n',
        encoding="utf-8",
    )
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "infobot_hashtag").write_text("#fromsecret\n", encoding="utf-8")
    (secrets / "infobot_post_time").write_text("08:15\n", encoding="utf-8")
    (secrets / "infobot_mastodon__access_token").write_text(TOKEN + "\n", encoding="utf-8")
    os.environ["INFOBOT_SECRETS_DIR"] = str(secrets)
    (tmp_path / ".env").write_text(
        "INFOBOT_POST_TIME=10:45\nINFOBOT_MASTODON__API_BASE_URL=https://dotenv.example\n"
        "UNRELATED=1\n",
        encoding="utf-8",
    )
    os.environ["INFOBOT_HASHTAG"] = "#fromenv"
    s = load_settings()
    assert s.hashtag == "#fromenv"  # env beats the secret file and TOML
    assert s.post_time == time(10, 45)  # .env beats the secret file
    assert s.timezone == "Europe/Paris"  # TOML beats the default
    assert s.mastodon.api_base_url == "https://dotenv.example"  # nested, deep-merged
    assert s.mastodon.visibility == "unlisted"  # from TOML, alongside the .env value
    assert s.mastodon.access_token is not None
    assert s.mastodon.access_token.get_secret_value() == TOKEN  # nested secret file
    assert TOKEN not in repr(s)
    assert secret_values(s) == [TOKEN]


def test_platform_list_from_a_comma_string() -> None:
    os.environ["INFOBOT_PLATFORMS"] = " Outbox, mastodon ,outbox"
    assert load_settings().platforms == ["outbox", "mastodon"]


def test_every_bad_field_is_reported_with_its_source(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('hashtag = "no spaces allowed"\n', encoding="utf-8")
    os.environ["INFOBOT_CONFIG"] = str(tmp_path / "bad.toml")
    os.environ["INFOBOT_TIMEZONE"] = "Europe/Lndon"
    (tmp_path / ".env").write_text("INFOBOT_POST_TIME=25:00\n", encoding="utf-8")
    os.environ["INFOBOT_MASTODON__ACCESS_TOKEN"] = TOKEN
    os.environ["INFOBOT_MASTODON__VISIBILITY"] = "everyone"
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = "\n".join(info.value.lines)
    assert "INFOBOT_TIMEZONE (from environment): unknown time zone 'Europe/Lndon'" in text
    assert "INFOBOT_POST_TIME (from .env file)" in text
    assert f"INFOBOT_HASHTAG (from {tmp_path / 'bad.toml'})" in text
    assert "INFOBOT_MASTODON__VISIBILITY (from environment)" in text
    assert TOKEN not in text


def test_bad_configuration_exits_2_and_never_prints_the_secret(cli: Cli) -> None:
    os.environ["INFOBOT_MASTODON__ACCESS_TOKEN"] = TOKEN
    os.environ["INFOBOT_TIMEZONE"] = "Mars/Olympus"
    result = cli("status")
    assert result.code == 2
    assert "INFOBOT_TIMEZONE (from environment)" in result.err
    assert TOKEN not in result.out + result.err


def test_missing_config_file_is_a_clear_error(cli: Cli) -> None:
    result = cli("--config", "nowhere.toml", "status")
    assert result.code == 2
    assert "nowhere.toml does not exist" in result.err


def test_broken_toml_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("timezone = \n", encoding="utf-8")
    result = cli("--config", str(tmp_path / "broken.toml"), "status")
    assert result.code == 2
    assert "error" in result.err


def test_settings_class_has_descriptions_for_top_level_fields() -> None:
    missing = [
        n
        for n, f in Settings.model_fields.items()
        if not f.description and n not in {"mastodon", "x", "bluesky", "outbox"}
    ]
    assert missing == []


def test_post_time_is_hours_and_minutes_only() -> None:
    os.environ["INFOBOT_POST_TIME"] = "09:00:30"
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "INFOBOT_POST_TIME" in info.value.lines[0]
