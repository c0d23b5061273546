"""The daemon, ``infobot run`` (not ``--once``): posting latency, fan-out, idle memory and CPU.

Every figure comes from real ``infobot run`` processes, each with its own database (one
approved story) and working directory, measured from the outside:

* **Post time to first platform request.** Three benchmark platforms (``slow_a``,
  ``slow_b``, ``slow_c``, in ``bench/slow_platform.py``) are registered the way an outside
  package registers one: a ``.dist-info`` folder with ``infobot.platforms`` entry points
  on the child's ``PYTHONPATH``. Each request takes ``SLOW_SECONDS`` and logs its start
  and end. Two daemons post with them: *real clock* (no ``INFOBOT_CLOCK_START``; the post
  time a whole minute of real UTC time 25-40 s after the daemon starts: production) and
  *pretended clock* (``INFOBOT_CLOCK_START`` 3 s before the 09:00 post time).
* **Fan-out**: from the first platform request to the last platform's reply.
* **Idle memory** (issue 13, row e): VmRSS 5 s after start-up of a daemon posting only to
  the outbox (baseline: an idle bare interpreter, ``bench/idle_python.py``), and of one
  with Mastodon, X and Bluesky configured (dummy credentials, a closed local port)
  (baseline: an interpreter importing the same SDKs, ``bench/sdk_floor.py``). The figure is
  the whole process tree's: ``infobot run`` is a supervisor whose worker process (the
  whole application, the SDKs included) runs only while there is work, and a worker
  running at that moment counts. The peak of the tree while posting is printed too.
* **Idle CPU**: utime + stime over 60 s of the outbox-only daemon with no post due, with
  the CPU of any worker that ended in the window.

The daemons run side by side; the real-clock post falls neither on the others' start-up
nor on their 60 s ticks. The figures are printed by ``bench/daemon_report.py``.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import (
    INFOBOT,
    PYTHON,
    TODAY,
    BenchError,
    Options,
    child_env,
    fresh_dir,
    with_bench_path,
)
from bench.daemon_report import (
    IDLE_WINDOW,
    SETTLE_SECONDS,
    SLOW_SECONDS,
    Daemon,
    Readings,
    delivered,
    report_daemons,
)
from bench.report import Report
from bench.texts import CSV_HEADER, short_row

NAME = "daemon"
TITLE = "The daemon: infobot run (real processes)"
SLOW_PLATFORMS = ("slow_a", "slow_b", "slow_c")
SDK_PLATFORMS = ("mastodon", "x", "bluesky")
SHIFTED_POST = "09:00"
SHIFTED_START = "2026-11-23T08:59:57+00:00"  # 3 s before the post time, in UTC
DEAD_PORT = "http://127.0.0.1:9"  # the discard port: nothing listens, nothing is sent
READY = ("infobot running",)


def install_plugin(site: Path) -> Path:
    """The slow platforms as an installed package: a .dist-info folder with entry points
    naming ``bench.slow_platform`` (importable through the child's PYTHONPATH)."""
    site.mkdir(parents=True)
    dist = site / "infobot_bench_slow-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: infobot_bench_slow\nVersion: 0.1\n", encoding="utf-8"
    )
    lines = ["[infobot.platforms]"] + [
        f"{name} = bench.slow_platform:create_{name[-1]}" for name in SLOW_PLATFORMS
    ]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


def stories_csv(path: Path) -> Path:
    """A few stories, consented before both the real and the pretended day."""
    import csv
    import random

    consent = (min(date.today(), TODAY) - timedelta(days=30)).isoformat()
    rng = random.Random(4)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(short_row(rng, number, consent) for number in range(3))
    return path


