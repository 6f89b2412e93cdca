"""What a request sends to PostgreSQL, made shorter without changing what it means: a
transaction that only reads sends no BEGIN/ROLLBACK (each READ COMMITTED statement reads its own
snapshot anyway), one that writes in it still rolls back; a save is inserted and committed in
one round trip, and a save refused by the unique key still raises the library's error and
leaves its connection usable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.pq import TransactionStatus

from ledger.application import Ledger
from storage.log_index import datastore_of, open_ledger
from storage.settings import StoreSettings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_ledger(postgres_settings: StoreSettings) -> Iterator[Ledger]:
    app = open_ledger(postgres_settings)
    app.require_initialised()
    yield app
    app.close()


def _count(settings: StoreSettings, table: str) -> int:
    env = settings.env
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         dbname=env["POSTGRES_DBNAME"], user=env["POSTGRES_USER"],
                         autocommit=True) as connection:
        row = connection.execute(f'SELECT count(*) FROM "{env["POSTGRES_SCHEMA"]}".{table}'
                                 ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_transaction_that_only_reads_sends_its_select_outside_any_transaction(
        pg_ledger: Ledger) -> None:
    datastore: Any = datastore_of(pg_ledger)
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT 1 AS one")
        assert cursor.fetchone()["one"] == 1
        assert cursor.connection.info.transaction_status == TransactionStatus.IDLE


def test_a_write_in_a_transaction_not_committed_begins_it_and_is_rolled_back(
        pg_ledger: Ledger, postgres_settings: StoreSettings) -> None:
    datastore: Any = datastore_of(pg_ledger)
    schema = postgres_settings.env["POSTGRES_SCHEMA"]
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(f'CREATE TABLE "{schema}".scratch (n INTEGER)')
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f'SELECT count(*) AS n FROM "{schema}".scratch')
        cursor.execute(f'INSERT INTO "{schema}".scratch (n) VALUES (1)')
        assert cursor.connection.info.transaction_status == TransactionStatus.INTRANS
        cursor.execute(f'SELECT count(*) AS n FROM "{schema}".scratch')
        assert cursor.fetchone()["n"] == 1  # seen inside the transaction
    assert _count(postgres_settings, "scratch") == 0


def test_a_save_is_committed_and_a_save_refused_by_the_key_leaves_the_connection_usable(
        pg_ledger: Ledger, postgres_settings: StoreSettings) -> None:
    pg_ledger.issue_token("clerk.one", "clerk", actor="test")
    assert _count(postgres_settings, "ledger_events") == 1
    stored = pg_ledger.recorder.select_events(
        pg_ledger.tokens()[0].id)  # the row just saved, sent again: another writer's key
    again = [StoredEvent(e.originator_id, e.originator_version, e.topic, e.state + b" ")
             for e in stored]
    datastore: Any = datastore_of(pg_ledger)
    with pytest.raises(IntegrityError):
        datastore.insert_at_once(pg_ledger.recorder, again)
    pg_ledger.issue_token("clerk.two", "clerk", actor="test")  # the pool's connections work
    assert _count(postgres_settings, "ledger_events") == 2
    with datastore.get_connection() as connection:
        assert connection.info.transaction_status == TransactionStatus.IDLE
