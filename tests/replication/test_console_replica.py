"""The console reads its own writes with a real streaming replica: after an approver's decision
the session's next pages wait briefly for the replica and are served by the primary while the
replica has not replayed the decision; once it has, the replica serves them again. Another
session, which wrote nothing, reads on the replica throughout."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from console_client import Browserless, MovableClock
from pg_cluster import Cluster
from werkzeug.test import TestResponse

from api.app import create_app
from api.console.state import console_state
from ledger.benefits import Benefit
from ledger.token import ROLES
from projections.journal import Journal
from projections.replica import Replica
from projections.runner import Projector
from scenario import clean_year, heir
from storage.settings import settings_from_url, with_read_replica
from storage.store import init_store

pytestmark = pytest.mark.postgres


@dataclass
class ReplicatedConsole:
    console: Browserless
    standby: Cluster
    replica: Replica   # the test's own look at the replica's projections
    claim_id: str

    def replayed(self, position: int) -> None:
        """Wait until the replica's projections show ``position`` (their tables first)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.replica.position()
                break
            except psycopg.errors.UndefinedTable:
                assert time.monotonic() < deadline, "the replica never replayed the projections"
                time.sleep(0.05)
        assert self.replica.wait_for(position, 30), f"the replica never replayed {position}"


@pytest.fixture
def replicated(clusters: tuple[Cluster, Cluster]) -> Iterator[ReplicatedConsole]:
    """The console on a primary and its streaming replica; a small year projected, and one
    claim filed by clerk.one waiting for an approver."""
    primary, standby = clusters
    name = f"ledger_{uuid.uuid4().hex[:12]}"
    primary.create_database(name)
    standby.wait_for_database(name)
    settings = with_read_replica(settings_from_url(primary.url(name)), standby.url(name))
    init_store(settings)
    app = create_app(settings)
    app.config["REPLICA_WAIT_SECONDS"] = 0.3
    clock = MovableClock(datetime.now(UTC))
    console_state(app).clock = clock
    ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0] for role in ROLES}
    year = clean_year(ledger)
    incident = year.death(year.members[1], date(2025, 10, 2))
    claim = ledger.file_claim(incident, Benefit.JKM_DEATH, heir(nik_serial=88),
                              date(2025, 10, 6), actor="clerk.one")
    worker = Projector(ledger)
    replica = Replica(settings)
    try:
        worker.catch_up()  # the projection worker's part, on the primary
        found = ReplicatedConsole(Browserless(app, app.test_client(), tokens, clock), standby,
                                  replica, str(claim.id))
        found.replayed(worker.position())
        yield found
    finally:
        # The standby as the next test needs it: running and replaying (while it is down, the
        # primary's commits wait for it: it is the synchronous standby).
        if not standby.is_running():
            standby.start()
        standby.execute("SELECT pg_wal_replay_resume()")
        replica.close()
        worker.close()
        ledger.close()


def _served(page: TestResponse) -> str:
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return str(page.headers.get("X-Served-By"))


def test_after_an_approval_the_sessions_pages_come_from_the_primary_until_the_replica_has_it(
        replicated: ReplicatedConsole) -> None:
    console, claim_id = replicated.console, replicated.claim_id
    console.sign_in("approver")
    queue = console.get("/approvals")
    assert _served(queue) == "replica"
    assert f'id="claim-{claim_id}"' in queue.get_data(as_text=True)
    assert "dibaca dari replika baca" in queue.get_data(as_text=True)
    bystander = console.new_client()
    console.sign_in("auditor", client=bystander)

    replicated.standby.execute("SELECT pg_wal_replay_pause()")
    decided = console.post_form(f"/approvals/{claim_id}/approve",
                                {"expected_version": str(console.ledger.claim(claim_id).version)},
                                from_page="/approvals")
    assert decided.status_code == 303
    written = console.ledger.last_position()
    assert written is not None

    queue = console.get("/approvals")
    assert _served(queue) == "primary"
    assert f'id="claim-{claim_id}"' not in queue.get_data(as_text=True)
    assert "dibaca dari server utama" in queue.get_data(as_text=True)
    approved = console.get("/claims?status=approved")
    assert _served(approved) == "primary"
    assert claim_id[:8] in approved.get_data(as_text=True)
    assert _served(console.get("/programmes")) == "primary"  # the reading pages alike
    # Someone else's session wrote nothing: it reads on the replica, as far as it has replayed.
    theirs = console.get("/claims?status=filed", client=bystander)
    assert _served(theirs) == "replica"
    assert claim_id[:8] in theirs.get_data(as_text=True)
    assert replicated.replica.position() < written

    replicated.standby.execute("SELECT pg_wal_replay_resume()")
    replicated.replayed(written)
    approved = console.get("/claims?status=approved")
    assert _served(approved) == "replica"
    assert claim_id[:8] in approved.get_data(as_text=True)
    assert _served(console.get("/programmes")) == "replica"
    queue = console.get("/approvals")
    assert _served(queue) == "replica"
    assert f'id="claim-{claim_id}"' not in queue.get_data(as_text=True)