def place(root: Path, name: str, site: Path, **settings: str | None) -> Daemon:
    """A working directory and an environment; the database is filled by ``fill``."""
    workdir = root / name
    workdir.mkdir(parents=True)
    env = with_bench_path(child_env(workdir / "infobot.db", workdir), site)
    env["INFOBOT_TIMEZONE"] = "UTC"
    env["INFOBOT_POST_TIME"] = SHIFTED_POST
    env["BENCH_SLOW_LOG"] = str(workdir / "requests.jsonl")
    env["BENCH_SLOW_SECONDS"] = str(SLOW_SECONDS)
    env["INFOBOT_LOG_LEVEL"] = "DEBUG"  # APScheduler's "Running job" lines name the poster
    for key, value in settings.items():
        if value is None:
            env.pop(f"INFOBOT_{key.upper()}", None)
        else:
            env[f"INFOBOT_{key.upper()}"] = value
    return Daemon(name, workdir, env, [str(INFOBOT), "run"], READY)


def cli(child: Daemon, *args: str, **settings: str) -> None:
    env = dict(child.env)
    env.update({f"INFOBOT_{key.upper()}": value for key, value in settings.items()})
    done = subprocess.run(
        [str(INFOBOT), *args],
        cwd=child.workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stdout[-2000:] + "\n" + done.stderr[-2000:]).strip()
        raise BenchError(f"infobot {' '.join(args)} failed in {child.name}:\n{tail}")


def fill(child: Daemon, csv_path: Path, **settings: str) -> None:
    cli(child, "import", str(csv_path), "--by", "bench", **settings)
    cli(child, "stories", "approve", "1", "--by", "boss", **settings)


