"""Mastodon-specific behaviour, beyond the shared contract: the real Mastodon.py against a
local fake of the API (tests/harness_mastodon.py). Nothing here touches the internet."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from infobot.clock import FixedClock
from infobot.domain.errors import (
    ConfigError,
    CredentialsRejected,
    InDoubt,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from infobot.domain.render import Post
from infobot.platforms.base import Platform, Published
from infobot.platforms.mastodon import MastodonPlatform, create
from infobot.settings import MastodonSettings, Settings
from tests.harness_mastodon import (
    ACCOUNT_ID,
    FakeMastodonServer,
    MastodonHarness,
    Recorded,
    fake_mastodon,
    make_harness,
    make_platform,
    new_token,
)

IMAGE = Path(__file__).parent / "data" / "platforms" / "card.png"
REPO = Path(__file__).resolve().parent.parent


def post(text: str, **kw: str) -> Post:
    return Post(text=text, length=len(text), limit=500, **kw)


@pytest.fixture
def h(tmp_path: Path) -> Iterator[MastodonHarness]:
    with make_harness(tmp_path) as harness:
        yield harness


def requests_to(h: MastodonHarness, method: str, path: str) -> list[Recorded]:
    return [r for r in h.fake.requests if r.method == method and r.path == path]


def status_posts(h: MastodonHarness) -> list[Recorded]:
    return requests_to(h, "POST", "/api/v1/statuses")


# ------------------------------------------------------------------ idempotency


def test_the_idempotency_key_is_a_header_identical_across_retries(h: MastodonHarness) -> None:
    the_post = post("Retried story. #infostory")
    h.inject("server_error")
    with pytest.raises(TransientError):
        h.platform.publish(the_post, idempotency_key="infobot:41:0")
    made = h.platform.publish(the_post, idempotency_key="infobot:41:0")
    other = h.platform.publish(post("Another story. #infostory"), idempotency_key="infobot:42:0")
    sent = [r.headers.get("Idempotency-Key") for r in status_posts(h)]
    assert sent == ["infobot:41:0", "infobot:41:0", "infobot:42:0"]
    # the key travels only as a header, never in the form body
    assert all("infobot:4" not in str(r.form) for r in status_posts(h))
    assert made.remote_id != other.remote_id


def test_a_retry_after_a_timeout_returns_the_same_status(h: MastodonHarness) -> None:
    """The server created the status before the client gave up; the same key dedupes."""
    the_post = post("Slow server. #infostory")
    h.inject("timeout")
    with pytest.raises(InDoubt):
        h.platform.publish(the_post, idempotency_key="infobot:43:0")
    assert len(h.live_posts()) == 1
    again = h.platform.publish(the_post, idempotency_key="infobot:43:0")
    assert [p.id for p in h.live_posts()] == [again.remote_id]


def test_lookup_never_posts_even_for_a_key_it_has_seen(h: MastodonHarness) -> None:
    the_post = post("Never made. #infostory")
    h.inject("server_error")
    with pytest.raises(TransientError):
        h.platform.publish(the_post, idempotency_key="infobot:44:0")
    before = len(h.create_requests())
    assert h.platform.lookup(the_post, idempotency_key="infobot:44:0") is None
    assert h.platform.lookup(the_post, idempotency_key="infobot:44:0") is None
    assert len(h.create_requests()) == before
    assert h.live_posts() == []
    assert not [
        r
        for r in h.fake.requests
        if r.method in ("POST", "PUT", "DELETE") and r.path != "/api/v1/statuses"
    ]


def test_lookup_after_a_dropped_connection_finds_the_post(h: MastodonHarness) -> None:
    the_post = post(
        "Dropped & found: <see> https://example.gov.uk/a/rather/long/path/to/a/page"
        "\n\nSecond paragraph. #infostory"
    )
    h.inject("connection_reset")
    with pytest.raises(InDoubt):
        h.platform.publish(the_post, idempotency_key="infobot:45:0")
    found = h.platform.lookup(the_post, idempotency_key="infobot:45:0")
    assert found is not None and [found.remote_id] == [p.id for p in h.live_posts()]
    assert found.url.endswith("/@infobot/" + found.remote_id)


def test_lookup_ignores_an_identical_post_older_than_this_attempt(h: MastodonHarness) -> None:
    old = h.platform.publish(post("Same words. #infostory"), idempotency_key="infobot:old")
    with h.fake.lock:
        h.fake.statuses[old.remote_id]["created_at"] = "2026-01-05T09:00:00.000Z"
    h.inject("server_error")
    with pytest.raises(TransientError):
        h.platform.publish(post("Same words. #infostory"), idempotency_key="infobot:46:0")
    assert h.platform.lookup(post("Same words. #infostory"), idempotency_key="infobot:46:0") is None
    # without a record of the attempt (a restarted process) any recent match counts
    fresh = make_platform(h.server)
    try:
        found = fresh.lookup(post("Same words. #infostory"), idempotency_key="infobot:46:0")
    finally:
        fresh.close()
    assert found == old


# ------------------------------------------------------------------ what is sent


def test_visibility_and_language_are_sent(tmp_path: Path) -> None:
    with fake_mastodon() as server:
        platform = make_platform(server, visibility="unlisted", language="cy")
        try:
            platform.publish(post("Stori. #infostory"), idempotency_key="k1")
        finally:
            platform.close()
        form = next(r.form for r in server.fake.requests if r.path == "/api/v1/statuses")
        assert form["visibility"] == ["unlisted"] and form["language"] == ["cy"]
        assert form["status"] == ["Stori. #infostory"]
        assert "in_reply_to_id" not in form and "media_ids[]" not in form


def test_defaults_are_public_and_english_with_our_user_agent(h: MastodonHarness) -> None:
    made = h.platform.publish(post("Defaults. #infostory"), idempotency_key="k2")
    reply = h.platform.publish(post("Part two."), idempotency_key="k3", reply_to=made)
    first, second = status_posts(h)
    assert first.form["visibility"] == ["public"] and first.form["language"] == ["en"]
    assert second.form["in_reply_to_id"] == [made.remote_id]
    assert first.headers["User-Agent"].startswith("infobot/")
    assert first.headers["Authorization"] == f"Bearer {h.secret}"
    assert h.live_posts()[1].reply_to == made.remote_id != reply.remote_id


def test_status_ids_are_plain_strings(h: MastodonHarness) -> None:
    made = h.platform.publish(post("Ids. #infostory"), idempotency_key="k4")
    found = h.platform.lookup(post("Ids. #infostory"), idempotency_key="k4")
    assert type(made.remote_id) is str and made.remote_id.isdigit()
    assert found is not None and type(found.remote_id) is str and found == made
    assert type(made.url) is str and made.url.startswith("http://127.0.0.1:")


# ------------------------------------------------------------------ the character limit


def test_the_instance_limit_is_read_once_and_cached(tmp_path: Path) -> None:
    with fake_mastodon(max_characters=1000) as server:
        platform = make_platform(server)
        try:
            rules = platform.rules()
            assert platform.rules() is rules
            assert rules.name == "mastodon" and rules.counter == "mastodon"
            assert rules.max_length == 1000 and rules.alt_text_max == 1500
        finally:
            platform.close()
        hits = [r for r in server.fake.requests if r.path.startswith("/api/v")]
        assert [r.path for r in hits] == ["/api/v2/instance"]


def test_a_configured_limit_needs_no_request(tmp_path: Path) -> None:
    with fake_mastodon() as server:
        platform = make_platform(server, max_length=640)
        try:
            assert platform.rules().max_length == 640
        finally:
            platform.close()
        assert server.fake.requests == []


@pytest.mark.parametrize("status", [500, 404, 401])
def test_the_limit_is_500_when_the_instance_will_not_say(status: int) -> None:
    with fake_mastodon(max_characters=3000) as server:
        server.fake.instance_status = status
        platform = make_platform(server)
        try:
            assert platform.rules().max_length == 500
            server.fake.instance_status = 200
            assert platform.rules().max_length == 500  # read once: no flapping mid-run
        finally:
            platform.close()


def test_the_limit_is_500_when_the_instance_is_unreachable() -> None:
    platform = MastodonPlatform(
        api_base_url=f"http://127.0.0.1:{closed_port()}", access_token=new_token(), timeout=0.5
    )
    assert platform.rules().max_length == 500


def test_too_long_is_refused_with_the_servers_reason(h: MastodonHarness) -> None:
    with pytest.raises(PermanentError) as info:
        h.platform.publish(post("x" * 501), idempotency_key="k5")
    assert "character limit of 500 exceeded" in str(info.value)
    assert h.live_posts() == []


# ------------------------------------------------------------------ media


def test_media_waits_for_processing_and_sends_the_alt_text(tmp_path: Path) -> None:
    slept: list[float] = []
    with fake_mastodon() as server:
        server.fake.media_processing_polls = 2
        platform = make_platform(server, sleep=slept.append)
        try:
            platform.publish(
                post(
                    "A picture. #infostory",
                    image=str(IMAGE),
                    image_alt="Four squares joined to a central square.",
                ),
                idempotency_key="k6",
            )
        finally:
            platform.close()
        calls = [
            (r.method, r.path.rsplit("/", 1)[0] if "/media/" in r.path else r.path)
            for r in server.fake.requests
        ]
        assert calls == [
            ("POST", "/api/v2/media"),
            ("GET", "/api/v1/media"),  # 206
            ("GET", "/api/v1/media"),  # 206
            ("GET", "/api/v1/media"),  # 200 with a url
            ("POST", "/api/v1/statuses"),
        ]
        upload = server.fake.requests[0]
        assert upload.form["description"] == ["Four squares joined to a central square."]
        (media,) = server.fake.media.values()
        assert media["mime_type"] == "image/png" and media["size"] == IMAGE.stat().st_size
        assert server.fake.requests[-1].form["media_ids[]"] == [media["id"]]
        assert len(slept) == 3 and 0 < sum(slept) <= 60


def test_media_that_never_finishes_fails_without_posting(tmp_path: Path) -> None:
    slept: list[float] = []
    with fake_mastodon() as server:
        server.fake.media_processing_polls = 10_000
        platform = make_platform(server, sleep=slept.append)
        try:
            with pytest.raises(TransientError) as info:
                platform.publish(
                    post("Stuck. #infostory", image=str(IMAGE), image_alt="alt"),
                    idempotency_key="k7",
                )
        finally:
            platform.close()
        assert "processing" in str(info.value)
        assert sum(slept) <= 60 and len(slept) < 30
        assert not [r for r in server.fake.requests if r.path == "/api/v1/statuses"]


def test_a_missing_image_is_permanent_and_posts_nothing(h: MastodonHarness, tmp_path: Path) -> None:
    with pytest.raises(PermanentError) as info:
        h.platform.publish(
            post("No image. #infostory", image=str(tmp_path / "gone.png")), idempotency_key="k8"
        )
    assert "gone.png" in str(info.value)
    assert h.fake.requests == []


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("rate_limited", RateLimited),
        ("rate_limited_no_reset", RateLimited),
        ("unauthorized", CredentialsRejected),
        ("forbidden", PermanentError),
        ("server_error", TransientError),
        ("bad_gateway", TransientError),
        ("timeout", InDoubt),
        ("connection_reset", InDoubt),
        ("too_long", PermanentError),
        ("unreadable", InDoubt),
    ],
)
def test_every_error_is_ours_plain_and_free_of_the_token(
    h: MastodonHarness, fault: str, expected: type[PlatformError]
) -> None:
    h.inject(fault)
    with pytest.raises(PlatformError) as info:
        h.platform.publish(post("Errors. #infostory"), idempotency_key="k9")
    error = info.value
    assert type(error) is expected
    assert error.platform == "mastodon" and str(error).startswith("Mastodon")
    assert h.secret not in str(error) and h.secret not in repr(error)
    assert "Bearer" not in str(error)


def test_the_401_message_says_the_token_was_rejected(h: MastodonHarness) -> None:
    h.inject("unauthorized")
    with pytest.raises(PermanentError, match="rejected the access token"):
        h.platform.publish(post("x"), idempotency_key="k10")


def test_rate_limited_retry_at_comes_from_the_reset_header(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    with fake_mastodon() as server:
        platform = make_platform(server, clock=clock)
        try:
            server.fake.faults.append("rate_limited")  # reset is three minutes ahead
            with pytest.raises(RateLimited) as info:
                platform.publish(post("x"), idempotency_key="k11")
            retry_at = info.value.retry_at
            assert retry_at is not None and retry_at.utcoffset() == timedelta(0)
            assert abs(retry_at - (clock.now() + timedelta(minutes=3))) < timedelta(seconds=5)
            server.fake.faults.append("rate_limited_no_reset")
            fresh = make_platform(server, clock=clock)  # no reset remembered from before
            with pytest.raises(RateLimited) as info:
                fresh.publish(post("x"), idempotency_key="k11")
            fresh.close()
            assert info.value.retry_at == clock.now() + timedelta(minutes=5)
        finally:
            platform.close()


def test_connection_refused_is_transient_not_in_doubt() -> None:
    token = new_token()
    platform = MastodonPlatform(
        api_base_url=f"http://127.0.0.1:{closed_port()}", access_token=token, timeout=0.5
    )
    errors: list[PlatformError] = []
    with pytest.raises(TransientError) as info:
        platform.publish(post("Nobody home. #infostory"), idempotency_key="k12")
    assert type(info.value) is TransientError
    errors.append(info.value)
    for call in (
        lambda: platform.lookup(post("x"), idempotency_key="k12"),
        lambda: platform.delete(Published("1")),
        platform.verify,
    ):
        with pytest.raises(TransientError) as info:
            call()
        errors.append(info.value)
    for error in errors:
        assert token not in str(error) and token not in repr(error)


def test_a_bad_token_is_permanent_everywhere_and_never_echoed(tmp_path: Path) -> None:
    with fake_mastodon() as server:
        wrong = new_token()
        platform = make_platform(server, access_token=wrong)
        try:
            for call in (
                lambda: platform.publish(post("x"), idempotency_key="k13"),
                lambda: platform.lookup(post("x"), idempotency_key="k13"),
                lambda: platform.delete(Published("1")),
                platform.verify,
            ):
                with pytest.raises(PermanentError) as info:
                    call()
                assert "access token" in str(info.value)
                for secret in (wrong, server.fake.token):
                    assert secret not in str(info.value) and secret not in repr(info.value)
            assert wrong not in repr(platform)
        finally:
            platform.close()


def test_delete_twice_and_delete_unknown_are_fine(h: MastodonHarness) -> None:
    made = h.platform.publish(post("Short-lived. #infostory"), idempotency_key="k14")
    h.platform.delete(made)
    h.platform.delete(made)
    h.platform.delete(Published("999999"))
    assert h.live_posts() == []
    assert len(requests_to(h, "DELETE", f"/api/v1/statuses/{made.remote_id}")) == 2


def test_verify_names_the_account_and_host(h: MastodonHarness) -> None:
    account = h.platform.verify()
    assert account.name == "@infobot@127.0.0.1"
    assert account.url == f"{h.server.url}/@infobot" and account.can_post
    assert requests_to(h, "GET", "/api/v1/accounts/verify_credentials")


def test_lookup_reads_the_accounts_own_recent_statuses(h: MastodonHarness) -> None:
    h.platform.publish(post("One. #infostory"), idempotency_key="k15")
    h.platform.lookup(post("One. #infostory"), idempotency_key="k15")
    h.platform.lookup(post("Two. #infostory"), idempotency_key="k16")
    (timeline, again) = requests_to(h, "GET", f"/api/v1/accounts/{ACCOUNT_ID}/statuses")
    assert timeline.form["limit"] == ["40"]
    # verify_credentials once: the account is cached
    assert len(requests_to(h, "GET", "/api/v1/accounts/verify_credentials")) == 1
    assert again.form == timeline.form


# ------------------------------------------------------------------ create() and imports


def test_create_without_a_token_is_a_config_error_without_secrets() -> None:
    with pytest.raises(ConfigError) as info:
        create(Settings(mastodon=MastodonSettings(api_base_url="https://social.example")))
    assert "ACCESS_TOKEN" in str(info.value) and len(info.value.lines) == 1
    token = "tok-SUPERSECRET-4242"
    with pytest.raises(ConfigError) as info:
        create(Settings(mastodon=MastodonSettings(access_token=SecretStr(token))))
    assert "API_BASE_URL" in str(info.value)
    assert token not in str(info.value) and token not in repr(info.value)
    with pytest.raises(ConfigError):
        create(
            Settings(
                mastodon=MastodonSettings(
                    api_base_url="https://social.example", access_token=SecretStr("   ")
                )
            )
        )


def test_create_builds_the_adapter_from_settings() -> None:
    token = "tok-SUPERSECRET-4242"
    platform = create(
        Settings(
            mastodon=MastodonSettings(
                api_base_url="https://social.example",
                access_token=SecretStr(token),
                visibility="unlisted",
                max_length=800,
                timeout_seconds=12,
            )
        )
    )
    assert isinstance(platform, MastodonPlatform) and isinstance(platform, Platform)
    assert platform.name == "mastodon"
    assert platform.visibility == "unlisted" and platform.timeout == 12
    assert platform.rules().max_length == 800  # the override: no request made
    assert token not in repr(platform)


def test_importing_the_adapter_does_not_import_mastodon_py() -> None:
    code = (
        "import sys\n"
        "import infobot.platforms.mastodon as m\n"
        "from infobot.settings import Settings\n"
        "p = m.create(Settings(mastodon={'api_base_url': 'https://s.example',"
        " 'access_token': 'abcd', 'max_length': 500}))\n"
        "p.rules()\n"
        "print('mastodon' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_fake_server_is_local(h: MastodonHarness) -> None:
    assert isinstance(h.server, FakeMastodonServer)
    assert h.server.url.startswith("http://127.0.0.1:")


# ------------------------------------------------------------------ a down instance


def test_a_down_instance_costs_seconds_not_minutes_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with fake_mastodon(max_characters=3000) as server:
        server.fake.stalled = {"instance", "account"}
        server.fake.stall_limit = 20.0  # far above the limits below, for a busy host
        platform = make_platform(server, timeout=30.0, check_timeout=1.0)
        try:
            started = time.monotonic()
            assert platform.rules().max_length == 500  # the safe default...
            assert platform.rules().max_length == 500  # ...kept for the process: asked once
            assert time.monotonic() - started < 8
            (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
            assert "could not reach 127.0.0.1 within 1 second " in warning.getMessage()
            assert "INFOBOT_MASTODON__MAX_LENGTH" in warning.getMessage()
            started = time.monotonic()
            with pytest.raises(TransientError, match="could not be reached"):
                platform.verify()
            assert time.monotonic() - started < 8
        finally:
            platform.close()
        asked = [r.path for r in server.fake.requests if r.path.endswith("/instance")]
        assert asked == ["/api/v2/instance"]


def test_the_check_timeout_comes_from_the_settings() -> None:
    platform = create(
        Settings(
            check_timeout_seconds=2,
            mastodon=MastodonSettings(
                api_base_url="https://social.example", access_token=SecretStr("tok-abcdefgh")
            ),
        )
    )
    assert (platform.timeout, platform.check_timeout) == (30.0, 2.0)
