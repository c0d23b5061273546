"""A real web page for tests: a SQLite file, the real App and real HTTP through TestClient."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

with warnings.catch_warnings():
    # Starlette prefers the httpx2 fork for its test client; httpx is what is installed.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from infobot.app import App
from infobot.clock import FixedClock
from infobot.settings import Settings, load_settings
from infobot.web.app import create_app
from tests.conftest import NOW, story_row, write_csv

PASSWORD = "amber kettle orbits lichen"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = "https://infobot.test"


class Site:
    """One infobot installation with its web page; ``browser()`` makes a visitor."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.tmp = tmp_path
        self.db_path = tmp_path / "infobot.db"
        self.outbox = tmp_path / "outbox.jsonl"
        os.environ["INFOBOT_DATABASE_URL"] = f"sqlite:///{self.db_path}"
        os.environ["INFOBOT_OUTBOX_PATH"] = str(self.outbox)
        for key, value in env.items():
            os.environ[f"INFOBOT_{key.upper()}"] = value
        self.settings: Settings = load_settings()
        self.clock = FixedClock(datetime.fromisoformat(NOW))
        self.app = App.open(self.settings, clock=self.clock)
        self.web = create_app(self.app, self.settings)
        self._clients: list[TestClient] = []

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.app.close()

    # -- people --------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str = PASSWORD) -> None:
        self.app.accounts().add(name, role, password, actor="test")

    def browser(
        self, peer: str = "127.0.0.1", *, raise_errors: bool = True, **headers: str
    ) -> TestClient:
        client = TestClient(
            self.web,
            base_url=BASE,
            client=(peer, 50000),
            follow_redirects=False,
            raise_server_exceptions=raise_errors,
            headers=headers or None,
        )
        self._clients.append(client)
        return client

    def signed_in(self, name: str, role: str | None = None, **kwargs: Any) -> TestClient:
        """A browser signed in as ``name`` (the account is made when ``role`` is given)."""
        if role is not None:
            self.add_user(name, role)
        client = self.browser(**kwargs)
        response = login(client, name, PASSWORD)
        assert response.status_code == 303, response.text
        return client

    # -- data ----------------------------------------------------------------------------
    def csv(self, name: str, rows: list[dict[str, str]]) -> Path:
        return write_csv(self.tmp / name, rows)

    def import_stories(self, count: int, actor: str = "importer") -> list[int]:

        path = self.csv("seed.csv", [story_row(n) for n in range(1, count + 1)])
        return self.app.importer().import_files([path], actor=actor).added_ids

    def approve(self, ids: list[int], actor: str = "boss") -> None:
        self.app.editorial().approve(ids, actor=actor)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import sqlite3

        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(query, params).fetchall()

    def count(self, table: str, where: str = "1=1", *params: Any) -> int:
        return int(self.sql(f"SELECT count(*) FROM {table} WHERE {where}", *params)[0][0])


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def login(client: TestClient, name: str, password: str) -> httpx.Response:
    token = csrf_of(client, "/login")
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token})


def post(
    client: TestClient,
    path: str,
    data: dict[str, str] | None = None,
    *,
    files: Any = None,
    token_from: str = "/queue",
) -> httpx.Response:
    """POST a form the way a browser does: with the CSRF token from a page of the site."""
    fields = dict(data or {})
    fields["csrf_token"] = csrf_of(client, token_from)
    return client.post(path, data=fields, files=files)


def follow(client: TestClient, response: httpx.Response) -> httpx.Response:
    assert response.status_code in (302, 303), (response.status_code, response.text[:2000])
    return client.get(response.headers["location"])


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags removed, whitespace collapsed."""
    import html as htmllib

    without = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", without)).split())


def site_fixture(tmp_path: Path, **env: str) -> Iterator[Site]:
    site = Site(tmp_path, **env)
    try:
        yield site
    finally:
        site.close()