def plan_real_post(t0: float) -> tuple[float, float]:
    """(when to start the real-clock daemon, its post time as a Unix time).

    The other daemons start at t0 (busy for a few seconds) and tick at about t0 + 60..70.
    The post is a whole minute at least 33 s away and not within t0 + 53..75; the daemon
    starts 40 s before it (at least 8 s after t0), so its own 60 s tick comes well after.
    """
    post = (int(t0 + 33) // 60 + (1 if (t0 + 33) % 60 else 0)) * 60.0
    if 53 <= post - t0 <= 75:
        post += 60
    return max(t0 + 8, post - 40), post


def sdk_daemon(root: Path, site: Path) -> Daemon:
    """The daemon with Mastodon, X and Bluesky: dummy credentials, nothing reachable."""
    sdk = place(
        root,
        "sdk",
        site,
        platforms=",".join(SDK_PLATFORMS),
        mastodon__api_base_url=DEAD_PORT,
        mastodon__access_token="bench-token",
        mastodon__max_length="500",
        x__consumer_key="a",
        x__consumer_secret="b",
        x__access_token="c",
        x__access_token_secret="d",
        bluesky__handle="bench.example.org",
        bluesky__app_password="bench-pass",
        bluesky__service_url=DEAD_PORT,
        bluesky__session_file=str(root / "sdk" / "bluesky-session.json"),
    )
    # No post is due (an hour away), but should anything call out, it meets a closed port.
    sdk.env.update({"HTTPS_PROXY": DEAD_PORT, "HTTP_PROXY": DEAD_PORT, "NO_PROXY": ""})
    return sdk


def probe(name: str, module: str, like: Daemon) -> Daemon:
    """An idle interpreter running ``bench.MODULE`` next to the daemon ``like``."""
    argv = [str(PYTHON), "-m", f"bench.{module}"]
    return Daemon(name, like.workdir, with_bench_path(like.env), argv, ("ready",))


def sdk_import_times(child: Daemon) -> dict[str, float]:
    """Seconds to import each SDK in a fresh interpreter: the second of two runs (the first
    writes any missing bytecode)."""
    took: dict[str, float] = {}
    for _ in range(2):
        done = subprocess.run(
            [str(PYTHON), "-m", "bench.sdk_imports"],
            cwd=child.workdir,
            env=with_bench_path(child.env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return {}
        took = json.loads(done.stdout.strip().splitlines()[-1])
    return took


def run_section(report: Report, options: Options) -> None:
    root = fresh_dir("daemon")
    site = install_plugin(root / "site")
    csv_path = stories_csv(root / "stories.csv")
    slow = ",".join(SLOW_PLATFORMS)

    shifted = place(root, "shifted", site, clock_start=SHIFTED_START, platforms=slow)
    real = place(root, "real", site, clock_start=None, platforms=slow)
    idle = place(root, "idle", site)
    sdk = sdk_daemon(root, site)
    for child in (shifted, real, idle):
        fill(child, csv_path)
    fill(sdk, csv_path, platforms="outbox")
    cli(idle, "run", "--once")  # writes the bytecode of the daemon's own modules
    imports = sdk_import_times(sdk)
    floor = probe("floor", "sdk_floor", sdk)
    bare = probe("bare", "idle_python", idle)

    children = [shifted, idle, sdk, floor, bare]
    t0 = time.time()
    real_start, post_epoch = plan_real_post(t0)
    real_post = datetime.fromtimestamp(post_epoch, UTC)
    real.env["INFOBOT_POST_TIME"] = f"{real_post:%H:%M}"
    shifted_post = datetime.fromisoformat(SHIFTED_START) + timedelta(seconds=3)
    lines = (
        f"platforms: {', '.join(SLOW_PLATFORMS)} (a plugin package: infobot.platforms entry"
        f" points), each request {SLOW_SECONDS:.1f} s; every database holds one approved story",
        f"real clock: INFOBOT_POST_TIME={real_post:%H:%M} INFOBOT_TIMEZONE=UTC, daemon started"
        f" {post_epoch - real_start:.0f} s before",
        f"pretended clock: INFOBOT_CLOCK_START={SHIFTED_START}, post time {SHIFTED_POST} UTC",
        "idle: post time an hour away; outbox only, or mastodon, x and bluesky with dummy"
        f" credentials ({DEAD_PORT})",
    )
    print("\n" + "\n".join("  " + line for line in lines), flush=True)
    try:
        for child in children:
            child.start()
        watch(children, real, real_start, post_epoch, shifted)
    finally:
        for child in [*children, real]:
            child.stop()
    readings = Readings(shifted, real, idle, sdk, floor, bare, shifted_post, real_post, imports)
    report.section(TITLE)
    report_daemons(report, readings)
    for child in [*children, real]:
        for note in child.notes:
            print(f"  note: {child.name}: {note}")


def watch(
    children: list[Daemon], real: Daemon, real_start: float, post_epoch: float, shifted: Daemon
) -> None:
    """Poll until every measurement is taken (or has timed out)."""
    sampled = [c for c in children if c.name in ("idle", "sdk", "bare")]
    probes = [c for c in children if c.name == "floor"]
    while True:
        now = time.time()
        for child in [*children, real]:
            if child.proc is not None:
                child.check_ready()
        for child in (shifted, real):
            child.sample_peak()
        if real.proc is None and now >= real_start:
            real.start()
        for child in [*sampled, *probes]:
            if child.ready is None or now < child.ready + SETTLE_SECONDS:
                continue
            if child.rss_mib is None:
                child.take_memory()
            window_over = child.cpu0 is not None and now >= child.cpu0[0] + IDLE_WINDOW
            if child in sampled and (child.cpu0 is None or (window_over and child.cpu1 is None)):
                child.sample_cpu()
        done_idle = all(c.cpu1 is not None for c in sampled) and all(
            c.rss_mib is not None for c in probes
        )
        # the pretended-clock daemon: its 60 s tick comes ~60 s after start; allow 80 s
        done_shifted = delivered(shifted, len(SLOW_PLATFORMS)) or (
            shifted.ready is not None and now > shifted.ready + 80
        )
        done_real = delivered(real, len(SLOW_PLATFORMS)) or now > post_epoch + 20
        if done_idle and done_shifted and done_real:
            break
        time.sleep(0.05)
