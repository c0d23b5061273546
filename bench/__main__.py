"""Run the benchmarks: ``python -m bench [FIGURE ...]`` (``make bench`` runs them all).

Each figure is printed with a baseline measured in the same run, the ratio between
them, its goal and PASS or MISS; a summary table of every goal and the machine's load
come last. Always exits 0: a benchmark reports, it does not fail the build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence

from bench import cli_start, daemon, health, impact, importing, queries, size, web
from bench.common import DATA, WORK, BenchError, Options
from bench.machine import Noise, calibrate, context, load
from bench.report import WIDTH, Report

Section = Callable[[Report, Options], None]
SECTIONS: dict[str, tuple[str, Section]] = {
    module.NAME: (module.TITLE, module.run_section)
    for module in (cli_start, queries, health, importing, daemon, web, impact, size)
}
ALIASES = {"help": "start", "scale": "queries"}  # the names bench/run.py used


def parse(argv: Sequence[str] | None) -> tuple[list[str], Options]:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="infobot benchmarks. FIGURE: "
        + "; ".join(f"{name}: {title}" for name, (title, _) in SECTIONS.items()),
    )
    parser.add_argument(
        "figures",
        nargs="*",
        metavar="FIGURE",
        help="run only these (default: all)",
    )
    defaults = Options()
    parser.add_argument(
        "--runs", type=int, default=defaults.runs, help="timed runs of short commands"
    )
    parser.add_argument("--import-runs", type=int, default=defaults.import_runs)
    parser.add_argument("--clients", type=int, default=defaults.clients, help="web clients")
    parser.add_argument("--requests", type=int, default=defaults.requests, help="per client")
    args = parser.parse_args(argv)
    unknown = [name for name in args.figures if name not in SECTIONS and name not in ALIASES]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    wanted = {ALIASES.get(name, name) for name in args.figures} or set(SECTIONS)
    options = Options(
        runs=max(5, args.runs),
        import_runs=max(1, args.import_runs),
        clients=max(1, args.clients),
        requests=max(1, args.requests),
    )
    return [name for name in SECTIONS if name in wanted], options


def main(argv: Sequence[str] | None = None) -> int:
    chosen, options = parse(argv)
    began = time.perf_counter()
    noise = Noise()
    print("infobot benchmarks: " + ", ".join(chosen))
    print("=" * WIDTH)
    for line in context():
        print("  " + line)
    DATA.mkdir(parents=True, exist_ok=True)
    report = Report()
    failed: list[tuple[str, str]] = []
    took: list[str] = []
    for name in chosen:
        title, run_section = SECTIONS[name]
        start = time.perf_counter()
        began_load = os.getloadavg()[0]
        print(f"\n[{name}] {title}; load avg {load()}", flush=True)
        try:
            run_section(report, options)
        except BenchError as exc:
            print(f"\n!! [{name}] could not be measured: {exc}", flush=True)
            failed.append((name, str(exc).splitlines()[0]))
        took.append(f"{name} {time.perf_counter() - start:.0f} s (load {began_load:.1f})")
    shutil.rmtree(WORK, ignore_errors=True)

    missed = report.summary()
    for name, reason in failed:
        print(f"  ---- {name}: NOT MEASURED ({reason})")
    elapsed = time.perf_counter() - began
    print("=" * WIDTH)
    judged = sum(1 for r in report.rows if r.ok is not None)
    if missed or failed:
        print(f"MISS: {len(missed)} of {judged} goals missed; {len(failed)} figures not measured")
    else:
        print(f"PASS: all {judged} goals met.")
    print()
    print("Machine")
    print(f"  took {elapsed:.0f} s: {', '.join(took)}")
    print(f"  other processes used {noise.others(elapsed)} meanwhile")
    print(f"  load avg {load()} at the end")
    print(f"  speed now: {calibrate()}")
    print("  (a busy machine makes every time longer: compare the speed lines between runs)")
    print("  not a bench figure: `make test`'s duration (issue 13, row g); time it on its own.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
