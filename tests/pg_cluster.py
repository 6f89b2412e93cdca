"""A PostgreSQL server of a test's own, to stop and start at will (what survives a restart?).

``initdb`` in a temporary folder, the server on a free loopback port with its socket in that
folder, run as the ``postgres`` OS user when the tests run as root (PostgreSQL refuses to run as
root); stopped and the folder removed at the end. The binaries are those of
``LEDGER_TEST_PG_BIN`` (default ``/usr/lib/postgresql/15/bin``, what ``.ci/run`` installs).
Without them the tests that need a cluster skip locally, with the reason; with ``CI=true`` they
fail instead, like the other PostgreSQL tests.

Use the ``pg_cluster`` fixture (import it into the test module) or :func:`throwaway_cluster`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

PG_BIN = Path(os.environ.get("LEDGER_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
OS_USER = "postgres"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user(*command: str) -> list[str]:
    """Root runs the server's commands as ``postgres``; anyone else as themselves."""
    if os.geteuid() == 0:
        return ["runuser", "-u", OS_USER, "--", *command]
    return list(command)


def _run(*command: str) -> None:
    done = subprocess.run(_as_server_user(*command), capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")


@dataclass
class Cluster:
    """A running (or stopped) throwaway PostgreSQL server."""

    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        _run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
             "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect clients, shut down cleanly)."""
        _run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60",
             "stop")

    def running(self) -> bool:
        done = subprocess.run(_as_server_user(str(PG_BIN / "pg_ctl"), "-D", str(self.data),
                                              "status"),
                              capture_output=True, text=True, timeout=30, check=False)
        return done.returncode == 0

    def create_database(self, name: str) -> str:
        """A new database on the server; its URL."""
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A fresh cluster, started; stopped and removed afterwards whatever happened."""
    if not (PG_BIN / "initdb").exists():
        message = f"no PostgreSQL binaries in {PG_BIN} (set LEDGER_TEST_PG_BIN)"
        if IN_CI:
            pytest.fail(f"CI must run the throwaway-cluster tests, but {message}")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="claims-ledger-pg-"))
    try:
        if os.geteuid() == 0:
            account = pwd.getpwnam(OS_USER)
            os.chown(folder, account.pw_uid, account.pw_gid)
        _run(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
             "-A", "trust", "-E", "UTF8", "--no-sync")
        cluster = Cluster(folder, _free_port())
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway cluster for a test module (each test makes a database of its own)."""
    with throwaway_cluster() as cluster:
        yield cluster
