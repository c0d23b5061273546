"""A throw-away PostgreSQL server for tests.

The server is built from the machine's PostgreSQL binaries (``initdb``, ``pg_ctl``,
``postgres``) in a fresh temporary directory, listens only on 127.0.0.1 on a free
port, trusts every loopback connection and runs with durability switched off for
speed.  PostgreSQL refuses to run as root, so when the tests run as root the
binaries are run as the ``postgres`` system user (via ``runuser``, or ``su`` when
``runuser`` is missing); otherwise they run as the current user.

Typical use::

    reason = skip_reason()
    if reason is None:
        with PostgresServer() as server:
            url = server.create_database("scratch")
            engine = sqlalchemy.create_engine(url)

Set ``INFOBOT_PG_BIN`` to a directory holding the binaries to choose a specific
installation.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

__all__ = [
    "PG_BIN_ENV",
    "PostgresServer",
    "PostgresServerError",
    "find_pg_bin",
    "skip_reason",
]

#: Environment variable naming a directory that holds initdb, pg_ctl and postgres.
PG_BIN_ENV = "INFOBOT_PG_BIN"
#: The system account the server runs as when the tests run as root.
SYSTEM_USER = "postgres"
#: The superuser created by initdb (and the user in every URL handed out).
SUPERUSER = "postgres"
#: Database that exists in every fresh cluster; ``PostgresServer.url`` points at it.
DEFAULT_DB = "postgres"

_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_DB_NAME_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_LOG_TAIL_LINES = 40


class PostgresServerError(RuntimeError):
    """The throw-away server could not be created, started or used."""


class InitdbError(PostgresServerError):
    """``initdb`` failed: the machine cannot host a PostgreSQL cluster."""


# --------------------------------------------------------------------------- binaries


def _missing_binaries(bindir: Path) -> list[str]:
    return [
        name
        for name in _REQUIRED_BINARIES
        if not (bindir / name).is_file() or not os.access(bindir / name, os.X_OK)
    ]


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = result.stdout.strip()
    return Path(out) if out else None


def find_pg_bin() -> Path | None:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``, if any.

    ``$INFOBOT_PG_BIN`` wins when set (and is then the only candidate: returns
    ``None`` if it lacks the binaries); otherwise the highest version under
    ``/usr/lib/postgresql/*/bin``; otherwise ``pg_config --bindir``.
    """
    override = os.environ.get(PG_BIN_ENV)
    if override:
        path = Path(override)
        return path if not _missing_binaries(path) else None

    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: _version_key(p.parent.name),
        reverse=True,
    )
    for bindir in candidates:
        if not _missing_binaries(bindir):
            return bindir

    configured = _pg_config_bindir()
    if configured is not None and not _missing_binaries(configured):
        return configured
    return None


# ------------------------------------------------------------------------ run-as user


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _system_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        return None


def _as_server_user(cmd: Sequence[str]) -> list[str]:
    """Wrap *cmd* so it runs as the ``postgres`` user when we are root."""
    argv = [str(part) for part in cmd]
    if not _running_as_root():
        return argv
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", SYSTEM_USER, "--", *argv]
    su = shutil.which("su")
    if su is not None:
        return [su, SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]
    raise PostgresServerError("running as root but neither runuser nor su is available")


