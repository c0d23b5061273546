"""``infobot import`` of 100,000 valid CSV rows, against a stdlib csv + sqlite3 script.

Issue 13, row d: the import's CPU time (user + system of the child) at most 4x that of
``bench/baseline_import.py`` (``csv.reader`` into ``sqlite3.executemany``, no checks) on
the same file in the same run, its peak RSS at most 120 MiB, and the same two goals for
``--dry-run`` (read and check, write nothing). All-or-nothing is kept: the same file
with one bad row at the end adds nothing, fails, and names the file.

Each run imports into a freshly migrated, empty database (a first import). Per run the
baseline, the import and the dry run take turns; medians of ``--import-runs`` runs are
judged, peak RSS is the highest of the runs. The wall time keeps its older goal (10 s).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics

from bench.common import (
    Command,
    Options,
    Outcome,
    Place,
    fresh_dir,
    infobot,
    must,
    new_database,
    run,
)
from bench.datasets import IMPORT_ROWS, bad_tail_csv, import_csv, tiny_csv
from bench.report import MIB, SECONDS, Report, at_most, times

NAME = "import"
TITLE = f"infobot import of {IMPORT_ROWS:,} valid CSV rows against a stdlib csv + sqlite3 script"
GOAL_TIMES_BASELINE = 4.0
GOAL_RSS_MIB = 120.0
GOAL_WALL = 10.0
BASELINE = "stdlib csv + sqlite3 script (median)"


def baseline_run(source: str, name: str) -> Outcome:
    workdir = fresh_dir(name)
    place = Place(workdir / "baseline.db", workdir)
    return must(
        run(Command.module("baseline_import", [source, str(place.db)], place)),
        "bench/baseline_import.py",
    )


def run_section(report: Report, options: Options) -> None:
    path = import_csv()
    source = str(path)
    print(f"\n  input: bench/.data/{path.name}: {IMPORT_ROWS:,} stories, every column filled,")
    print(f"  {path.stat().st_size / 1e6:.1f} MB; pin_date on 1 row in 1,000 (distinct days)")
    warm = new_database("import-warm")
    infobot(warm, "import", str(tiny_csv()), "--by", "bench", "--dry-run")
    infobot(warm, "import", str(tiny_csv()), "--by", "bench")
    baseline_run(str(tiny_csv()), "baseline-warm")
    dry_place = new_database("import-dry")
    dry_args = ["import", source, "--by", "bench", "--json", "--dry-run"]
    imports: list[Outcome] = []
    dries: list[Outcome] = []
    bases: list[Outcome] = []
    added: list[int] = []
    counts = "n/a"
    for _ in range(max(1, options.import_runs)):
        bases.append(baseline_run(source, "baseline"))
        place = new_database("import")  # migrated and empty, like a first import
        outcome = infobot(place, "import", source, "--by", "bench", "--json")
        imports.append(outcome)
        added.append(int(json.loads(outcome.stdout).get("added", -1)))
        counts = written(place)
        shutil.rmtree(place.workdir, ignore_errors=True)
        dries.append(must(run(Command.infobot(dry_args, dry_place)), "infobot import --dry-run"))
    bad = all_or_nothing()

    base_cpu = statistics.median(o.cpu_seconds for o in bases)
    base_rss = max(o.max_rss_mib for o in bases)
    base_wall = statistics.median(o.seconds for o in bases)
    runs = len(imports)
    report.section(f"{TITLE} (median of {runs})")
    report.check(
        "stories added (every run)",
        f"{min(added):,}",
        f"{IMPORT_ROWS:,}",
        all(n == IMPORT_ROWS for n in added),
    )
    for label, outcomes in (("import", imports), ("import --dry-run", dries)):
        cpus = [o.cpu_seconds for o in outcomes]
        report.measure(
            f"{label}: CPU (user + system)",
            statistics.median(cpus),
            SECONDS,
            baseline=base_cpu,
            base_label=BASELINE,
            goal=times(GOAL_TIMES_BASELINE),
            note=f"runs {min(cpus):.2f}-{max(cpus):.2f} s",
            tag="13d",
        )
        report.measure(
            f"{label}: peak RSS",
            max(o.max_rss_mib for o in outcomes),
            MIB,
            baseline=base_rss,
            base_label="the same script (highest)",
            goal=at_most(GOAL_RSS_MIB),
            note="highest of the runs (ru_maxrss of the child)",
            tag="13d",
        )
    walls = [o.seconds for o in imports]
    wall = statistics.median(walls)
    report.measure(
        "import: wall time",
        wall,
        SECONDS,
        baseline=base_wall,
        base_label=BASELINE,
        goal=at_most(GOAL_WALL),
        note=f"runs {min(walls):.2f}-{max(walls):.2f} s; {IMPORT_ROWS / wall:,.0f} rows/s",
    )
    dry_wall = statistics.median(o.seconds for o in dries)
    report.info("import --dry-run: wall time", f"{dry_wall:.2f} s", "read and check only")
    report.info("rows written (stories + events)", counts, "read back with sqlite3")
    ok, said = bad
    report.check(
        "one bad row: nothing added, file named",
        "yes" if ok else "no",
        "yes",
        ok,
        note=said,
        tag="13d",
    )


def written(place: Place) -> str:
    try:
        with sqlite3.connect(f"file:{place.db}?mode=ro", uri=True) as conn:
            stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    except sqlite3.Error as exc:
        return f"n/a ({exc})"
    return f"{stories:,}+{events:,}"


def all_or_nothing() -> tuple[bool, str]:
    """Import the file with a bad last row: it must fail, add nothing and name the file."""
    path = bad_tail_csv()
    place = new_database("import-bad")
    outcome = run(Command.infobot(["import", str(path), "--by", "bench"], place))
    listed = infobot(place, "stories", "list", "--json").stdout
    nothing = '"id"' not in listed  # an empty list
    said = (outcome.stdout + outcome.stderr).strip()
    first = next((line for line in said.splitlines() if path.name in line), said[:100])
    ok = outcome.returncode != 0 and nothing and path.name in said
    return ok, (
        f"exit {outcome.returncode}, peak RSS {outcome.max_rss_mib:.0f} MiB, "
        f"{outcome.seconds:.1f} s; says {first.strip()[:90]!r}"
    )
