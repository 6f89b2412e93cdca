"""A roster import outlives a restart of PostgreSQL: a batch cut by the restart (its reads or
its COPY) is tried again, a batch whose commit reached the log though its answer was lost is
counted once, and every row is enrolled exactly once. When the database stays away longer than
the import's patience, it stops with one plain line naming the last batch it recorded, and the
same import run again continues from there."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from pg_cluster import Cluster, throwaway_cluster
from roster_rows import enrolled_niks, open_programmes, people, run, write
from tcp_proxy import CommitDropper

from api.app import create_app
from ledger.application import Ledger
from storage.log_index import open_ledger
from storage.outage import JobInterruptedError
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store

pytestmark = pytest.mark.postgres

ENROLLED = "ledger.enrolment:Enrolment.Enrolled"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as started:
        yield started


@pytest.fixture
def cluster_ledger(cluster: Cluster) -> Iterator[Ledger]:
    settings = settings_from_url(cluster.url())
    init_store(settings)
    ledger = open_ledger(settings)
    open_programmes(ledger)
    yield ledger
    ledger.close()


def _enrolments(url: str) -> int:
    """Enrolment events in the log, counted by a connection of its own."""
    schema = dict(p.split("=") for p in urlsplit(url).query.split("&") if p).get("schema")
    table = f'"{schema}".ledger_events' if schema else "ledger_events"
    with psycopg.connect(url.split("?")[0], connect_timeout=5) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table} WHERE topic = %s",
                                 (ENROLLED,)).fetchone()
    return int(row[0]) if row else 0


def _at_batch(number: int, action: object) -> object:
    """A ``before_save`` hook that runs ``action`` once, before the given batch is saved."""
    calls: list[int] = []

    def hook(_: list[str]) -> None:
        calls.append(1)
        if len(calls) == number:
            action()  # type: ignore[operator]

    return hook


@pytest.mark.parametrize("workers", [0, 2])
def test_an_import_outlives_a_restart_of_the_database_and_enrols_every_row_once(
        cluster: Cluster, cluster_ledger: Ledger, tmp_path: Path, workers: int) -> None:
    rows = people(61, 60)
    summary, rejected = run(cluster_ledger, write(tmp_path / "roster.csv", rows),
                            batch_size=10, workers=workers,
                            before_save=_at_batch(3, cluster.restart))

    assert (summary.enrolled, summary.failed_batches, rejected) == (60, 0, [])
    assert enrolled_niks(cluster_ledger) == {row[0] for row in rows}
    assert _enrolments(cluster.url()) == 60


@pytest.fixture
def proxy() -> Iterator[CommitDropper]:
    server = urlsplit(os.environ.get("LEDGER_TEST_POSTGRES_URL",
                                     "postgresql://postgres@127.0.0.1:5432/postgres"))
    with CommitDropper(server.port or 5432, server.hostname or "127.0.0.1") as dropper:
        yield dropper


@pytest.mark.parametrize("workers", [0, 2])
def test_a_batch_whose_commit_answer_was_lost_is_counted_as_enrolled_once(
        postgres_settings: StoreSettings, proxy: CommitDropper, tmp_path: Path,
        workers: int) -> None:
    parts = urlsplit(postgres_settings.url)
    url = urlunsplit((parts.scheme, f"postgres@127.0.0.1:{proxy.port}", parts.path,
                      parts.query, ""))
    ledger = open_ledger(settings_from_url(url))
    try:
        open_programmes(ledger)
        rows = people(62, 40)
        summary, rejected = run(ledger, write(tmp_path / "roster.csv", rows), batch_size=10,
                                workers=workers, before_save=_at_batch(2, proxy.arm))
    finally:
        ledger.close()

    assert proxy.dropped == 1  # the second batch's COMMIT was applied, its answer lost
    assert (summary.enrolled, summary.already_enrolled, rejected) == (40, 0, [])
    assert _enrolments(postgres_settings.url) == 40


def test_when_the_database_stays_away_the_import_stops_naming_the_last_batch_and_a_rerun_ends_it(
        cluster: Cluster, cluster_ledger: Ledger, tmp_path: Path) -> None:
    rows = people(63, 60)
    path = write(tmp_path / "roster.csv", rows)

    with pytest.raises(JobInterruptedError) as stopped:
        run(cluster_ledger, path, batch_size=10, patience=1,
            before_save=_at_batch(3, cluster.stop))

    message = str(stopped.value)
    assert "\n" not in message
    assert "the last batch recorded is rows 12-21" in message  # the header is row 1
    assert "20 members enrolled" in message and "run the same import again" in message
    cluster.start()
    assert _enrolments(cluster.url()) == 20
    again = open_ledger(cluster_ledger.settings)
    try:
        summary, rejected = run(again, path, batch_size=10)
    finally:
        again.close()
    assert (summary.enrolled, summary.already_enrolled, rejected) == (40, 20, [])
    assert _enrolments(cluster.url()) == 60


# -- the command a clerk runs -------------------------------------------------------------------


def _slow_batches(url: str) -> None:
    """Every write to the log takes a fifth of a second longer: an import of a few batches is
    surely still running when the test cuts the database off after its first batch."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION slow_batch() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$")
        connection.execute("CREATE TRIGGER slow_batch AFTER INSERT ON ledger_events "
                           "FOR EACH STATEMENT EXECUTE FUNCTION slow_batch()")


