"""Database fixtures: a real SQLite file and a real PostgreSQL database for every ledger test.

PostgreSQL: one throwaway database per test process (created here, dropped at the end; each
parallel worker has its own) and one schema per test inside it, so tests never see each other's
events. The server is
``LEDGER_TEST_POSTGRES_URL`` or ``postgresql://postgres@127.0.0.1:5432/postgres``. Without a
server the PostgreSQL tests skip locally, with the reason; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from storage.log_index import open_ledger
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session", autouse=True)
def master_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One master key file for the run (``LEDGER_KEY_FILE``, made by the first ``db init``), so
    every store a test makes, and every command a test runs in a child process, has its key
    wherever it runs; a test of the defaults unsets it."""
    path = tmp_path_factory.mktemp("keys") / "master.key"
    before = os.environ.get("LEDGER_KEY_FILE")
    os.environ["LEDGER_KEY_FILE"] = str(path)
    yield path
    if before is None:
        os.environ.pop("LEDGER_KEY_FILE", None)
    else:
        os.environ["LEDGER_KEY_FILE"] = before
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, "", ""))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a fresh database on the test server, dropped when the run ends."""
    server = os.environ.get("LEDGER_TEST_POSTGRES_URL", DEFAULT_SERVER)
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        message = f"no PostgreSQL server answers at {server}: {error}".strip()
        if IN_CI:
            pytest.fail(f"CI must run the PostgreSQL tests, but {message}")
        pytest.skip(message)
    dbname = f"claims_ledger_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield _with_database(server, dbname)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


@pytest.fixture
def postgres_settings(postgres_database: str) -> Iterator[StoreSettings]:
    """A schema of its own in the run's database, initialised, for one test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    settings = settings_from_url(f"{postgres_database}?schema={schema}")
    init_store(settings)
    yield settings
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> StoreSettings:
    """A fresh, initialised SQLite file for one test."""
    settings = settings_from_url(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    init_store(settings)
    return settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_settings(request: pytest.FixtureRequest) -> StoreSettings:
    """Each test that takes this runs twice: on SQLite and on PostgreSQL."""
    settings: StoreSettings = request.getfixturevalue(f"{request.param}_settings")
    return settings


@pytest.fixture
def ledger(store_settings: StoreSettings) -> Iterator[Ledger]:
    """The application service on a fresh store."""
    app = open_ledger(store_settings)
    app.require_initialised()
    yield app
    app.close()


#: Markers of tests CI must run: a skip of one of them (no server, no browser) fails a CI run.
MUST_RUN_IN_CI = {"postgres": "PostgreSQL", "browser": "browser"}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped PostgreSQL or browser test is a failure: the run must prove both work."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    for marker, what in MUST_RUN_IN_CI.items():
        skips = [r for r in skipped if marker in getattr(r, "keywords", {})]
        if skips:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            if reporter:
                reporter.write_line(
                    f"CI=true: {len(skips)} {what} test(s) skipped; that is a failure", red=True)
