"""What the daemon section reads from its processes, and the figures it prints.

The audit trail is read through the CLI (``infobot export --what events --format json``)
once the daemons have stopped; memory and CPU from ``/proc``; the platform requests from
the slow platforms' own log; which scheduler job posted from the daemon's DEBUG log.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.common import INFOBOT
from bench.processes import Child, cpu_sample, read_text, rss_mib
from bench.report import MIB, SECONDS, Report, above, at_most

SLOW_SECONDS = 1.0
SETTLE_SECONDS = 5.0  # idle this long after start-up before memory is read
IDLE_WINDOW = 60.0
GOAL_FIRST_REQUEST = 1.0
GOAL_FAN_OUT = 1.5
GOAL_IDLE_RSS_MIB = 55.0
GOAL_SDK_ABOVE_FLOOR_MIB = 12.0
GOAL_IDLE_CPU = 0.1  # "about zero": one tick a minute costs milliseconds


@dataclass(eq=False)
class Daemon(Child):
    """A child with what was measured on it."""

    rss_mib: float | None = None
    rss_later_mib: float | None = None  # at the end of the idle CPU window
    peak_mib: float | None = None  # the most the daemon and its worker held together
    threads: int | None = None
    cpu0: tuple[float, float, int] | None = None  # (wall, cpu seconds, context switches)
    cpu1: tuple[float, float, int] | None = None
    complete_at: float | None = None  # when every platform request had been answered
    events: list[dict[str, Any]] = field(default_factory=list)

    def take_memory(self) -> None:
        self.rss_mib, self.threads = rss_mib(self.pid)

    def sample_peak(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            now, _ = rss_mib(self.pid)
            self.peak_mib = max(now, self.peak_mib or 0.0)

    def sample_cpu(self) -> None:
        if self.cpu0 is None:
            self.cpu0 = cpu_sample(self.pid)
        else:
            self.cpu1 = cpu_sample(self.pid)
            self.rss_later_mib, _ = rss_mib(self.pid)

    def requests(self) -> list[dict[str, Any]]:
        lines = read_text(self.workdir / "requests.jsonl").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def read_events(self) -> None:
        """The audit trail, through the CLI (after the daemon stopped)."""
        done = subprocess.run(
            [str(INFOBOT), "export", "--what", "events", "--format", "json"],
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            self.events = json.loads(done.stdout)
        else:
            self.notes.append(f"could not export the audit trail: {done.stderr[-300:]}")


def delivered(child: Daemon, platforms: int, grace: float = 2.0) -> bool:
    """Every platform request answered, and ``grace`` seconds more to record the result."""
    if child.complete_at is None and len(child.requests()) >= platforms:
        child.complete_at = time.time()
    return child.complete_at is not None and time.time() > child.complete_at + grace


def first_times(child: Daemon) -> dict[str, datetime]:
    """The first time (the daemon's clock) of each audit action of the posting."""
    found: dict[str, datetime] = {}
    for event in child.events:
        action, at = event.get("action"), event.get("at")
        if action in ("slot.claimed", "delivery.sending", "story.posted") and at:
            moment = datetime.fromisoformat(str(at))
            found.setdefault(str(action), moment.replace(tzinfo=moment.tzinfo or UTC))
    return found


def trigger_of(child: Daemon) -> tuple[str, float | None]:
    """Which scheduler job made the post (the last one started before 'posting story'),
    and when it started (Unix time, from the log line's local-time stamp; ms resolution)."""
    job, at = "the start-up tick", None
    for line in (child.out() + child.err()).splitlines():  # logs go to stdout
        if "Running job" in line:
            job = "the cron job" if "trigger: cron" in line else "the 60 s interval tick"
            try:
                at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            except ValueError:
                at = None
        elif "posting story" in line:
            return job, at
    return "(not found in the log)", None


@dataclass
class Posting:
    first_request: float | None  # seconds after the post time (None: no request)
    fan_out: float | None  # first request start to last response
    single: float | None  # the longest single request
    whole: float | None  # slot claimed to story posted (audit trail)
    claimed: float | None  # slot claimed, seconds after the post time
    trigger: str
    job_started: float | None  # the scheduler job began, seconds after the post time
    requests: int


def posting(child: Daemon, post_at: datetime, *, real_clock: bool) -> Posting:
    calls = child.requests()
    events = first_times(child)
    claimed = events.get("slot.claimed")
    sending = events.get("delivery.sending")
    posted = events.get("story.posted")
    first: float | None = None
    if calls and real_clock:
        first = min(c["start"] for c in calls) - post_at.timestamp()
    elif sending is not None:  # pretended clock: the audit trail is in the daemon's time
        first = (sending - post_at).total_seconds()
    fan_out = max(c["end"] for c in calls) - min(c["start"] for c in calls) if calls else None
    single = max(c["end"] - c["start"] for c in calls) if calls else None
    whole = (posted - claimed).total_seconds() if posted and claimed else None
    claim = (claimed - post_at).total_seconds() if claimed else None
    trigger, job_at = trigger_of(child)
    job = job_at - post_at.timestamp() if job_at is not None and real_clock else None
    return Posting(first, fan_out, single, whole, claim, trigger, job, len(calls))


@dataclass
class Readings:
    shifted: Daemon
    real: Daemon
    idle: Daemon
    sdk: Daemon
    floor: Daemon
    bare: Daemon
    shifted_post: datetime
    real_post: datetime
    imports: dict[str, float]


def secs(value: float | None) -> str:
    return "none" if value is None else f"{value:+.3f} s"


def report_daemons(report: Report, r: Readings) -> None:
    r.real.read_events()
    r.shifted.read_events()
    live = posting(r.real, r.real_post, real_clock=True)
    demo = posting(r.shifted, r.shifted_post, real_clock=False)
    report.measure(
        "post time -> first platform request",
        live.first_request,
        SECONDS,
        goal=at_most(GOAL_FIRST_REQUEST),
        note=f"real clock; posted by {live.trigger}, which started at {secs(live.job_started)};"
        f" slot claimed at {secs(live.claimed)}",
    )
    report.measure(
        "  same with INFOBOT_CLOCK_START",
        demo.first_request,
        SECONDS,
        note=f"pretended clock; posted by {demo.trigger} (the cron trigger follows real time)",
    )
    report.measure(
        f"fan-out: 3 platforms x {SLOW_SECONDS:.0f} s each",
        live.fan_out,
        SECONDS,
        baseline=live.single,
        base_label="the longest single request",
        goal=at_most(GOAL_FAN_OUT),
        note=f"first request -> last reply ({live.requests} requests); one by one: 3 s",
    )
    report.measure(
        "  slot claimed -> story posted",
        live.whole,
        SECONDS,
        note="the daemon's whole delivery, from the audit trail",
    )
    pair = " / ".join("none" if v is None else f"{v:.3f}" for v in (demo.fan_out, demo.whole))
    report.info("  the same two, pretended-clock daemon", f"{pair} s", "a second sample")
    idle, sdk, floor, bare = r.idle, r.sdk, r.floor, r.bare
    report.measure(
        "idle RSS: outbox only",
        idle.rss_mib,
        MIB,
        baseline=bare.rss_mib,
        base_label="an idle bare interpreter",
        goal=at_most(GOAL_IDLE_RSS_MIB),
        note=f"VmRSS {SETTLE_SECONDS:.0f} s after start-up, with any worker it runs "
        f"({idle.threads} threads); {MIB.fmt(idle.rss_later_mib)} after 60 s more and a tick",
        tag="13e",
    )
    report.measure(
        "idle RSS: mastodon, x, bluesky configured",
        sdk.rss_mib,
        MIB,
        baseline=floor.rss_mib,
        base_label="an interpreter with the same SDKs",
        goal=above(GOAL_SDK_ABOVE_FLOOR_MIB),
        note=f"{sdk.threads} threads; {MIB.fmt(sdk.rss_later_mib)} after 60 s more and a tick;"
        " the SDKs load in the worker, which runs only while there is work",
        tag="13e",
    )
    for daemon in (r.shifted, r.real):
        report.measure(
            f"  peak RSS while posting, {daemon.name} clock: daemon + worker",
            daemon.peak_mib,
            MIB,
            note="the most the daemon's process tree held, sampled every 50 ms",
        )
    if floor.rss_mib is not None and bare.rss_mib is not None:
        report.measure("  SDKs' own cost (floor - bare)", floor.rss_mib - bare.rss_mib, MIB)
    if r.imports:
        parts = ", ".join(f"{name} {value:.2f}" for name, value in r.imports.items())
        report.measure(
            "  SDK import time (paid when a worker starts)",
            sum(r.imports.values()),
            SECONDS,
            note=f"{parts} s: in this order, in a fresh interpreter",
        )
    report_cpu(report, idle, sdk, bare)
    daemons = [r.shifted, r.real, idle, sdk]
    stops = [c.stop_seconds for c in daemons if c.stop_seconds is not None]
    codes = sorted({c.exit_code for c in daemons if c.exit_code is not None})
    report.measure(
        "SIGTERM -> exit (slowest of 4 daemons)",
        max(stops) if stops else None,
        SECONDS,
        note=f"exit codes {codes}",
    )


def cpu_of(child: Daemon) -> tuple[float | None, str]:
    if child.cpu0 is None or child.cpu1 is None:
        return None, "not sampled"
    wall = child.cpu1[0] - child.cpu0[0]
    switches = child.cpu1[2] - child.cpu0[2]
    step = 1 / os.sysconf("SC_CLK_TCK")
    note = f"{wall:.0f} s with one tick; {switches} thread wake-ups; steps of {step:.2f} s"
    return child.cpu1[1] - child.cpu0[1], note


def report_cpu(report: Report, idle: Daemon, sdk: Daemon, bare: Daemon) -> None:
    base, _ = cpu_of(bare)
    cpu, note = cpu_of(idle)
    report.measure(
        f"CPU over {IDLE_WINDOW:.0f} s idle: outbox only",
        cpu,
        SECONDS,
        baseline=base,
        base_label="an idle bare interpreter, same window",
        goal=at_most(GOAL_IDLE_CPU),
        note=note,
    )
    cpu, note = cpu_of(sdk)
    report.measure("  SDKs loaded", cpu, SECONDS, note=note)