def test_with_the_replica_down_the_consoles_pages_are_read_on_the_primary_and_say_so(
        replicated: ReplicatedConsole) -> None:
    console = replicated.console
    console.sign_in("auditor")  # a session row written while the synchronous standby is up
    assert _served(console.get("/programmes")) == "replica"

    replicated.standby.stop()
    page = console.get("/programmes")

    assert _served(page) == "primary"
    assert "TNG-2025" in page.get_data(as_text=True)
    assert "dibaca dari server utama" in page.get_data(as_text=True)


def test_finance_uploads_and_resolves_with_the_replica_paused_and_sees_both_at_once(
        replicated: ReplicatedConsole, tmp_path: Path) -> None:
    console = replicated.console
    console.sign_in("finance")
    assert _served(console.get("/reconciliation")) == "replica"
    statement = tmp_path / "bank.csv"
    # The paid death grant's transfer at another amount, and a line the ledger never recorded.
    statement.write_text("reference,date,amount\nTRF/1,2025-08-25,1000\nTRF/9,2025-08-26,5\n")

    replicated.standby.execute("SELECT pg_wal_replay_pause()")
    token = console.csrf("/reconciliation")
    with statement.open("rb") as sent:
        answer = console.client.post("/reconciliation/upload", data={
            "source": "bpjs", "csrf_token": token, "statement": (sent, "bank.csv")})
    assert answer.status_code == 303
    page = console.get(answer.headers["Location"])
    assert _served(page) == "primary"
    assert "Rekonsiliasi dicatat: 0 baris cocok, 4 selisih." in page.get_data(as_text=True)
    run_id = re.search(r'id="run-([0-9a-f-]{36})"', page.get_data(as_text=True))
    assert run_id
    resolved = console.client.post(
        f"/reconciliation/{run_id.group(1)}/2/resolve", data={"reason": "bank fee, booked"},
        headers={"HX-Request": "true", "X-CSRFToken": console.csrf("/reconciliation")})
    assert resolved.status_code == 200
    assert resolved.headers["X-Served-By"] == "primary"  # the answer reads its own write
    assert "Diselesaikan oleh finance.one: bank fee, booked" in resolved.get_data(as_text=True)
    written = console.ledger.last_position()
    assert written is not None and replicated.replica.position() < written
    page = console.get("/reconciliation?show=all")
    assert _served(page) == "primary"
    assert "bank fee, booked" in page.get_data(as_text=True)

    replicated.standby.execute("SELECT pg_wal_replay_resume()")
    replicated.replayed(written)
    page = console.get("/reconciliation?show=all")
    assert _served(page) == "replica"
    assert "bank fee, booked" in page.get_data(as_text=True)


def _root_shown(page: TestResponse) -> str:
    found = re.search(r'<code class="hash">([0-9a-f]{64})</code>', page.get_data(as_text=True))
    assert found, "the journal page shows no head"
    return found.group(1)


def test_the_journal_page_shows_the_replicas_head_and_a_session_that_wrote_the_primarys(
        replicated: ReplicatedConsole) -> None:
    console, claim_id = replicated.console, replicated.claim_id
    on_replica = Journal(console.ledger, replicated.replica.connection, replicated.replica.live)
    console.sign_in("approver")
    bystander = console.new_client()
    console.sign_in("auditor", client=bystander)
    before = on_replica.head()
    page = console.get("/journal")
    assert _served(page) == "replica"
    assert _root_shown(page) == before.root.hex()

    replicated.standby.execute("SELECT pg_wal_replay_pause()")
    decided = console.post_form(f"/approvals/{claim_id}/approve",
                                {"expected_version": str(console.ledger.claim(claim_id).version)},
                                from_page="/approvals")
    assert decided.status_code == 303
    written = console.ledger.last_position()
    assert written is not None
    primary = Projector(console.ledger)
    try:
        after = Journal(console.ledger, primary.connection, primary.live).head()
    finally:
        primary.close()
    assert after.size > before.size

    mine = console.get("/journal")
    assert _served(mine) == "primary"
    assert _root_shown(mine) == after.root.hex()
    assert "dibaca dari server utama" in mine.get_data(as_text=True)
    theirs = console.get("/journal", client=bystander)
    assert _served(theirs) == "replica"  # the head the replica has, not yet the decision
    assert _root_shown(theirs) == before.root.hex() == on_replica.head().root.hex()

    replicated.standby.execute("SELECT pg_wal_replay_resume()")
    replicated.replayed(written)
    mine = console.get("/journal")
    assert _served(mine) == "replica"
    assert _root_shown(mine) == after.root.hex()
