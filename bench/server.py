"""Start the real service on loopback: db init, tokens, gunicorn (for tests and benches).

Every child started here runs in a process group of its own with its output in a file, as an
operator would run it: never a pipe that nobody reads (a full pipe blocks every gunicorn worker
in its log handler), and never left behind (the whole group is ended on any way out: a normal
end, an exception, Ctrl-C, or SIGTERM/SIGHUP turned into an exception by
:func:`exit_on_signals`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
#: The operators' gunicorn configuration (JSON logs, the application's request lines).
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
#: How long a group is given to stop on SIGTERM before whatever is left of it gets SIGKILL.
GRACE_SECONDS = 15.0


def free_port() -> int:
    """A TCP port on loopback that nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(url: str, *args: str) -> str:
    """Run ``claims-ledger`` against ``url`` in a fresh process; its standard output."""
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    done = subprocess.run([str(BIN / "claims-ledger"), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout.strip()


def exit_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into ``SystemExit`` in this (main) thread, so that ``finally``
    blocks and context managers end their children as they do on Ctrl-C."""

    def leave(number: int, _frame: object) -> None:
        raise SystemExit(128 + number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, leave)


def _group_alive(process: subprocess.Popen[Any]) -> bool:
    """Whether any process of the child's group is left (the leader reaped first if it ended,
    so that a zombie does not count)."""
    process.poll()
    try:
        os.killpg(process.pid, 0)  # start_new_session made the child its group's leader
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal: it is there
        return True
    return True


def _signal_group(process: subprocess.Popen[Any], number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone in the meantime: nothing to end
        os.killpg(process.pid, number)


def end_group(process: subprocess.Popen[Any], grace: float = GRACE_SECONDS) -> int:
    """SIGTERM to the child's whole process group, then SIGKILL to whatever of it is still
    there after ``grace`` seconds (workers can outlive a master killed hard); reaps the child
    and returns its exit status."""
    _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(process) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _group_alive(process):
        _signal_group(process, signal.SIGKILL)
        while _group_alive(process) and time.monotonic() < deadline + grace:
            time.sleep(0.05)
    return process.wait()


@contextmanager
def child(command: Sequence[str], log: Path, env: dict[str, str] | None = None,
          cwd: Path | None = None,
          grace: float = GRACE_SECONDS) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` in a new session (its own process group), standard output and error appended
    to ``log``; the group is ended (:func:`end_group`) whatever way the block is left."""
    with log.open("ab") as sink:
        process = subprocess.Popen(list(command), env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        end_group(process, grace)


class Served(str):
    """The base URL of a server started here (it is that string), with its process group."""

    group: int

    def __new__(cls, base: str, group: int) -> Served:
        served = super().__new__(cls, base)
        served.group = group
        return served

    def cpu_seconds(self) -> float:
        """CPU time (user and system) used so far by the processes of the server's group."""
        return sum(cpu for _, group, cpu in _processes() if group == self.group)


def _processes() -> Iterator[tuple[int, int, float]]:
    """(pid, process group, CPU seconds used) of every process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        # After the name: state, ppid, pgrp, ...; utime and stime are the 12th and 13th.
        yield int(entry.name), int(fields[2]), (int(fields[11]) + int(fields[12])) / tick


def cpu_of(pids: set[int]) -> dict[int, float]:
    """CPU seconds used so far by each of ``pids`` still running."""
    return {pid: cpu for pid, _, cpu in _processes() if pid in pids}


@contextmanager
def gunicorn(url: str, workers: int | None = 2, threads: int | None = 1,
             log: Path | None = None, env: dict[str, str] | None = None) -> Iterator[Served]:
    """gunicorn with the deploy configuration serving the API on a free loopback port; yields
    the base URL (with the process group, to measure its CPU time).

    Its output (the JSON request lines, gunicorn's own messages) goes to ``log``, by default a
    file in a temporary directory removed afterwards; a start that fails says what the log said.
    ``workers`` and ``threads`` of None leave the configuration's own.
    """
    with tempfile.TemporaryDirectory(prefix="claims-ledger-gunicorn-") as scratch:
        target = log or Path(scratch) / "gunicorn.log"
        port = free_port()
        environment = {**os.environ, **(env or {}), "LEDGER_DATABASE_URL": url}
        # gunicorn runs in the project's folder; the master key is the one `db init` (run by
        # cli(), in the caller's folder) made there, wherever the bench was started from
        if not environment.get("LEDGER_KEY_FILE") and not environment.get("LEDGER_CIPHER_KEY"):
            environment["LEDGER_KEY_FILE"] = str(Path.cwd() / "claims-ledger.key")
        command = [str(BIN / "gunicorn"), "--config", str(GUNICORN_CONFIG),
                   "--bind", f"127.0.0.1:{port}"]
        if workers is not None:
            command += ["--workers", str(workers)]
        if threads is not None:
            command += ["--threads", str(threads)]
        base = f"http://127.0.0.1:{port}"
        with child(command, target, environment, cwd=ROOT) as process:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                        break
                except OSError:  # refused, reset, or a worker still importing: a timeout
                    if process.poll() is not None or time.monotonic() > deadline:
                        said = target.read_text(errors="replace")[-4000:]
                        raise RuntimeError(f"gunicorn did not start:\n{said}") from None
                    time.sleep(0.2)
            yield Served(base, process.pid)


class Client:
    """A tiny JSON client, as any HTTP client library would send: one persistent connection per
    thread (HTTP/1.1 keep-alive), opened again when the server closes it."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        parts = urllib.parse.urlsplit(base)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        found: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if found is None:
            found = http.client.HTTPConnection(self._host, self._port, timeout=30)
            self._local.connection = found
        return found

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Send one request; the answer's status and decoded JSON body."""
        data = None if body is None else json.dumps(body).encode()
        sent = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                **(headers or {})}
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(method, path, body=data, headers=sent)
                response = connection.getresponse()
                answer = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a kept-alive connection between two requests (its
                # keep-alive timeout): once more on a new connection. A server that died
                # mid-request would get it twice; the second answer then says so (a 409).
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                connection.close()
                self._local.connection = None
            return response.status, json.loads(answer or b"null")
        raise AssertionError("unreachable")
