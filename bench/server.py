"""Start the real service on loopback: db init, tokens, gunicorn (for tests and benches)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(url: str, *args: str) -> str:
    """Run ``claims-ledger`` against ``url`` in a fresh process; its standard output."""
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    done = subprocess.run([str(BIN / "claims-ledger"), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout.strip()


@contextmanager
def gunicorn(url: str, workers: int = 2, threads: int = 1) -> Iterator[str]:
    """gunicorn serving the API on a free loopback port; yields the base URL."""
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "api.app:create_app()"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                # TimeoutError: the port is bound but no worker has booted yet (a loaded machine)
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    raise RuntimeError(f"gunicorn did not start:\n{output}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


class Client:
    """A tiny JSON client over urllib (what any HTTP client would send)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.token}",
                     "Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
