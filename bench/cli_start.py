"""Everyday commands on a 10,000-story queue, and ``infobot --help``, against ``python -c pass``.

Issue 13, row a: ``infobot status``, ``preview``, ``stories list`` and ``stories show`` on
the 10k-story SQLite database (``bench/datasets.py``), each at most 0.35 s above the
interpreter's own start (``python -c pass``, same environment, same run). The commands
take turns with the baseline (A B C ... A B C), after one warm-up run each; min and median
of ``--runs`` runs are shown and the median is judged.

``infobot --help`` keeps its older goals: at most 0.3 s, none of the heavy libraries
imported (read from ``python -X importtime``), and no database created.
"""

from __future__ import annotations

import shutil

from bench.common import (
    PYTHON,
    Command,
    Options,
    Place,
    copy_database,
    fresh_dir,
    interleave,
    must,
    run,
)
from bench.datasets import QUEUE_STORIES, queue_database
from bench.report import SECONDS, Report, above, at_most

NAME = "start"
TITLE = "Everyday commands on 10,000 stories, and --help, against python -c pass"
GOAL_ABOVE_PASS = 0.35
GOAL_HELP = 0.3
SHOWN_STORY = "4500"  # an approved story in the middle of the queue
HEAVY = ("sqlalchemy", "pydantic_settings", "pydantic", "tweepy", "mastodon", "atproto")
EVERYDAY = (
    ("infobot status", ("status",)),
    ("infobot preview", ("preview",)),
    ("infobot stories list", ("stories", "list")),
    (f"infobot stories show {SHOWN_STORY}", ("stories", "show", SHOWN_STORY)),
)


def run_section(report: Report, options: Options) -> None:
    source, built = queue_database()
    place = copy_database(source, "start")
    state = "cached" if built is None else f"built in {built:.0f} s"
    print(f"\n  database: {source.name} ({QUEUE_STORIES:,} stories, {state}), a copy")
    helpdir = fresh_dir("help")
    nowhere = Place(helpdir / "never-created.db", helpdir)
    baseline = Command.python(["-c", "pass"], place, "python -c pass")
    commands = [baseline, Command.infobot(["--help"], nowhere)]
    commands += [Command.infobot(args, place) for _, args in EVERYDAY]
    timings = interleave(commands, options.runs)
    base = timings[0]

    report.section(f"{TITLE} (median of {options.runs}, runs interleaved)")
    report.measure("python -c pass (the baseline)", base.median, SECONDS, note=base.spread())
    for (label, _), timing in zip(EVERYDAY, timings[2:], strict=True):
        report.measure(
            f"{label}, 10k",
            timing.median,
            SECONDS,
            baseline=base.median,
            base_label="python -c pass (median)",
            goal=above(GOAL_ABOVE_PASS),
            note=f"{timing.spread()}; min - baseline min {timing.low - base.low:+.3f} s",
            tag="13a",
        )
    help_timing = timings[1]
    report.measure(
        "infobot --help",
        help_timing.median,
        SECONDS,
        baseline=base.median,
        base_label="python -c pass (median)",
        goal=at_most(GOAL_HELP),
        note=help_timing.spread(),
    )
    heavy = heavy_imports_of_help(nowhere)
    report.check(
        "heavy modules imported by --help",
        ", ".join(heavy) or "none",
        "none",
        not heavy,
        note="from python -X importtime; checked: " + ", ".join(HEAVY),
    )
    left = nowhere.db.exists()
    report.check("--help left a database behind", "yes" if left else "no", "no", not left)
    shutil.rmtree(place.workdir, ignore_errors=True)
    shutil.rmtree(helpdir, ignore_errors=True)


def heavy_imports_of_help(place: Place) -> list[str]:
    """The heavy top-level packages that ``infobot --help`` imports, as the console script
    runs it (``python -X importtime`` writes every import to stderr)."""
    command = Command.infobot(["--help"], place)
    probe = Command(
        "infobot --help under -X importtime",
        (str(PYTHON), "-X", "importtime", *command.argv),
        command.env,
        command.cwd,
    )
    outcome = must(run(probe), probe.label)
    found = set()
    for line in outcome.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            root = line.rsplit("|", 1)[1].strip().split(".")[0]
            if root in HEAVY:
                found.add(root)
    if "Usage" not in outcome.stdout:
        found.add("(no usage text printed)")
    return sorted(found)
