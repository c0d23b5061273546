"""What infobot costs on disk once installed.

The wheel is built from the source tree (``python -m build --wheel``, as the Dockerfile's
builder stage does) and installed with its runtime dependencies (the releases pinned in
requirements.lock, as the image installs them) and nothing else, in a fresh virtual
environment without pip (as the image's ``/opt/infobot``, less pip itself). Reported:
the wheel file's size, the total size of ``site-packages``, the ten largest distributions
(each file counted once, by the distribution whose RECORD lists it), and what the
``postgres`` extra adds (the image installs it). Sizes are the files' own (apparent) sizes
in MB of 10^6 bytes, bytecode included. Information only: there is no goal.

Run: ``.venv/bin/python -m bench size``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from importlib.metadata import distributions
from pathlib import Path

from bench.common import ROOT, BenchError, Options, fresh_dir
from bench.report import Report

NAME = "size"
TITLE = "Installed size (the wheel and its runtime dependencies)"

TOP = 10
EXTRA = "postgres"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", ".env")


def mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def run(what: str, command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stdout[-2000:] + "\n" + result.stderr[-2000:]).strip()
        raise BenchError(f"{what} failed; the size cannot be measured:\n{tail}")
    return time.perf_counter() - started


def site_packages(venv: Path) -> Path:
    (site,) = venv.glob("lib/python3.*/site-packages")
    return site


def sizes_by_distribution(site: Path) -> tuple[dict[str, int], int]:
    """Bytes per distribution, and the bytes in site-packages that no RECORD lists."""
    every = {p.resolve(): p.stat().st_size for p in site.rglob("*") if p.is_file()}
    claimed: dict[str, int] = {}
    for dist in distributions(path=[str(site)]):
        total = 0
        for entry in dist.files or []:
            path = Path(str(entry.locate())).resolve()
            total += every.pop(path, 0)  # counted once; files outside site-packages ignored
        name = dist.metadata["Name"]
        claimed[name] = claimed.get(name, 0) + total
    return claimed, sum(every.values())


def run_section(report: Report, options: Options) -> None:
    root = fresh_dir("size")
    source = root / "src"  # what the Dockerfile copies: building leaves build/ behind
    shutil.copytree(ROOT / "infobot", source / "infobot", ignore=IGNORE)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = root / "dist"
    built = run(
        "building the wheel",
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
    )
    (wheel,) = dist.glob("*.whl")
    venv = root / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    run("making the venv", [base, "-m", "venv", "--without-pip", str(venv)])
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    pip += ["--disable-pip-version-check", "--no-input"]
    lock = ROOT / "requirements.lock"
    if lock.exists():  # the releases the image installs (the Dockerfile uses the lock too)
        pip += ["--constraint", str(lock)]
    installed = run("installing the wheel", [*pip, str(wheel)])
    site = site_packages(venv)
    claimed, unclaimed = sizes_by_distribution(site)
    total = sum(claimed.values()) + unclaimed
    run(f"installing the {EXTRA} extra", [*pip, f"{wheel}[{EXTRA}]"])
    with_extra = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())

    report.section(f"{TITLE}; built in {built:.0f} s, installed in {installed:.0f} s")
    report.info("wheel file", mb(wheel.stat().st_size), note=wheel.name)
    report.info("site-packages, total", mb(total), note=f"{len(claimed)} distributions")
    ranked = sorted(claimed.items(), key=lambda item: item[1], reverse=True)
    for rank, (name, size) in enumerate(ranked[:TOP], start=1):
        share = f"{100 * size / total:.0f} % of the total"
        report.info(f"  {rank:>2}. {name}", mb(size), note=share)
    rest = sum(size for _, size in ranked[TOP:]) + unclaimed
    report.info(f"      the other {len(ranked) - TOP}", mb(rest))
    report.info(f"site-packages with [{EXTRA}]", mb(with_extra), note=f"+{mb(with_extra - total)}")
