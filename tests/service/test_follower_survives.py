"""``project --follow`` keeps trying, with backoff, when the database goes away, says so once in
its log and in /readyz, and catches up when the database is back. A real server of the test's
own is stopped for several seconds and started again (tests/pg_cluster.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
from cli_run import run_cli
from pg_cluster import Cluster, pg_cluster  # noqa: F401  (the fixture)

from scenario import covered_member
from storage.log_index import open_ledger
from storage.settings import settings_from_url

pytestmark = pytest.mark.postgres
OUTAGE_SECONDS = 4  # several polls (0.5 s) and backoff steps without the database


def _record_members(url: str, *seeds: int) -> int:
    """Enrol and pay members (their events); the log head after."""
    ledger = open_ledger(settings_from_url(url))
    try:
        for seed in seeds:
            covered_member(ledger, seed=seed)
        return int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()


def _status(url: str, cwd: Path) -> dict[str, object]:
    done = run_cli("status", url=url, cwd=cwd)
    body: dict[str, object] = json.loads(done.stdout) if done.stdout.strip() else {}
    return body


def _eventually(check: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.3)


@contextmanager
def _following(url: str, log: IO[str]) -> Iterator[subprocess.Popen[str]]:
    """``claims-ledger project --follow`` as its own process, stopped with SIGTERM."""
    # Every LEDGER_ setting but the run's master key file (tests/conftest.py) left out.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LEDGER_") or k == "LEDGER_KEY_FILE"}
    env |= {"LEDGER_DATABASE_URL": url, "LEDGER_LOG_LEVEL": "INFO"}
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    prefix = [command] if command else [sys.executable, "-m", "api"]
    follower = subprocess.Popen([*prefix, "project", "--follow"], stdout=log, stderr=log,
                                env=env, text=True)
    try:
        yield follower
    finally:
        if follower.poll() is None:
            follower.send_signal(signal.SIGTERM)
        try:
            follower.wait(timeout=90)
        except subprocess.TimeoutExpired:
            follower.kill()
            follower.wait()


def _lines(log_file: Path, words: str) -> list[str]:
    return [line for line in log_file.read_text().splitlines() if words in line]


def test_a_follower_survives_a_database_restart_and_catches_up(
    pg_cluster: Cluster, tmp_path: Path,  # noqa: F811
) -> None:
    url = pg_cluster.create_database("follower_restart")
    assert run_cli("db", "init", url=url, cwd=tmp_path).returncode == 0
    head = _record_members(url, 1)
    log_file = tmp_path / "projector.log"
    with log_file.open("w") as log, _following(url, log) as follower:
        _eventually(lambda: _status(url, tmp_path).get("position") == head,
                    "the follower catches up with the log")
        pg_cluster.stop()
        try:
            time.sleep(OUTAGE_SECONDS)
            assert follower.poll() is None, log_file.read_text()  # still there, waiting
        finally:
            pg_cluster.start()
        head = _record_members(url, 2, 3)
        _eventually(lambda: _status(url, tmp_path).get("position") == head,
                    "the follower catches up with events recorded after the restart")
        assert follower.poll() is None
        status = _status(url, tmp_path)
        projector = status["projector"]
        assert isinstance(projector, dict)
        assert projector["state"] == "following"
        assert "reached the database again after" in str(projector["detail"])
        assert status["status"] == "ready"
    assert follower.returncode == 0  # SIGTERM: a clean stop
    text = log_file.read_text()
    assert "Traceback" not in text
    assert "project: failed" not in text
    # one line per change of state, not one every 0.5 s while the database was away
    unreachable = _lines(log_file, "cannot reach the database")
    assert 1 <= len(unreachable) <= 4, unreachable
    assert len(_lines(log_file, "reached the database again")) == 1
    # a follower that stopped on purpose is gone, not missing
    assert _status(url, tmp_path)["projector"] is None


def test_a_follower_started_while_the_database_is_down_waits_for_it(
    pg_cluster: Cluster, tmp_path: Path,  # noqa: F811
) -> None:
    url = pg_cluster.create_database("follower_early")
    assert run_cli("db", "init", url=url, cwd=tmp_path).returncode == 0
    log_file = tmp_path / "projector.log"
    pg_cluster.stop()
    try:
        with log_file.open("w") as log, _following(url, log) as follower:
            try:
                _eventually(lambda: bool(_lines(log_file, "cannot reach the database")),
                            "the follower says it cannot reach the database")
                assert follower.poll() is None, log_file.read_text()
            finally:
                pg_cluster.start()
            head = _record_members(url, 4)
            _eventually(lambda: _status(url, tmp_path).get("position") == head,
                        "the follower catches up once the database answers")
        assert follower.returncode == 0
    finally:
        if not pg_cluster.is_running():
            pg_cluster.start()
    assert "Traceback" not in log_file.read_text()
