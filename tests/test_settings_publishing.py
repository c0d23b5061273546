"""The publishing settings model, mixed into a BaseSettings the way Settings will take it."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from infobot.domain.accessibility import Check
from infobot.domain.election import ElectionPeriod
from infobot.domain.links import Tracking
from infobot.settings_publishing import PUBLISHING_SECRET_FIELDS, PublishingSettings
from tests.support import transcript


class HookedSettings(BaseSettings, PublishingSettings):
    """What ``class Settings(BaseSettings, PublishingSettings)`` will look like."""

    model_config = SettingsConfigDict(env_prefix="INFOBOT_", extra="ignore")
    hashtag: str = "#infostory"


def test_defaults_change_nothing() -> None:
    settings = HookedSettings()
    assert settings.hashtag_display == ""
    assert settings.accessibility_refuse == []
    assert settings.tracking("infostory") is None
    assert settings.link_cards is True
    assert settings.heartbeat_url is None
    assert settings.election_periods == []
    rules = settings.accessibility_rules()
    assert rules.hashtag_display == () and rules.refuse == frozenset()


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    url = transcript.secret("https://hc-ping.com/1d2c3b4a-0000-4000-8000-feedfacecafe")
    monkeypatch.setenv("INFOBOT_HASHTAG_DISPLAY", "InfoStory")
    monkeypatch.setenv("INFOBOT_ACCESSIBILITY_REFUSE", "alt_text_missing, too_many_links")
    monkeypatch.setenv("INFOBOT_TRACKING_DOMAINS", "Gov.Wales, llyw.cymru.,gov.wales")
    monkeypatch.setenv("INFOBOT_HEARTBEAT_URL", url)
    monkeypatch.setenv(
        "INFOBOT_ELECTION_PERIODS",
        "2027-03-26..2027-05-06 Senedd election; 2027-04-29..2027-05-20 local by-election",
    )
    settings = HookedSettings()
    assert settings.hashtag_display == "#InfoStory"
    assert settings.accessibility_refuse == [Check.ALT_TEXT_MISSING, Check.TOO_MANY_LINKS]
    assert settings.tracking_domains == ["gov.wales", "llyw.cymru"]
    assert settings.tracking("infostory") == Tracking(("gov.wales", "llyw.cymru"), "infostory")
    assert settings.heartbeat_url is not None
    assert settings.heartbeat_url.get_secret_value() == url
    assert url not in repr(settings) and url not in str(settings)
    assert settings.election_periods == [
        ElectionPeriod(date(2027, 3, 26), date(2027, 5, 6), "Senedd election"),
        ElectionPeriod(date(2027, 4, 29), date(2027, 5, 20), "local by-election"),
    ]
    rules = settings.accessibility_rules(words=("info", "story"))
    assert rules.hashtag_display == ("#InfoStory",)
    assert rules.refuse == frozenset({Check.ALT_TEXT_MISSING, Check.TOO_MANY_LINKS})


def test_all_checks_can_refuse() -> None:
    assert HookedSettings(accessibility_refuse="all").accessibility_refuse == list(Check)


def test_tracking_campaign_and_bare_domains() -> None:
    settings = HookedSettings(tracking_domains=["gov.wales"], tracking_campaign="spring-2027")
    tracking = settings.tracking("infostory", include_bare=False)
    assert tracking == Tracking(("gov.wales",), "spring-2027", include_bare=False)


def test_periods_from_a_toml_style_list() -> None:
    settings = HookedSettings(
        election_periods=[
            "2027-03-26..2027-05-06 Senedd election",
            {"start": "2028-04-01", "end": "2028-05-04", "reason": "council elections"},
        ]
    )
    assert settings.election_periods[1] == ElectionPeriod(
        date(2028, 4, 1), date(2028, 5, 4), "council elections"
    )


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"hashtag_display": "#InfoStories"}, "is not INFOBOT_HASHTAG #infostory in other letters"),
        ({"hashtag_display": "#Info Story"}, "a hashtag is '#' then letters"),
        ({"accessibility_refuse": "alt_text, links"}, "unknown check 'alt_text', 'links'"),
        ({"tracking_domains": "https://gov.wales"}, "is not a domain"),
        ({"tracking_domains": "wales"}, "is not a domain"),
        ({"election_periods": "2027-05-06..2027-03-26 x"}, "before it starts"),
        ({"election_periods": "from March to May"}, "write FIRST..LAST REASON"),
        ({"heartbeat_timeout_seconds": 0}, "greater than 0"),
    ],
)
def test_bad_values_say_what_to_write(values: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        HookedSettings(**values)  # type: ignore[arg-type]


def test_the_heartbeat_url_is_listed_as_a_secret() -> None:
    assert {"heartbeat_url"} == PUBLISHING_SECRET_FIELDS
    assert all(name in PublishingSettings.model_fields for name in PUBLISHING_SECRET_FIELDS)


def test_every_field_has_a_description_for_the_readme() -> None:
    for name, field in PublishingSettings.model_fields.items():
        assert field.description, name
