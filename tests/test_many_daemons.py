"""Several daemons on one database: exactly one posts each day (real processes racing).

Each simulated campaign day, N ``infobot run --once`` processes are started together
against one database (forked from one process that has made the imports), held at a start
gate until every one of them is ready, then released at once so their ticks overlap.
Afterwards the database and the outbox must show one post per day, sent once, with no
locking errors on the way.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import QUEUE
from tests.support import transcript

MONDAY = date(2026, 11, 23)
APPROVED = 14
BAD_OUTPUT = ("database is locked", "Traceback", "tick failed", " ERROR ", "deadlock")
BAD_ALERTS = ("missed_day", "dead_man", "delivery_failed")

# Warm the imports, say "ready", wait for the gate, then do one tick through the real CLI.
GATED_RUN = """
import sys, time
from pathlib import Path
import infobot.app, infobot.cli.main, infobot.runtime.runner, infobot.platforms.outbox
gate, ready = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
deadline = time.monotonic() + 60
while not gate.exists():
    if time.monotonic() > deadline:
        sys.exit("the start gate never opened")
    time.sleep(0.001)
print(f"gate passed at {time.time():.3f}", flush=True)
code = infobot.cli.main.run(["run", "--once"])
print(f"finished at {time.time():.3f}", flush=True)
sys.exit(code)
"""


@dataclass
class Proc:
    day: date
    index: int
    pid: int
    code: int
    output: str

    def __str__(self) -> str:
        return (
            f"--- {self.day} process {self.index} (pid {self.pid}, exit {self.code}) ---\n"
            f"{self.output}"
        )


def base_env(tmp_path: Path, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOBOT_")}
    env.update(
        INFOBOT_DATABASE_URL=db_url,
        INFOBOT_OUTBOX_PATH=str(tmp_path / "outbox.jsonl"),
        INFOBOT_SECRETS_DIR=str(tmp_path / "none"),
        INFOBOT_CLOCK_START="2026-11-22T12:00:00+00:00",  # the Sunday before: nothing due
    )
    return env


def prepare(tmp_path: Path, env: dict[str, str]) -> None:
    """Import the sample queue and approve the first APPROVED stories, via the CLI."""
    steps = [
        ["import", str(QUEUE / "stories.csv"), "--by", "sam"],
        [
            "stories",
            "approve",
            *(str(n) for n in range(1, APPROVED + 1)),
            "--by",
            "alex",
            "--acknowledge",
        ],
    ]
    for args in steps:
        done = subprocess.run(
            [sys.executable, "-m", "infobot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (
            f"infobot {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        )


# One Python that has made the imports above forks the racing daemons: each is a real process
# of its own (its pid, its connections, its environment and working folder), without paying
# the interpreter's start and the imports again for every daemon of every day.
FORKER = """
import json, os, signal, sys, time
import infobot.app, infobot.cli.main, infobot.runtime.runner, infobot.platforms.outbox
gated, children = sys.argv[1], set()
print("ready", flush=True)
for line in iter(sys.stdin.readline, ""):
    job = json.loads(line)
    if "wait" in job:  # every child's exit code, killing those still running at the deadline
        codes, deadline = {}, time.monotonic() + job["wait"]
        while children:
            for pid in list(children):
                late = time.monotonic() > deadline
                if late:
                    os.kill(pid, signal.SIGKILL)
                done, status = os.waitpid(pid, 0 if late else os.WNOHANG)
                if done:
                    codes[pid] = os.waitstatus_to_exitcode(status)
                    children.discard(pid)
            time.sleep(0.005)
        print(json.dumps(codes), flush=True)
        continue
    pid = os.fork()
    if pid:
        children.add(pid)
        print(pid, flush=True)
        continue
    code = 1
    try:
        out = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)
        os.environ.clear()
        os.environ.update(job["env"])
        os.chdir(job["cwd"])
        sys.argv = ["-c", *job["argv"]]
        exec(compile(gated, "<gated run>", "exec"), {"__name__": "__main__"})
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
"""


class Forker:
    """Starts the gated daemons as forks of one process that has imported infobot."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FORKER, GATED_RUN],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._answer() == "ready"

    def _answer(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the forking process ended (exit {self.proc.wait()})"
        return line.strip()

    def _ask(self, job: dict[str, Any]) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def start(self, env: dict[str, str], cwd: Path, argv: list[str], output: Path) -> int:
        job = {"env": env, "cwd": str(cwd), "argv": argv, "output": str(output)}
        return int(self._ask(job))

    def wait(self, seconds: float) -> dict[int, int]:
        """The exit code of every daemon started since the last wait (killed at the end)."""
        return {int(pid): code for pid, code in json.loads(self._ask({"wait": seconds})).items()}

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()


def race_one_day(
    tmp_path: Path, env: dict[str, str], day: date, n: int, forker: Forker
) -> list[Proc]:
    """Start n gated daemons for ``day``, open the gate once all are ready, wait for all."""
    gate = tmp_path / f"gate-{day}"
    ready = [tmp_path / f"ready-{day}-{k}" for k in range(n)]
    outputs = [tmp_path / f"output-{day}-{k}.txt" for k in range(n)]
    pids: list[int] = []
    try:
        for k in range(n):
            # a few seconds apart at most, so every one of them is well inside the window
            day_env = dict(env, INFOBOT_CLOCK_START=f"{day.isoformat()}T09:00:0{k}+00:00")
            pids.append(forker.start(day_env, tmp_path, [str(gate), str(ready[k])], outputs[k]))
        deadline = time.monotonic() + 30
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        gate.touch()
        codes = forker.wait(60)
    results = []
    for k, pid in enumerate(pids):
        output = outputs[k].read_text(encoding="utf-8", errors="replace")
        transcript.record(output)  # what the daemons printed joins the secret scan
        results.append(Proc(day, k, pid, codes[pid], output))
    return results


def stamp(output: str, label: str) -> float:
    found = re.search(rf"^{label} ([0-9.]+)$", output, re.MULTILINE)
    assert found is not None, f"no {label!r} line in:\n{output}"
    return float(found.group(1))


def check_day(day: date, results: list[Proc], history: list[Proc]) -> None:
    everything = "\n".join(str(r) for r in results)
    for r in results:
        assert r.code == 0, f"a daemon failed on {day}\n{everything}"
        for bad in BAD_OUTPUT:
            assert bad not in r.output, f"{bad!r} in a daemon's output on {day}\n{everything}"
    started = max(stamp(r.output, "gate passed at") for r in results)
    finished = min(stamp(r.output, "finished at") for r in results)
    assert started < finished, (
        f"the daemons of {day} never ran at the same time, so the "
        f"test did not race (machine too loaded?)\n{everything}"
    )
    posters = [r for r in results if f"{day}: posting story #" in r.output]
    assert len(posters) == 1, f"{len(posters)} daemons posted on {day}\n{everything}"
    late = [r for r in results if ": posting story #" in r.output.replace(f"{day}: posting", "")]
    assert not late, f"a daemon on {day} posted for another day\n{everything}"
    history.extend(results)


def query(db_url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def check_database(db_url: str, outbox: Path, days: int, history: list[Proc]) -> None:
    log = "\n".join(str(r) for r in history)
    expected_days = [str(MONDAY + timedelta(days=i)) for i in range(days)]

    slots = query(db_url, "SELECT local_date, story_id, status FROM slots ORDER BY local_date")
    assert [str(d) for d, _, _ in slots] == expected_days, f"{slots}\n{log}"
    assert all(status == "posted" for _, _, status in slots), f"{slots}\n{log}"
    stories = [story for _, story, _ in slots]
    assert None not in stories and len(set(stories)) == days, f"{slots}\n{log}"
    # nobody skipped ahead in the queue: the first stories went, in order
    assert stories == list(range(1, days + 1)), f"{slots}\n{log}"
    posted = query(db_url, "SELECT id FROM stories WHERE status = 'posted' ORDER BY id")
    assert [s for (s,) in posted] == stories
    approved = query(db_url, "SELECT count(*) FROM stories WHERE status = 'approved'")
    assert approved == [(APPROVED - days,)]

    deliveries = query(
        db_url,
        "SELECT id, story_id, platform, status, attempts, parts, "
        "idempotency_key FROM deliveries ORDER BY story_id",
    )
    assert [(story, platform, status) for _, story, platform, status, *_ in deliveries] == [
        (story, "outbox", "sent") for story in stories
    ], f"{deliveries}\n{log}"
    sending = Counter(
        delivery
        for (delivery,) in query(
            db_url, "SELECT delivery_id FROM events WHERE action = 'delivery.sending'"
        )
    )
    for delivery_id, story, _, _, attempts, parts, _ in deliveries:
        n_parts = len(json.loads(parts))
        assert n_parts >= 1
        # one attempt per part: no second daemon drove the same delivery
        if attempts != n_parts or sending[delivery_id] != n_parts:
            trail = "\n".join(
                f"  {at} {actor} {action}: {message}"
                for at, actor, action, message in query(
                    db_url,
                    "SELECT at, actor, action, message FROM events "
                    f"WHERE delivery_id = {delivery_id} ORDER BY id",
                )
            )
            pytest.fail(
                f"story #{story}: {attempts} attempts and {sending[delivery_id]} "
                f"'delivery.sending' events for {n_parts} parts: more than one daemon "
                f"drove the delivery\naudit trail:\n{trail}\n"
                f"outbox:\n{outbox.read_text(encoding='utf-8')}\n{log}"
            )

    claims = query(
        db_url, "SELECT story_id, actor FROM events WHERE action = 'slot.claimed' ORDER BY story_id"
    )
    assert [story for story, _ in claims] == stories, f"{claims}\n{log}"

    host = socket.gethostname()
    beats = query(db_url, "SELECT worker, state FROM heartbeats")
    workers = {f"{host}:{r.pid}" for r in history}  # a set: a pid may in theory come back
    assert sorted(worker for worker, _ in beats) == sorted(workers), f"{beats}\n{log}"
    assert {state for _, state in beats} == {"stopped"}
    assert {actor for _, actor in claims} <= workers

    alerts = query(db_url, "SELECT kind, message FROM alerts")
    assert not [a for a in alerts if a[0] in BAD_ALERTS], f"{alerts}\n{log}"

    records = [
        json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    posts = [r for r in records if "id" in r]
    keys = [r["idempotency_key"] for r in posts]
    duplicates = [k for k, count in Counter(keys).items() if count > 1]
    assert not duplicates, f"posted twice: {duplicates}\n{log}"
    assert not [r for r in records if "deleted_id" in r]
    heads = [r for r in posts if r["in_reply_to"] is None]
    assert len(heads) == days, f"{len(heads)} posts (thread heads) for {days} days\n{log}"
    # keys are infobot:<campaign>:<story>:<platform>:<part>
    assert sorted(int(k.split(":")[2]) for k in (h["idempotency_key"] for h in heads)) == stories
    assert len(posts) == sum(len(json.loads(d[5])) for d in deliveries)
    for _, _, _, _, _, parts, key in deliveries:
        ids = [p["id"] for p in json.loads(parts)]
        assert ids == [f"outbox-{key}:{i}" for i in range(len(ids))]
        assert all(i in {p["id"] for p in posts} for i in ids)


def race_days(
    tmp_path: Path,
    env: dict[str, str],
    daemons: int,
    days: int,
    check: Callable[[date, list[Proc], list[Proc]], None],
) -> list[Proc]:
    """Race ``daemons`` daemons on each of ``days`` days from MONDAY, checking each day."""
    history: list[Proc] = []
    forker = Forker(tmp_path, env)
    try:
        for i in range(days):
            day = MONDAY + timedelta(days=i)
            check(day, race_one_day(tmp_path, env, day, daemons, forker), history)
    finally:
        forker.close()
    return history


def run_scenario(tmp_path: Path, db_url: str, daemons: int, days: int) -> None:
    env = base_env(tmp_path, db_url)
    prepare(tmp_path, env)
    history = race_days(tmp_path, env, daemons, days, check_day)
    check_database(db_url, tmp_path / "outbox.jsonl", days, history)


@pytest.mark.slow
@pytest.mark.parametrize("daemons", [2, 4])
def test_daemons_racing_on_one_sqlite_file_post_once_a_day(tmp_path: Path, daemons: int) -> None:
    run_scenario(tmp_path, f"sqlite:///{tmp_path / 'db'}", daemons, days=5)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("daemons", [2, 4])
def test_daemons_racing_on_postgres_post_once_a_day(
    tmp_path: Path, postgres_url: str, daemons: int
) -> None:
    run_scenario(tmp_path, postgres_url, daemons=daemons, days=3)


# -- two campaigns side by side ------------------------------------------------------------
EVENING = "evening"


def prepare_two_campaigns(tmp_path: Path, env: dict[str, str]) -> None:
    """The first campaign as above, and a second one posting at 04:00 in New York (09:00 in
    London in November, so the racing daemons find both due), with its own stories."""
    prepare(tmp_path, env)
    second = APPROVED + 1
    steps = [
        ["campaign", "create", EVENING, "--timezone", "America/New_York", "--post-time", "04:00"],
        ["import", str(QUEUE / "stories.csv"), "--campaign", EVENING, "--by", "sam"],
        [
            "stories",
            "approve",
            *(str(n) for n in range(second, second + APPROVED)),
            "--campaign",
            EVENING,
            "--by",
            "alex",
            "--acknowledge",
        ],
    ]
    for args in steps:
        done = subprocess.run(
            [sys.executable, "-m", "infobot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (
            f"infobot {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        )


def check_campaigns_day(day: date, results: list[Proc], history: list[Proc]) -> None:
    everything = "\n".join(str(r) for r in results)
    for r in results:
        assert r.code == 0, f"a daemon failed on {day}\n{everything}"
        for bad in BAD_OUTPUT:
            assert bad not in r.output, f"{bad!r} in a daemon's output on {day}\n{everything}"
    started = max(stamp(r.output, "gate passed at") for r in results)
    finished = min(stamp(r.output, "finished at") for r in results)
    assert started < finished, f"the daemons of {day} never ran at the same time\n{everything}"
    for name in ("infostory", EVENING):
        posters = [r for r in results if f"{name}: {day}: posting story #" in r.output]
        assert len(posters) == 1, f"{len(posters)} daemons posted {name} on {day}\n{everything}"
    history.extend(results)


def check_campaigns_database(db_url: str, outbox: Path, days: int, history: list[Proc]) -> None:
    log = "\n".join(str(r) for r in history)
    expected_days = [str(MONDAY + timedelta(days=i)) for i in range(days)]
    campaigns = dict(query(db_url, "SELECT name, id FROM campaigns"))
    assert set(campaigns) == {"infostory", EVENING}
    for name, first_story in (("infostory", 1), (EVENING, APPROVED + 1)):
        slots = query(
            db_url,
            "SELECT local_date, story_id, status FROM slots "
            f"WHERE campaign_id = {campaigns[name]} ORDER BY local_date",
        )
        assert [str(d) for d, _, _ in slots] == expected_days, f"{name}: {slots}\n{log}"
        assert all(status == "posted" for _, _, status in slots), f"{name}: {slots}\n{log}"
        stories = [story for _, story, _ in slots]
        assert stories == list(range(first_story, first_story + days)), f"{slots}\n{log}"
    deliveries = query(
        db_url,
        "SELECT d.id, d.story_id, d.status, d.attempts, d.parts, s.campaign_id "
        "FROM deliveries d JOIN stories s ON s.id = d.story_id",
    )
    assert len(deliveries) == 2 * days, f"{deliveries}\n{log}"
    sending = Counter(
        delivery
        for (delivery,) in query(
            db_url, "SELECT delivery_id FROM events WHERE action = 'delivery.sending'"
        )
    )
    for delivery_id, story, status, attempts, parts, _ in deliveries:
        n_parts = len(json.loads(parts))
        assert status == "sent", f"story #{story}: {status}\n{log}"
        assert attempts == n_parts == sending[delivery_id], (
            f"story #{story}: {attempts} attempts, {sending[delivery_id]} sends for "
            f"{n_parts} parts: more than one daemon drove it\n{log}"
        )
    alerts = query(db_url, "SELECT kind, message FROM alerts")
    assert not [a for a in alerts if a[0] in BAD_ALERTS], f"{alerts}\n{log}"
    posts = [
        json.loads(line)
        for line in outbox.read_text(encoding="utf-8").splitlines()
        if line.strip() and "id" in json.loads(line)
    ]
    keys = [p["idempotency_key"] for p in posts]
    assert not [k for k, n in Counter(keys).items() if n > 1], f"posted twice\n{log}"
    heads = Counter(int(p["idempotency_key"].split(":")[1]) for p in posts if not p["in_reply_to"])
    assert heads == {campaigns["infostory"]: days, campaigns[EVENING]: days}, f"{heads}\n{log}"


def run_campaigns_scenario(tmp_path: Path, db_url: str, daemons: int, days: int) -> None:
    env = base_env(tmp_path, db_url)
    prepare_two_campaigns(tmp_path, env)
    history = race_days(tmp_path, env, daemons, days, check_campaigns_day)
    check_campaigns_database(db_url, tmp_path / "outbox.jsonl", days, history)


@pytest.mark.slow
def test_daemons_racing_on_one_sqlite_file_post_once_per_campaign_and_day(
    tmp_path: Path,
) -> None:
    run_campaigns_scenario(tmp_path, f"sqlite:///{tmp_path / 'db'}", daemons=3, days=3)


@pytest.mark.slow
@pytest.mark.postgres
def test_daemons_racing_on_postgres_post_once_per_campaign_and_day(
    tmp_path: Path, postgres_url: str
) -> None:
    run_campaigns_scenario(tmp_path, postgres_url, daemons=3, days=2)
