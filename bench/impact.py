"""Impact (issue 14): engagement reads, the report over a year, the Impact page.

* **Reading 10,000 live posts' counts** (the outbox, batched 1,000 a read): the wall and
  CPU time of one ``infobot run --once`` that reads them all, against the same command
  with ``INFOBOT_ENGAGEMENT_READS=false`` on the same database (what the tick costs
  without reads). Every post must be read in that one run (a run stops after 30 s).
* **The report over a year of a campaign on 3 platforms** (1,095 posts, 22,995 reads, 8,030
  X requests): ``infobot report --format json`` against ``infobot report`` on an empty
  database; the table and the XLSX are shown too.
* **The Impact page**: one signed-in client, median of 20 ``GET /impact`` over the year's
  database (a real ``infobot web``), against the same page on an empty database; the goal
  is under 200 ms.
"""

from __future__ import annotations

import shutil
import statistics

from bench.common import (
    Command,
    Options,
    Place,
    copy_database,
    fresh_dir,
    infobot,
    interleave,
    new_database,
    run,
)
from bench.datasets import ADMIN, ADMIN_PASSWORD
from bench.impactdata import LIVE_POSTS, live_database, year_database
from bench.report import MS, SECONDS, Report, above, at_most
from bench.webclient import Client, start_server

NAME = "impact"
TITLE = "Impact: engagement reads, the report over a year, the Impact page"
READ_CLOCK = "2026-11-23T08:00:00+00:00"  # before the day's post: nothing else to do
GOAL_READ_S = 30.0
GOAL_REPORT_ABOVE_S = 1.0
GOAL_PAGE_MS = 200.0
PAGE_RUNS = 20


def run_section(report: Report, options: Options) -> None:
    reads(report)
    yearly(report, options)


def reads(report: Report) -> None:
    source, built = live_database()
    note = "cached" if built is None else f"built in {built:.0f} s"
    report.section(f"{TITLE}: reading {LIVE_POSTS:,} live posts (outbox; database {note})")
    walls, cpus, base_walls, read_counts = [], [], [], []
    for attempt in range(3):
        place = copy_database(source, f"live-{attempt}")
        shutil.copyfile(source.with_suffix(".jsonl"), place.workdir / "outbox.jsonl")
        quiet = copy_database(source, f"live-quiet-{attempt}")
        shutil.copyfile(source.with_suffix(".jsonl"), quiet.workdir / "outbox.jsonl")
        base = run(Command.infobot(["run", "--once"], quiet, clock_start=READ_CLOCK,
                                   engagement_reads="false"))  # fmt: skip
        measured = run(Command.infobot(["run", "--once"], place, clock_start=READ_CLOCK))
        if measured.returncode != 0 or base.returncode != 0:
            report.not_measured("run --once with 10,000 reads", f"<= {GOAL_READ_S:g} s",
                                (measured.stderr or base.stderr)[-300:])  # fmt: skip
            return
        walls.append(measured.seconds)
        cpus.append(measured.cpu_seconds)
        base_walls.append(base.seconds)
        read_counts.append(_snapshots(place))
        shutil.rmtree(place.workdir, ignore_errors=True)
        shutil.rmtree(quiet.workdir, ignore_errors=True)
    wall = statistics.median(walls)
    report.measure(
        f"run --once: {LIVE_POSTS:,} posts read",
        wall,
        SECONDS,
        baseline=statistics.median(base_walls),
        base_label="run --once, reads off",
        goal=at_most(GOAL_READ_S),
        note=f"CPU median {statistics.median(cpus):.2f} s; "
        f"{LIVE_POSTS / max(wall - statistics.median(base_walls), 0.001):,.0f} posts/s above base",
    )
    report.check(
        "every post read in one run",
        f"{min(read_counts):,} of {LIVE_POSTS:,}",
        f"{LIVE_POSTS:,}",
        min(read_counts) == LIVE_POSTS,
    )


def _snapshots(place: Place) -> int:
    import sqlite3

    with sqlite3.connect(place.db) as conn:
        return int(conn.execute("SELECT count(*) FROM engagement_snapshots").fetchone()[0])


def yearly(report: Report, options: Options) -> None:
    source, built = year_database()
    note = "cached" if built is None else f"built in {built:.0f} s"
    place = copy_database(source, "year")
    empty = new_database("year-empty")
    report.section(f"{TITLE}: a year on 3 platforms (database {note})")
    json_cmd = Command.infobot(["report", "--format", "json"], place)
    base_cmd = Command.infobot(["report", "--format", "json"], empty)
    table_cmd = Command.infobot(["report"], place)
    xlsx_path = fresh_dir("year-xlsx") / "report.xlsx"
    xlsx_cmd = Command.infobot(["report", "--format", "xlsx", "-o", str(xlsx_path)], place)
    timed, base, table, xlsx = interleave(
        [json_cmd, base_cmd, table_cmd, xlsx_cmd], max(3, options.runs // 2)
    )
    report.measure(
        "infobot report --format json (1 year)",
        timed.median,
        SECONDS,
        baseline=base.median,
        base_label="the same, empty database",
        goal=above(GOAL_REPORT_ABOVE_S),
        note=timed.spread(),
    )
    report.info("infobot report (table)", SECONDS.fmt(table.median), table.spread())
    report.info("infobot report --format xlsx", SECONDS.fmt(xlsx.median), xlsx.spread())
    page(report, place, empty)
    shutil.rmtree(place.workdir, ignore_errors=True)
    shutil.rmtree(empty.workdir, ignore_errors=True)


def page(report: Report, place: Place, empty: Place) -> None:
    password = empty.workdir / "password.txt"
    password.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    infobot(empty, "users", "add", ADMIN, "--role", "admin", "--password-file", str(password))
    servers = []
    try:
        medians = []
        for where, name in ((place, "year-web"), (empty, "year-web-empty")):
            server, port = start_server(where, name)
            servers.append(server)
            client = Client(port)
            client.sign_in(ADMIN, ADMIN_PASSWORD)
            client.get("/impact")  # the templates compiled
            samples = [client.get("/impact")[0] for _ in range(PAGE_RUNS)]
            client.close()
            medians.append((statistics.median(s.seconds for s in samples) * 1000, samples))
        (full, samples), (base, _) = medians
        report.measure(
            "GET /impact (1 year, 3 platforms)",
            full,
            MS,
            baseline=base,
            base_label="/impact on an empty database",
            goal=at_most(GOAL_PAGE_MS),
            note=f"runs {min(s.seconds for s in samples) * 1000:.0f}-"
            f"{max(s.seconds for s in samples) * 1000:.0f} ms; {samples[-1].size / 1024:.0f} KiB",
            ok=None if {s.status for s in samples} == {200} else False,
        )
    finally:
        for server in servers:
            server.stop()
