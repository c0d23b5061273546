"""Real-browser tests: a real ``infobot web`` process, Debian's Chromium, axe-core.

Chromium comes from Debian (``/usr/bin/chromium``) and axe-core from npm
(``node_modules/``); ``make install`` installs both through
``scripts/install-browser-deps.sh``. When either is missing the tests are skipped with
the reason. Screenshots go to ``tests/browser/artifacts/`` (printed at the end of the run).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import transcript

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
BROWSER_TOKEN = transcript.secret("browser-mastodon-token-5150-never-shown")
BROWSER_SESSION_SECRET = transcript.secret("browser-session-secret-8462-never-shown")
LOGS: dict[int, Path] = {}  # server process id -> its log file
CHROMIUM = Path(os.environ.get("INFOBOT_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the networking flags Chromium stalls on this machine's closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Monday 23 November 2026, 08:00 in London, as in tests/conftest.py.
CLOCK_START = "2026-11-23T08:00:00+00:00"
PASSWORD = "amber kettle orbits lichen"
USERS = {"erin": "editor", "alex": "approver", "ada": "admin"}
TIMEOUT_MS = 15_000

_screenshots: list[Path] = []
_sign_in_checked: set[int] = set()  # screen widths


def infobot_command() -> list[str]:
    script = Path(sys.executable).with_name("infobot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "infobot"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``infobot web`` with its own database, outbox and accounts."""

    base_url: str
    root: Path
    env: dict[str, str] = field(repr=False)
    log: Path

    @property
    def db_path(self) -> Path:
        return self.root / "infobot.db"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox.jsonl"

    def url(self, path: str) -> str:
        return self.base_url + path

    def cli(self, *args: str, input: str | None = None) -> str:
        """Run an ``infobot`` command against the same database (as another process)."""
        result = subprocess.run(
            [*infobot_command(), *args],
            cwd=self.root,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, (
            f"infobot {' '.join(args)}: exit {result.returncode}\n{result.stdout}{result.stderr}"
        )
        return result.stdout

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import sqlite3

        conn = sqlite3.connect(self.db_path)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def count(self, table: str) -> int:
        return int(self.sql(f"SELECT count(*) FROM {table}")[0][0])

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _server_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("INFOBOT_")}
    env.update(
        {
            "INFOBOT_DATABASE_URL": f"sqlite:///{root / 'infobot.db'}",
            "INFOBOT_PLATFORMS": "outbox",
            "INFOBOT_OUTBOX_PATH": str(root / "outbox.jsonl"),
            "INFOBOT_FOUR_EYES": "true",
            "INFOBOT_CLOCK_START": CLOCK_START,
            "INFOBOT_SECRETS_DIR": str(root / "no-secrets"),
            "INFOBOT_USER": "browser-tests",
            "INFOBOT_LOG_LEVEL": "INFO",
            # configured, not enabled: the suite-wide scan checks it never shows up
            "INFOBOT_MASTODON__ACCESS_TOKEN": BROWSER_TOKEN,
            "INFOBOT_WEB_SESSION_SECRET": BROWSER_SESSION_SECRET,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _wait_until_up(proc: subprocess.Popen[bytes], server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"infobot web exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url("/login"), timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            exc.close()
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"infobot web did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def start_server(
    tmp_path_factory: pytest.TempPathFactory,
    users: dict[str, str] = USERS,
    env_extra: dict[str, str] | None = None,
) -> tuple[Server, subprocess.Popen[bytes]]:
    """``infobot web`` on a free loopback port, with accounts (name: role) from ``users``
    (``env_extra``: settings of its own, such as another INFOBOT_CLOCK_START)."""
    root = tmp_path_factory.mktemp("web")
    env = _server_env(root) | (env_extra or {})
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", root, env, root / "web.log")
    password_file = root / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    with server.log.open("wb") as log:
        proc = subprocess.Popen(
            [*infobot_command(), "web", "--host", "127.0.0.1", "--port", str(port)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    LOGS[proc.pid] = server.log
    try:
        _wait_until_up(proc, server)  # the database is migrated by then
        with ThreadPoolExecutor(len(users)) as pool:
            args = ("--password-file", str(password_file))
            added = [
                pool.submit(server.cli, "users", "add", name, "--role", role, *args)
                for name, role in users.items()
            ]
            for future in added:
                future.result()
    except BaseException:
        stop_server(proc)
        raise
    return server, proc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log = LOGS.pop(proc.pid, None)
    if log is not None and log.exists():  # what the server printed joins the secret scan
        transcript.record(log.read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(scope="session")
def _shared_server(
    browser: Any, axe_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Future[tuple[Server, subprocess.Popen[bytes]]]]]:
    """Starts the shared server once, in the background, when first asked for.

    Asks for the browser first, so no server starts when the browser tests are skipped.
    """
    pool = ThreadPoolExecutor(1)
    started: list[Future[tuple[Server, subprocess.Popen[bytes]]]] = []

    def shared() -> Future[tuple[Server, subprocess.Popen[bytes]]]:
        if not started:
            started.append(pool.submit(start_server, tmp_path_factory, USERS))
        return started[0]

    yield shared
    for future in started:
        if future.exception() is None:
            stop_server(future.result()[1])
    pool.shutdown()


@pytest.fixture(scope="session")
def server(_shared_server: Callable[[], Future[tuple[Server, Any]]]) -> Server:
    """One server shared by the tests that make their own stories and need no empty queue."""
    return _shared_server().result(timeout=120)[0]


@pytest.fixture(scope="module")
def fresh_server(
    _shared_server: Callable[[], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server of the module's own, starting from an empty database (no admin).

    The shared server starts meanwhile in the background, ready for the tests after.
    """
    _shared_server()
    own, proc = start_server(tmp_path_factory, {"erin": "editor", "alex": "approver"})
    try:
        yield own
    finally:
        stop_server(proc)


# --- reading the pages ---------------------------------------------------------------


def story_id(server: Server, title: str) -> int:
    rows = server.sql("SELECT id FROM stories WHERE title = ?", title)
    assert len(rows) == 1, f"{title!r}: {rows}"
    return int(rows[0][0])


def queue_order(ui: UI) -> list[int]:
    ids = ui.page.locator("#queue-table tr[data-story-id]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.storyId))"
    )
    return list(ids)


def calendar_cell(ui: UI, day: str) -> str:
    """The text of the calendar's cell for ``day`` (such as "30 November")."""
    cell = ui.page.locator("td.app-calendar__day:not(.app-calendar__day--other)").filter(
        has=ui.page.locator(".app-calendar__date", has_text=day)
    )
    assert cell.count() == 1, f"{cell.count()} cells for {day}"
    return " ".join(cell.inner_text().split())


# --- the browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core is not installed ({AXE_JS}): run `make install` or `npm ci`")
    return AXE_JS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: run `make install` as root, "
            "or `apt-get install chromium`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        pytest.skip("the playwright package is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def format_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's result as lines a person can act on."""
    out = []
    for v in violations:
        out.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            target = " ".join(
                json.dumps(t) if not isinstance(t, str) else t for t in node["target"]
            )
            out.append(f"    at {target}")
            out.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
            if summary:
                out.append(f"       {summary}")
    return "\n".join(out)


@dataclass
class UI:
    """One browser tab: every page it shows is checked with axe-core and photographed.

    axe-core is loaded into every page with an init script: the web page's
    Content-Security-Policy (script-src 'self') rightly blocks ``page.add_script_tag``,
    and init scripts run outside it. The policy itself stays on, so a page that breaks
    it shows up here as a console error.
    """

    page: Any
    server: Server | None
    prefix: str
    checked: set[str] = field(default_factory=set)
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    titles: list[tuple[str, str]] = field(default_factory=list)
    shots: int = 0

    # -- navigation ---------------------------------------------------------------------
    def goto(
        self, path: str, name: str | None = None, *, status: int = 200, shot: bool = False
    ) -> Any:
        assert self.server is not None
        response = self.page.goto(self.server.url(path))
        assert response is not None, f"GET {path}: no response"
        assert response.status == status, f"GET {path}: {response.status}, not {status}"
        self.check(name or path, screenshot=shot)
        return response

    def click(
        self, name: str, *, within: Any = None, check: str | None = None, shot: bool = False
    ) -> None:
        """Click the button called ``name`` (exactly, hidden words included) and wait for
        the page its form leads to."""
        scope = within if within is not None else self.page
        with self.page.expect_event("load"):
            scope.get_by_role("button", name=name, exact=True).click()
        if check:
            self.check(check, screenshot=shot)

    def login(self, name: str, password: str = PASSWORD) -> None:
        """Sign in. The sign-in page is the same every time: axe-core checks it once per
        screen width."""
        assert self.server is not None
        width = (self.page.viewport_size or {}).get("width", 0)
        if width in _sign_in_checked:
            self.page.goto(self.server.url("/login"))
            self.checked.add(self.page.url.split("#")[0])
        else:
            self.goto("/login", "sign in", shot=not _sign_in_checked)
            _sign_in_checked.add(width)
        self.page.fill("#username", name)
        self.page.fill("#password", password)
        self.click("Sign in")
        self.expect_text(f"Signed in as {name}")
        self.check(f"signed in as {name}")

    def logout(self) -> None:
        self.click("Sign out", check="signed out")

    def expect_text(self, text: str, within: str = "body") -> None:
        """Wait until ``text`` shows in ``within`` (a CSS selector)."""
        from playwright.sync_api import expect

        expect(self.page.locator(within).first).to_contain_text(text, timeout=TIMEOUT_MS)

    # -- checks -------------------------------------------------------------------------
    def axe_violations(self) -> list[dict[str, Any]]:
        result: dict[str, Any] = self.page.evaluate(
            """async (tags) => {
                if (typeof axe === "undefined") throw new Error("axe-core is not loaded");
                const r = await axe.run(document, {
                    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
                return {passes: r.passes.length, violations: r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                    failureSummary: n.failureSummary}))}))};
            }""",
            AXE_TAGS,
        )
        assert result["passes"] > 0, f"axe-core checked nothing on {self.page.url}"
        return list(result["violations"])

    def check(self, name: str, *, screenshot: bool = False) -> None:
        """Run axe-core on the page as it is now (and take a screenshot if asked).

        Violations are collected and reported together at the end of the test, so one bad
        page does not hide the next one's problems.
        """
        self.page.wait_for_load_state("load")
        url = self.page.url
        violations = self.axe_violations()
        if violations:
            self.problems.append(f"{name} ({url}):\n{format_violations(violations)}")
        self.checked.add(url.split("#")[0])
        title = self.page.title()
        self.titles.append((name, title))
        if not title.split("–")[0].strip():
            self.problems.append(f"{name} ({url}): the page title {title!r} says nothing")
        if screenshot:
            self.screenshot(name)

    def screenshot(self, name: str) -> Path:
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "page"
        path = ARTIFACTS / f"{self.prefix}-{self.shots:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        _screenshots.append(path)
        return path

    def unchecked(self) -> list[str]:
        return [u for u in dict.fromkeys(self.visited) if u.split("#")[0] not in self.checked]

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        # A page answered with 4xx on purpose (a refusal) is logged as a failed load.
        if message.text.startswith("Failed to load resource") and where in self.visited:
            return
        self.console.append(f"{message.text} (at {where or self.page.url})")

    def assert_clean(self) -> None:
        """Fail with every axe-core violation and console error seen so far."""
        message = self.report()
        self.problems.clear()
        self.console.clear()
        assert not message, message

    def report(self) -> str:
        """Every accessibility violation, console error and unchecked page, or ''."""
        message = ""
        if self.problems:
            message += "axe-core found accessibility violations:\n\n" + "\n\n".join(self.problems)
        if self.console:
            message += "\n\nbrowser console errors:\n" + "\n".join(self.console)
        missing = self.unchecked()
        if missing:
            message += "\n\npages visited but not checked with axe-core: " + ", ".join(missing)
        return message.strip()


@pytest.fixture
def make_ui(
    browser: Any, axe_source: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., UI]]:
    """``make_ui(server, who="")`` opens a fresh browser context (no cookies) per call.

    At the end of the test, fails with every axe-core violation and console error seen.
    """
    contexts: list[Any] = []
    uis: list[UI] = []

    def make(server: Server | None, who: str = "") -> UI:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(path=str(axe_source))
        contexts.append(context)
        page = context.new_page()
        test = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower().removeprefix("test_"))
        test = "-".join(test.strip("-").split("-")[:3])
        ui = UI(page, server, "-".join(filter(None, [test, who or str(len(uis) + 1)])))
        page.on(
            "framenavigated",
            lambda frame: (
                ui.visited.append(frame.url)
                if frame == page.main_frame and frame.url.startswith("http")
                else None
            ),
        )
        page.on("console", ui.on_console)
        page.on("pageerror", lambda error: ui.console.append(f"uncaught: {error}"))
        uis.append(ui)
        return ui

    yield make
    for context in contexts:
        context.close()
    reports = "\n\n".join(r for r in (ui.report() for ui in uis) if r)
    outcome = getattr(request.node, "rep_call", None)
    if reports and outcome is not None and outcome.passed:
        pytest.fail(reports, pytrace=False)
    elif reports:
        print(reports)  # shown with the failure
    if outcome is not None and outcome.failed:
        servers = {id(ui.server): ui.server for ui in uis if ui.server is not None}
        for server in servers.values():
            print(f"--- the end of the infobot web log ({server.log}):\n{server.log_tail()}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _screenshots:
        terminalreporter.write_line(
            f"browser tests: {len(_screenshots)} screenshots in {ARTIFACTS}"
        )
