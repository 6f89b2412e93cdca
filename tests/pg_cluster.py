"""A throwaway PostgreSQL cluster that a test may stop, restart and start again.

The shared test server (``tests/conftest.py``) must never go down under other tests, so the
restart tests get a cluster of their own: ``initdb`` into a temporary folder, ``pg_ctl`` on a
free loopback port (trust authentication, no fsync: nothing in it is worth keeping), stopped
and removed when the test ends, also when it fails. The server binaries come from
``LEDGER_TEST_PG_BIN`` or the newest ``/usr/lib/postgresql/*/bin``; run as root, every server
command runs as the ``postgres`` OS user (``runuser``), as PostgreSQL refuses to run as root.

Without the binaries the tests that need a cluster skip locally, with the reason; with
``CI=true`` they fail instead (as the PostgreSQL tests do).

    with throwaway_cluster() as cluster:
        url = cluster.url("postgres")
        cluster.restart()              # pg_ctl restart -m immediate: connections cut, back up
        cluster.stop(); cluster.start()

    with replicated_clusters() as (primary, standby):   # standby: pg_basebackup -R, streaming,
        ...                                              # the primary's synchronous standby
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SERVER_USER = "postgres"


def server_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None when this machine has none."""
    given = os.environ.get("LEDGER_TEST_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "pg_ctl").exists() else None
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Cluster:
    """One PostgreSQL cluster in a temporary folder, on ``127.0.0.1:port``."""

    def __init__(self, binaries: Path, folder: Path, port: int) -> None:
        self.binaries = binaries
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        #: The application name a standby gives the primary (``synchronous_standby_names``).
        self.name = ""

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.binaries / command[0]), *command[1:]]
        if os.geteuid() == 0:  # PostgreSQL never runs as root
            argv = ["runuser", "-u", SERVER_USER, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "--auth=trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        # fsync off: a stopped server (not a crashed machine) loses nothing the kernel holds.
        # Commits stay synchronous: an immediate stop must not lose what was answered.
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.folder} -c fsync=off")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "server.log"))

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (``immediate``: every connection cut at once, as in a crash)."""
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-D", str(self.data), "-m", mode)

    def restart(self, mode: str = "immediate") -> None:
        """``pg_ctl restart -m immediate``: down for a moment, every connection lost."""
        self.stop(mode)
        self.start()

    def create_database(self, name: str) -> str:
        """A new database on the server; its URL."""
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def base_backup_from(self, primary: Cluster, name: str) -> None:
        """Make this (not yet initialised) cluster a streaming standby of ``primary``:
        ``pg_basebackup -R`` writes ``standby.signal`` and ``primary_conninfo``; the conninfo
        then names the standby, so that the primary can wait for it by name."""
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                  SERVER_USER, "-D", str(self.data), "-R", "-X", "stream", "--no-sync")
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"primary_conninfo = 'host=127.0.0.1 port={primary.port} "
                       f"user={SERVER_USER} application_name={name}'\n")
        self.name = name

    def execute(self, statement: str) -> list[tuple[object, ...]]:
        """Run one statement as the superuser (autocommit); its rows, if any."""
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as admin:
            cursor = admin.execute(statement)
            return list(cursor.fetchall()) if cursor.description else []

    def wait_for_database(self, name: str, seconds: float = 30) -> None:
        """A standby: wait until it has replayed the creation of database ``name``."""
        deadline = time.monotonic() + seconds
        while not self.execute(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            assert time.monotonic() < deadline, f"the standby never replayed database {name}"
            time.sleep(0.05)

    def is_running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and removed afterwards whatever happened."""
    binaries = server_binaries()
    if binaries is None:
        reason = ("no PostgreSQL server binaries (initdb, pg_ctl) for a throwaway cluster; "
                  "set LEDGER_TEST_PG_BIN")
        if IN_CI:
            pytest.fail(f"CI must run the restart tests, but there are {reason}")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER, SERVER_USER)
    cluster = Cluster(binaries, folder, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _binaries_or_skip() -> Path:
    binaries = server_binaries()
    if binaries is None:
        reason = ("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup); "
                  "set LEDGER_TEST_PG_BIN")
        if IN_CI:
            pytest.fail(f"CI must run the replication tests, but there are {reason}")
        pytest.skip(reason)
    return binaries


def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER, SERVER_USER)
    return folder


@contextmanager
def replicated_clusters(standby_name: str = "standby1", synchronous: bool = True
                        ) -> Iterator[tuple[Cluster, Cluster]]:
    """A started primary and a hot standby streaming from it (``pg_basebackup -R``), the
    standby the primary's synchronous one (``synchronous_standby_names``) unless
    ``synchronous`` is False; both stopped and removed afterwards whatever happened."""
    binaries = _binaries_or_skip()
    primary = Cluster(binaries, _folder(), free_port())
    standby = Cluster(binaries, _folder(), free_port())
    try:
        primary.init()
        primary.start()
        standby.base_backup_from(primary, standby_name)
        standby.start()
        if synchronous:
            # Named only once the standby streams: before, every commit would wait for it.
            primary.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{standby_name}'")
            primary.execute("SELECT pg_reload_conf()")
        yield primary, standby
    finally:
        for cluster in (standby, primary):
            if (cluster.data / "postmaster.pid").exists():
                cluster.stop()
            shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway cluster for one test (see :func:`throwaway_cluster`)."""
    with throwaway_cluster() as cluster:
        yield cluster
