"""Shared fixtures: a clean environment per test, a CLI runner, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import pytest

from tests.support import fast_hashes, template_db, transcript
from tests.support.pg_fixtures import postgres_server, postgres_url  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
QUEUE = REPO / "queue"
# Monday 23 November 2026, 08:00 in London: before the day's 09:00 post.
NOW = "2026-11-23T08:00:00+00:00"


transcript.install()
# Fresh SQLite files get the migrated schema from a template made once per process
# (tests/support/template_db.py); tests marked ``real_migrations`` run Alembic every time.
template_db.install()
# Passwords hashed and checked in the test process use argon2 at its smallest cost
# (tests/support/fast_hashes.py); the product's hasher and every subprocess keep theirs.
fast_hashes.install()

# No per-example deadline: a first example that loads a library (twitter-text, an SDK) or
# a busy CI machine is slow without being wrong, and Hypothesis would call it flaky.
# Under CI (CI set, as .ci/run's callers do) the examples are the same on every run, so a
# red build can be reproduced and a green one means the same code passes again; a
# developer's run explores new examples each time (and `make fuzz` at length).
hypothesis.settings.register_profile("infobot", deadline=None)
hypothesis.settings.register_profile("infobot-ci", deadline=None, derandomize=True)
hypothesis.settings.load_profile("infobot-ci" if os.environ.get("CI") else "infobot")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Captured stdout, stderr and log of every test phase go into the transcript."""
    transcript.record(*(content for _, content in report.sections))


#: Tests that share an expensive module or session fixture run on one pytest-xdist worker
#: (``make test`` runs ``--dist loadgroup``), so that it is made once: the wheel built and
#: installed as the image does; Chromium and the browser tests' shared web server; the
#: fuzz test's template database (and its counts, checked after it on the same worker).
GROUPS = {
    "tests/browser/": "browser",
    "tests/test_import_fuzz.py": "fuzz",
}


def xdist_group(item: pytest.Item) -> str | None:
    if {"wheel", "installed"} & set(getattr(item, "fixturenames", ())):
        return "wheel"
    return next((name for prefix, name in GROUPS.items() if item.nodeid.startswith(prefix)), None)


def _in_group(item: pytest.Item, group: str) -> None:
    """Mark ``item`` for ``group``. pytest-xdist 3.8 suffixes the node id with the group
    through ``item._nodeid``, which pytest 9.2 no longer reads (the id is ``item._id``), so
    its workers would spread the group: the suffix is set here the way pytest keeps it."""
    from _pytest.nodeid import coerce_node_id

    item.add_marker(pytest.mark.xdist_group(group))
    if getattr(item.config.option, "loadgroup", False) and "@" not in item.nodeid:
        item._id = coerce_node_id(f"{item.nodeid}@{group}")  # type: ignore[attr-defined]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` start first (the longest chains on one worker start early,
    and the short tests fill the workers' ends), and the secret scan runs last, over
    everything the run printed before it."""
    groups = {id(item): xdist_group(item) for item in items}
    slow_groups = {groups[id(i)] for i in items if i.get_closest_marker("slow")} - {None}
    for item in items:
        if groups[id(item)] is not None:
            _in_group(item, groups[id(item)])  # type: ignore[arg-type]

    def slow(item: pytest.Item) -> bool:  # a group moves as a whole (its module fixtures)
        group = groups[id(item)]
        return group in slow_groups if group else item.get_closest_marker("slow") is not None

    items.sort(
        key=lambda item: (item.nodeid.startswith("tests/test_zz_secret_scan.py"), not slow(item))
    )


# With pytest-xdist each worker holds the transcript of its own tests, and no test runs
# after every other: each worker scans its transcript as its session ends and leaves what it
# found in a folder the main process reads when all workers are done (a leak fails the run).
SCAN_DIR = "TESTS_SECRET_SCAN_DIR"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and SCAN_DIR not in os.environ:
        import tempfile

        os.environ[SCAN_DIR] = tempfile.mkdtemp(prefix="infobot-secret-scan-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = Path(os.environ.get(SCAN_DIR, ""))
    worker = getattr(session.config, "workerinput", None)
    if not folder.name or not folder.is_dir():
        return
    if worker is not None:  # a worker: leave its findings for the main process
        hits = transcript.leaks() if transcript.SECRETS else []
        found = json.dumps({"outputs": len(transcript.RECORDED), "hits": hits})
        (folder / f"{worker['workerid']}.json").write_text(found, "utf-8")
        return
    reports = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    hits = [hit for report in reports for hit in report["hits"]]
    if hits:
        terminal = session.config.get_terminal_writer()
        terminal.line("secrets found in what the tests printed or logged:", red=True)
        for hit in hits:
            terminal.line(hit, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _migrations(request: pytest.FixtureRequest) -> Iterator[None]:
    template_db.enabled = request.node.get_closest_marker("real_migrations") is None
    yield
    template_db.enabled = True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """A command run in-process (``logs.setup``) points the root logger at that run's
    stdout, which closes with it: the next test must not log into a closed stream."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def clean_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with no INFOBOT_* variables, in an empty working directory."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.upper().startswith("INFOBOT_"):
            del os.environ[key]
    os.environ["INFOBOT_SECRETS_DIR"] = str(tmp_path / "no-secrets")
    monkeypatch.chdir(tmp_path)
    yield
    os.environ.clear()
    os.environ.update(saved)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """Runs ``infobot`` in-process against a real SQLite file in the test's folder."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp = tmp_path
        self.capsys = capsys
        self.db_path = tmp_path / "infobot.db"
        self.outbox = tmp_path / "outbox.jsonl"
        os.environ["INFOBOT_DATABASE_URL"] = f"sqlite:///{self.db_path}"
        os.environ["INFOBOT_OUTBOX_PATH"] = str(self.outbox)
        os.environ["INFOBOT_CLOCK_START"] = NOW

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from infobot.cli.main import run

        self.capsys.readouterr()
        old_stdin = sys.stdin
        if input is not None:
            sys.stdin = io.StringIO(input)
        try:
            code = run(list(args))
        finally:
            sys.stdin = old_stdin
        captured = self.capsys.readouterr()
        transcript.record(captured.out, captured.err)
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.code == 0, f"exit {result.code}\nstdout:\n{result.out}\nstderr:\n{result.err}"
        return result

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import sqlite3

        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(query, params).fetchall()

    def count(self, table: str, where: str = "1=1", *params: Any) -> int:
        return int(self.sql(f"SELECT count(*) FROM {table} WHERE {where}", *params)[0][0])


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, capsys)


def write_csv(path: Path, rows: list[dict[str, str]], *, bom: bool = True) -> Path:
    import csv

    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def story_row(n: int | str, **extra: str) -> dict[str, str]:
    row = {
        "title": f"Story {n}",
        "body": f"Story number {n}: sharing records meant the right help arrived sooner.",
        "author": f"Person {n}",
        "role": "Social worker",
        "organisation": "Example Council",
        "consent_by": f"Person {n}",
        "consent_date": "2026-10-01",
    }
    row.update(extra)
    return row


@pytest.fixture
def fixed_now() -> datetime:
    return datetime.fromisoformat(NOW).astimezone(UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend (PostgreSQL skipped with a reason if absent)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contract.db'}"
    return str(request.getfixturevalue("postgres_url"))
