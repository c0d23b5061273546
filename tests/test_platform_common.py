"""The helpers every adapter shares (infobot/platforms/common.py and images.py)."""

from __future__ import annotations

import logging
import socket
import struct
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import requests
import tweepy
from pydantic import BaseModel, Field

from infobot.clock import FixedClock
from infobot.domain.errors import (
    ConfigError,
    CredentialsRejected,
    InDoubt,
    PermanentError,
    RateLimited,
    TransientError,
)
from infobot.platforms.common import (
    Failure,
    Scrubber,
    classify_status,
    comparable,
    error_for,
    never_sent,
    plugin_settings,
    read_image,
    retry_time,
    send_library_warnings_to_log,
)
from infobot.platforms.images import dimensions

IMAGE = Path(__file__).parent / "data" / "platforms" / "card.png"
FALLBACK = timedelta(minutes=5)


# --------------------------------------------------------------------------- retry time


def test_retry_at_fallbacks() -> None:
    now = datetime.now(UTC)
    assert retry_time(None, after=30, fallback=FALLBACK) - now == pytest.approx(
        timedelta(seconds=30), abs=timedelta(seconds=2)
    )
    assert retry_time(None, fallback=FALLBACK) - now == pytest.approx(
        timedelta(minutes=5), abs=timedelta(seconds=2)
    )
    assert retry_time(None, reset=1, fallback=FALLBACK) >= now  # never in the past
    assert retry_time(None, reset=None, fallback=FALLBACK).tzinfo is not None


def test_a_reset_is_exact_on_real_time_and_a_wait_on_an_injected_clock() -> None:
    reset = datetime.now(UTC).timestamp() + 600
    assert retry_time(None, reset=reset, fallback=FALLBACK) == datetime.fromtimestamp(reset, UTC)
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a demo's shifted time
    shifted = retry_time(clock, reset=reset, after=5, fallback=FALLBACK)
    assert shifted - clock.now() == pytest.approx(timedelta(minutes=10), abs=timedelta(seconds=2))
    assert shifted.utcoffset() == timedelta(0)
    past = retry_time(clock, reset=1_000_000_000, fallback=FALLBACK)  # the clocks disagree
    assert past == clock.now() + timedelta(minutes=1)
    assert retry_time(clock, reset=float("nan"), fallback=FALLBACK) == clock.now() + FALLBACK


# --------------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("status", "creating", "expected"),
    [
        (429, True, Failure.RATE_LIMITED),
        (401, False, Failure.CREDENTIALS),
        (400, True, Failure.PERMANENT),
        (404, False, Failure.PERMANENT),
        (422, True, Failure.PERMANENT),
        (408, True, Failure.TRANSIENT),
        (500, True, Failure.TRANSIENT),
        (503, False, Failure.TRANSIENT),
        (302, False, Failure.TRANSIENT),
    ],
)
def test_status_classification(status: int, creating: bool, expected: Failure) -> None:
    assert classify_status(status, creating=creating) is expected


def test_a_platform_names_its_own_credential_and_in_doubt_statuses() -> None:
    def bluesky(status: int, creating: bool = False) -> Failure:
        return classify_status(
            status, creating=creating, credentials=(401, 403), in_doubt=(409, 502, 504)
        )

    assert bluesky(403) is Failure.CREDENTIALS
    assert bluesky(502, creating=True) is Failure.IN_DOUBT
    assert bluesky(502) is Failure.TRANSIENT
    assert classify_status(403) is Failure.PERMANENT


def test_error_for_builds_the_taxonomy() -> None:
    at = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    limited = error_for(Failure.RATE_LIMITED, "slow", platform="p", retry_at=at)
    assert isinstance(limited, RateLimited) and limited.retry_at == at
    kinds = {
        Failure.CREDENTIALS: CredentialsRejected,
        Failure.PERMANENT: PermanentError,
        Failure.TRANSIENT: TransientError,
        Failure.IN_DOUBT: InDoubt,
    }
    for failure, kind in kinds.items():
        error = error_for(failure, "m", platform="p")
        assert type(error) is kind and error.platform == "p"


# --------------------------------------------------------------------------- never sent


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_was_never_sent_in_both_http_stacks() -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(requests.ConnectionError) as by_requests:
        requests.get(url, timeout=2)
    assert never_sent(by_requests.value)
    with pytest.raises(httpx.ConnectError) as by_httpx:
        httpx.get(url, timeout=2)
    assert never_sent(by_httpx.value)
    wrapped = RuntimeError("the SDK's own error")
    wrapped.__context__ = by_requests.value  # as Mastodon.py raises, without "from"
    assert never_sent(wrapped)


