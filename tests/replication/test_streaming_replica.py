"""A primary and a hot standby streaming from it, both real PostgreSQL clusters: readers read on
the replica, a read that needs a position the replica has not replayed is served by the
primary, and no checkpoint is signed over events the synchronous standby has not applied."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cli_run import run_cli
from console_client import Browserless, MovableClock
from http_bodies import enrolment, programme
from http_client import Api
from pg_cluster import Cluster

from api.app import create_app
from api.health import MAX_LAG_KEY
from ledger.application import Ledger
from ledger.errors import StoreUnavailableError
from ledger.journal.checkpoint import new_private_key
from ledger.token import ROLES
from projections.journal import Journal
from projections.opening import open_read_side
from projections.replica import Replica
from projections.runner import Projector
from projections.standby import StandbyBehindError, replication
from storage.log_index import open_ledger, settings_of
from storage.settings import settings_from_url, with_read_replica
from storage.store import init_store

pytestmark = pytest.mark.postgres


@dataclass
class Deployment:
    primary: Cluster
    standby: Cluster
    api: Api
    worker: Projector  # plays the projection worker, on the primary
    database: str
    members: dict[int, str] = field(default_factory=dict)  # enrolment id by enrolment seed

    def write_member(self, seed: int) -> int:
        """Enrol one member on the primary and project it there; the log position written."""
        answer = self.api.post("/api/v1/members", "clerk", enrolment(seed))
        assert answer.status_code == 201, answer.get_data(as_text=True)
        self.members[seed] = answer.json["id"]
        self.worker.catch_up()
        return int(answer.headers["X-Ledger-Position"])


@pytest.fixture
def deployment(clusters: tuple[Cluster, Cluster]) -> Iterator[Deployment]:
    with _deployed(*clusters) as found:
        yield found


@pytest.fixture
def before_its_tables(clusters: tuple[Cluster, Cluster]) -> Iterator[Deployment]:
    """A deployment whose replica stopped replaying before the primary's ``db init``: it has
    the database, not the ledger's tables (as while it starts, or before anyone ran init)."""
    with _deployed(*clusters, pause_before_init=True) as found:
        yield found


@contextmanager
def _deployed(primary: Cluster, standby: Cluster, pause_before_init: bool = False
              ) -> Iterator[Deployment]:
    name = f"ledger_{uuid.uuid4().hex[:12]}"
    primary.create_database(name)
    standby.wait_for_database(name)
    try:
        if pause_before_init:
            standby.execute("SELECT pg_wal_replay_pause()")
        settings = with_read_replica(settings_from_url(primary.url(name)), standby.url(name))
        init_store(settings)
        app = create_app(settings)
        app.config["REPLICA_WAIT_SECONDS"] = 0.5
        ledger: Ledger = app.extensions["claims_ledger"]
        tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0]
                  for role in ROLES}
        worker = Projector(ledger)
        try:
            api = Api(app, app.test_client(), tokens)
            assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
            yield Deployment(primary, standby, api, worker, name)
        finally:
            worker.close()
            ledger.close()
    finally:
        # The standby as the next test needs it: running and replaying (while it is down, the
        # primary's commits wait for it: it is the synchronous standby).
        if not standby.is_running():
            standby.start()
        standby.execute("SELECT pg_wal_replay_resume()")


def _listed(answer: object) -> set[str]:
    """The enrolments a coverage list names (by id: it masks their NIKs, 3671********0001)."""
    return {row["enrolment_id"] for row in answer.json["items"]}  # type: ignore[attr-defined]


def test_a_read_that_needs_a_position_is_served_by_the_replica_once_it_has_replayed_it(
        deployment: Deployment) -> None:
    position = deployment.write_member(1)

    answer = deployment.api.get(f"/api/v1/coverage?min_position={position}")

    assert answer.status_code == 200
    assert answer.headers["X-Served-By"] == "replica"
    assert int(answer.headers["X-Projection-Position"]) >= position
    assert deployment.members[1] in _listed(answer)


def test_with_the_replica_down_readers_read_on_the_primary(deployment: Deployment) -> None:
    deployment.write_member(1)
    assert deployment.api.get("/api/v1/coverage").headers["X-Served-By"] == "replica"

    deployment.standby.stop()
    answer = deployment.api.get("/api/v1/coverage")

    assert answer.status_code == 200
    assert answer.headers["X-Served-By"] == "primary"
    assert deployment.members[1] in _listed(answer)


