"""The helper that benches and tests start gunicorn and other children with (bench/server.py):
output to a file, never a pipe nobody reads; the whole process group ended on any way out."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.server import child, gunicorn
from storage.settings import StoreSettings

ROOT = Path(__file__).resolve().parents[2]
NIK = "3671031407900002"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive: its parent has not reaped it yet
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _group_members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def test_gunicorn_answers_more_requests_than_a_pipe_holds_and_logs_them_to_its_file(
        sqlite_settings: StoreSettings, tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    requests = 600  # ~300 bytes of JSON each: several times what a 64 KiB pipe holds
    with gunicorn(sqlite_settings.url, workers=2, log=log) as base:
        for number in range(requests):
            path = (f"/api/v1/members/by-nik/{NIK}7/history" if number % 2
                    else f"/api/v1/coverage?nik={NIK}&n={number}")
            try:
                urllib.request.urlopen(base + path, timeout=10)
            except urllib.error.HTTPError as refused:
                assert refused.code == 401  # no token: refused, and logged all the same
        # A request line gunicorn cannot parse is logged by gunicorn itself, masked too.
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(f"GET /api/v1/coverage?nik={NIK} HTTP/1.1 junk\r\n\r\n".encode())
            raw.recv(100)
    written = log.read_text()
    lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
    assert sum(1 for line in lines if line.get("event") == "request") == requests
    assert NIK not in written and not re.search(r"(?<!\d)\d{15,}(?!\d)", written)


def test_a_group_is_ended_even_when_a_member_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = textwrap.dedent("""
        import signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        worker = subprocess.Popen([sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"])
        print(worker.pid, flush=True)
        time.sleep(300)
    """)
    log = tmp_path / "child.log"
    with child([sys.executable, "-c", stubborn], log, grace=1.0) as process:
        deadline = time.monotonic() + 30
        while not log.read_text().strip():
            assert time.monotonic() < deadline, "the child never started its worker"
            time.sleep(0.05)
        worker = int(log.read_text().split()[0])
        assert _group_members(process.pid) == sorted([process.pid, worker])
    assert not _alive(process.pid) and not _alive(worker)
    assert _group_members(process.pid) == []


def test_a_bench_ended_by_sigterm_ends_its_children_first(tmp_path: Path) -> None:
    bench = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from bench.server import child, exit_on_signals
        exit_on_signals()
        with child([sys.executable, "-c", "import time; time.sleep(300)"],
                   Path({str(tmp_path / "child.log")!r})) as sleeper:
            print(sleeper.pid, flush=True)
            time.sleep(300)
    """)
    runner = subprocess.Popen([sys.executable, "-c", bench], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert runner.stdout is not None
        sleeper = int(runner.stdout.readline())
        assert _alive(sleeper)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if runner.poll() is None:
            runner.kill()
    assert not _alive(sleeper)
