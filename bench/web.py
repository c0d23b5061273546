"""The team's web page on 10,000 stories: one client, then 20 signed-in clients at once.

Two real servers run (``infobot web`` on 127.0.0.1), one over a copy of the 10k-story
database (``bench/datasets.py``: a month of posts, 9,000 approved stories, 10 pinned),
one over an empty database: the baseline. Every client signs in through the sign-in
form, as a person does.

* **Issue 13, row f**: ``--clients`` (20) signed-in clients ask for a page ``--requests``
  (8) times each, all at once, each asking again as soon as its answer arrives. The p95 of
  those answers for ``/queue``, ``/calendar`` and ``/history`` is at most 300 ms; the
  baseline is the same load on the empty database. ``/queue`` is at most 60 KiB of HTML.
* One client alone (the older figures): the median of 20 answers per page; ``/queue`` and
  ``/calendar`` at most 100 ms.
"""

from __future__ import annotations

import shutil
import statistics

from bench.common import Options, copy_database, infobot, new_database
from bench.datasets import ADMIN, ADMIN_PASSWORD, QUEUE_STORIES, queue_database
from bench.processes import Child
from bench.report import KIB, MS, Report, at_most
from bench.webclient import Client, Sample, load, percentile, start_server

NAME = "web"
TITLE = f"The web page with {QUEUE_STORIES:,} stories (real server, 127.0.0.1)"
GOAL_P95_MS = 300.0
GOAL_QUEUE_KIB = 60.0
GOAL_ALONE_MS = 100.0
ALONE_RUNS = 20
UNDER_LOAD = ("/queue", "/calendar", "/history")
ALONE = (
    ("/queue", True),
    ("/calendar", True),
    ("/queue?page=180", False),
    ("/calendar?month=2027-02", False),
    ("/review", False),
    ("/history", False),
    ("/audit", False),
    ("/stories/5000", False),
)
BASE_LOAD = "the same load, empty database"


def signed_in(port: int, count: int) -> list[Client]:
    clients = [Client(port) for _ in range(count)]
    for client in clients:
        client.sign_in(ADMIN, ADMIN_PASSWORD)
    return clients


def alone(client: Client, path: str, runs: int) -> tuple[float, list[Sample]]:
    client.get(path)  # compiles the templates
    samples = [client.get(path)[0] for _ in range(runs)]
    return statistics.median(s.seconds for s in samples) * 1000, samples


def run_section(report: Report, options: Options) -> None:
    source, built = queue_database()
    full = copy_database(source, "web")
    empty = new_database("web-empty")
    password = empty.workdir / "password.txt"
    password.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    infobot(empty, "users", "add", ADMIN, "--role", "admin", "--password-file", str(password))
    state = "cached" if built is None else f"built in {built:.0f} s"
    print(f"\n  database: {source.name} ({state}), a copy; baseline: an empty database")
    servers: list[Child] = []
    try:
        server, port = start_server(full, "web-10k")
        servers.append(server)
        base_server, base_port = start_server(empty, "web-empty")
        servers.append(base_server)
        report.section(f"{TITLE}: one client (median of {ALONE_RUNS})")
        one, base_one = signed_in(port, 1)[0], signed_in(base_port, 1)[0]
        for path, judged in ALONE:
            median, samples = alone(one, path, ALONE_RUNS)
            codes = sorted({s.status for s in samples})
            note = (
                f"runs {min(s.seconds for s in samples) * 1000:.0f}-"
                f"{max(s.seconds for s in samples) * 1000:.0f} ms; "
                f"{samples[-1].size / 1024:.0f} KiB; HTTP {codes}"
            )
            base = alone(base_one, path, ALONE_RUNS)[0] if judged else None
            report.measure(
                f"GET {path}",
                median,
                MS,
                baseline=base,
                base_label="one client, empty database (median)",
                goal=at_most(GOAL_ALONE_MS) if judged else None,
                note=note,
                ok=None if codes == [200] else False,
            )
        under_load(report, options, port, base_port)
    finally:
        for child in servers:
            child.stop()
    shutil.rmtree(full.workdir, ignore_errors=True)
    shutil.rmtree(empty.workdir, ignore_errors=True)


def under_load(report: Report, options: Options, port: int, base_port: int) -> None:
    count, requests = options.clients, options.requests
    clients = signed_in(port, count)
    base_clients = signed_in(base_port, count)
    report.section(f"{TITLE}: {count} signed-in clients at once, {requests} requests each (p95)")
    size = base_size = 0
    for path in UNDER_LOAD:
        measured: list[list[Sample]] = []
        for group in (clients, base_clients):
            load(group, path, 1)  # every connection warm, the templates compiled
            measured.append(load(group, path, requests))
        samples, base_samples = measured
        if path == "/queue":
            size, base_size = samples[-1].size, base_samples[-1].size
        times = [s.seconds * 1000 for s in samples]
        bad = sum(1 for s in samples if s.status != 200)
        report.measure(
            f"GET {path}: p95, {count} clients",
            percentile(times, 0.95),
            MS,
            baseline=percentile([s.seconds * 1000 for s in base_samples], 0.95),
            base_label=BASE_LOAD,
            goal=at_most(GOAL_P95_MS),
            note=f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms; "
            f"{len(samples)} answers, {bad} not 200",
            tag="13f",
            ok=None if bad == 0 else False,
        )
    report.measure(
        "GET /queue: HTML size",
        size / 1024,
        KIB,
        baseline=base_size / 1024,
        base_label="/queue on an empty database",
        goal=at_most(GOAL_QUEUE_KIB),
        note=f"{size:,} bytes",
        tag="13f",
    )
    for client in [*clients, *base_clients]:
        client.close()