def test_with_the_replica_paused_a_read_of_ones_own_write_falls_back_to_the_primary(
        deployment: Deployment) -> None:
    deployment.write_member(1)
    deployment.api.get("/api/v1/coverage")  # the replica's connection, opened while it replays
    deployment.standby.execute("SELECT pg_wal_replay_pause()")
    position = deployment.write_member(2)

    mine = deployment.api.get(f"/api/v1/coverage?min_position={position}")
    anyone = deployment.api.get("/api/v1/coverage")

    assert mine.headers["X-Served-By"] == "primary"
    assert deployment.members[2] in _listed(mine)
    assert anyone.headers["X-Served-By"] == "replica"  # no position asked: the replica answers,
    assert deployment.members[2] not in _listed(anyone)    # as far as it has replayed
    assert int(anyone.headers["X-Projection-Position"]) < position

    deployment.standby.execute("SELECT pg_wal_replay_resume()")
    _replayed(deployment, position)
    again = deployment.api.get(f"/api/v1/coverage?min_position={position}")
    assert again.headers["X-Served-By"] == "replica"
    assert deployment.members[2] in _listed(again)


def test_no_checkpoint_is_signed_over_events_the_synchronous_standby_has_not_applied(
        deployment: Deployment) -> None:
    ledger = deployment.worker.ledger
    journal = Journal(ledger, deployment.worker.connection, deployment.worker.live)
    key = new_private_key()
    deployment.write_member(1)
    first = journal.checkpoint(key)  # the standby has applied everything: signed
    deployment.standby.execute("SELECT pg_wal_replay_pause()")
    position = deployment.write_member(2)  # committed: the standby received it, not applied

    with pytest.raises(StandbyBehindError, match="synchronous standby has not yet applied"):
        journal.checkpoint(key)
    assert [c.size for c in journal.checkpoints()] == [first.size]

    deployment.standby.execute("SELECT pg_wal_replay_resume()")
    second = journal.checkpoint(key)
    assert second.size > first.size
    assert position in {p for p, _ in journal.leaves(second.size)}


def test_the_primary_reports_its_synchronous_standby_and_how_far_it_has_applied(
        deployment: Deployment) -> None:
    deployment.write_member(1)

    state = replication(deployment.worker.connection)

    assert state is not None
    assert state.synchronous_standby_names == "standby1"
    [standby] = state.standbys
    assert (standby.name, standby.state, standby.sync_state) == ("standby1", "streaming", "sync")
    assert standby.replay_lsn is not None and standby.lag_bytes is not None


def test_a_projection_worker_on_a_standby_waits_for_a_primary_and_blames_no_event(
        deployment: Deployment) -> None:
    position = deployment.write_member(1)
    deployment.api.get(f"/api/v1/coverage?min_position={position}")  # the standby has it
    on_standby = open_ledger(settings_from_url(deployment.standby.url()))
    try:
        with pytest.raises(StoreUnavailableError, match="read-only"):
            Projector(on_standby)  # as after a fail-over that demoted its server
    finally:
        on_standby.close()
    assert deployment.worker.failed_position() is None


def _ready(deployment: Deployment) -> dict[str, object]:
    answer = deployment.api.client.get("/readyz")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    found: dict[str, object] = answer.json  # type: ignore[assignment]
    assert found["status"] == "ready"
    return found