def _import(url: str, roster: Path, *options: str) -> subprocess.Popen[str]:
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    assert command is not None
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    return subprocess.Popen(
        [command, "import", "members", str(roster), "--program", "TNG-2025",
         "--enrolled-on", "2025-03-24", "--register", "DTKS", "--batch", "50", *options],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=roster.parent)


def _after_first_batch(url: str, process: subprocess.Popen[str]) -> None:
    while _enrolments(url) == 0:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)


def test_the_import_command_outlives_a_restart_and_after_a_long_outage_says_where_to_go_on(
        cluster: Cluster, cluster_ledger: Ledger, tmp_path: Path) -> None:
    url = cluster.url()
    _slow_batches(url)
    first = write(tmp_path / "first.csv", people(64, 400))

    running = _import(url, first)
    _after_first_batch(url, running)
    cluster.restart()  # pg_ctl restart -m immediate, in the middle of the import
    out, err = running.communicate(timeout=300)
    assert running.returncode == 0, err
    assert "Traceback" not in err
    assert _enrolments(url) == 400

    second = write(tmp_path / "second.csv", people(65, 400))
    before = _enrolments(url)
    running = _import(url, second, "--wait-for-database", "1")
    while _enrolments(url) == before:
        assert running.poll() is None, running.communicate()
        time.sleep(0.05)
    cluster.stop()
    out, err = running.communicate(timeout=300)
    assert running.returncode == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    assert "run the same import again to continue from there" in errors[0]
    named = re.search(r"the last batch recorded is rows (\d+)-(\d+)", errors[0])
    assert named is not None, errors[0]
    cluster.start()
    assert _enrolments(url) - before == int(named.group(2)) - 1  # exactly the batches named

    rerun = _import(url, second)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert _enrolments(url) == 800


def test_an_upload_cut_off_from_the_database_answers_503_naming_what_was_recorded(
        postgres_settings: StoreSettings, proxy: CommitDropper, tmp_path: Path) -> None:
    parts = urlsplit(postgres_settings.url)
    app = create_app(settings_from_url(urlunsplit(
        (parts.scheme, f"postgres@127.0.0.1:{proxy.port}", parts.path, parts.query, ""))))
    ledger: Ledger = app.extensions["claims_ledger"]
    try:
        open_programmes(ledger)
        clerk, _ = ledger.issue_token("clerk.one", "clerk", actor="test")
        roster = write(tmp_path / "roster.csv", people(66, 2500)).read_bytes()

        def upload() -> Any:
            return app.test_client().post(
                "/api/v1/programs/TNG-2025/rosters", headers={"Authorization": f"Bearer {clerk}"},
                data={"file": (io.BytesIO(roster), "roster.csv"), "enrolled_on": "2025-03-24",
                      "register": "DTKS", "register_snapshot": "2025-02-01"},
                content_type="multipart/form-data")

        # The first batch's events committed, then gone. (A batch's subjects and keys are
        # claimed in one statement that commits alone, with no BEGIN: the second batch's may
        # be claimed while the first is written; claimed subjects no event names are harmless,
        # and the re-run uses them.)
        proxy.cut_after_commits(1)
        stopped = upload()
        assert stopped.status_code == 503, stopped.json
        assert stopped.headers["Retry-After"]
        assert stopped.json["rule"] == "interrupted-by-database"
        assert "the last batch recorded is rows 2-1001" in stopped.json["detail"]
        assert _enrolments(postgres_settings.url) == 1000

        proxy.restore()
        again = upload()
        for _ in range(20):  # the pool connects again within a moment
            if again.status_code != 503:
                break
            time.sleep(0.25)
            again = upload()
        assert again.status_code == 200, again.json
        assert (again.json["enrolled"], again.json["already_enrolled"]) == (1500, 1000)
        assert _enrolments(postgres_settings.url) == 2500
    finally:
        ledger.close()
