"""Bluesky specifics beyond the shared contract: facets, threads, images, sessions, secrets.

Every test runs the real atproto SDK against the fake PDS in ``tests/harness_bluesky.py``.
"""

from __future__ import annotations

import json
import socket
import stat
import struct
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

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
from infobot.platforms.base import Published
from infobot.platforms.bluesky import BlueskyPlatform, create
from infobot.settings import BlueskySettings, Settings
from tests.harness_bluesky import (
    APP_PASSWORD,
    HANDLE,
    BlueskyHarness,
    FakePds,
    make_harness,
    make_jwt,
)

IMAGE = Path(__file__).parent / "data" / "platforms" / "card.png"
CREATE = "com.atproto.repo.createRecord"
LOGIN = "com.atproto.server.createSession"


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[BlueskyHarness]:
    with make_harness(tmp_path) as h:
        yield h


@pytest.fixture
def pds(harness: BlueskyHarness) -> FakePds:
    return harness.pds


def post(text: str, **kw: str) -> Post:
    return Post(text=text, length=len(text), limit=300, **kw)


def records(pds: FakePds) -> list[dict[str, Any]]:
    return [p.value for p in pds.live()]


def plain(value: Any) -> Any:
    """``value`` without the SDK's ``$type`` keys."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "$type"}
    return value


def saved_access_token(path: Path) -> str:
    return str(json.loads(path.read_text())["session"].split(":::")[2])


def secrets_of(pds: FakePds) -> list[str]:
    return [APP_PASSWORD, *pds.issued]


def assert_no_secret(error: BaseException, pds: FakePds) -> None:
    seen: BaseException | None = error
    while seen is not None:  # the error and everything chained to it
        for text in (str(seen), repr(seen)):
            for secret in secrets_of(pds):
                assert secret not in text, f"{type(seen).__name__} leaks a secret"
            assert "eyJ" not in text
        seen = seen.__cause__ or seen.__context__


# --------------------------------------------------------------------------- facets


def test_hashtag_facet_has_utf8_byte_offsets(harness: BlueskyHarness, pds: FakePds) -> None:
    text = "Café 👨‍👩‍👧‍👦 naïve £5 — ça va 😷 #infostory and #café too"
    made = harness.platform.publish(post(text), idempotency_key="k1")
    record = records(pds)[0]
    data = text.encode("utf-8")
    tags = [f for f in record["facets"] if f["features"][0]["$type"].endswith("#tag")]
    assert [f["features"][0]["tag"] for f in tags] == ["infostory", "café"]
    first = tags[0]["index"]
    assert data[first["byteStart"] : first["byteEnd"]] == b"#infostory"
    assert first["byteStart"] == data.index(b"#infostory")
    assert first["byteStart"] != text.index("#infostory")  # bytes, not characters
    second = tags[1]["index"]
    assert data[second["byteStart"] : second["byteEnd"]] == "#café".encode()
    assert made.url == f"https://bsky.app/profile/{HANDLE}/post/{pds.live()[0].rkey}"


def test_link_facets_cover_urls_and_bare_domains(harness: BlueskyHarness, pds: FakePds) -> None:
    text = "Read ✨ https://www.gov.uk/guidance/x?a=1 or nhs.uk today. #infostory"
    harness.platform.publish(post(text), idempotency_key="k1")
    data = text.encode()
    links = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0]["uri"])
        for f in records(pds)[0]["facets"]
        if f["features"][0]["$type"] == "app.bsky.richtext.facet#link"
    ]
    assert links == [
        ("https://www.gov.uk/guidance/x?a=1", "https://www.gov.uk/guidance/x?a=1"),
        ("nhs.uk", "https://nhs.uk"),
    ]


def test_langs_default_to_english_and_can_be_set(harness: BlueskyHarness, pds: FakePds) -> None:
    harness.platform.publish(post("Hello #infostory"), idempotency_key="k1")
    welsh = harness.make_platform(langs=("cy",))
    welsh.publish(post("Helo #infostory"), idempotency_key="k2")
    assert [r["langs"] for r in records(pds)] == [["en"], ["cy"]]


# --------------------------------------------------------------------------- threads


def test_thread_replies_point_at_the_root_and_the_previous_post(
    harness: BlueskyHarness, pds: FakePds
) -> None:
    ids: list[Published] = []
    previous = None
    for n in range(3):
        previous = harness.platform.publish(
            post(f"Part {n + 1} #infostory"), idempotency_key=f"k{n}", reply_to=previous
        )
        ids.append(previous)
    live = pds.live()
    ref = [{"uri": p.uri, "cid": p.cid} for p in live]
    replies = [plain(p.value.get("reply")) for p in live]
    assert replies[0] is None
    assert replies[1] == {"root": ref[0], "parent": ref[0]}
    assert replies[2] == {"root": ref[0], "parent": ref[1]}
    assert [p.remote_id for p in live] == [p.remote_id for p in ids]

    # another process continues the thread: the root is read from the parent record
    later = harness.make_platform()
    later.publish(post("Part 4 #infostory"), idempotency_key="k4", reply_to=ids[2])
    # and a bare at:// URI (no CID) is accepted too
    uri_only = Published(ids[1].remote_id.split("|")[0])
    later.publish(post("Part 5 #infostory"), idempotency_key="k5", reply_to=uri_only)
    live = pds.live()
    assert plain(live[3].value["reply"]) == {"root": ref[0], "parent": ref[2]}
    assert plain(live[4].value["reply"]) == {"root": ref[0], "parent": ref[1]}
    assert pds.calls["com.atproto.repo.getRecord"] == 2


def test_replying_to_a_deleted_post_is_permanent(harness: BlueskyHarness) -> None:
    first = harness.platform.publish(post("Part 1 #infostory"), idempotency_key="k1")
    harness.platform.delete(first)
    with pytest.raises(PermanentError, match="no longer exists"):
        harness.make_platform().publish(post("Part 2"), idempotency_key="k2", reply_to=first)


# --------------------------------------------------------------------------- images


def test_image_embed_carries_alt_text_and_aspect_ratio(
    harness: BlueskyHarness, pds: FakePds
) -> None:
    harness.platform.publish(
        post(
            "A picture #infostory",
            image=str(IMAGE),
            image_alt="Four squares joined to a central square.",
        ),
        idempotency_key="k1",
    )
    embed = records(pds)[0]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (image,) = embed["images"]
    assert image["alt"] == "Four squares joined to a central square."
    width, height = struct.unpack(">II", IMAGE.read_bytes()[16:24])
    assert plain(image["aspectRatio"]) == {"width": width, "height": height}
    assert image["image"]["mimeType"] == "image/png"
    mime, data = pds.blobs[image["image"]["ref"]["$link"]]
    assert (mime, data) == ("image/png", IMAGE.read_bytes())


def test_an_oversize_image_is_refused_before_any_upload(
    harness: BlueskyHarness, pds: FakePds, tmp_path: Path
) -> None:
    big = tmp_path / "huge.png"
    big.write_bytes(IMAGE.read_bytes()[:24] + b"\0" * 2_000_000)
    with pytest.raises(PermanentError, match="smaller image") as info:
        harness.platform.publish(
            post("Big #infostory", image=str(big), image_alt="x"), idempotency_key="k1"
        )
    assert "2,000,000" in str(info.value)
    assert pds.calls["com.atproto.repo.uploadBlob"] == 0 and pds.calls[CREATE] == 0


def test_a_missing_or_unknown_image_is_permanent(harness: BlueskyHarness, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="cannot be read"):
        harness.platform.publish(post("x", image=str(tmp_path / "nope.png")), idempotency_key="k")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(PermanentError, match="not a PNG, JPEG"):
        harness.platform.publish(post("x", image=str(text)), idempotency_key="k")


# --------------------------------------------------------------------------- sessions


def test_session_is_saved_privately_and_reused(harness: BlueskyHarness, pds: FakePds) -> None:
    harness.platform.publish(post("One #infostory"), idempotency_key="k1")
    session_file = harness.session_file
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    saved = json.loads(session_file.read_text())
    assert (saved["handle"], saved["did"]) == (HANDLE, pds.did)
    assert APP_PASSWORD not in session_file.read_text()
    assert [p.name for p in session_file.parent.iterdir()] == [session_file.name]  # no temp
    second = harness.make_platform()
    second.publish(post("Two #infostory"), idempotency_key="k2")
    assert pds.calls[LOGIN] == 1
    assert len(pds.live()) == 2
    second.verify()  # doctor checks the app password itself: one login...
    assert pds.calls[LOGIN] == 2
    second.publish(post("Three #infostory"), idempotency_key="k3")
    harness.make_platform().publish(post("Four #infostory"), idempotency_key="k4")
    assert pds.calls[LOGIN] == 2  # ...whose session the next posts reuse


def test_refreshed_tokens_are_saved(harness: BlueskyHarness, pds: FakePds) -> None:
    pds.access_lifetime = 60  # the SDK refreshes tokens that expire within 15 minutes
    harness.platform.verify()
    before = harness.session_file.read_text()
    harness.platform.publish(post("Refresh #infostory"), idempotency_key="k1")
    assert pds.calls["com.atproto.server.refreshSession"] >= 1
    after = harness.session_file.read_text()
    assert after != before and saved_access_token(harness.session_file) in pds.access_tokens
    assert pds.calls[LOGIN] == 1


@pytest.mark.parametrize("how", ["revoked", "expired", "garbage"])
def test_a_rejected_saved_session_falls_back_to_one_password_login(
    harness: BlueskyHarness, pds: FakePds, how: str
) -> None:
    harness.platform.verify()
    assert pds.calls[LOGIN] == 1
    if how == "revoked":
        pds.revoke_sessions()
    elif how == "expired":
        old = {"sub": pds.did, "exp": 1_000_000_000}
        harness.session_file.write_text(
            f"{HANDLE}:::{pds.did}:::{make_jwt(old)}:::{make_jwt(old)}:::{pds.url}"
        )
    else:
        harness.session_file.write_text("this is not a session")
    fresh = harness.make_platform()
    fresh.publish(post("After #infostory"), idempotency_key="k1")
    assert pds.calls[LOGIN] == 2
    assert saved_access_token(harness.session_file) in pds.access_tokens


def test_a_refresh_refused_mid_run_logs_in_again_at_once(
    harness: BlueskyHarness, pds: FakePds
) -> None:
    pds.access_lifetime = 60  # every access token is due for a refresh at once
    harness.platform.verify()
    pds.revoke_sessions()  # so the refresh token is refused
    harness.platform.publish(post("x #infostory"), idempotency_key="k1")
    assert pds.calls["com.atproto.server.refreshSession"] >= 1  # refused, and the new one
    assert pds.calls[LOGIN] == 2 and len(pds.live()) == 1  # one password login, then posted
    assert saved_access_token(harness.session_file) in pds.access_tokens


def test_a_rejected_session_and_a_wrong_password_fail_permanently_after_one_try(
    harness: BlueskyHarness, pds: FakePds
) -> None:
    harness.platform.verify()
    pds.revoke_sessions()
    wrong = harness.make_platform(app_password="zzzz-zzzz-zzzz-zzzz")
    with pytest.raises(PermanentError, match="rejected the app password") as info:
        wrong.publish(post("x #infostory"), idempotency_key="k1")
    assert pds.calls[LOGIN] == 2  # the first login, then exactly one fallback
    assert "zzzz-zzzz-zzzz-zzzz" not in str(info.value)
    assert pds.calls[CREATE] == 0


def test_a_session_for_another_account_is_ignored(harness: BlueskyHarness, pds: FakePds) -> None:
    harness.session_file.parent.mkdir(parents=True)
    harness.session_file.write_text("other.bsky.social:::did:plc:other:::a.b.c:::d.e.f:::x")
    harness.platform.publish(post("Ours #infostory"), idempotency_key="k1")
    assert pds.calls[LOGIN] == 1 and pds.calls["com.atproto.server.getSession"] == 0
    assert json.loads(harness.session_file.read_text())["handle"] == HANDLE
    assert pds.calls["app.bsky.actor.getProfile"] == 0  # nothing asked of the AppView


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("rate_limited", RateLimited),
        ("unauthorized", PermanentError),
        ("server_error", TransientError),
        ("timeout", InDoubt),
        ("connection_reset", InDoubt),
        ("disconnect", InDoubt),
    ],
)
def test_errors_never_contain_the_password_or_tokens(
    harness: BlueskyHarness, pds: FakePds, fault: str, expected: type[PlatformError]
) -> None:
    harness.platform.verify()  # so that tokens exist to leak
    pds.inject(fault)
    with pytest.raises(expected) as info:
        harness.platform.publish(post("Fault #infostory"), idempotency_key="k1")
    assert info.value.platform == "bluesky" and "Bluesky" in str(info.value)
    assert_no_secret(info.value, pds)


def test_a_wrong_password_is_permanent_and_not_echoed(harness: BlueskyHarness) -> None:
    platform = harness.make_platform(app_password="wrong-pass-word-1234")
    with pytest.raises(PermanentError, match="rejected the app password") as info:
        platform.verify()
    assert "wrong-pass-word-1234" not in str(info.value) + repr(info.value)
    assert "wrong-pass-word-1234" not in repr(platform)


def test_rate_limit_uses_the_reset_header(harness: BlueskyHarness, pds: FakePds) -> None:
    pds.inject("rate_limited")
    with pytest.raises(RateLimited) as info:
        harness.platform.publish(post("x #infostory"), idempotency_key="k1")
    assert info.value.retry_at == datetime.fromtimestamp(pds.last_reset, UTC)


def test_a_refused_post_is_permanent_with_the_servers_reason(harness: BlueskyHarness) -> None:
    with pytest.raises(PermanentError, match="300 graphemes"):
        harness.platform.publish(post("é" * 301), idempotency_key="k1")


def test_an_unreachable_server_is_transient_not_in_doubt(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    platform = BlueskyPlatform(
        handle=HANDLE,
        app_password=APP_PASSWORD,
        service_url=f"http://127.0.0.1:{port}",
        session_file=tmp_path / "s.txt",
        timeout=0.5,
    )
    try:
        with pytest.raises(TransientError) as info:
            platform.publish(post("x #infostory"), idempotency_key="k1")
    finally:
        platform.close()
    assert type(info.value) is TransientError and "could not reach Bluesky" in str(info.value)


# --------------------------------------------------------------------------- lookup, verify


def test_lookup_matches_our_text_only(harness: BlueskyHarness, pds: FakePds) -> None:
    pds.add_foreign_repost("Shared story #infostory")
    assert harness.platform.lookup(post("Shared story #infostory"), idempotency_key="k") is None
    made = harness.platform.publish(post("Shared  story\n#infostory"), idempotency_key="k")
    found = harness.platform.lookup(post("Shared story #infostory"), idempotency_key="k")
    assert found == made
    calls = sum(pds.calls.values())
    harness.platform.lookup(post("Nope"), idempotency_key="k")
    assert pds.calls[CREATE] == 1 and sum(pds.calls.values()) == calls + 1  # one read


def test_verify_names_the_account(harness: BlueskyHarness) -> None:
    account = harness.platform.verify()
    assert account.name == f"@{HANDLE}"
    assert account.url == f"https://bsky.app/profile/{HANDLE}"
    assert account.can_post


def test_delete_rejects_a_foreign_id(harness: BlueskyHarness) -> None:
    with pytest.raises(PermanentError, match="not a Bluesky post id"):
        harness.platform.delete(Published("outbox-123"))


# --------------------------------------------------------------------------- create, import


def test_create_needs_a_handle_and_an_app_password(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        create(Settings(bluesky=BlueskySettings()))
    assert len(info.value.lines) == 2
    with pytest.raises(ConfigError) as info:
        create(Settings(bluesky=BlueskySettings(app_password=SecretStr("s3cret-app-pass"))))
    assert "HANDLE" in str(info.value) and "s3cret-app-pass" not in str(info.value)
    platform = create(
        Settings(
            bluesky=BlueskySettings(
                handle="@someone.bsky.social",
                app_password=SecretStr("s3cret-app-pass"),
                session_file=tmp_path / "s.txt",
            )
        )
    )
    assert platform.name == "bluesky" and "s3cret" not in repr(platform)
    assert not (tmp_path / "s.txt").exists()  # nothing happens until first use


def test_importing_the_adapter_does_not_import_atproto() -> None:
    code = (
        "import sys, json, infobot.platforms.bluesky\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0].startswith(('atproto', 'httpx')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert json.loads(out.stdout) == []


# --------------------------------------------------------------------------- misbehaving servers


@pytest.mark.parametrize("appview", ["down", "none"])
def test_posting_needs_only_the_pds(harness: BlueskyHarness, pds: FakePds, appview: str) -> None:
    # "down": api.bsky.app is out (the PDS answers 502); "none": a PDS with no AppView
    pds.appview = appview
    first = harness.platform.publish(post("Part 1 #infostory"), idempotency_key="k1")
    later = harness.make_platform()  # a new process: the root comes from the PDS too
    later.publish(post("Part 2"), idempotency_key="k2", reply_to=first)
    found = later.lookup(post("Part 1 #infostory"), idempotency_key="k1")
    assert found is not None and found.remote_id == first.remote_id
    assert later.verify().name == f"@{HANDLE}"
    later.delete(first)
    assert [p.value["text"] for p in pds.live()] == ["Part 2"]
    assert not [nsid for nsid in pds.calls if nsid.startswith("app.bsky.")]


@pytest.mark.parametrize("error", ["InvalidToken", "ExpiredToken"])
def test_a_token_refused_mid_run_logs_in_again_once_and_posts(
    harness: BlueskyHarness, pds: FakePds, error: str
) -> None:
    harness.platform.publish(post("One #infostory"), idempotency_key="k1")
    pds.refused_token_error = error  # the PDS answers HTTP 400 with this, not 401
    pds.revoke_sessions()
    harness.platform.publish(post("Two #infostory"), idempotency_key="k2")
    assert pds.calls[LOGIN] == 2 and len(pds.live()) == 2
    assert saved_access_token(harness.session_file) in pds.access_tokens  # replaced


@pytest.mark.parametrize("error", ["InvalidToken", "ExpiredToken"])
def test_a_revoked_app_password_is_an_auth_failure_not_a_transient_one(
    harness: BlueskyHarness, pds: FakePds, error: str
) -> None:
    harness.platform.publish(post("One #infostory"), idempotency_key="k1")
    pds.refused_token_error = error
    pds.revoke_app_password()
    for _ in range(2):  # and the same on the next attempt: never "try again later"
        with pytest.raises(CredentialsRejected, match="rejected the app password") as info:
            harness.platform.publish(post("Two #infostory"), idempotency_key="k2")
        assert_no_secret(info.value, pds)
    assert pds.calls[LOGIN] == 3  # the first login, then one password try per attempt
    assert not harness.session_file.exists() and len(pds.live()) == 1


def test_verify_checks_the_app_password_not_the_saved_session(
    harness: BlueskyHarness, pds: FakePds
) -> None:
    harness.platform.publish(post("One #infostory"), idempotency_key="k1")  # session saved
    wrong = harness.make_platform(app_password="wrong-pass-word-1234")
    with pytest.raises(CredentialsRejected, match="rejected the app password"):
        wrong.verify()
    assert harness.make_platform().verify().can_post
