"""Read commands on 1,000,000 stories against the same commands on an empty database.

Issue 13, row b: ``infobot stories list --limit 50`` on the 1M-story database at most
0.2 s above the same command on an empty (migrated) database. ``status`` and
``preview --days 30`` keep their older goal, 1M at most 0.2 s above empty. A 1,000-story
twin of the big database is timed too: "1M minus 1k" is the cost of size alone, since an
empty database has nothing to render and both others render 30 stories.

Each command runs on the three databases in turn (empty, 1k, 1M, empty, ...), after one
warm-up run on each; the median of ``--runs`` runs is judged.
"""

from __future__ import annotations

import shutil

from bench.bulkdb import BIG, REFERENCE, describe, generated_database
from bench.common import Command, Options, Place, drop_sidecars, fresh_dir, interleave, new_database
from bench.report import SECONDS, Report, above

NAME = "queries"
TITLE = "Reads on 1,000,000 stories against an empty database"
GOAL_ABOVE_EMPTY = 0.2
COMMANDS = (
    (("stories", "list", "--limit", "50"), "13b"),
    (("status",), ""),
    (("preview", "--days", "30"), ""),
)


def run_section(report: Report, options: Options) -> None:
    big, big_built = generated_database(BIG)
    ref, ref_built = generated_database(REFERENCE)
    print(f"\n  1M database:  {describe(big, big_built)}")
    print(f"  1k reference: {describe(ref, ref_built)}")
    empty = new_database("empty")
    places = [empty, Place(ref, fresh_dir("ref-run")), Place(big, fresh_dir("big-run"))]
    report.section(f"{TITLE} (median of {options.runs}, runs interleaved)")
    try:
        for args, tag in COMMANDS:
            label = "infobot " + " ".join(args)
            timings = interleave([Command.infobot(args, p) for p in places], options.runs)
            nothing, small, large = timings
            report.measure(f"{label}: empty", nothing.median, SECONDS, note=nothing.spread())
            report.measure(f"{label}: 1k", small.median, SECONDS, note=small.spread())
            report.measure(
                f"{label}: 1M",
                large.median,
                SECONDS,
                baseline=nothing.median,
                base_label=f"{label} on an empty database",
                goal=above(GOAL_ABOVE_EMPTY),
                note=f"{large.spread()}; 1M minus 1k {large.median - small.median:+.3f} s",
                tag=tag,
            )
    finally:
        for place in places:
            shutil.rmtree(place.workdir, ignore_errors=True)
        for path in (big, ref):
            drop_sidecars(path)