def _run(cmd: Sequence[str], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_server_user(cmd),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


# ------------------------------------------------------------------------ skip reason


def skip_reason() -> str | None:
    """Why PostgreSQL-backed tests cannot run here, or ``None`` when they can.

    Cheap: it checks for psycopg, the binaries, the run-as user and that
    ``initdb --version`` executes as that user; it does not create a cluster.
    (``PostgresServer.start`` raises ``InitdbError`` if ``initdb`` itself fails.)
    """
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        return f"psycopg is not importable ({exc}); install infobot[test] / psycopg[binary]"

    override = os.environ.get(PG_BIN_ENV)
    if override:
        missing = _missing_binaries(Path(override))
        if missing:
            return (
                f"${PG_BIN_ENV}={override} does not contain the PostgreSQL "
                f"binaries {', '.join(missing)}"
            )
    bindir = find_pg_bin()
    if bindir is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in "
            "/usr/lib/postgresql/*/bin or via pg_config; install postgresql-15 or "
            f"set ${PG_BIN_ENV}"
        )

    if _running_as_root():
        if _system_user() is None:
            return (
                f"tests run as root but there is no {SYSTEM_USER!r} system user "
                "to run PostgreSQL as (PostgreSQL refuses to run as root)"
            )
        if shutil.which("runuser") is None and shutil.which("su") is None:
            return "tests run as root but neither runuser nor su is available"

    try:
        probe = _run([str(bindir / "initdb"), "--version"], cwd=Path("/"), timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run {bindir / 'initdb'}: {exc}"
    if probe.returncode != 0:
        detail = (probe.stderr or probe.stdout).strip()
        return f"{bindir / 'initdb'} --version failed (exit {probe.returncode}): {detail}"
    return None


# ---------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _traversable_by_others(path: Path) -> bool:
    """True when every directory from ``/`` down to *path* has the o+x bit."""
    for directory in (path, *path.parents):
        try:
            mode = directory.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"<no server log at {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:]) or "<server log is empty>"


class PostgresServer:
    """A private PostgreSQL cluster living in a temporary directory.

    ``start()`` runs ``initdb`` and ``pg_ctl start``; ``stop()`` shuts the server
    down (``-m immediate``) and deletes the directory.  Also a context manager.
    An ``atexit`` hook stops a server that was never stopped explicitly.
    """

    def __init__(
        self,
        bindir: Path | None = None,
        *,
        start_timeout: float = 30.0,
        extra_settings: dict[str, str] | None = None,
    ) -> None:
        self._bindir = bindir
        self.start_timeout = start_timeout
        self.extra_settings = dict(extra_settings or {})
        self.port: int | None = None
        self.base_dir: Path | None = None
        self._db_counter = 0

    # -- paths ----------------------------------------------------------------

    @property
    def bindir(self) -> Path:
        if self._bindir is None:
            found = find_pg_bin()
            if found is None:
                raise PostgresServerError(skip_reason() or "PostgreSQL binaries not found")
            self._bindir = found
        return self._bindir

    @property
    def data_dir(self) -> Path:
        return self._require_base() / "data"

    @property
    def log_path(self) -> Path:
        return self._require_base() / "server.log"

    def _require_base(self) -> Path:
        if self.base_dir is None:
            raise PostgresServerError("PostgreSQL test server is not started")
        return self.base_dir

    # -- URLs -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.port is not None and self.base_dir is not None

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for database *dbname* on this server."""
        if not self.running:
            raise PostgresServerError("PostgreSQL test server is not started")
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the server's default ``postgres`` database."""
        return self.url_for(DEFAULT_DB)

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; returns ``self``."""
        if self.running:
            return self
        bindir = self.bindir
        self.base_dir = self._make_base_dir()
        atexit.register(self.stop)
        try:
            self._initdb(bindir)
            self._pg_ctl_start(bindir)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove its directory. Idempotent."""
        atexit.unregister(self.stop)
        base = self.base_dir
        if base is None:
            return
        data = base / "data"
        try:
            if (data / "postmaster.pid").exists():
                self._pg_ctl_stop(data)
        finally:
            self.port = None
            self.base_dir = None
            shutil.rmtree(base, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases ------------------------------------------------------------

    def create_database(self, name: str | None = None) -> str:
        """Create a new empty database and return its SQLAlchemy URL.

        *name* must be a plain lower-case identifier (``[a-z_][a-z0-9_]*``, at most
        63 characters); when omitted a unique name is generated.
        """
        import psycopg
        from psycopg import sql

        if name is None:
            self._db_counter += 1
            name = f"test_{self._db_counter}"
        if not _DB_NAME_RE.fullmatch(name):
            raise ValueError(
                f"database name {name!r} must match [a-z_][a-z0-9_]* (max 63 characters)"
            )
        if not self.running:
            raise PostgresServerError("PostgreSQL test server is not started")
        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=self.port,
                user=SUPERUSER,
                dbname=DEFAULT_DB,
                sslmode="disable",
                connect_timeout=10,
                autocommit=True,
            ) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise PostgresServerError(f"could not create database {name!r}: {exc}") from exc
        return self.url_for(name)

    # -- internals ------------------------------------------------------------

    def _make_base_dir(self) -> Path:
        as_root = _running_as_root()
        parent = Path(tempfile.gettempdir())
        if as_root and not _traversable_by_others(parent):
            parent = Path("/tmp")
        base = Path(tempfile.mkdtemp(prefix="infobot-pg-", dir=parent))
        if as_root:
            user = _system_user()
            if user is None:
                shutil.rmtree(base, ignore_errors=True)
                raise PostgresServerError(f"running as root but no {SYSTEM_USER!r} user exists")
            os.chown(base, user.pw_uid, user.pw_gid)
        return base

    def _initdb(self, bindir: Path) -> None:
        base = self._require_base()
        cmd = [
            str(bindir / "initdb"),
            "--pgdata",
            str(self.data_dir),
            "--username",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]
        try:
            result = _run(cmd, cwd=base, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            raise InitdbError(f"initdb could not run: {exc}") from exc
        if result.returncode != 0:
            raise InitdbError(
                f"initdb failed (exit {result.returncode}):\n"
                f"{(result.stdout + result.stderr).strip()}"
            )

    def _server_options(self, port: int) -> str:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(self.data_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **self.extra_settings,
        }
        # pg_ctl hands -o to /bin/sh, so every word is shell-quoted.
        return " ".join(f"-c {shlex.quote(f'{key}={value}')}" for key, value in settings.items())

    def _pg_ctl_start(self, bindir: Path, attempts: int = 3) -> None:
        base = self._require_base()
        for attempt in range(1, attempts + 1):
            port = _free_port()
            cmd = [
                str(bindir / "pg_ctl"),
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_path),
                "--wait",
                "--timeout",
                str(max(1, round(self.start_timeout))),
                "--silent",
                "-o",
                self._server_options(port),
            ]
            try:
                result = _run(cmd, cwd=base, timeout=self.start_timeout + 15)
            except (OSError, subprocess.SubprocessError) as exc:
                raise PostgresServerError(
                    f"pg_ctl start could not run: {exc}\n"
                    f"--- server log tail ---\n{_tail(self.log_path)}"
                ) from exc
            if result.returncode == 0:
                self.port = port
                return
            log = _tail(self.log_path)
            if attempt < attempts and "could not bind" in log:
                # Someone grabbed the port between our probe and the server's bind.
                if (self.data_dir / "postmaster.pid").exists():
                    self._pg_ctl_stop(self.data_dir)
                with contextlib.suppress(OSError):
                    self.log_path.unlink()
                continue
            raise PostgresServerError(
                f"pg_ctl start failed (exit {result.returncode}):\n"
                f"{(result.stdout + result.stderr).strip()}\n"
                f"--- server log tail ---\n{log}"
            )

    def _pg_ctl_stop(self, data: Path) -> None:
        cmd = [
            str(self.bindir / "pg_ctl"),
            "stop",
            "--pgdata",
            str(data),
            "--mode",
            "immediate",
            "--wait",
            "--timeout",
            "30",
            "--silent",
        ]
        try:
            result = _run(cmd, cwd=data.parent, timeout=45)
            if result.returncode == 0:
                return
        except (OSError, subprocess.SubprocessError):
            pass
        self._kill_postmaster(data)

    @staticmethod
    def _kill_postmaster(data: Path) -> None:
        """Last resort when ``pg_ctl stop`` failed: SIGKILL our own postmaster."""
        try:
            pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.05)