def test_a_read_timeout_may_have_been_sent() -> None:
    assert not never_sent(requests.ReadTimeout("no answer"))
    assert not never_sent(httpx.ReadTimeout("no answer"))
    assert not never_sent(ValueError("anything else"))


# --------------------------------------------------------------------------- text


def test_scrubber_hides_secrets_and_jwts() -> None:
    scrub = Scrubber("s3cret-value", "abc", "")
    text = "key s3cret-value, token eyJhbGciOi.eyJzdWIiOiJ4In0.sig, abc stays"
    assert scrub(text) == "key ***, token ***, abc stays"


def test_comparable_normalises_and_masks_links() -> None:
    assert comparable("Cafe\u0301  story\n#infostory") == "Café story #infostory"
    masked = comparable("Read https://www.gov.uk/x or nhs.uk now", mask_links=True)
    assert masked == comparable("Read https://t.co/abc or https://t.co/def now", mask_links=True)


# --------------------------------------------------------------------------- images


def test_an_image_is_read_once_with_its_type_and_size() -> None:
    image = read_image(IMAGE, platform="p", who="P")
    assert (image.name, image.mime, image.data) == ("card.png", "image/png", IMAGE.read_bytes())
    assert image.size == struct.unpack(">II", IMAGE.read_bytes()[16:24])


def test_image_problems_name_the_platform_and_the_file_not_its_folder(tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="cannot be read") as info:
        read_image(tmp_path / "gone.png", platform="p", who="Plat")
    assert str(info.value).startswith("Plat:") and str(tmp_path) not in str(info.value)
    renamed = tmp_path / "photo.png"
    renamed.write_text("not an image")
    with pytest.raises(PermanentError, match="not a PNG, JPEG"):
        read_image(renamed, platform="p", who="Plat")
    with pytest.raises(PermanentError, match="smaller image"):
        read_image(IMAGE, platform="p", who="Plat", max_bytes=50)


def test_jpeg_and_gif_dimensions_are_read_from_the_header() -> None:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9
    sof = b"\xff\xc2" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\0" * 10
    assert dimensions(b"\xff\xd8" + app0 + sof, "image/jpeg") == (640, 480)
    assert dimensions(b"GIF89a" + struct.pack("<HH", 20, 10), "image/gif") == (20, 10)
    assert dimensions(b"\xff\xd8\xff", "image/jpeg") is None


# --------------------------------------------------------------------------- SDK warnings


def test_sdk_warnings_go_to_the_debug_log(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    send_library_warnings_to_log("tweepy")
    send_library_warnings_to_log("tweepy")  # idempotent: one filter, one hook
    caplog.set_level(logging.DEBUG, logger="infobot.platforms")
    inside = str(Path(tweepy.__file__).parent / "tweet.py")
    warnings.warn_explicit(  # as tweepy raises it (warnings are errors in this suite)
        "Tweet data missing default edit_history_tweet_ids field",
        RuntimeWarning,
        inside,
        170,
        module="tweepy.tweet",
    )
    (record,) = [r for r in caplog.records if "edit_history" in r.getMessage()]
    assert record.levelno == logging.DEBUG and "RuntimeWarning" in record.getMessage()
    assert capfd.readouterr().err == ""
    ours = [f[2] for f in warnings.filters if "tweepy" in str(getattr(f[3], "pattern", ""))]
    assert sorted(c.__name__ for c in ours) == ["FutureWarning", "RuntimeWarning", "UserWarning"]
    with pytest.raises(UserWarning):  # a warning from our own code is not swallowed
        warnings.warn("ours", UserWarning, stacklevel=1)
    with pytest.raises(DeprecationWarning):  # nor a deprecation: upgrades stay deliberate
        warnings.warn_explicit("old", DeprecationWarning, inside, 1, module="tweepy.tweet")


# --------------------------------------------------------------------------- plug-in settings


class Example(BaseModel):
    path: Path = Path("x.txt")
    limit: int = Field(default=200, ge=20)


def test_plugin_settings_validate_and_name_each_bad_field_both_ways() -> None:
    assert plugin_settings(Example, {"limit": "120"}, name="shouty").limit == 120
    with pytest.raises(ConfigError) as info:
        plugin_settings(Example, {"limit": "5"}, name="shouty")
    assert info.value.lines == [
        "INFOBOT_PLUGINS__SHOUTY__LIMIT ([plugins.shouty] limit):"
        " Input should be greater than or equal to 20"
    ]
