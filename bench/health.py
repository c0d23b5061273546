"""The container's HEALTHCHECK, run as the image runs it, while a daemon runs.

Issue 13, row c: the HEALTHCHECK command (read from the Dockerfile, today
``infobot health``) costs at most 0.15 s of wall time and 0.1 s of CPU. It runs with the
image's ENV (``/data`` mapped to a working directory, ``/opt/infobot`` to this virtual
environment) against a database on which the image's own command (ENTRYPOINT + CMD, today
``infobot run``) is running, so the heartbeat it checks is a live one. The database holds
the 10,000 stories of the queue CSV, 200 of them approved; the clock is the real one
(as in production), the time zone UTC and the post time a few hours ahead, so no post is
due and the daemon is idle while the check is timed. Baseline: ``python -c pass`` with
the same environment, the two taking turns.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta

from bench import dockerfile
from bench.common import PYTHON, Command, Options, Place, base_env, fresh_dir, interleave, must
from bench.common import run as run_command
from bench.datasets import queue_csv
from bench.processes import Child
from bench.report import SECONDS, Report, at_most

NAME = "health"
TITLE = "The container's HEALTHCHECK against a running daemon"
GOAL_WALL = 0.15
GOAL_CPU = 0.1
HEALTHY_WITHIN = 60.0


def post_time() -> str:
    """A post time a few hours ahead today (UTC), so nothing is due while timing."""
    now = datetime.now(UTC)
    later = min(now + timedelta(hours=3), now.replace(hour=23, minute=59))
    return f"{later:%H:%M}"


def run_section(report: Report, options: Options) -> None:
    image = dockerfile.read()
    workdir = fresh_dir("health")
    env = dockerfile.environment(image, base_env(), workdir)
    env.update({"INFOBOT_TIMEZONE": "UTC", "INFOBOT_POST_TIME": post_time()})
    place = Place(workdir / "infobot.db", workdir)

    def command(label: str, argv: list[str]) -> Command:
        return Command(label, tuple(argv), env, workdir)

    infobot = dockerfile.resolve(["infobot"], env)
    setup = [
        ["import", str(queue_csv()), "--by", "bench"],
        ["stories", "approve", *map(str, range(1, 201)), "--by", "boss"],
    ]
    for args in setup:
        must(run_command(command("infobot " + args[0], [*infobot, *args])), args[0])
    check = command(" ".join(image.healthcheck), dockerfile.resolve(image.healthcheck, env))
    daemon = Child("daemon", workdir, env, dockerfile.resolve(image.command, env))
    print(
        f"\n  image: HEALTHCHECK {image.healthcheck}, command {image.command}; "
        f"post time {env['INFOBOT_POST_TIME']} UTC (real clock); database {place.db.name}"
    )
    daemon.start()
    try:
        healthy, waited, message = wait_healthy(daemon, check)
        print(f"  {'healthy' if healthy else 'NOT healthy'} {waited:.1f} s after start: {message}")
        baseline = command("python -c pass", [str(PYTHON), "-c", "pass"])
        base, timing = interleave([baseline, check], max(options.runs, 5), check=False)
        last = run_command(check)
    finally:
        daemon.stop()
    codes = sorted(set(timing.codes))
    ok = codes == [0]
    note = f"exit codes {codes}; says {last.stdout.strip() or last.stderr.strip()[-120:]!r}"
    report.section(f"{TITLE} (median of {len(timing.walls)}, runs interleaved)")
    report.measure(
        "health check: wall time",
        timing.median,
        SECONDS,
        baseline=base.median,
        base_label="python -c pass, image ENV (median)",
        goal=at_most(GOAL_WALL),
        note=f"min {timing.low:.3f} s; {note}",
        tag="13c",
        ok=ok,
    )
    report.measure(
        "health check: CPU (user + system)",
        timing.cpu,
        SECONDS,
        baseline=base.cpu,
        base_label="python -c pass, image ENV (median)",
        goal=at_most(GOAL_CPU),
        note=f"min {timing.cpu_low:.3f} s; peak RSS {max(timing.rss):.0f} MiB",
        tag="13c",
        ok=ok,
    )
    report.info(
        "daemon stopped by SIGTERM",
        "n/a" if daemon.stop_seconds is None else f"{daemon.stop_seconds:.2f} s",
        note=f"exit code {daemon.exit_code}",
    )
    shutil.rmtree(workdir, ignore_errors=True)


def wait_healthy(daemon: Child, check: Command) -> tuple[bool, float, str]:
    """Run the check until it passes (as Docker does during the start period)."""
    outcome = None
    while time.time() - daemon.started < HEALTHY_WITHIN:
        if daemon.proc is not None and daemon.proc.poll() is not None:
            tail = (daemon.out() + daemon.err())[-2000:]
            return False, time.time() - daemon.started, f"the daemon exited: {tail}"
        outcome = run_command(check)
        if outcome.returncode == 0:
            return True, time.time() - daemon.started, outcome.stdout.strip()
        time.sleep(0.5)
    said = "" if outcome is None else (outcome.stdout + outcome.stderr).strip()
    return False, time.time() - daemon.started, said
