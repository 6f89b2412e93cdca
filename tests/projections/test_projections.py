"""Projections: hand-computed figures, rebuild equals incremental, exactly once, crash-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from projection_digest import digest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.enrolment import EndReason
from ledger.incident import IncidentKind
from projections.queries import Reader
from projections.readahead import ReadAhead
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, covered_member, factory, heir, tangerang_terms
from seed.demo import build_demo
from storage.log_index import open_ledger
from storage.settings import StoreSettings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """The demo scenario, projected once for the module (embedded store)."""
    from storage.settings import settings_from_url
    from storage.store import init_store

    settings = settings_from_url(f"sqlite:///{tmp_path_factory.mktemp('demo')}/d.sqlite")
    init_store(settings)
    ledger = open_ledger(settings)
    build_demo(ledger)
    projector = Projector(ledger)
    projector.catch_up()
    yield Reader(projector.connection, projector.live)
    projector.close()
    ledger.close()


def test_the_city_budget_is_999_936_000_used_by_5952_members_for_ten_months(
    demo: Reader,
) -> None:
    budget = demo.budget("TNG-2025")
    assert budget is not None
    assert budget["ceiling"] == 999_936_000 == budget["committed"] and budget["remaining"] == 0
    assert budget["members"] == 5_952
    assert [m["month"] for m in budget["months"]][::9] == ["2025-03", "2025-12"]
    march = budget["months"][0]
    assert march["active_members"] == 5_952 and march["rate"] == 16_800
    assert march["due"] == march["paid"] == 5_952 * 16_800 == 99_993_600
    # Members who died or moved keep being paid for (red flag 1): December pays 5,952 for the
    # 5,946 still covered (five deaths and one move before December).
    december = budget["months"][-1]
    assert december["active_members"] == 5_946 and december["paid_members"] == 5_952
    assert december["paid_beyond_roster"] and not december["over_ceiling"]


def test_the_city_grants_are_98_times_3_000_000(demo: Reader) -> None:
    grants = demo.budget("TNG-SANTUNAN-2025")
    assert grants is not None and grants["city_payouts"] == 294_000_000 == grants["committed"]
    paid = demo.claims(program="TNG-SANTUNAN-2025", limit=1000)
    assert len(paid) == 98 and {c["disbursed"] for c in paid} == {3_000_000}


def test_payout_balances_match_the_claims_of_the_scenario(demo: Reader) -> None:
    city = demo.claims(program="TNG-2025", limit=100)
    approved = sorted(int(c["approved"]) for c in city if c["status"] == "approved")
    # ... and case I's STMB month by month: months 1-12 Rp1.000.000, month 13 Rp500.000.
    assert approved == [500_000, *[1_000_000] * 12, 3_000_000, 10_000_000, 42_000_000,
                        42_000_000, 68_000_000, 70_000_000]
    # H's JKM was paid, then its approval revoked (forged heir certificate): owed back.
    assert sum(int(c["disbursed"]) for c in city) == 235_000_000 + 12_500_000 + 42_000_000
    [revoked] = [c for c in city if c["status"] == "revoked"]
    assert revoked["outstanding"] == -42_000_000
    assert all(c["outstanding"] == 0 for c in city if c is not revoked)
    totals = demo.balance_totals("TNG-2025")
    assert sum(int(t["approved"]) for t in totals) == 235_000_000 + 12_500_000
    assert {t["branch"] for t in totals} == {"Cimone"}


def test_coverage_answers_from_the_paid_months(demo: Reader) -> None:
    [member] = demo.members(program="TNG-2025", limit=1)
    assert member["paid_months"][0] == "2025-03" and len(member["paid_months"]) == 10
    assert member["covered_until"] == "2025-12-31"
    assert demo.covered_on(member["nik"], date(2025, 7, 1), member["person_id"])["covered"]
    in_grace = demo.covered_on(member["nik"], date(2026, 3, 31), member["person_id"])
    assert in_grace["covered"] and in_grace["paid_month"] == "2025-12"
    assert not demo.covered_on(member["nik"], date(2026, 4, 1), member["person_id"])["covered"]
    assert not demo.covered_on(member["nik"], date(2025, 3, 23), member["person_id"])["covered"]
    assert len(demo.members(status="deceased", limit=100)) == 8


def test_region_statistics_add_up_to_the_rosters(demo: Reader) -> None:
    stats = demo.stats("TNG-2025")
    assert sum(int(r["members"]) for r in stats["members"]) == 5_952
    assert len({r["district"] for r in stats["members"]}) == 13
    assert sum(int(r["paid"]) for r in stats["claims"]) == 235_000_000 + 12_500_000 + 42_000_000


def test_the_ceremonies_show_their_heirs_and_the_unpaid_one(demo: Reader) -> None:
    ceremonies = demo.handovers()
    assert [(c["held_on"], c["recipients"], c["unpaid"]) for c in ceremonies] == [
        ("2026-02-03", 4, 1), ("2026-02-10", 2, 0)]


def test_a_snapshot_shows_the_projections_as_the_log_stood_at_a_position(
    ledger: Ledger,
) -> None:
    member = covered_member(ledger)
    before = int(ledger.recorder.max_notification_id() or 0)
    ledger.reverse_contribution("TNG-2025", "SP2D/7/2025-03", date(2025, 4, 20), "bounced",
                                actor=FINANCE)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        at = projector.snapshot(before)
        then = Reader(projector.connection, at).members(program="TNG-2025")
        now = Reader(projector.connection, projector.live).members(program="TNG-2025")
        assert [m["enrolment_id"] for m in then] == [str(member.id)]
        assert len(then[0]["paid_months"]) == 10 and now[0]["paid_months"] == []
        assert projector.positions(at) == dict.fromkeys(projector.positions(), before)
        projector.drop(at)
        with pytest.raises(Exception):  # noqa: B017 - the snapshot's tables are gone
            Reader(projector.connection, at).members(program="TNG-2025")
    finally:
        projector.close()


def _scenario(ledger: Ledger) -> None:
    """Revisions, reversals, a back-dated end, a death, a rejected and a paid claim."""
    member = covered_member(ledger)
    people = factory(seed=31)
    others = ledger.enrol_batch("TNG-2025", [people.worker(date(2025, 3, 24)) for _ in range(5)],
                                CLERK)
    ledger.pay_contribution("TNG-2025", "SP2D/B", date(2025, 4, 10), ["2025-04", "2025-05"],
                            [o.id for o in others], 5 * 2 * 16_800, FINANCE)
    ledger.reverse_contribution("TNG-2025", "SP2D/B", date(2025, 4, 20), "bounced", FINANCE)
    ledger.revise_budget("TNG-2025", 1_100_000_000, "DPPA-2025", "APBD-P", "admin")
    ledger.end_coverage(others[0].id, date(2025, 4, 30), EndReason.MOVED, "late news", CLERK)
    ledger.record_kpj(others[1].id, "25012345678", CLERK)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "", False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), APPROVER)
    ledger.disburse(claim.id, "TRF-1", 40_000_000, date(2025, 9, 12), FINANCE)
    ledger.reverse_disbursement(claim.id, "TRF-1", "wrong amount", date(2025, 9, 13), FINANCE)
    ledger.disburse(claim.id, "TRF-2", 42_000_000, date(2025, 9, 14), FINANCE)


def test_rebuild_equals_incremental(ledger: Ledger) -> None:
    projector = Projector(ledger, batch_size=3)
    try:
        ledger.open_programme(tangerang_terms(), actor="admin")
        projector.catch_up()
        _scenario(ledger)
        projector.catch_up()  # incrementally, three events a transaction
        incremental = digest(projector.connection, projector.live)
        assert projector.position() == projector.head()
        projector.batch_size = 500
        projector.rebuild()
        assert digest(projector.connection, projector.live) == incremental
        budget = Reader(projector.connection, projector.live).budget("TNG-2025")
        assert budget is not None and budget["reversed"] == 168_000
        assert [r["ceiling"] for r in budget["revisions"]] == [1_100_000_000]
    finally:
        projector.close()


def test_each_projection_reports_its_position(ledger: Ledger) -> None:
    projector = Projector(ledger)
    try:
        assert set(projector.positions()) == {"coverage", "balances", "budget", "stats", "journal",
                                               "findings", "reconciliation"}
        covered_member(ledger)
        assert projector.position() == 0 < projector.head()
        projector.catch_up()
        assert set(projector.positions().values()) == {projector.head()}
    finally:
        projector.close()


CHILD = textwrap.dedent("""
    import sys, time
    from storage import open_ledger
    from storage.settings import settings_from_url
    import projections.runner as runner
    original = runner._execute
    def slow(cursor, namespace, operations):
        original(cursor, namespace, operations)
        print("batch", flush=True)
        time.sleep(0.3)  # inside the transaction: a kill lands mid-batch
    runner._execute = slow
    ledger = open_ledger(settings_from_url(sys.argv[1]))
    runner.Projector(ledger, batch_size=5).catch_up()
