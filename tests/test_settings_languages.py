"""The bilingual settings, and second accounts of a platform built from their sections."""

from __future__ import annotations

import os

import pytest

from infobot.domain.errors import ConfigError
from infobot.platforms import registry
from infobot.platforms.mastodon import MastodonPlatform
from infobot.platforms.outbox import OutboxPlatform
from infobot.settings import load_settings, secret_values
from tests.support import transcript


def test_languages_and_modes_are_read_and_checked() -> None:
    os.environ.update(
        {
            "INFOBOT_LANGUAGES": "CY, en",
            "INFOBOT_BILINGUAL_MODES": "x=thread, mastodon:accounts",
            "INFOBOT_BILINGUAL_FIRST": "EN",
        }
    )
    settings = load_settings()
    assert settings.languages == ["cy", "en"]
    assert settings.bilingual_modes == {"x": "thread", "mastodon": "accounts"}
    assert settings.bilingual_first == "en"
    assert load_settings(languages="", bilingual_first="").languages == []


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"languages": "cy,welsh"}, "'welsh' is not a two-letter language code"),
        ({"languages": "cy,cy"}, "a language is listed twice"),
        ({"bilingual_mode": "both"}, "INFOBOT_BILINGUAL_MODE"),
        ({"bilingual_modes": "x"}, "write PLATFORM=MODE"),
        ({"languages": "cy,en", "bilingual_first": "ga"}, "INFOBOT_BILINGUAL_FIRST 'ga' is not"),
    ],
)
def test_bad_values_are_named(values: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**values)
    assert says in "\n".join(caught.value.lines)


def test_a_second_account_is_built_from_its_own_section(tmp_path: object) -> None:
    token = transcript.secret("cy-token-7f3a9b21c4")
    os.environ["INFOBOT_PLUGINS__MASTODON_CY__ACCESS_TOKEN"] = token
    settings = load_settings(
        platforms="mastodon,mastodon_cy,outbox,outbox_cy",
        mastodon={"api_base_url": "https://first.example", "access_token": "first-token-1"},
        plugins={"mastodon_cy": {"language": "cy", "api_base_url": "https://toot.wales"}},
    )
    adapter = registry.create("mastodon_cy", settings)
    assert isinstance(adapter, MastodonPlatform)
    assert adapter.api_base_url == "https://toot.wales" and adapter._token == token
    assert token in secret_values(settings)
    outbox = registry.create("outbox_cy", settings)
    assert isinstance(outbox, OutboxPlatform)
    assert outbox.path.name == "outbox_cy.jsonl"


def test_a_second_account_never_borrows_the_first_ones_token() -> None:
    settings = load_settings(
        platforms="mastodon,mastodon_cy",
        mastodon={"api_base_url": "https://first.example", "access_token": "first-token-1"},
        plugins={"mastodon_cy": {"language": "cy", "api_base_url": "https://toot.wales"}},
    )
    with pytest.raises(ConfigError) as caught:
        registry.create("mastodon_cy", settings)
    assert "INFOBOT_PLUGINS__MASTODON_CY__ACCESS_TOKEN" in "\n".join(caught.value.lines)


def test_a_misspelt_key_of_a_second_account_is_named() -> None:
    settings = load_settings(plugins={"bluesky_cy": {"language": "cy", "handel": "a.b"}})
    with pytest.raises(ConfigError) as caught:
        registry.create("bluesky_cy", settings)
    text = "\n".join(caught.value.lines)
    assert "INFOBOT_PLUGINS__BLUESKY_CY__HANDEL ([plugins.bluesky_cy] handel)" in text
    assert "its settings are" in text and "handle" in text


def test_an_unknown_name_is_still_unknown() -> None:
    with pytest.raises(LookupError, match="unknown platform 'mastadon_cy'"):
        registry.create("mastadon_cy", load_settings())
