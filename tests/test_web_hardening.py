"""Issue 12, items 3, 5, 6, 8, 9 and 10: each weakness as it was reproduced, now refused."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from infobot.domain.errors import ConfigError, UserError
from infobot.settings import load_settings
from tests.conftest import Cli
from tests.web_support import PASSWORD, Site, login, post, site_fixture

PROXY = "10.0.0.1"
SECRET = "a-web-session-secret-of-48-bytes-for-the-tests-0001"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, web_trusted_proxies=PROXY, web_session_secret=SECRET)


# -- item 3: the proxy's role header ------------------------------------------------------
def test_the_local_role_is_the_ceiling_for_the_proxys_role_header(site: Site) -> None:
    site.add_user("Kim", "editor")
    site.add_user("Ada", "admin")
    kim = site.browser(peer=PROXY, **{"X-Forwarded-User": "Kim", "X-Forwarded-Role": "admin"})
    assert "(editor)" in kim.get("/queue").text
    assert kim.get("/users").status_code == 403
    # The header may lower a role: the proxy can narrow what someone does here.
    ada = site.browser(peer=PROXY, **{"X-Forwarded-User": "Ada", "X-Forwarded-Role": "editor"})
    assert "(editor)" in ada.get("/queue").text
    assert ada.get("/users").status_code == 403
    # Someone with no local account gets no role, whatever the header says.
    pat = site.browser(peer=PROXY, **{"X-Forwarded-User": "Pat", "X-Forwarded-Role": "admin"})
    refused = pat.get("/queue")
    assert refused.status_code == 403
    assert "your sign-on gives you no infobot role" in refused.text


def test_role_from_proxy_is_an_explicit_setting(tmp_path: Path) -> None:
    assert load_settings().web_role_from_proxy is False
    site = Site(
        tmp_path,
        web_trusted_proxies=PROXY,
        web_session_secret=SECRET,
        web_role_from_proxy="true",
    )
    try:
        site.add_user("Kim", "editor")
        kim = site.browser(peer=PROXY, **{"X-Forwarded-User": "Kim", "X-Forwarded-Role": "admin"})
        assert kim.get("/users").status_code == 200
    finally:
        site.close()


# -- item 5: names in other cases and encodings -------------------------------------------
def test_names_match_in_any_case_and_unicode_form(site: Site) -> None:
    accounts = site.app.accounts()
    accounts.add("Élodie Brun", "editor", PASSWORD, actor="test")
    for twin in ("ÉLODIE BRUN", "e\u0301lodie  brun", "Ｅ\u0301ｌｏｄｉｅ Ｂｒｕｎ"):
        with pytest.raises(UserError, match="already an account"):
            accounts.add(twin, "admin", PASSWORD, actor="test")
        assert accounts.authenticate(twin, PASSWORD) is not None
    assert site.sql("SELECT name, name_key FROM users") == [("Élodie Brun", "élodie brun")]
    with sqlite3.connect(site.db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(  # the database itself refuses a second account with the same key
            "INSERT INTO users (name, name_key, role, password_hash, session_epoch, disabled,"
            " created_by, created_at, updated_at) VALUES ('ÉLODIE BRUN', 'élodie brun',"
            " 'admin', '', 0, 0, 'x', '2026-11-23 08:00:00', '2026-11-23 08:00:00')"
        )


def test_a_disabled_person_stays_out_under_another_spelling(site: Site) -> None:
    site.add_user("Élodie", "editor")
    site.add_user("Ada", "admin")
    site.app.accounts().disable("Élodie", actor="Ada")
    for spelling in ("élodie", "ÉLODIE", "E\u0301lodie"):
        # The proxy sends the name as UTF-8 bytes, as a browser's sign-on would.
        browser = site.browser(peer=PROXY, **{"X-Forwarded-User": spelling.encode()})  # type: ignore[arg-type]
        response = browser.get("/queue")
        assert response.status_code == 403, spelling
        assert "an account that is not disabled" in response.text
        assert login(site.browser(), spelling, PASSWORD).status_code == 400


def test_a_name_that_is_not_utf8_is_refused(site: Site) -> None:
    import asyncio

    import httpx

    site.add_user("élodie", "editor")

    async def fetch(name: bytes) -> httpx.Response:
        # Starlette's TestClient re-encodes headers as UTF-8; httpx's ASGI transport
        # sends the bytes as they are, as a proxy on the network would.
        transport = httpx.ASGITransport(app=site.web, client=(PROXY, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="https://infobot.test") as c:
            return await c.get("/queue", headers=[(b"X-Forwarded-User", name)])

    def run(name: bytes) -> httpx.Response:  # in a thread of its own: no loop is running there
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(fetch(name))).result()

    refused = run("élodie".encode("latin-1"))
    assert refused.status_code == 400
    assert "not UTF-8" in refused.text
    assert run("élodie".encode()).status_code == 200


def test_the_upgrade_keys_existing_names_and_disables_a_look_alike(cli: Cli) -> None:
    from infobot.store.db import Database
    from infobot.store.migrate import current_revision, upgrade

    db = Database(f"sqlite:///{cli.db_path}")
    upgrade(db, "0004")
    db.dispose()
    with sqlite3.connect(cli.db_path) as conn:
        for name in ("Élodie", "ÉLODIE", "Sam"):
            conn.execute(
                "INSERT INTO users (name, role, password_hash, session_epoch, disabled,"
                " created_by, created_at, updated_at) VALUES (?, 'editor', '', 0, 0, 'x',"
                " '2026-11-01 09:00:00', '2026-11-01 09:00:00')",
                (name,),
            )
    listed = cli.ok("users", "list", "--json").json()  # opening the app upgrades the schema
    assert current_revision(Database(f"sqlite:///{cli.db_path}")) >= "0005"
    assert [(u["name"], u["disabled"]) for u in listed] == [
        ("Sam", False),
        ("ÉLODIE", True),
        ("Élodie", False),
    ]
    keys = dict(cli.sql("SELECT name, name_key FROM users"))
    assert keys["Élodie"] == "élodie" and keys["Sam"] == "sam"
    assert keys["ÉLODIE"].startswith("élodie\x01")


# -- item 8: an absolute lifetime ----------------------------------------------------------
def test_a_sign_in_ends_after_12_hours_however_busy(site: Site) -> None:
    browser = site.signed_in("Sam", "editor")
    for n in range(3):  # a story added every 4 hours: each re-signs the cookie
        site.clock.advance(timedelta(hours=4) - timedelta(minutes=1))
        story = {"body": f"Story {n}.", "consent_by": "Jo", "consent_date": "2026-10-01"}
        answer = post(browser, "/stories/new", story)
        assert answer.status_code == 303
        assert "set-cookie" in answer.headers
    site.clock.advance(timedelta(minutes=4))  # 12 h 1 min after the password was given
    ended = browser.get("/queue")
    assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
    assert login(browser, "Sam", PASSWORD).status_code == 303  # signing in again works
    assert browser.get("/queue").status_code == 200


def test_the_lifetime_is_a_setting(tmp_path: Path) -> None:
    site = Site(tmp_path, web_session_secret=SECRET, web_session_hours="1")
    try:
        browser = site.signed_in("Sam", "editor")
        site.clock.advance(timedelta(minutes=59))
        assert browser.get("/queue").status_code == 200
        site.clock.advance(timedelta(minutes=1))
        assert browser.get("/queue").status_code == 303
    finally:
        site.close()


# -- item 9: short session secrets -----------------------------------------------------------
def forged_cookie(secret: str, session: dict[str, object]) -> str:
    """A session cookie signed the way Starlette signs it, with ``secret``."""
    from itsdangerous import TimestampSigner

    data = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(secret).sign(data).decode()


def test_a_short_session_secret_is_refused_at_start(tmp_path: Path, cli: Cli) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(web_session_secret="secret")
    message = str(refused.value)
    assert "INFOBOT_WEB_SESSION_SECRET" in message and "at least 32 bytes" in message
    assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in message
    assert "'secret'" not in message and "=secret" not in message
    load_settings(web_session_secret="x" * 32)  # 32 bytes is enough
    os.environ["INFOBOT_WEB_SESSION_SECRET"] = "s" * 31
    result = cli("web")
    assert result.code == 2
    assert "at least 32 bytes" in result.err and "s" * 31 not in result.err


def test_a_cookie_forged_with_a_short_secret_opens_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):  # the site the issue forged cookies for cannot start
        Site(tmp_path / "short", web_session_secret="secret")
    site = Site(tmp_path, web_session_secret=SECRET)
    try:
        site.add_user("Ada", "admin")
        now = int(site.clock.now().timestamp())
        browser = site.browser()
        browser.cookies.set(
            "__Host-infobot",
            forged_cookie("secret", {"user": "Ada", "epoch": 0, "began": now, "csrf": "x" * 43}),
        )
        response = browser.get("/users")
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    finally:
        site.close()


# -- item 10: common passwords -------------------------------------------------------------
@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password 1234!!",
        "qwertyuiop123",
        "correct horse battery staple",
        "CorrectHorseBatteryStaple",
        "infostory2026!",
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
    ],
)
def test_common_passwords_are_refused(site: Site, password: str) -> None:
    with pytest.raises(UserError, match="too easy to guess"):
        site.app.accounts().add("Kim", "editor", password, actor="test")
    assert site.count("users") == 0


def test_the_length_rule_stays_and_good_passwords_pass(site: Site, cli: Cli) -> None:
    accounts = site.app.accounts()
    with pytest.raises(UserError, match="at least 12 characters"):
        accounts.add("Kim", "editor", "xk3!Pq", actor="test")
    accounts.add("Kim", "editor", "lantern quietly forty rivers", actor="test")
    admin = site.signed_in("Ada", "admin")
    page = post(
        admin,
        "/users",
        {
            "name": "Lee",
            "role": "editor",
            "password": "iloveyou12345",
            "password_confirm": "iloveyou12345",
        },
        token_from="/users",
    )
    assert page.status_code == 400 and "too easy to guess" in page.text
    refused = cli("users", "add", "Lee", "--role", "editor", input="monkey123456\n")
    assert refused.code == 2 and "too easy to guess" in refused.err


def test_the_list_ships_with_the_package() -> None:
    from infobot.service.users import COMMON_PASSWORDS, is_common

    assert COMMON_PASSWORDS.is_file()
    assert COMMON_PASSWORDS.with_suffix(".LICENSE").is_file()
    assert is_common("dragon") and not is_common("lantern quietly forty rivers")


# -- item 6: alert URLs in the logs --------------------------------------------------------
@pytest.fixture
def root_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_alert_url_tokens_never_reach_the_log_at_any_level(root_restored: None) -> None:
    import warnings

    from infobot import logs
    from infobot.settings import secret_values

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    tokens = ["Tk9x8PathToken4417", "HeaderSecret77", "hunter2pass", "T1ABCDEFG", "xoxbSlackTok3n"]
    url = (
        f"json://alerts:hunter2pass@127.0.0.1:{port}/hooks/Tk9x8PathToken4417"
        "?-X-Token=HeaderSecret77"
    )
    slack = "slack://T1ABCDEFG/B2ABCDEFG/xoxbSlackTok3n"
    settings = load_settings(alert_urls=f"{url},{slack}")
    out = io.StringIO()
    logs.setup("text", "DEBUG", secret_values(settings), stream=out)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            notifier = apprise.Apprise()
            notifier.add(url)
            assert notifier.notify(title="infobot", body="a test alert")
        # What apprise writes at DEBUG before posting to Slack (not sent: no network here).
        logging.getLogger("apprise").debug(
            "Slack POST URL: https://hooks.slack.com/services/T1ABCDEFG/B2ABCDEFG/xoxbSlackTok3n"
        )
    finally:
        server.shutdown()
        server.server_close()
    text = out.getvalue()
    assert "JSON POST URL" in text and "Slack POST URL" in text  # the lines are there
    for token in tokens:
        assert token not in text, token