def test_readiness_reports_the_replica_and_stays_ready_when_its_reads_go_to_the_primary(
        deployment: Deployment, tmp_path: Path) -> None:
    position = deployment.write_member(1)
    deployment.api.get(f"/api/v1/coverage?min_position={position}")  # the replica has it
    caught_up = _ready(deployment)
    replica = caught_up["read_replica"]
    assert replica["reachable"] is True  # type: ignore[index]
    assert replica["applied_position"] == replica["primary_position"] == position  # type: ignore[index]
    assert replica["positions_behind"] == 0 and replica["replay_paused"] is False  # type: ignore[index]
    assert isinstance(replica["lag_bytes"], int)  # type: ignore[index]
    assert replica["lag_seconds"] == 0  # type: ignore[index]
    assert "degraded" not in caught_up
    assert "claims_ledger_read_replica_up 1" in deployment.api.client.get(
        "/metrics").get_data(as_text=True)

    deployment.standby.execute("SELECT pg_wal_replay_pause()")
    later = deployment.write_member(2)
    paused = _ready(deployment)
    replica = paused["read_replica"]
    assert replica["replay_paused"] is True  # type: ignore[index]
    assert replica["applied_position"] == position and replica["primary_position"] == later  # type: ignore[index]
    assert replica["positions_behind"] == later - position  # type: ignore[index]
    assert replica["lag_bytes"] > 0 and replica["lag_seconds"] > 0  # type: ignore[index]
    assert f"replay is paused at position {position}" in str(paused["degraded"])
    status = run_cli("status", url=deployment.primary.url(deployment.database), cwd=tmp_path,
                     extra_env={"LEDGER_READ_DATABASE_URL":
                                deployment.standby.url(deployment.database)})
    assert status.returncode == 0, status.stderr  # degraded is not a failure
    said = json.loads(status.stdout)
    assert said["read_replica"]["replay_paused"] is True
    assert said["read_replica"]["positions_behind"] == later - position
    assert f"replay is paused at position {position}" in said["degraded"]

    deployment.standby.execute("SELECT pg_wal_replay_resume()")
    deployment.standby.stop()
    down = _ready(deployment)
    assert down["read_replica"]["reachable"] is False  # type: ignore[index]
    assert down["read_replica"]["reads"] == "primary"  # type: ignore[index]
    assert "cannot be reached" in str(down["degraded"])
    assert "reads are served by the primary" in str(down["degraded"])
    assert "claims_ledger_read_replica_up 0" in deployment.api.client.get(
        "/metrics").get_data(as_text=True)


def test_a_replica_that_has_not_received_the_ledgers_tables_leaves_every_read_to_the_primary(
        before_its_tables: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    deployment = before_its_tables
    monkeypatch.setattr("api.state.REPLICA_RETRY_SECONDS", 0.0)  # asked again every request
    position = deployment.write_member(1)
    console = Browserless(deployment.api.app, deployment.api.app.test_client(),
                          deployment.api.tokens, MovableClock(datetime.now(UTC)))
    console.sign_in("auditor")

    answers = {"coverage": deployment.api.get("/api/v1/coverage"),
               "mine": deployment.api.get(f"/api/v1/coverage?min_position={position}"),
               "members": deployment.api.get("/api/v1/members"),
               "audit": deployment.api.get("/api/v1/reports/audit?program=TNG-2025"),
               "programmes page": console.get("/programmes"),
               "journal page": console.get("/journal")}
    ready = _ready(deployment)
    with open_read_side(deployment.worker.ledger) as reading:  # as a command reads
        read_by_a_command = reading.served_by

    for what, answer in answers.items():
        assert answer.status_code == 200, (what, answer.get_data(as_text=True)[:300])
        assert answer.headers["X-Served-By"] == "primary", what
    assert deployment.members[1] in _listed(answers["coverage"])
    assert answers["audit"].data.startswith(b"%PDF")
    assert "dibaca dari server utama" in answers["journal page"].get_data(as_text=True)
    assert ready["read_replica"]["reachable"] is True  # type: ignore[index]
    assert ready["read_replica"]["tables"] is False  # type: ignore[index]
    assert ready["read_replica"]["reads"] == "primary"  # type: ignore[index]
    assert "has not yet received the ledger's tables" in str(ready["degraded"])
    assert "reads are served by the primary" in str(ready["degraded"])
    assert read_by_a_command == "primary"
    gauges = deployment.api.client.get("/metrics").get_data(as_text=True)
    assert "claims_ledger_read_replica_up 1" in gauges  # it answers, with no position to give
    assert "claims_ledger_read_replica_position" not in gauges

    deployment.standby.execute("SELECT pg_wal_replay_resume()")
    _replayed(deployment, position)
    again = deployment.api.get(f"/api/v1/coverage?min_position={position}")
    assert again.headers["X-Served-By"] == "replica"
    assert deployment.members[1] in _listed(again)
    with open_read_side(deployment.worker.ledger) as reading:
        assert reading.served_by == "replica"
    assert "degraded" not in _ready(deployment)


@pytest.mark.parametrize("stop", ["pg_cancel_backend", "pg_terminate_backend"])
def test_a_read_the_replica_fails_part_way_is_answered_again_by_the_primary(
        deployment: Deployment, stop: str) -> None:
    position = deployment.write_member(1)
    reader = ThreadPoolExecutor(max_workers=1)  # one API thread: its connections made once
    assert reader.submit(deployment.api.get, f"/api/v1/coverage?min_position={position}"
                         ).result().headers["X-Served-By"] == "replica"
    members = '"projections"."members"'
    with reader, psycopg.connect(deployment.primary.url(deployment.database)) as holder:
        # An exclusive lock replayed on the standby: its reads of the members table wait there
        # (the tracking rows the gate reads do not), until cancelled or cut off by the server.
        holder.execute(f"LOCK TABLE {members} IN ACCESS EXCLUSIVE MODE")
        [table] = holder.execute(f"SELECT '{members}'::regclass::oid AS o").fetchall()
        deployment.primary.execute("SELECT pg_current_xact_id()")  # a commit: WAL flushed
        _replayed_lock(deployment.standby, int(str(table[0])))
        reading = reader.submit(deployment.api.get, "/api/v1/coverage")
        waiting = _waiting_on_the_standby(deployment)
        [(stopped,)] = deployment.standby.execute(f"SELECT {stop}({waiting})")
        assert stopped is True
        holder.rollback()  # the primary's own read may go on
        answer = reading.result(60)

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["X-Served-By"] == "primary"
    assert deployment.members[1] in _listed(answer)


def _waiting_on_the_standby(deployment: Deployment) -> int:
    """The standby backend of this deployment's database waiting for a lock (the API's read)."""
    deadline = time.monotonic() + 30
    while True:
        found = deployment.standby.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = "
            f"'{deployment.database}' AND wait_event_type = 'Lock'")
        if found:
            return int(str(found[0][0]))
        assert time.monotonic() < deadline, "the API's read never waited on the standby"
        time.sleep(0.05)


