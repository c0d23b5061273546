"""X-specific behaviour, against the fake X API in tests/harness_x.py (real tweepy, real HTTP)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from infobot.domain.errors import (
    ConfigError,
    InDoubt,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from infobot.domain.render import Post, RenderOptions, render
from infobot.domain.story import StoryInput
from infobot.platforms.base import Platform, Published
from infobot.platforms.x import XPlatform, create
from infobot.settings import Settings, XSettings
from tests.harness_x import CREDENTIALS, TIMEOUT, XHarness, make_harness, make_platform

REPO = Path(__file__).resolve().parent.parent
IMAGE = Path(__file__).parent / "data" / "platforms" / "card.png"
ALT = "Four squares joined to a central square."


@pytest.fixture
def x(tmp_path: Path) -> Iterator[XHarness]:
    with make_harness(tmp_path) as harness:
        yield harness


def post(text: str, **kw: str) -> Post:
    return Post(text=text, length=len(text), limit=280, **kw)


def assert_no_credential(error: BaseException) -> None:
    for value in CREDENTIALS:
        assert value not in str(error)
        assert value not in repr(error)


# -- requests on the wire ----------------------------------------------------------------


def test_every_request_is_signed_with_oauth1(x: XHarness) -> None:
    made = x.platform.publish(
        post("Signed. #infostory", image=str(IMAGE), image_alt=ALT), idempotency_key="k1"
    )
    x.platform.lookup(post("Signed. #infostory"), idempotency_key="k1")
    x.platform.delete(made)
    paths = {(r.method, r.path) for r in x.received()}
    assert {
        ("POST", "/2/media/upload"),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
        ("GET", "/2/users/me"),
        ("DELETE", f"/2/tweets/{made.remote_id}"),
    } <= paths
    for request in x.received():
        assert request.authorization.startswith("OAuth ")
        assert 'oauth_signature_method="HMAC-SHA1"' in request.authorization
        assert request.oauth_ok, f"bad signature on {request.method} {request.path}"


def test_image_is_uploaded_then_described_then_attached(x: XHarness) -> None:
    x.platform.publish(
        post("A picture. #infostory", image=str(IMAGE), image_alt=ALT), idempotency_key="k2"
    )
    upload, metadata, tweet = x.received(method="POST")
    assert (upload.path, metadata.path, tweet.path) == (
        "/2/media/upload",
        "/2/media/metadata",
        "/2/tweets",
    )
    assert upload.content_type.startswith("multipart/form-data")
    assert upload.fields["media"] == IMAGE.read_bytes()
    assert upload.fields["media_category"] == b"tweet_image"
    media_id = metadata.fields["id"]
    assert metadata.fields == {"id": media_id, "metadata": {"alt_text": {"text": ALT}}}
    assert tweet.fields == {"text": "A picture. #infostory", "media": {"media_ids": [media_id]}}
    assert x.live_posts()[0].image_alt == ALT


def test_no_alt_text_means_no_metadata_call(x: XHarness) -> None:
    x.platform.publish(post("A picture. #infostory", image=str(IMAGE)), idempotency_key="k3")
    assert [r.path for r in x.received(method="POST")] == ["/2/media/upload", "/2/tweets"]


def test_a_thread_replies_to_the_previous_part(x: XHarness) -> None:
    first = x.platform.publish(post("Part one. #infostory"), idempotency_key="k4:0")
    second = x.platform.publish(post("Part two."), idempotency_key="k4:1", reply_to=first)
    creates = x.received(method="POST", path="/2/tweets")
    assert "reply" not in creates[0].fields
    assert creates[1].fields["reply"] == {"in_reply_to_tweet_id": first.remote_id}
    assert [p.reply_to for p in x.live_posts()] == [None, first.remote_id]
    assert second.remote_id != first.remote_id


def test_urls_name_the_account_once_it_is_known(x: XHarness) -> None:
    before = x.platform.publish(post("Before. #infostory"), idempotency_key="k5")
    assert before.url == f"https://x.com/i/web/status/{before.remote_id}"
    account = x.platform.verify()
    assert (account.name, account.url, account.can_post) == (
        "@infoteam",
        "https://x.com/infoteam",
        True,
    )
    after = x.platform.publish(post("After. #infostory"), idempotency_key="k6")
    assert after.url == f"https://x.com/infoteam/status/{after.remote_id}"


def test_tweepy_requests_get_the_timeout(x: XHarness) -> None:
    # tweepy passes no timeout of its own; without the adapter's this would hang for 10 s
    x.inject("timeout")
    started = time.monotonic()
    with pytest.raises(InDoubt, match=r"did not answer within 0\.5 seconds"):
        x.platform.publish(post("Slow. #infostory"), idempotency_key="k7")
    assert time.monotonic() - started < TIMEOUT + 5  # the fake holds its answer for 10 s
    assert len(x.live_posts()) == 1  # X made it anyway: hence "in doubt"


# -- rules ---------------------------------------------------------------------------------


def test_threads_disabled_means_one_part_and_long_stories_fail(tmp_path: Path) -> None:
    story = StoryInput(body=("A sentence about sharing information well. " * 12).strip())
    with make_harness(tmp_path, threads=False) as off:
        rules = off.platform.rules()
        assert rules.max_parts == 1 and rules.max_length == 280 and rules.name == "x"
        assert not render(story, rules, RenderOptions(overflow="thread")).ok
    with make_harness(tmp_path) as on:
        assert on.platform.rules().max_parts > 1
        assert render(story, on.platform.rules(), RenderOptions()).ok


# -- errors ----------------------------------------------------------------------------------


def test_payment_required_says_the_credits_are_used_up(x: XHarness) -> None:
    x.inject("payment_required")
    with pytest.raises(PermanentError) as info:
        x.platform.publish(post("No credits. #infostory"), idempotency_key="k8")
    message = str(info.value)
    assert "credits" in message and "X" in message and "402" in message
    assert "Developer Console" in message
    assert info.value.platform == "x"


def test_rate_limit_retry_at_is_the_reset_header(x: XHarness) -> None:
    x.fake.rate_limit_reset = 1_900_000_000
    x.inject("rate_limited")
    with pytest.raises(RateLimited) as info:
        x.platform.publish(post("Too often. #infostory"), idempotency_key="k9")
    assert info.value.retry_at == datetime.fromtimestamp(1_900_000_000, UTC)


def test_rate_limit_reset_in_the_past_retries_soon_not_never(x: XHarness) -> None:
    x.fake.rate_limit_reset = 1_000_000_000  # 2001
    x.inject("rate_limited")
    with pytest.raises(RateLimited) as info:
        x.platform.publish(post("Too often. #infostory"), idempotency_key="k10")
    retry_at = info.value.retry_at
    assert retry_at is not None and retry_at > datetime.now(UTC)


def test_duplicate_without_the_post_on_the_timeline_is_in_doubt(x: XHarness) -> None:
    x.inject("duplicate")
    with pytest.raises(InDoubt, match="already posted"):
        x.platform.publish(post("Posted long ago. #infostory"), idempotency_key="k11")
    assert x.live_posts() == []
    assert x.received(method="GET", path="/2/users/1700000000000000001/tweets")


def test_a_real_duplicate_returns_the_earlier_post(x: XHarness) -> None:
    # no injection: the fake refuses a repeated text as X does
    the_post = post("Said once. #infostory")
    first = x.platform.publish(the_post, idempotency_key="k12")
    again = x.platform.publish(the_post, idempotency_key="k12")
    assert again.remote_id == first.remote_id
    assert len(x.live_posts()) == 1


def test_other_forbidden_is_permanent_and_mentions_write_permission(x: XHarness) -> None:
    x.fake.faults.append("forbidden")
    with pytest.raises(PermanentError, match="write permission") as info:
        x.platform.publish(post("Not allowed. #infostory"), idempotency_key="k13")
    assert type(info.value) is PermanentError


def test_bad_request_is_permanent_and_quotes_x(x: XHarness) -> None:
    x.fake.faults.append("bad_request")
    with pytest.raises(PermanentError, match="too long") as info:
        x.platform.publish(post("Too long. #infostory"), idempotency_key="k14")
    assert type(info.value) is PermanentError


def test_503_is_transient(x: XHarness) -> None:
    x.fake.server_error_status = 503
    x.inject("server_error")
    with pytest.raises(TransientError, match="503") as info:
        x.platform.publish(post("Busy. #infostory"), idempotency_key="k15")
    assert type(info.value) is TransientError


def test_unauthorized_on_verify_is_permanent(x: XHarness) -> None:
    wrong = XPlatform(
        consumer_key=CREDENTIALS[0],
        consumer_secret="not-the-secret",
        access_token=CREDENTIALS[2],
        access_token_secret=CREDENTIALS[3],
        api_base=x.fake.base_url,
        upload_base=x.fake.base_url,
        timeout=TIMEOUT,
    )
    try:
        with pytest.raises(PermanentError, match="rejected the credentials"):
            wrong.verify()
    finally:
        wrong.close()


def test_a_failed_image_upload_posts_nothing(x: XHarness) -> None:
    x.fake.upload_faults.append("payment_required")
    with pytest.raises(PermanentError, match="credits"):
        x.platform.publish(
            post("Picture. #infostory", image=str(IMAGE), image_alt=ALT), idempotency_key="k16"
        )
    assert x.received(path="/2/tweets") == []


def test_a_missing_image_file_is_permanent_and_sends_nothing(x: XHarness, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="cannot be read"):
        x.platform.publish(
            post("Picture. #infostory", image=str(tmp_path / "gone.png")), idempotency_key="k17"
        )
    assert x.received() == []


def test_connection_refused_is_transient_not_in_doubt() -> None:
    with socket.socket() as sock:  # a port with nobody listening on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    platform = make_platform(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(TransientError, match="could not connect") as info:
            platform.publish(post("Nobody home. #infostory"), idempotency_key="k18")
        assert type(info.value) is TransientError
    finally:
        platform.close()


@pytest.mark.parametrize("fault", ["timeout", "connection_reset"])
def test_a_broken_read_is_transient_not_in_doubt(x: XHarness, fault: str) -> None:
    # only a create can leave a post behind; a read that fails is simply retried
    x.fake.read_faults.append(fault)
    with pytest.raises(TransientError) as info:
        x.platform.lookup(post("Anything. #infostory"), idempotency_key="k19")
    assert type(info.value) is TransientError
    assert x.platform.lookup(post("Anything. #infostory"), idempotency_key="k19") is None


WRONG = "wrong-secret-value"


def test_no_error_ever_shows_a_credential(x: XHarness, tmp_path: Path) -> None:
    errors: list[BaseException] = []
    for fault in (
        "rate_limited",
        "unauthorized",
        "server_error",
        "timeout",
        "connection_reset",
        "duplicate",
        "payment_required",
        "forbidden",
        "bad_request",
    ):
        x.fake.faults.append(fault)
        with pytest.raises(PlatformError) as info:
            x.platform.publish(post(f"Fault {fault}. #infostory"), idempotency_key=fault)
        errors.append(info.value)
    x.fake.upload_faults.append("unauthorized")
    with pytest.raises(PlatformError) as info:
        x.platform.publish(post("Img. #infostory", image=str(IMAGE)), idempotency_key="img")
    errors.append(info.value)
    bad = XPlatform(
        consumer_key=CREDENTIALS[0],
        consumer_secret=CREDENTIALS[1],
        access_token=CREDENTIALS[2],
        access_token_secret=WRONG,
        api_base=x.fake.base_url,
        upload_base=x.fake.base_url,
        timeout=TIMEOUT,
    )
    try:
        for call in (
            bad.verify,
            lambda: bad.lookup(post("x"), idempotency_key="x"),
            lambda: bad.delete(Published("1")),
        ):
            with pytest.raises(PlatformError) as info:
                call()
            errors.append(info.value)
    finally:
        bad.close()
    assert len(errors) == 13
    for error in errors:
        assert_no_credential(error)
        assert WRONG not in str(error) and WRONG not in repr(error)
        assert isinstance(error, PlatformError) and error.platform == "x"
    assert CREDENTIALS[1] not in repr(x.platform)


# -- lookup ------------------------------------------------------------------------------------


def test_lookup_matches_despite_tco_links_and_escaping(x: XHarness) -> None:
    text = (
        "Read the guide at https://www.example.gov.uk/sharing-information/guide?a=1&b=2"
        " or gov.uk/help. Carers & families   <first>. #infostory"
    )
    made = x.platform.publish(post(text), idempotency_key="k20")
    stored = x.live_posts()[0].text
    assert "https://t.co/" in stored and "example.gov.uk" not in stored  # X rewrote them
    assert "gov.uk/help" not in stored
    assert "&amp;" in x.fake.api(x.fake.tweets[made.remote_id])["text"]  # and escapes "&"
    found = x.platform.lookup(post(text), idempotency_key="k20")
    assert found is not None and found.remote_id == made.remote_id
    assert x.platform.lookup(post(text.replace("Carers", "Parents")), idempotency_key="k21") is None


def test_lookup_allows_the_media_link_x_appends(x: XHarness) -> None:
    the_post = post("A picture of it. #infostory", image=str(IMAGE), image_alt=ALT)
    made = x.platform.publish(the_post, idempotency_key="k22")
    assert x.live_posts()[0].text.startswith("A picture of it. #infostory https://t.co/")
    found = x.platform.lookup(the_post, idempotency_key="k22")
    assert found is not None and found.remote_id == made.remote_id
    # without an image, a text followed by a link is not the same post
    assert x.platform.lookup(post("A picture of it. #infostory"), idempotency_key="k") is None


def test_lookup_reads_the_own_timeline_and_never_posts(x: XHarness) -> None:
    x.platform.publish(post("One. #infostory"), idempotency_key="k23")
    before = len(x.received(method="POST"))
    assert x.platform.lookup(post("Two. #infostory"), idempotency_key="k24") is None
    assert len(x.received(method="POST")) == before
    timeline = x.received(method="GET", path="/2/users/1700000000000000001/tweets")
    assert len(timeline) == 1 and "max_results=20" in timeline[0].query


# -- factory and imports ---------------------------------------------------------------------


def test_create_names_every_missing_credential_and_no_value() -> None:
    settings = Settings(
        x=XSettings(consumer_key=SecretStr("ck-present-value"), access_token=SecretStr("  "))
    )
    with pytest.raises(ConfigError) as info:
        create(settings)
    assert [line.split()[0] for line in info.value.lines] == [
        "INFOBOT_X__CONSUMER_SECRET",
        "INFOBOT_X__ACCESS_TOKEN",
        "INFOBOT_X__ACCESS_TOKEN_SECRET",
    ]
    assert "ck-present-value" not in str(info.value)


def test_create_builds_the_adapter_from_settings() -> None:
    settings = Settings(
        x=XSettings(
            consumer_key=SecretStr("a" * 8),
            consumer_secret=SecretStr("b" * 8),
            access_token=SecretStr("c" * 8),
            access_token_secret=SecretStr("d" * 8),
            threads=False,
            timeout_seconds=7,
        )
    )
    platform = create(settings)
    assert isinstance(platform, XPlatform) and isinstance(platform, Platform)
    assert platform.name == "x" and platform.rules().max_parts == 1
    assert repr(platform) == "XPlatform(threads=False, timeout=7)"  # and no credential


def test_importing_the_module_does_not_import_tweepy() -> None:
    code = (
        "import sys, json, infobot.platforms.x, infobot.platforms.registry;"
        "print(json.dumps([m for m in ('tweepy', 'requests') if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


# -- what X's newer answers make tweepy say ---------------------------------------------------


def test_tweepys_warning_about_new_field_names_goes_to_the_log_not_the_screen(
    x: XHarness, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # X's current API description names the field edit_history_post_ids; tweepy 4.x warns
    # (a RuntimeWarning) for every post it reads without edit_history_tweet_ids
    the_post = post("Named anew. #infostory")
    made = x.platform.publish(the_post, idempotency_key="k30")
    x.fake.field_names = "post"
    caplog.set_level("DEBUG", logger="infobot.platforms")
    found = x.platform.lookup(the_post, idempotency_key="k30")  # warnings are errors here
    again = x.platform.publish(the_post, idempotency_key="k30")  # duplicate: read back too
    assert found == again and found is not None and found.remote_id == made.remote_id
    assert capfd.readouterr().err == ""
    logged = [r for r in caplog.records if "edit_history_tweet_ids" in r.getMessage()]
    assert logged and all(r.levelname == "DEBUG" for r in logged)


def test_no_library_warning_reaches_stderr_under_default_filters(tmp_path: Path) -> None:
    """The same, as the CLI runs: Python's default warning filters, nothing captured."""
    code = (
        "import sys, pathlib\n"
        "from infobot.domain.render import Post\n"
        "from tests.harness_x import make_harness\n"
        "with make_harness(pathlib.Path(sys.argv[1])) as x:\n"
        "    p = Post(text='Seen again. #infostory', length=22, limit=280)\n"
        "    x.platform.publish(p, idempotency_key='k')\n"
        "    x.fake.field_names = 'post'\n"
        "    print(x.platform.lookup(p, idempotency_key='k') is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "True", "")