""")


@pytest.mark.postgres
def test_a_worker_killed_mid_batch_resumes_to_the_same_tables(
    postgres_settings: StoreSettings, tmp_path: Path
) -> None:
    ledger = open_ledger(postgres_settings)
    projector = Projector(ledger, batch_size=5)
    try:
        ledger.open_programme(tangerang_terms(), actor="admin")
        _scenario(ledger)
        script = tmp_path / "child.py"
        script.write_text(CHILD)
        child = subprocess.Popen([sys.executable, str(script), postgres_settings.url],
                                 stdout=subprocess.PIPE, text=True, cwd=os.getcwd(),
                                 env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert child.stdout is not None
        for _ in range(3):
            assert child.stdout.readline().strip() == "batch"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        killed_at = projector.position()
        assert 0 < killed_at < projector.head()
        projector.catch_up()
        resumed = digest(projector.connection, projector.live)
        projector.rebuild()
        assert digest(projector.connection, projector.live) == resumed
    finally:
        projector.close()
        ledger.close()


@pytest.mark.postgres
def test_two_workers_at_once_never_apply_an_event_twice(postgres_settings: StoreSettings) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        ledger.open_programme(tangerang_terms(), actor="admin")
        _scenario(ledger)
        workers = [Projector(open_ledger(postgres_settings), batch_size=2) for _ in range(2)]
        barrier = threading.Barrier(2)

        def run(worker: Projector) -> None:
            barrier.wait()
            worker.catch_up()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        together = digest(workers[0].connection, workers[0].live)
        rows = workers[0].connection.query(workers[0].live.sql("SELECT count(*) AS n FROM {paid}"))
        assert int(rows[0]["n"]) == 10  # one member x 10 months; the reversed payment removed
        workers[0].rebuild()
        assert digest(workers[0].connection, workers[0].live) == together
        for worker in workers:
            worker.close()
            worker.ledger.close()
    finally:
        ledger.close()


def test_following_applies_new_events_within_a_second(ledger: Ledger) -> None:
    projector = Projector(ledger)
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop, 0.1))
    follower.start()
    try:
        covered_member(ledger)
        target = projector.head()
        deadline = time.monotonic() + 5
        while projector.position() < target and time.monotonic() < deadline:
            time.sleep(0.05)
        assert projector.position() == target
    finally:
        stop.set()
        follower.join(timeout=10)
        projector.close()


def test_a_projection_added_later_makes_the_set_rebuild_instead_of_double_applying(
    ledger: Ledger,
) -> None:
    projector = Projector(ledger)
    try:
        covered_member(ledger)
        projector.catch_up()
        before = digest(projector.connection, projector.live)
        with projector.connection.transaction() as cursor:  # as an older version left it
            cursor.execute(projector.live.sql(
                "UPDATE {tracking} SET position = 0 WHERE name = 'journal'"))
        projector.catch_up()
        assert digest(projector.connection, projector.live) == before
    finally:
        projector.close()


@pytest.mark.postgres
def test_a_rebuild_read_ahead_in_batches_of_two_equals_following_event_by_event(
        postgres_settings: StoreSettings) -> None:
    ledger = open_ledger(postgres_settings)
    projector = Projector(ledger, batch_size=1)
    try:
        ledger.open_programme(tangerang_terms(), actor="admin")
        _scenario(ledger)
        projector.catch_up()  # one event a transaction, no read-ahead (the live tables)
        followed = digest(projector.connection, projector.live)
        projector.batch_size = 2
        applied = projector.rebuild()
        assert applied == projector.head()
        assert digest(projector.connection, projector.live) == followed
    finally:
        projector.close()
        ledger.close()


def test_a_batch_read_ahead_is_handed_out_only_when_it_starts_right_after_the_position(
        ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    _scenario(ledger)
    head = int(ledger.recorder.max_notification_id() or 0)
    ahead = ReadAhead(ledger, 0, 4, None)
    try:
        first = ahead.take(0)
        assert first is not None and [n.id for n in first.notifications] == [1, 2, 3, 4]
        assert len(first.leaves) == 4
        assert ahead.take(6) is None  # the projector is elsewhere: it reads by itself
        assert ahead.take(4) is None  # and from then on
    finally:
        ahead.close()
    whole = ReadAhead(ledger, 0, head, None)
    try:
        batch = whole.take(0)
        assert batch is not None and batch.notifications[-1].id == head
        assert whole.take(head) is None  # the end of the log
    finally:
        whole.close()
