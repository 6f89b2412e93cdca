"""The same persistence suite on SQLite and PostgreSQL: the store keeps what the ledger says."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import psycopg
import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.errors import AlreadyCoveredError, ClaimStateError, LedgerError
from ledger.incident import IncidentKind
from scenario import APPROVER, CLERK, covered_member, heir, tangerang_terms, worker
from storage.log_index import open_ledger
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store, postgres_connect_args


def test_a_saved_aggregate_reloads_with_its_dates_and_money_intact(
    ledger: Ledger, store_settings: StoreSettings
) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    member = ledger.enrol("TNG-2025", worker(), actor=CLERK)
    fresh = open_ledger(store_settings)  # another process would see the same
    try:
        reloaded = fresh.enrolment(member.id)
        assert reloaded.enrolled_on == date(2025, 3, 24)
        assert isinstance(reloaded.enrolled_on, date)
        programme = fresh.programme("TNG-2025")
        assert programme.budget_ceiling == 999_936_000
        assert isinstance(programme.budget_ceiling, int)
    finally:
        fresh.close()


def test_an_aggregate_reloads_as_it_was_at_an_earlier_version(ledger: Ledger) -> None:
    member = covered_member(ledger)
    ledger.record_kpj(member.id, "25012345678", CLERK)
    assert ledger.enrolment(member.id).kpj == "25012345678"
    assert ledger.enrolment(member.id, version=1).kpj is None


def test_every_event_is_in_the_global_log_in_order(ledger: Ledger) -> None:
    covered_member(ledger)
    notifications = ledger.recorder.select_notifications(start=1, limit=100)
    assert [n.id for n in notifications] == sorted(n.id for n in notifications)
    topics = [n.topic.rsplit(":", 1)[-1] for n in notifications]
    assert topics[0] == "Programme.Opened"
    assert "Enrolment.Enrolled" in topics and "Contribution.Paid" in topics


def _race(count: int, action: Callable[[int], object]) -> tuple[list[object], list[Exception]]:
    """Run ``action`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    wins: list[object] = []
    losses: list[Exception] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            wins.append(action(index))
        except LedgerError as error:
            losses.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return wins, losses


def test_concurrent_enrolments_of_one_nik_let_exactly_one_win(
    ledger: Ledger, store_settings: StoreSettings
) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    ledger.open_programme(tangerang_terms(code="TNG-2025-B"), actor="admin")
    request = worker()
    apps = [open_ledger(store_settings) for _ in range(4)]
    try:
        codes = ["TNG-2025", "TNG-2025-B", "TNG-2025", "TNG-2025-B"]
        wins, losses = _race(4, lambda i: apps[i].enrol(codes[i], request, actor=f"clerk{i}"))
    finally:
        for app in apps:
            app.close()
    assert len(wins) == 1
    assert len(losses) == 3 and all(isinstance(e, AlreadyCoveredError) for e in losses)
    members = ledger.enrolment_ids("TNG-2025") + ledger.enrolment_ids("TNG-2025-B")
    assert len(members) == 1


def test_concurrent_approvals_of_one_claim_let_exactly_one_win(
    ledger: Ledger, store_settings: StoreSettings
) -> None:
    member = covered_member(ledger)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk", "",
                                   work_related=False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    apps = [open_ledger(store_settings) for _ in range(4)]
    try:
        wins, losses = _race(
            4, lambda i: apps[i].approve_claim(claim.id, date(2025, 9, 11), f"{APPROVER}{i}")
        )
    finally:
        for app in apps:
            app.close()
    assert len(wins) == 1
    assert len(losses) == 3 and all(isinstance(e, ClaimStateError) for e in losses)
    events = list(ledger.events.get(claim.id))
    assert [type(e).__name__ for e in events] == ["Filed", "Approved"]


def _raw_execute(settings: StoreSettings, statement: str) -> None:
    app = open_ledger(settings)
    table = app.events_table
    app.close()
    if settings.is_postgres:
        schema = settings.env.get("POSTGRES_SCHEMA", "public")
        with psycopg.connect(**postgres_connect_args(settings), autocommit=True) as connection:
            connection.execute(statement.format(table=f'"{schema}".{table}'))
    else:
        import sqlite3

        connection = sqlite3.connect(settings.env["SQLITE_DBNAME"])
        try:
            with connection:
                connection.execute(statement.format(table=table))
        finally:
            connection.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET state = state",
        "DELETE FROM {table}",
    ],
)
def test_the_event_table_refuses_updates_and_deletes(
    ledger: Ledger, store_settings: StoreSettings, statement: str
) -> None:
    covered_member(ledger)
    before = len(ledger.recorder.select_notifications(start=1, limit=1000))
    with pytest.raises(Exception, match="append-only"):
        _raw_execute(store_settings, statement)
    assert len(ledger.recorder.select_notifications(start=1, limit=1000)) == before


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_the_event_table(postgres_settings: StoreSettings) -> None:
    app = open_ledger(postgres_settings)
    try:
        covered_member(app)
    finally:
        app.close()
    with pytest.raises(psycopg.Error, match="append-only"):
        _raw_execute(postgres_settings, "TRUNCATE {table}")


def test_db_init_is_idempotent(store_settings: StoreSettings) -> None:
    init_store(store_settings)
    init_store(store_settings)
    app = open_ledger(store_settings)
    try:
        app.require_initialised()
    finally:
        app.close()


def test_an_uninitialised_store_is_reported_in_words(tmp_path: object) -> None:
    from ledger.errors import StoreNotInitialisedError

    app = open_ledger(settings_from_url(f"sqlite:///{tmp_path}/empty.sqlite"))
    try:
        with pytest.raises(StoreNotInitialisedError, match="run 'claims-ledger db init' first"):
            app.require_initialised()
    finally:
        app.close()
