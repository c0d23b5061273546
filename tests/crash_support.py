"""Machinery for tests/test_crash_recovery.py: kill a real daemon process at chosen moments.

Three parts:

* **The launcher** (:class:`Launcher` starts it; :func:`launcher` is its main): a small
  process that imports infobot and Mastodon.py once, then forks one child per command it
  reads on stdin. Each child is a
  real, separate process that runs the real CLI (``infobot.cli.main.run(argv)``, exactly
  what ``python -m infobot`` calls) with its own database connections and HTTP sessions,
  its output in a log file. Forking after the imports saves about a second per process,
  which is what makes dozens of kill/restart cycles affordable. The launcher can kill its
  child after a delay (random kill points) and reports how the child ended.
* **Commit hooks** (installed in the child, before the CLI runs): SQLAlchemy session
  events that name each write transaction by what it records (the slot claim, taking a
  delivery, the intent to send part *k*, the result of part *k*, a reconciliation, the
  story settling) and SIGKILL the process itself just before or just after the *n*-th
  such commit, or pause the committing thread a moment (to order two platforms).
* **A Mastodon fake** (in the test process), built on :mod:`tests.harness_mastodon`, that can
  ignore ``Idempotency-Key`` (so a blind re-send shows up as a second post), kill the
  daemon when its *k*-th ``POST /api/v1/statuses`` arrives (before creating the status) or
  once the status is created but before answering, delay its answers, and drop requests
  without creating anything (the client is left in doubt).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.harness_mastodon import FakeMastodon, make_handler

REPO = Path(__file__).resolve().parent.parent
LAUNCH = (
    "import sys; sys.path.insert(0, sys.argv[1]); from tests.crash_support import launcher; "
    "launcher()"
)
#: what the launcher imports once, before forking (the adapters import their SDKs lazily)
PRELOAD = (
    "infobot.app",
    "infobot.cli.main",
    "infobot.runtime.runner",
    "infobot.runtime.daemon",
    "infobot.service.publisher",
    "infobot.platforms.mastodon",
    "infobot.platforms.outbox",
    "infobot.store.migrate",
    "mastodon",
    "requests",
    "sqlalchemy.dialects.sqlite",
)
KILL_WAIT = 10.0  # seconds a server-side kill waits for the daemon to be gone
CHILD_LIMIT = 60.0  # seconds before the launcher gives up on a child (a hang is a failure)


# ----------------------------------------------------------------------------- kill specs


@dataclass(frozen=True)
class Hook:
    """Kill (or pause) the daemon at the ``nth`` write transaction that records ``action``.

    ``action`` is an audit action the transaction adds (``slot.claimed``,
    ``delivery.sending`` = the intent to send a part, ``delivery.part_sent`` = its result,
    ``delivery.reconciled`` = found on the platform, ``story.posted`` = settling), or one of
    the names ``delivery.take`` (the compare-and-set that takes a delivery: no event),
    ``delivery.not_found`` (reconciliation found nothing; recorded as ``delivery.reconciled``
    by older code) and ``delivery.done`` (the result that completes a delivery). ``when``
    is ``before`` (the transaction is not committed) or ``after`` (it is)."""

    when: str
    action: str
    platform: str | None = None
    part: int | None = None
    nth: int = 1
    do: str = "kill"  # or "pause" (sleep ``seconds``), "timer" (kill ``seconds`` later)
    seconds: float = 0.0

    def describe(self) -> str:
        where = f" {self.platform}" if self.platform else ""
        part = f" part {self.part}" if self.part else ""
        nth = f" #{self.nth}" if self.nth != 1 else ""
        verb = {
            "pause": f"pause {self.seconds:.3f} s",
            "timer": f"kill {self.seconds:.3f} s",
            "kill": "kill",
        }[self.do]
        return f"{verb} {self.when} commit of {self.action}{where}{part}{nth}"


@dataclass(frozen=True)
class ServerKill:
    """The fake Mastodon kills the daemon at its ``post``-th status creation request of the
    run: ``before`` creating it, or ``after`` creating it but before answering."""

    when: str
    post: int = 1

    def describe(self) -> str:
        return f"server kill {self.when} creating POST #{self.post}"


@dataclass(frozen=True)
class TimerKill:
    """The launcher kills the daemon ``seconds`` after it forked it."""

    seconds: float

    def describe(self) -> str:
        return f"kill after {self.seconds:.3f} s"


Kill = Hook | ServerKill | TimerKill


# ----------------------------------------------------------------------------- the launcher


@dataclass
class Ran:
    """How one child process ended."""

    argv: list[str]
    clock: str
    pid: int
    code: int | None  # exit code, or None when killed
    signal: int | None
    seconds: float
    log: str
    plan: list[str] = field(default_factory=list)

    @property
    def killed(self) -> bool:
        return self.signal == signal.SIGKILL

    def __str__(self) -> str:
        end = (
            f"killed by {signal.Signals(self.signal).name}" if self.signal else f"exit {self.code}"
        )
        plan = "; ".join(self.plan) or "no kill planned"
        return (
            f"--- infobot {' '.join(self.argv)} at {self.clock} (pid {self.pid}, {end}, "
            f"{self.seconds:.2f} s; {plan}) ---\n{self.log.rstrip()}"
        )


class Launcher:
    """The test side of the launcher process."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.logs = cwd / "logs"
        self.logs.mkdir(exist_ok=True)
        self.count = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-c", LAUNCH, str(REPO)],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        hello = self._read()
        assert hello.get("ready"), hello

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            _, err = self.proc.communicate(timeout=10)
            raise RuntimeError(f"the launcher died (exit {self.proc.returncode}):\n{err}")
        result: dict[str, Any] = json.loads(line)
        return result

    def run(
        self,
        argv: list[str],
        *,
        clock: str,
        hooks: list[Hook] | None = None,
        timer: float | None = None,
        started: Callable[[int], None] | None = None,
    ) -> Ran:
        """Fork a child running ``infobot <argv>`` at ``clock``; wait until it ends.

        ``started(pid)`` is called as soon as the child exists (for server-side kills)."""
        assert self.proc.stdin is not None
        self.count += 1
        log = self.logs / f"{self.count:03d}.log"
        log.touch()  # a child killed before it opens its log leaves an empty one
        command = {
            "argv": argv,
            "clock": clock,
            "log": str(log),
            "timer": timer,
            "hooks": [asdict(h) for h in hooks or []],
        }
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        pid = int(self._read()["pid"])
        if started is not None:
            started(pid)
        done = self._read()
        assert done["pid"] == pid, done
        return Ran(
            argv,
            clock,
            pid,
            done["code"],
            done["signal"],
            done["seconds"],
            log.read_text(encoding="utf-8", errors="replace"),
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.communicate(input="", timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()
        else:
            self.proc.communicate()


def launcher() -> None:
    """The launcher process: import once, then fork a child per command."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)

    out = sys.stdout

    def say(**message: Any) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    say(ready=True)
    for line in sys.stdin:
        command = json.loads(line)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _child(command)
        say(pid=pid)
        timer = command["timer"]
        deadline = started + (timer if timer is not None else CHILD_LIMIT)
        status = None
        while status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = raw
            elif time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)
                status = os.waitpid(pid, 0)[1]
            else:
                time.sleep(0.001)
        say(
            pid=pid,
            code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            seconds=round(time.monotonic() - started, 3),
        )


def _child(command: dict[str, Any]) -> None:
    code = 70
    try:
        fd = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ["INFOBOT_CLOCK_START"] = command["clock"]
        _install_hooks([Hook(**h) for h in command["hooks"]])
        from infobot.cli.main import run

        code = run(command["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        import logging

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# ----------------------------------------------------------------------------- commit hooks


def _install_hooks(hooks: list[Hook]) -> None:
    """Name every write transaction and act on the planned ones (in the child only)."""
    if not hooks:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from infobot.store.models import Delivery
    from infobot.store.models import Event as AuditEvent

    seen = [0] * len(hooks)
    lock = threading.Lock()

    def pending(session: Session) -> set[tuple[str, str | None, int | None]]:
        objects = list(session.new) + list(session.dirty)
        events = [o for o in objects if isinstance(o, AuditEvent)]
        deliveries = {o.id: o for o in objects if isinstance(o, Delivery)}
        labels: set[tuple[str, str | None, int | None]] = set()
        for e in events:
            d = deliveries.get(e.delivery_id) if e.delivery_id else None
            if d is None:
                labels.add((e.action, None, None))
                continue
            confirmed = len(json.loads(d.parts or "[]"))
            if e.action in ("delivery.part_sent", "delivery.reconciled") and d.status != "pending":
                labels.add((e.action, d.platform, confirmed))
                if d.status == "sent":
                    labels.add(("delivery.done", d.platform, confirmed))
            elif e.action == "delivery.reconciled":
                labels.add(("delivery.not_found", d.platform, confirmed + 1))
            else:
                labels.add((e.action, d.platform, confirmed + 1))
        if not events:
            for d in deliveries.values():
                if d.status == "sending":
                    labels.add(("delivery.take", d.platform, len(json.loads(d.parts or "[]")) + 1))
        return labels

    def remember(session: Session, *_: Any) -> None:
        session.info.setdefault("crash_labels", set()).update(pending(session))

    def act(session: Session, when: str) -> None:
        labels = session.info.get("crash_labels", set())
        if when == "before":
            labels = labels | pending(session)
            session.info["crash_labels"] = labels
        else:
            session.info.pop("crash_labels", None)
        for i, hook in enumerate(hooks):
            if not any(
                action == hook.action
                and (hook.platform is None or platform == hook.platform)
                and (hook.part is None or part == hook.part)
                for action, platform, part in labels
            ):
                continue
            if when == "before":  # count each transaction once, at its first hook
                with lock:
                    seen[i] += 1
                    session.info.setdefault("crash_counts", {})[i] = seen[i]
            count = session.info.get("crash_counts", {}).get(i)
            if hook.when != when or count != hook.nth:
                continue
            if hook.do == "pause":
                time.sleep(hook.seconds)
                continue
            if hook.do == "timer":  # an arbitrary moment a little later, in any thread
                timer = threading.Timer(hook.seconds, os.kill, (os.getpid(), signal.SIGKILL))
                timer.daemon = True
                timer.start()
                continue
            print(f"CRASH: {hook.describe()} (labels {sorted(labels, key=str)})", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(30)  # never reached
        if when == "after":
            session.info.pop("crash_counts", None)

    def forget(session: Session, *_: Any) -> None:
        session.info.pop("crash_labels", None)
        session.info.pop("crash_counts", None)

    event.listen(Session, "before_flush", remember)
    event.listen(Session, "before_commit", lambda s: act(s, "before"))
    event.listen(Session, "after_commit", lambda s: act(s, "after"))
    event.listen(Session, "after_rollback", forget)


# ----------------------------------------------------------------------------- the Mastodon fake


def wait_gone(pid: int, timeout: float = KILL_WAIT) -> None:
    """Wait until ``pid`` is dead (a zombie waiting for its parent counts as dead)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        if stat.rpartition(")")[2].split()[0] in ("Z", "X"):
            return
        time.sleep(0.002)
    raise TimeoutError(f"process {pid} did not die")


class CrashFake:
    """A :class:`FakeMastodon` with a kill switch, an answer delay and optional keys."""

    def __init__(self, *, honour_keys: bool) -> None:
        self.fake = _KeyedFake("tok_crash_" + os.urandom(8).hex(), honour_keys=honour_keys)
        self.honour_keys = honour_keys
        self.lock = threading.Lock()
        self.plan: ServerKill | None = None
        self.posts = 0  # status creation requests in the current run
        self.delay = 0.0
        self.drops = 0  # status creation requests to drop unanswered, creating nothing
        self.pid: int | None = None
        self.pid_known = threading.Event()
        self.kills: list[str] = []  # what each server-side kill interrupted
        self.active = 0  # requests being handled
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _crash_handler(self))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = self.fake.base_url = f"http://{host!s}:{port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def arm(self, plan: ServerKill | None, delay: float = 0.0) -> None:
        """Before a run: what to do with its status creation requests."""
        self.quiet()
        with self.lock:
            self.plan, self.delay, self.posts, self.pid = plan, delay, 0, None
            self.pid_known.clear()

    def started(self, pid: int) -> None:
        self.pid = pid
        self.pid_known.set()

    def quiet(self, timeout: float = 10.0) -> None:
        """Wait until no request is being handled (a killed client's request may still be)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.active == 0:
                    return
            time.sleep(0.002)
        raise TimeoutError("the fake Mastodon is still handling a request")

    def next_post(self) -> str | None:
        with self.lock:
            self.posts += 1
            if self.drops:
                self.drops -= 1
                return "drop"
            plan = self.plan
            if plan is not None and plan.post == self.posts:
                self.plan = None
                return plan.when
            return None

    def kill(self, what: str) -> None:
        assert self.pid_known.wait(KILL_WAIT), "the run's pid never arrived"
        pid = self.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid)
        with self.lock:
            self.kills.append(what)

    # -- what the fake holds ---------------------------------------------------------------
    def live(self) -> list[dict[str, Any]]:
        """Live statuses, oldest first: id, text, in_reply_to_id."""
        with self.fake.lock:
            return [
                {
                    "id": i,
                    "text": self.fake.sources[i],
                    "in_reply_to_id": self.fake.statuses[i]["in_reply_to_id"],
                }
                for i in self.fake.live_ids()
            ]


class _KeyedFake(FakeMastodon):
    """Honours ``Idempotency-Key`` like Mastodon, or ignores it (a server that forgot it:
    then only the daemon's own reconciliation stands between a crash and a duplicate)."""

    def __init__(self, token: str, *, honour_keys: bool) -> None:
        super().__init__(token)
        self.honour_keys = honour_keys

    def create_status(self, form: dict[str, list[str]], key: str | None) -> dict[str, Any]:
        return super().create_status(form, key if self.honour_keys else None)


def _crash_handler(crash: CrashFake) -> Any:
    base: Any = make_handler(crash.fake)

    class Handler(base):  # type: ignore[misc]
        kill_on_reply = False

        def dispatch(self, method: str) -> None:
            with crash.lock:
                crash.active += 1
            try:
                super().dispatch(method)
            finally:
                with crash.lock:
                    crash.active -= 1

        def post_status(self, form: dict[str, list[str]]) -> None:
            when = crash.next_post()
            text = (form.get("status") or [""])[0]
            if when == "before":
                crash.kill(f"request arrived, nothing created: {_short(text)}")
                return
            if when == "drop":  # reset the connection: the client cannot know what happened
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.kill_on_reply = when == "after"
            self.text = text
            super().post_status(form)

        def reply(self, status: int, body: Any, *args: Any, **kw: Any) -> None:
            if self.kill_on_reply and status == 200:
                self.kill_on_reply = False
                crash.kill(f"created, no answer: {_short(self.text)}")
                return
            if crash.delay and self.command == "POST" and self.path.startswith("/api/v1/statuses"):
                time.sleep(crash.delay)
            super().reply(status, body, *args, **kw)

    return Handler


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    return text[:40] + ("…" if len(text) > 40 else "")
