"""The web page's defences, proved over HTTP.

The state-changing routes are read from the application's own route table, so a route
added later is checked without anyone remembering to list it here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.routing import Mount

from infobot.service.users import RANK
from infobot.web.core import Page
from infobot.web.public import PublicPage
from tests.support import transcript
from tests.web_support import (
    PASSWORD,
    Site,
    csrf_of,
    follow,
    login,
    post,
    site_fixture,
    text_of,
)

MARKER = transcript.secret("zz-SECRET-token-do-not-show-1234")
transcript.secret(MARKER + "-bsky")
SESSION_MARKER = transcript.secret("zz-session-secret-5678-never-shown")
PROXY = "10.0.0.1"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(
        tmp_path,
        mastodon__access_token=MARKER,
        bluesky__app_password=MARKER + "-bsky",
        web_session_secret=SESSION_MARKER,
        web_trusted_proxies=PROXY,
    )


@pytest.fixture
def role_from_proxy(tmp_path: Path) -> Iterator[Site]:
    """A site whose admin let the proxy's role header raise a person's role."""
    yield from site_fixture(
        tmp_path,
        web_session_secret=SESSION_MARKER,
        web_trusted_proxies=PROXY,
        web_role_from_proxy="true",
    )


def pages(site: Site) -> list[Page]:
    """The team's pages. A route for people with no account (the share form, the
    storyteller's link, the public page) is a PublicPage: tests/test_share_form.py walks
    those."""
    routes = site.web.routes
    assert all(isinstance(r, Page | PublicPage | Mount) for r in routes), (
        "every route must be a Page"
    )
    return [r for r in routes if isinstance(r, Page)]


def concrete(path: str) -> str:
    """A real URL for a route pattern."""
    return (
        path.replace("{id:int}", "1")
        .replace("{date}", "2026-12-25")
        .replace("{name:path}", "Sam")
        .replace("{campaign}", "infostory")
    )


#: The forms of the contract; the route table may hold more, never fewer.
CONTRACT_POSTS = {
    "/login",
    "/logout",
    "/stories/{id:int}/move",
    "/stories/{id:int}/pin",
    "/stories/{id:int}/unpin",
    "/stories/new",
    "/stories/{id:int}",
    "/stories/{id:int}/approve",
    "/stories/{id:int}/reject",
    "/import",
    "/campaign/pause",
    "/campaign/resume",
    "/campaign/blackouts",
    "/campaign/blackouts/{date}/delete",
    "/stories/{id:int}/withdraw",
    "/post-now",
    "/users",
    "/users/{name:path}/role",
    "/users/{name:path}/disable",
}


def state_changing(site: Site) -> list[Page]:
    found = [r for r in pages(site) if r.unsafe]
    assert {r.path for r in found} >= CONTRACT_POSTS  # the table is really being read
    return found


def seed(site: Site) -> None:
    """Something for every route to act on: stories, a pin, a blackout, an account."""
    ids = site.import_stories(3)
    site.approve(ids[:2])
    site.app.editorial().blackout_add(
        __import__("datetime").date(2026, 12, 25), reason="Christmas", actor="seed"
    )
    site.add_user("Sam", "editor")


def events(site: Site) -> int:
    return site.count("events")


def test_every_route_is_guarded_and_every_form_route_is_listed(site: Site) -> None:
    methods = {m for r in pages(site) for m in (r.methods or ())}
    assert methods <= {"GET", "HEAD", "POST"}
    roles = {r.path: r.role for r in state_changing(site)}
    public = {path for path, role in roles.items() if role is None}
    assert public == {"/login", "/logout"}


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(site: Site) -> None:
    seed(site)
    admin = site.signed_in("Ada", "admin")
    before = events(site)
    for route in state_changing(site):
        url = concrete(route.path)
        for token in (None, "forged-token-" + "x" * 40):
            data = {"csrf_token": token} if token else {}
            response = admin.post(
                url,
                data={**data, "to": "top", "reason": "x", "date": "2026-12-24", "role": "admin"},
            )
            assert response.status_code == 403, (url, token, response.status_code)
            assert "This form has expired" in response.text
    assert events(site) == before
    assert admin.get("/queue").status_code == 200  # still signed in


def test_every_state_changing_route_refuses_a_visitor_who_is_not_signed_in(
    site: Site,
) -> None:
    seed(site)
    visitor = site.browser()
    token = csrf_of(visitor, "/login")  # a real token of a session with no one signed in
    before = events(site)
    for route in state_changing(site):
        if route.role is None:
            continue
        url = concrete(route.path)
        response = visitor.post(
            url,
            data={
                "csrf_token": token,
                "to": "top",
                "reason": "x",
                "date": "2026-12-24",
                "role": "admin",
            },
        )
        assert response.status_code == 403, (url, response.status_code)
        assert "You are not signed in" in response.text
    assert events(site) == before


def test_every_state_changing_route_refuses_a_role_too_low(site: Site) -> None:
    seed(site)
    below = {"editor": "none", "approver": "editor", "admin": "approver"}
    browsers = {
        # a person the sign-on proxy vouches for, with no infobot role
        "none": site.browser(peer=PROXY, **{"X-Forwarded-User": "Nobody"}),
        "editor": site.signed_in("Eve", "editor"),
        "approver": site.signed_in("Abe", "approver"),
    }
    before = events(site)
    checked = 0
    for route in state_changing(site):
        if route.role not in below:
            continue
        browser = browsers[below[route.role]]
        response = post(
            browser,
            concrete(route.path),
            {"to": "top", "reason": "x", "date": "2026-12-24", "role": "admin"},
        )
        assert response.status_code == 403, (route.path, response.status_code)
        assert "Ask an admin" in response.text
        checked += 1
    assert checked == len([r for r in state_changing(site) if r.role is not None])
    assert events(site) == before
    for route in pages(site):  # the same holds for pages that only show things
        if not route.unsafe and route.role in below:
            browser = browsers[below[route.role]]
            assert browser.get(concrete(route.path)).status_code == 403, route.path


def test_identity_headers_count_only_from_a_trusted_proxy(role_from_proxy: Site) -> None:
    site = role_from_proxy
    site.import_stories(1)
    headers = {"X-Forwarded-User": "Pat Proxy", "X-Forwarded-Role": "admin"}
    stranger = site.browser(peer="10.0.0.5", **headers)
    response = stranger.get("/queue")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert stranger.get("/users").status_code == 303

    proxied = site.browser(peer=PROXY, **headers)
    page = proxied.get("/users")
    assert page.status_code == 200
    assert "Signed in as <strong>Pat Proxy</strong> (admin)" in page.text
    assert "Sign out" not in text_of(page.text)  # the proxy owns the sign-in
    approved = post(proxied, "/stories/1/approve", token_from="/campaign")
    assert approved.status_code == 303
    assert site.sql("SELECT approved_by FROM stories WHERE id = 1") == [("Pat Proxy",)]
    assert post(proxied, "/stories/1/reject", {"reason": "no"}).status_code == 303
    assert ("story.rejected", "Pat Proxy") in site.sql("SELECT action, actor FROM events")

    nobody = site.browser(peer=PROXY, **{"X-Forwarded-User": "Kim"})  # no role, no account
    refused = nobody.get("/queue")
    assert refused.status_code == 403
    assert "your sign-on gives you no infobot role" in refused.text
    site.add_user("Kim", "editor")
    assert nobody.get("/queue").status_code == 200  # the local account's role counts
    bogus = site.browser(peer=PROXY, **{"X-Forwarded-User": "Kim", "X-Forwarded-Role": "root"})
    assert "(editor)" in bogus.get("/queue").text


def test_sign_in_is_rate_limited_per_name_and_address(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.add_user("Sam", "editor")
    attacker = site.browser(peer="192.0.2.7")
    answers = [login(attacker, "Sam", f"guess number {n} wrong").status_code for n in range(6)]
    assert answers == [400, 400, 400, 400, 429, 429]
    failed = [r for r in caplog.records if getattr(r, "event", "") == "sign_in_failed"]
    assert len(failed) == 5 and failed[-1].address == "192.0.2.7"  # type: ignore[attr-defined]
    assert "guess number" not in caplog.text  # passwords are never logged
    blocked = login(attacker, "Sam", PASSWORD)
    assert blocked.status_code == 429
    assert "Wait 15 minutes" in blocked.text
    assert "Traceback" not in blocked.text
    assert login(site.browser(peer="192.0.2.8"), "Sam", PASSWORD).status_code == 303
    site.clock.advance(timedelta(minutes=16))
    assert login(attacker, "Sam", PASSWORD).status_code == 303


def test_session_cookie_flags(site: Site) -> None:
    browser = site.browser()
    site.add_user("Sam", "editor")
    response = login(browser, "Sam", PASSWORD)
    cookies = response.headers.get_list("set-cookie")
    names = sorted(cookie.split("=", 1)[0] for cookie in cookies)
    assert names == ["__Host-infobot", "__Host-infobot-known"]  # session, known browser
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
        assert not any(f.startswith("domain=") for f in flags)
        assert SESSION_MARKER not in cookie


def test_cookie_without_https_when_configured(tmp_path: Path) -> None:
    site = Site(tmp_path, web_cookie_secure="false")
    try:
        browser = site.browser()
        cookie = browser.get("/login").headers["set-cookie"]
        assert cookie.startswith("infobot=")
        assert "secure" not in cookie.lower()
        assert "httponly" in cookie.lower()
    finally:
        site.close()


def test_security_headers_and_no_inline_script(site: Site) -> None:
    seed(site)
    admin = site.signed_in("Ada", "admin", raise_errors=False)
    for path in ("/login", "/queue", "/stories/1", "/no-such-page", "/audit.csv"):
        response = admin.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
        html = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert 'style="' not in html, path


def test_open_redirects_are_refused(site: Site) -> None:
    site.add_user("Sam", "editor")
    browser = site.browser()
    token = csrf_of(browser)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = browser.post(
            "/login",
            data={"username": "Sam", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert response.headers["location"] == "/queue", target
        token = csrf_of(browser, "/queue")


def test_oversized_uploads_are_refused(site: Site) -> None:
    browser = site.signed_in("Sam", "editor")
    token = csrf_of(browser, "/import")
    big = b"a" * (22 * 1024 * 1024)
    response = browser.post(
        "/import", data={"csrf_token": token}, files={"file": ("big.csv", big, "text/csv")}
    )
    assert response.status_code == 413
    assert "too big" in response.text
    assert site.count("stories") == 0


def test_no_page_or_error_shows_a_secret(site: Site) -> None:
    seed(site)
    admin = site.signed_in("Ada", "admin", raise_errors=False)
    post(admin, "/post-now")
    seen: list[tuple[str, str]] = []
    for route in pages(site):
        if "GET" in (route.methods or ()):
            response = admin.get(concrete(route.path))
            seen.append((route.path, response.text + str(response.headers)))
    for url in (
        "/no-such-page",
        "/stories/999",
        "/stories/abc",
        "/calendar?month=99-99",
        "/queue?page=-4",
        "/audit?story=x",
        "/static/app/app.css",
    ):
        response = admin.get(url)
        seen.append((url, response.text + str(response.headers)))
    seen.append(("wrong method", admin.delete("/queue").text))
    seen.append(("bad csrf", admin.post("/post-now").text))
    # an unexpected failure: the page says sorry, the log has the details, no secret
    with sqlite3.connect(site.db_path) as conn:
        conn.execute("ALTER TABLE deliveries RENAME TO deliveries_gone")
    crash = admin.get("/history")
    assert crash.status_code == 500
    assert "Sorry, something went wrong" in crash.text
    assert "Traceback" not in crash.text and "deliveries" not in crash.text
    seen.append(("crash", crash.text))
    for where, body in seen:
        for secret in (MARKER, MARKER + "-bsky", SESSION_MARKER, PASSWORD):
            assert secret not in body, f"{secret!r} shown on {where}"


def test_roles_nest() -> None:
    assert list(RANK) == ["editor", "approver", "admin"]


def test_a_signed_in_admin_sees_and_uses_every_page(site: Site) -> None:
    seed(site)
    admin = site.signed_in("Ada", "admin")
    for route in pages(site):
        if "GET" in (route.methods or ()) and route.role is not None:
            response = admin.get(concrete(route.path))
            assert response.status_code == 200, route.path
    page = follow(admin, post(admin, "/stories/3/approve"))
    assert "Approved story #3" in text_of(page.text)


def test_signing_out_ends_every_session_of_the_account_a_copied_cookie_too(site: Site) -> None:
    laptop = site.signed_in("Sam", "editor")
    stolen = site.browser(peer="198.51.100.9")
    stolen.cookies.update(laptop.cookies)
    assert stolen.get("/queue").status_code == 200  # the copy works while Sam is signed in
    assert post(laptop, "/logout").status_code == 303
    for browser in (laptop, stolen):
        response = browser.get("/queue")
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login")
    again = site.signed_in("Sam")  # signing in afresh works
    assert again.get("/queue").status_code == 200
    assert stolen.get("/queue").status_code in (302, 303)


def test_a_new_password_ends_the_sessions_signed_in_with_the_old(site: Site) -> None:
    browser = site.signed_in("Sam", "editor")
    assert browser.get("/queue").status_code == 200
    site.app.accounts().set_password("Sam", "a brand new long password", actor="admin")
    assert browser.get("/queue").status_code in (302, 303)
