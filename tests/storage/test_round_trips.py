"""What a request sends to PostgreSQL, made shorter without changing what it means: a
transaction that only reads sends no BEGIN/ROLLBACK (each READ COMMITTED statement reads its own
snapshot anyway), one that writes in it still rolls back; a save is inserted and committed in
one round trip, and a save refused by the unique key still raises the library's error and
leaves its connection usable."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.pq import TransactionStatus

from ledger.application import Ledger
from storage.log_index import datastore_of
from storage.settings import StoreSettings

pytestmark = [pytest.mark.postgres,
              pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)]


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
        ledger: Ledger) -> None:
    datastore: Any = datastore_of(ledger)
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT 1 AS one")
        assert cursor.fetchone()["one"] == 1
        assert cursor.connection.info.transaction_status == TransactionStatus.IDLE


def test_a_write_in_a_transaction_not_committed_begins_it_and_is_rolled_back(
        ledger: Ledger, store_settings: StoreSettings) -> None:
    datastore: Any = datastore_of(ledger)
    schema = store_settings.env["POSTGRES_SCHEMA"]
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(f'CREATE TABLE "{schema}".scratch (n INTEGER)')
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f'SELECT count(*) AS n FROM "{schema}".scratch')
        cursor.execute(f'INSERT INTO "{schema}".scratch (n) VALUES (1)')
        assert cursor.connection.info.transaction_status == TransactionStatus.INTRANS
        cursor.execute(f'SELECT count(*) AS n FROM "{schema}".scratch')
        assert cursor.fetchone()["n"] == 1  # seen inside the transaction
    assert _count(store_settings, "scratch") == 0


def test_a_save_is_committed_and_a_save_refused_by_the_key_leaves_the_connection_usable(
        ledger: Ledger, store_settings: StoreSettings) -> None:
    ledger.issue_token("clerk.one", "clerk", actor="test")
    assert _count(store_settings, "ledger_events") == 1
    stored = ledger.recorder.select_events(
        ledger.tokens()[0].id)  # the row just saved, sent again: another writer's key
    again = [StoredEvent(e.originator_id, e.originator_version, e.topic, e.state + b" ")
             for e in stored]
    datastore: Any = datastore_of(ledger)
    with pytest.raises(IntegrityError):
        datastore.insert_at_once(ledger.recorder, again)
    ledger.issue_token("clerk.two", "clerk", actor="test")  # the pool's connections work
    assert _count(store_settings, "ledger_events") == 2
    with datastore.get_connection() as connection:
        assert connection.info.transaction_status == TransactionStatus.IDLE
    env = store_settings.env
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         dbname=env["POSTGRES_DBNAME"], user=env["POSTGRES_USER"]) as other:
        # the refused save's table lock went with its transaction: another writer gets it
        other.execute(f'LOCK TABLE "{env["POSTGRES_SCHEMA"]}".ledger_events '
                      "IN EXCLUSIVE MODE NOWAIT")


def test_a_save_of_several_megabytes_is_recorded_and_does_not_hang(
        ledger: Ledger, store_settings: StoreSettings) -> None:
    """A payment order naming 200,000 members is an event of about 7.6 MB. psycopg's pipeline
    had left such an INSERT hanging, client and server each waiting for the other (seen at 8 MB
    and 20 MB, most runs); a save that large is sent statement by statement."""
    import os
    import threading
    import uuid

    big = StoredEvent(uuid.uuid4(), 1, "ledger.test:Big", os.urandom(12_000_000))
    datastore: Any = datastore_of(ledger)
    answers: list[list[int]] = []
    saving = threading.Thread(
        target=lambda: answers.append(datastore.insert_at_once(ledger.recorder, [big])),
        daemon=True)
    saving.start()
    saving.join(120)
    assert not saving.is_alive(), "the save of 12 MB hung"
    assert len(answers) == 1 and len(answers[0]) == 1
    assert _count(store_settings, "ledger_events") == 1
    stored = ledger.recorder.select_events(big.originator_id)
    assert stored[0].state == big.state


def test_a_read_of_an_aggregate_from_statements_rendered_once_gives_what_the_library_gives(
        ledger: Ledger) -> None:
    from eventsourcing.postgres import PostgresApplicationRecorder

    from storage.rendered_statements import RenderedRecorder

    _, token = ledger.issue_token("clerk.one", "clerk", actor="test")
    ledger.revoke_token(token.id, "left the agency", actor="test")
    ledger.issue_token("clerk.two", "clerk", actor="test")
    recorder: Any = ledger.recorder
    assert isinstance(recorder, RenderedRecorder)
    shapes: list[dict[str, Any]] = [
        {}, {"gt": 1}, {"lte": 1}, {"gt": 0, "lte": 1}, {"desc": True}, {"limit": 1},
        {"desc": True, "limit": 1}, {"gt": 0, "lte": 2, "desc": True, "limit": 1}, {"gt": 5}]
    for shape in shapes:
        ours = recorder.select_events(token.id, **shape)
        theirs = PostgresApplicationRecorder.select_events(recorder, token.id, **shape)
        assert ours == theirs, shape
    assert [e.originator_version for e in recorder.select_events(token.id)] == [1, 2]
    assert len(recorder.select_events(token.id, desc=True, limit=1)) == 1


@pytest.mark.parametrize("one_message_bytes", [1_000_000, 0],
                         ids=["in-one-message", "statement-by-statement"])
def test_a_save_stores_every_byte_of_each_event_as_given(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch, one_message_bytes: int) -> None:
    import uuid

    from storage import database

    monkeypatch.setattr(database, "ONE_MESSAGE_BYTES", one_message_bytes)
    datastore: Any = datastore_of(ledger)
    first, second = uuid.uuid4(), uuid.uuid4()
    every_byte = bytes(range(256)) * 3
    sent = [StoredEvent(first, 1, "ledger.test:Ünïcode \\ \"quoted\" 'x'", every_byte),
            StoredEvent(first, 2, "ledger.test:Empty %s %(x)s {0}; COMMIT", b""),
            StoredEvent(second, 1, "ledger.test:Nul", b"\x00\\x00{}()\",")]
    positions = datastore.insert_at_once(ledger.recorder, sent)
    assert len(positions) == 3 and positions == sorted(positions)
    stored = [*ledger.recorder.select_events(first), *ledger.recorder.select_events(second)]
    assert [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored] == \
        [(e.originator_id, e.originator_version, e.topic, e.state) for e in sent]


@pytest.mark.parametrize("one_message_bytes", [1_000_000, 0],
                         ids=["in-one-message", "statement-by-statement"])
def test_a_save_with_one_event_already_in_the_log_records_none_of_its_events(
        ledger: Ledger, store_settings: StoreSettings, monkeypatch: pytest.MonkeyPatch,
        one_message_bytes: int) -> None:
    import uuid

    from storage import database

    monkeypatch.setattr(database, "ONE_MESSAGE_BYTES", one_message_bytes)
    datastore: Any = datastore_of(ledger)
    kept = uuid.uuid4()
    datastore.insert_at_once(ledger.recorder, [StoredEvent(kept, 1, "ledger.test:A", b"one")])
    new = uuid.uuid4()
    with pytest.raises(IntegrityError):
        datastore.insert_at_once(ledger.recorder, [
            StoredEvent(new, 1, "ledger.test:B", b"two"),
            StoredEvent(kept, 1, "ledger.test:A", b"another writer's")])
    assert ledger.recorder.select_events(new) == []  # all or nothing
    assert [e.state for e in ledger.recorder.select_events(kept)] == [b"one"]
    assert _count(store_settings, "ledger_events") == 1


def test_a_large_save_takes_an_aggregate_id_given_as_text_as_the_library_does(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    from storage import database

    monkeypatch.setattr(database, "ONE_MESSAGE_BYTES", 0)
    datastore: Any = datastore_of(ledger)
    aggregate = uuid.uuid4()
    [position] = datastore.insert_at_once(
        ledger.recorder, [StoredEvent(str(aggregate), 1, "ledger.test:Text", b"x")])  # type: ignore[arg-type]
    assert position == ledger.recorder.max_notification_id()
    assert [e.originator_id for e in ledger.recorder.select_events(aggregate)] == [aggregate]
