"""The service as operators run it without docker: PostgreSQL, ``db init``, gunicorn with the
deploy config and ``project --follow`` as real processes on loopback, driven over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from http_bodies import enrolment, programme
from psycopg import sql

from bench.server import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER = os.environ.get("LEDGER_TEST_POSTGRES_URL",
                        "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A database of its own for this test, dropped at the end."""
    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"CI must run the PostgreSQL tests, but no server answers: {error}")
        pytest.skip(f"no PostgreSQL server answers at {SERVER}: {error}")
    name = f"claims_ledger_service_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(SERVER)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def _environment(url: str) -> dict[str, str]:
    # Every LEDGER_ setting but the run's master key file (tests/conftest.py) left out.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LEDGER_") or k == "LEDGER_KEY_FILE"}
    return {**env, "LEDGER_DATABASE_URL": url, "LEDGER_LOG_LEVEL": "INFO"}


def _cli(url: str, *args: str) -> str:
    done = subprocess.run([str(BIN / "claims-ledger"), *args], env=_environment(url),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _call(base: str, method: str, path: str, token: str | None = None, body: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {}),
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait_until(what: str, check: Any, processes: list[subprocess.Popen[str]],
                seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except (urllib.error.URLError, ConnectionError):
            found = None
        if found:
            return found
        for process in processes:
            assert process.poll() is None, f"{process.args} ended while waiting for {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def _stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -9


def _json_lines(log: IO[str]) -> list[dict[str, Any]]:
    log.seek(0)
    return [json.loads(line) for line in log if line.startswith("{")]


@pytest.mark.postgres
def test_db_init_gunicorn_and_the_projector_run_as_processes_on_postgres(
        fresh_database: str, tmp_path: Path) -> None:
    url = fresh_database
    assert "ready" in _cli(url, "db", "init")
    tokens = {role: _cli(url, "token", "create", "--role", role, "--name", f"{role}.http")
              for role in ("admin", "clerk", "auditor")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "api.log").open("w+") as api_log, \
            (tmp_path / "projector.log").open("w+") as projector_log:
        projector = subprocess.Popen([str(BIN / "claims-ledger"), "project", "--follow"],
                                     env=_environment(url), stdout=subprocess.DEVNULL,
                                     stderr=projector_log, text=True, cwd=tmp_path)
        api = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=_environment(url), stdout=subprocess.DEVNULL, stderr=api_log, text=True,
            cwd=ROOT)
        processes = [projector, api]
        try:
            _wait_until("/healthz", lambda: _call(base, "GET", "/healthz")[0] == 200, processes)
            status, _, text = _call(base, "POST", "/api/v1/programs", tokens["admin"],
                                    programme())
            assert status == 201, text
            body = enrolment(41)
            status, headers, text = _call(base, "POST", "/api/v1/members", tokens["clerk"],
                                          body, {"X-Request-Id": "enrol-41"})
            assert status == 201, text
            assert headers["X-Request-Id"] == "enrol-41"
            position = json.loads(text)["position"]

            def caught_up() -> dict[str, Any] | None:
                code, _, answer = _call(base, "GET", "/readyz")
                ready = json.loads(answer)
                if code == 200 and ready["lag_events"] == 0 and ready["position"] >= position:
                    return dict(ready)
                return None

            ready = _wait_until("the projector to apply the enrolment", caught_up, processes)
            assert ready["database"] == "ok" and ready["head"] >= position

            status, _, text = _call(base, "POST", "/api/v1/coverage/lookup", tokens["auditor"],
                                    {"nik": body["nik"]})
            assert status == 200, text
            [member] = json.loads(text)["items"]
            assert member["status"] == "active" and member["programme"] == "TNG-2025"

            status, headers, metrics = _call(base, "GET", "/metrics")
            assert status == 200 and headers["Content-Type"].startswith("text/plain")
            samples = dict(line.rsplit(" ", 1) for line in metrics.splitlines()
                           if line and not line.startswith("#"))
            assert float(samples['claims_ledger_projection_position{projection="coverage"}']) \
                >= position
            assert float(samples["claims_ledger_events_recorded_total"]) >= 5
            assert samples["claims_ledger_ready"] == "1"

            status, _, _ = _call(base, "POST", "/api/v1/members/history", tokens["auditor"],
                                 {"nik": body["nik"]})
            assert status == 200
            status, _, _ = _call(base, "GET", f"/api/v1/members/by-nik/{body['nik']}/history",
                                 tokens["auditor"])
            assert status == 400  # the NIK in a path: refused, logged masked
        finally:
            stopped = {"api": _stop(api), "projector": _stop(projector)}
            for log in (api_log, projector_log):  # shown by pytest when the test fails
                log.seek(0)
                print(log.read())
        assert stopped == {"api": 0, "projector": 0}

        requests = [r for r in _json_lines(api_log) if r.get("event") == "request"]
        [enrolled] = [r for r in requests if r["request_id"] == "enrol-41"]
        assert enrolled["status"] == 201 and enrolled["actor"] == "clerk.http"
        assert enrolled["path"] == "/api/v1/members" and enrolled["method"] == "POST"
        masked = f"{body['nik'][:4]}********{body['nik'][-4:]}"
        assert {f"/api/v1/members/by-nik/{masked}/history", "/api/v1/members/history",
                "/api/v1/coverage/lookup"} <= {r["path"] for r in requests}
        api_log.seek(0)
        assert body["nik"] not in api_log.read()
        commands = [r for r in _json_lines(projector_log) if r.get("event") == "command"]
        assert [(c["command"], c["outcome"]) for c in commands] == [("project", "ok")]
