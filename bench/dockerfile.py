"""What the container runs, read from the Dockerfile: its ENV, ENTRYPOINT + CMD, HEALTHCHECK.

Only the last stage (the runtime image) counts. Paths inside the image are mapped onto
this machine: ``/data`` (the volume, WORKDIR and HOME) to a working directory, and the
image's virtual environment (``/opt/infobot``) to the one running the benchmarks.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.common import PYTHON, ROOT, BenchError

IMAGE_VENV = "/opt/infobot"
IMAGE_DATA = "/data"


@dataclass(frozen=True)
class Image:
    env: dict[str, str]  # the image's ENV, in the Dockerfile's order
    command: list[str]  # ENTRYPOINT + CMD
    healthcheck: list[str]  # HEALTHCHECK CMD


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) of the last stage, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    stages: list[list[tuple[str, str]]] = []
    for line in joined:
        keyword, _, args = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword.upper(), args.strip()))
    return stages[-1] if stages else []


def exec_form(args: str, what: str) -> list[str]:
    try:
        value = json.loads(args)
    except json.JSONDecodeError:
        raise BenchError(f"Dockerfile: {what} is not in exec form: {args!r}") from None
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise BenchError(f"Dockerfile: {what} must be a JSON array of strings: {args!r}")
    return value


def read(path: Path = ROOT / "Dockerfile") -> Image:
    env: dict[str, str] = {}
    entrypoint: list[str] = []
    cmd: list[str] = []
    health: list[str] = []
    for keyword, args in instructions(path.read_text(encoding="utf-8")):
        if keyword == "ENV":
            for word in shlex.split(args):
                key, _, value = word.partition("=")
                env[key] = re.sub(
                    r"\$\{(\w+)\}|\$(\w+)",
                    lambda m: env.get(m[1] or m[2], os.environ.get(m[1] or m[2], "")),
                    value,
                )
        elif keyword == "ENTRYPOINT":
            entrypoint = exec_form(args, "ENTRYPOINT")
        elif keyword == "CMD":
            cmd = exec_form(args, "CMD")
        elif keyword == "HEALTHCHECK":
            found = re.search(r"\bCMD\s+(\[.*\])\s*$", args)
            if found is None:
                raise BenchError(f"Dockerfile: HEALTHCHECK has no exec-form CMD: {args!r}")
            health = exec_form(found[1], "HEALTHCHECK CMD")
    if not health:
        raise BenchError("Dockerfile: no HEALTHCHECK in the runtime stage")
    return Image(env, entrypoint + cmd, health)


def mapped(value: str, data: Path) -> str:
    """An image path in ``value`` moved onto this machine."""
    value = value.replace(f"{IMAGE_VENV}/bin", str(PYTHON.parent))
    return re.sub(rf"{IMAGE_DATA}(?=/|$|:)", str(data), value)


def environment(image: Image, base: dict[str, str], data: Path) -> dict[str, str]:
    """``base`` plus the image's ENV, with the image's paths mapped onto ``data``."""
    env = dict(base)
    for key, value in image.env.items():
        env[key] = mapped(value, data)
    return env


def resolve(argv: list[str], env: dict[str, str]) -> list[str]:
    """An exec-form command as Docker runs it: the program looked up in the image's PATH."""
    program = shutil.which(argv[0], path=env.get("PATH")) if "/" not in argv[0] else argv[0]
    if program is None:
        raise BenchError(f"Dockerfile: {argv[0]!r} is not on the image's PATH")
    return [program, *argv[1:]]
