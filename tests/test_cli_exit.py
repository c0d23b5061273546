"""A finished command leaves without tearing the interpreter down (``infobot.cli.main.leave``),
having flushed its output and run the ``atexit`` functions; with a thread still running, or
a profiler watching, it ends as usual."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from infobot.cli import main

REPO = Path(__file__).resolve().parent.parent
ACTIVE_COUNT = threading.active_count


class Left(Exception):
    def __init__(self, how: str, code: int) -> None:
        super().__init__(how, code)
        self.how, self.code = how, code


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What ran, in order: atexit's functions, then how the process would have ended."""
    said: list[str] = []

    def quick(code: int) -> None:
        raise Left("os._exit", code)

    def usual(code: int) -> None:
        raise Left("sys.exit", code)

    monkeypatch.setattr(main.os, "_exit", quick)
    monkeypatch.setattr(main.sys, "exit", usual)
    monkeypatch.setattr("atexit._run_exitfuncs", lambda: said.append("atexit"))
    monkeypatch.setattr(main.sys, "getprofile", lambda: None)  # pytest's own tracer aside
    monkeypatch.setattr(main.sys, "gettrace", lambda: None)
    # this test process alone: threads other tests left behind in the worker aside
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    return said


def test_a_finished_command_runs_atexit_then_leaves_at_once(exits: list[str]) -> None:
    with pytest.raises(Left) as left:
        main.leave(3)
    assert (left.value.how, left.value.code, exits) == ("os._exit", 3, ["atexit"])


def test_a_running_thread_gets_the_usual_end(
    exits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threading, "active_count", ACTIVE_COUNT)  # the real count
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        with pytest.raises(Left) as left:
            main.leave(0)
    finally:
        stop.set()
        worker.join()
    assert (left.value.how, left.value.code, exits) == ("sys.exit", 0, [])


def test_a_profiler_gets_the_usual_end(exits: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main.sys, "getprofile", lambda: print)
    with pytest.raises(Left) as left:
        main.leave(1)
    assert (left.value.how, exits) == ("sys.exit", [])


def test_the_output_and_the_exit_code_reach_the_caller(tmp_path: Path) -> None:
    """Through the real entry point: everything printed arrives (into a pipe, which is
    buffered), atexit's functions run, and the exit code is the command's."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('atexit ran', file=sys.stderr))\n"
        "sys.argv = ['infobot', 'stories', 'show', '999999']\n"
        "from infobot.entry import main\n"
        "main()\n"
    )
    env = {"INFOBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    assert "there is no story #999999" in done.stderr
    assert done.stderr.rstrip().endswith("atexit ran")
    helped = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv = ['infobot', '--help']\n"
         "from infobot.entry import main; main()"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr
    lines = helped.stdout.splitlines()
    assert lines[0].startswith("Usage: infobot") and lines[-1].split()[0] == "web"  # all of it