def _replayed_lock(standby: Cluster, table: int) -> None:
    """Wait until the standby's replay holds the primary's exclusive lock on ``table``."""
    deadline = time.monotonic() + 30
    while not standby.execute("SELECT 1 FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND "
                              f"relation = {table} AND granted"):
        assert time.monotonic() < deadline, "the standby never replayed the lock"
        time.sleep(0.05)


def test_a_replica_further_behind_than_the_bound_is_degraded_and_reads_past_it_go_to_the_primary(
        deployment: Deployment) -> None:
    position = deployment.write_member(1)
    deployment.api.get(f"/api/v1/coverage?min_position={position}")  # the replica has it
    deployment.api.app.config[MAX_LAG_KEY] = 1.0
    standby = deployment.standby
    try:
        # The standby applies each commit a minute after it was made: replaying, not paused,
        # and further behind than the bound for as long as the test needs.
        standby.execute("ALTER SYSTEM SET recovery_min_apply_delay = '60s'")
        standby.execute("SELECT pg_reload_conf()")
        later = deployment.write_member(2)
        behind = _ready_once(deployment, lambda body: body["read_replica"]["lag_seconds"] > 1.0)

        replica = behind["read_replica"]
        assert replica["replay_paused"] is False
        assert replica["applied_position"] == position and replica["primary_position"] == later
        assert replica["positions_behind"] == later - position
        assert f"the read replica is {later - position} positions" in str(behind["degraded"])
        assert "(bound 1 s)" in str(behind["degraded"])
        assert "reads that need a later position are served by the primary" in str(
            behind["degraded"])
        mine = deployment.api.get(f"/api/v1/coverage?min_position={later}")
        anyone = deployment.api.get("/api/v1/coverage")
        assert mine.headers["X-Served-By"] == "primary" and deployment.members[2] in _listed(mine)
        assert anyone.headers["X-Served-By"] == "replica"
        assert deployment.members[2] not in _listed(anyone)
    finally:
        standby.execute("ALTER SYSTEM RESET recovery_min_apply_delay")
        standby.execute("SELECT pg_reload_conf()")
    caught_up = _ready_once(deployment, lambda body: body["read_replica"]["positions_behind"] == 0)
    assert "degraded" not in caught_up


def _ready_once(deployment: Deployment, condition: Callable[[Any], bool]) -> Any:
    """``/readyz`` asked until its body meets ``condition`` (the replica's replay moves on its
    own); that body."""
    deadline = time.monotonic() + 30
    while True:
        body = _ready(deployment)
        if condition(body):
            return body
        assert time.monotonic() < deadline, f"/readyz never showed it: {body}"
        time.sleep(0.1)


def _replayed(deployment: Deployment, position: int) -> None:
    """Wait until the replica has the projection tables and its projections show
    ``position``."""
    replica = Replica(settings_of(deployment.worker.ledger))
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if replica.position() >= position:
                    return
            except psycopg.errors.UndefinedTable:
                pass  # not replayed as far as the tables yet
            assert time.monotonic() < deadline, f"the replica never replayed {position}"
            time.sleep(0.05)
    finally:
        replica.close()
