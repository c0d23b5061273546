"""What every figure shares: paths, the children's environment, running and timing them.

Every figure runs the real ``infobot`` command (or a small module of this package, with
``python -m bench.<name>``) as a child process, from an empty working directory, with its
settings given only through ``INFOBOT_*`` environment variables.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
WORK = DATA / "work"
PYTHON = Path(sys.executable)
INFOBOT = PYTHON.parent / "infobot"

CLOCK_START = "2026-11-23T08:00:00+00:00"  # a Monday, 08:00 UTC (09:00 post time in London)
TODAY = date(2026, 11, 23)


class BenchError(Exception):
    """A figure cannot be measured (its set-up failed): the runner reports and goes on."""


def base_env() -> dict[str, str]:
    """This shell's environment without INFOBOT_* settings, with bytecode writing on.

    This machine sets PYTHONDONTWRITEBYTECODE, which makes every start of the editable
    install compile infobot again. Users get cached bytecode, so the children do too: the
    warm-up runs write it, the timed runs read it.
    """
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("INFOBOT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def child_env(db: Path, workdir: Path, **settings: str) -> dict[str, str]:
    """The environment of an ``infobot`` child: a database, the outbox, a fixed clock."""
    env = base_env()
    env["INFOBOT_DATABASE_URL"] = f"sqlite:///{db}"
    env["INFOBOT_OUTBOX_PATH"] = str(workdir / "outbox.jsonl")
    env["INFOBOT_CLOCK_START"] = CLOCK_START
    env["INFOBOT_PLATFORMS"] = "outbox"
    env["INFOBOT_USER"] = "bench"
    env["INFOBOT_MEDIA_DIR"] = str(DATA)  # the import's pictures: images/photo-N.jpg
    env.update({f"INFOBOT_{key.upper()}": value for key, value in settings.items()})
    return env


def with_bench_path(env: dict[str, str], *extra: Path) -> dict[str, str]:
    """``env`` with this package (and ``extra`` folders) importable: ``python -m bench.x``."""
    paths = [*map(str, extra), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


@dataclass(frozen=True)
class Place:
    """A working directory and the SQLite database a child uses."""

    db: Path
    workdir: Path

    def env(self, **settings: str) -> dict[str, str]:
        return child_env(self.db, self.workdir, **settings)


@dataclass(frozen=True)
class Command:
    """One child process to run: what, with which environment, from where."""

    label: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(compare=False)
    cwd: Path

    @classmethod
    def infobot(cls, args: Sequence[str], place: Place, **settings: str) -> Command:
        """``infobot ARGS`` in ``place``; ``settings`` are extra INFOBOT_* variables."""
        label = "infobot " + " ".join(args)
        return cls(label, (str(INFOBOT), *args), place.env(**settings), place.workdir)

    @classmethod
    def python(cls, args: Sequence[str], place: Place, label: str) -> Command:
        return cls(label, (str(PYTHON), *args), place.env(), place.workdir)

    @classmethod
    def module(cls, name: str, args: Sequence[str], place: Place, label: str = "") -> Command:
        """``python -m bench.NAME ARGS``: a child program of this package."""
        env = with_bench_path(place.env())
        return cls(
            label or f"bench.{name}",
            (str(PYTHON), "-m", f"bench.{name}", *args),
            env,
            place.workdir,
        )


@dataclass
class Outcome:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the child
    max_rss_mib: float
    returncode: int
    stdout: str
    stderr: str


def run(command: Command, *, capture: bool = True) -> Outcome:
    """Run ``command`` and measure it: wall time, CPU and peak RSS of exactly this child.

    The command is started by ``bench/spawn.py``, a small interpreter that times it and
    reads its resource usage with ``os.wait4`` (ru_maxrss is in KiB on Linux): started
    from this process, a child's peak RSS would count this process's own peak.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json") as result,
    ):
        argv = [str(PYTHON), "-S", "-m", "bench.spawn", result.name, str(command.cwd), "--"]
        done = subprocess.run(
            [*argv, *command.argv],
            cwd=ROOT,
            env=command.env,
            stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=err,
            check=False,
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        try:
            figures = json.loads(Path(result.name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BenchError(
                f"bench/spawn.py could not run {command.label} (exit {done.returncode}):\n"
                f"{stderr[-2000:]}"
            ) from None
        return Outcome(
            figures["seconds"],
            figures["cpu_seconds"],
            figures["max_rss_mib"],
            figures["returncode"],
            stdout,
            stderr,
        )


def must(outcome: Outcome, what: str) -> Outcome:
    if outcome.returncode != 0:
        detail = (outcome.stdout[-2000:] + "\n" + outcome.stderr[-2000:]).strip()
        raise BenchError(f"{what} failed with exit code {outcome.returncode}:\n{detail}")
    return outcome


def infobot(place: Place, *args: str, **settings: str) -> Outcome:
    """Run ``infobot ARGS`` in ``place`` (with extra INFOBOT_* ``settings``); it must work."""
    command = Command.infobot(args, place, **settings)
    return must(run(command), command.label)


@dataclass
class Timing:
    """Repeated runs of one command: wall and CPU seconds, peak RSS, exit codes."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def low(self) -> float:
        return min(self.walls)

    @property
    def high(self) -> float:
        return max(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def cpu_low(self) -> float:
        return min(self.cpus)

    def spread(self) -> str:
        return f"min {self.low:.3f}, max {self.high:.3f} s; CPU median {self.cpu:.3f} s"


def interleave(
    commands: Sequence[Command], runs: int, *, warmups: int = 1, check: bool = True
) -> list[Timing]:
    """Time each command ``runs`` times, after ``warmups`` untimed runs of each.

    The commands take turns (A B C A B C ...), so a burst of load from elsewhere on the
    machine hits all of them alike: that is what makes a ratio against a baseline in the
    same list fair on a shared machine.
    """
    for command in commands:
        for _ in range(warmups):
            outcome = run(command)
            if check:
                must(outcome, f"{command.label} (warm-up)")
    timings = [Timing() for _ in commands]
    for _ in range(runs):
        for command, timing in zip(commands, timings, strict=True):
            outcome = run(command, capture=False)
            if check:
                must(outcome, command.label)
            timing.walls.append(outcome.seconds)
            timing.cpus.append(outcome.cpu_seconds)
            timing.rss.append(outcome.max_rss_mib)
            timing.codes.append(outcome.returncode)
    return timings


def fresh_dir(name: str) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def new_database(name: str, **settings: str) -> Place:
    """An empty working directory and a database migrated by the CLI itself."""
    workdir = fresh_dir(name)
    place = Place(workdir / "infobot.db", workdir)
    infobot(place, "status", **settings)
    return place


def copy_database(source: Path, name: str) -> Place:
    """A working copy of a cached database (commands that write must not touch the cache)."""
    workdir = fresh_dir(name)
    place = Place(workdir / "infobot.db", workdir)
    shutil.copyfile(source, place.db)
    return place


def drop_sidecars(db: Path) -> None:
    """Read-only commands leave SQLite's -wal and -shm files behind: remove them."""
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


@dataclass(frozen=True)
class Options:
    """How many times to repeat things (the command line of ``python -m bench``)."""

    runs: int = 7  # timed runs of each short command (min and median are shown)
    import_runs: int = 3
    clients: int = 20  # concurrent signed-in web clients
    requests: int = 8  # requests per web client and page
