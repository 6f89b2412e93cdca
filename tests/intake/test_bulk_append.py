"""The import's fast path writes what the library would: the same bytes, the same log order,
the same lock, NOTIFY and conflicts, encrypted when a cipher key is set; and everything that
reads the log (repository, projections, journal) cannot tell the rows apart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from psycopg.pq import TransactionStatus
from roster_rows import (
    ENROLLED_ON,
    KOTA_TANGERANG,
    OCCUPATIONS,
    open_programmes,
    people,
    run,
    write,
)

from ledger.application import Ledger
from ledger.enrolment import Enrolment
from ledger.person import Person
from projections.journal import Journal
from projections.queries import Reader
from projections.runner import Projector
from seed.synthetic import WorkerFactory
from storage.bulk_append import PostgresAppender, copy_tuples, parse_tuples
from storage.log_index import open_ledger
from storage.new_members import new_member_events
from storage.settings import StoreSettings
from storage.store import postgres_connect_args

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_ledger(postgres_settings: StoreSettings) -> Iterator[Ledger]:
    ledger = open_ledger(postgres_settings)
    open_programmes(ledger)
    yield ledger
    ledger.close()


def _rows(settings: StoreSettings) -> list[tuple[int, str, int, str, bytes]]:
    table = f'"{settings.env["POSTGRES_SCHEMA"]}".ledger_events'
    with psycopg.connect(**postgres_connect_args(settings)) as connection:
        return [(int(r[0]), str(r[1]), int(r[2]), str(r[3]), bytes(r[4]))
                for r in connection.execute(
                    f"SELECT notification_id, originator_id::text, originator_version, topic, "
                    f"state FROM {table} ORDER BY notification_id").fetchall()]


def test_a_new_members_events_are_sealed_as_the_aggregates_events_and_read_back_the_same(
        pg_ledger: Ledger) -> None:
    nik = people(3, 1)[0][0]
    subject = pg_ledger.personal.subject_for(nik)
    person = Person.register(subject, nik)
    enrolment = Enrolment(
        programme_id="p-1", programme_code="TNG-2025", person_id=str(subject), nik=nik,
        kk="3671010101010001",
        name="Siti Aminah", region="36.71", district="36.71.01", village="36.71.01.1001",
        occupation="petani", decile=2, register="DTKS", register_snapshot=date(2025, 2, 1),
        branch="Cimone", enrolled_on=ENROLLED_ON, wage_band=1_000_000, actor="clerk")
    person.start_coverage(str(enrolment.id), "TNG-2025")
    library = [*person.collect_events(), *enrolment.collect_events()]
    stamps = iter([library[0].timestamp, library[2].timestamp, library[1].timestamp])
    fast = new_member_events(
        person=person.id, person_nik=nik, person_id=str(subject), nik=nik, programme_id="p-1",
        programme_code="TNG-2025", kk="3671010101010001", name="Siti Aminah", region="36.71",
        district="36.71.01", village="36.71.01.1001", occupation="petani", decile=2,
        register="DTKS", register_snapshot=date(2025, 2, 1), branch="Cimone",
        enrolled_on=ENROLLED_ON, wage_band=1_000_000, actor="clerk", enrolment=enrolment.id,
        clock=lambda: next(stamps))

    # Sealed under fresh nonces, the stored bytes differ; what they hold is the same.
    encode, decode = pg_ledger.mapper.to_stored_event, pg_ledger.mapper.to_domain_event
    mine, theirs = [encode(e) for e in fast], [encode(e) for e in library]
    assert [(e.originator_id, e.originator_version, e.topic) for e in mine] == [
        (e.originator_id, e.originator_version, e.topic) for e in theirs]
    assert all(nik.encode() not in e.state for e in mine)
    assert [vars(decode(e)) for e in mine] == [vars(decode(e)) for e in theirs]


def test_members_imported_on_postgresql_load_project_and_verify_like_any_other_events(
        pg_ledger: Ledger, tmp_path: Path) -> None:
    rows = people(11, 25)
    summary, rejected = run(pg_ledger, write(tmp_path / "roster.csv", rows), batch_size=10)
    assert (summary.enrolled, rejected) == (25, [])

    for row in rows:
        person = pg_ledger.repository.get(pg_ledger.personal.subject_of(row[0]))
        assert isinstance(person, Person) and person.version == 2
        assert person.active_programme_code == "TNG-2025"
        enrolment = pg_ledger.enrolment(person.active_enrolment_id or "")
        assert (enrolment.nik, enrolment.name) == (row[0], row[2])
    projector = Projector(pg_ledger)
    try:
        projector.catch_up()
        listed = Reader(projector.connection, projector.live).members(program="TNG-2025",
                                                                      limit=100)
        assert {m["nik"] for m in listed} == {row[0] for row in rows}
        report = Journal(pg_ledger, projector.connection, projector.live).verify()
        assert report.ok and report.events == pg_ledger.recorder.max_notification_id()
    finally:
        projector.close()
    positions = [r[0] for r in _rows(pg_ledger.settings)]
    assert positions == list(range(1, len(positions) + 1))
    assert summary.last_position == positions[-1]


def test_a_library_write_between_batches_keeps_the_log_contiguous_and_in_commit_order(
        pg_ledger: Ledger, tmp_path: Path) -> None:
    rows = people(12, 9)
    rival = open_ledger(pg_ledger.settings)
    outsider = WorkerFactory(4, KOTA_TANGERANG, OCCUPATIONS, (1, 4), ("Cimone",),
                             serial_base=900).worker(ENROLLED_ON)
    calls: list[list[str]] = []

    def meanwhile(niks: list[str]) -> None:
        calls.append(niks)
        if len(calls) == 2:
            rival.enrol("TNG-LAIN", outsider, actor="other")

    try:
        summary, _ = run(pg_ledger, write(tmp_path / "roster.csv", rows), batch_size=3,
                         before_save=meanwhile)
    finally:
        rival.close()

    assert summary.enrolled == 9
    stored = _rows(pg_ledger.settings)
    assert [r[0] for r in stored] == list(range(1, len(stored) + 1))
    subject = pg_ledger.personal.subject_of
    owner = {str(subject(row[0])): n for n, row in enumerate(rows)}
    order = [owner.get(r[1], "rival") for r in stored if r[1] in owner
             or r[1] == str(subject(outsider.nik))]
    # batch 1, then the rival's enrolment (saved before batch 2 was sent), then batches 2, 3
    first_rival = order.index("rival")
    assert set(order[:first_rival]) == {0, 1, 2}
    assert "rival" not in order[first_rival + 2:]
    assert [o for o in order if o != "rival"] == sorted(o for o in order if o != "rival")


def test_a_batch_conflicting_with_a_concurrent_enrolment_is_written_again_without_that_row(
        pg_ledger: Ledger, tmp_path: Path) -> None:
    rows = people(13, 6)
    rival = open_ledger(pg_ledger.settings)
    other = WorkerFactory(5, KOTA_TANGERANG, OCCUPATIONS, (1, 4), ("Cimone",)).worker(ENROLLED_ON)

    def meanwhile(niks: list[str]) -> None:
        if rows[4][0] in niks:
            rival.enrol("TNG-LAIN", replace(other, nik=rows[4][0], kk=rows[4][1]), actor="o")

    try:
        summary, rejected = run(pg_ledger, write(tmp_path / "roster.csv", rows), batch_size=3,
                                before_save=meanwhile)
    finally:
        rival.close()

    assert (summary.enrolled, summary.failed_batches) == (5, 0)
    assert [(r.row, r.rule) for r in rejected] == [(6, "nik-already-covered")]
    stored = _rows(pg_ledger.settings)
    subject = pg_ledger.personal.subject_of
    versions = {row[0]: [r[2] for r in stored if r[1] == str(subject(row[0]))] for row in rows}
    assert all(found == [1, 2] for found in versions.values())  # each person enrolled once
    assert [r[1] for r in stored if r[3] == "ledger.person:Person.Registered"].count(
        str(subject(rows[4][0]))) == 1  # and the conflicting one by the rival alone
    enrolled_topic = "ledger.enrolment:Enrolment.Enrolled"
    assert sum(1 for r in stored if r[3] == enrolled_topic) == 5 + 1


def test_copy_tuples_read_back_are_the_very_rows_that_were_encoded(pg_ledger: Ledger) -> None:
    nik = people(15, 1)[0][0]
    person = Person.register(pg_ledger.personal.subject_for(nik), nik)
    stored = [pg_ledger.mapper.to_stored_event(e) for e in person.collect_events()]
    stored.append(replace(stored[0], originator_version=2 ** 40, state=b"\x00\xff" * 300))

    assert parse_tuples(copy_tuples(stored)) == stored
    text_ids = [replace(e, originator_id=str(e.originator_id)) for e in stored]
    assert [replace(e, originator_id=str(e.originator_id))
            for e in parse_tuples(copy_tuples(text_ids, uuid_ids=False), uuid_ids=False)
            ] == text_ids


def test_the_bulk_written_rows_hide_every_nik_and_name_and_still_load(
        postgres_settings: StoreSettings, tmp_path: Path) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        rows = people(14, 8)
        summary, _ = run(ledger, write(tmp_path / "roster.csv", rows), batch_size=5)
        assert summary.enrolled == 8
        states = b"".join(r[4] for r in _rows(postgres_settings))
        assert all(row[0].encode() not in states and row[2].encode() not in states
                   for row in rows)
        person = ledger.repository.get(ledger.personal.subject_of(rows[0][0]))
        assert isinstance(person, Person) and person.nik == rows[0][0]
    finally:
        ledger.close()


def test_an_import_wakes_a_follower_listening_on_the_recorders_channel(
        pg_ledger: Ledger, tmp_path: Path) -> None:
    channel = pg_ledger.recorder.channel_name  # type: ignore[attr-defined]
    with psycopg.connect(**postgres_connect_args(pg_ledger.settings),
                         autocommit=True) as listener:
        listener.execute(f'LISTEN "{channel}"')
        summary, _ = run(pg_ledger, write(tmp_path / "roster.csv", people(15, 4)))
        woke = list(listener.notifies(timeout=5, stop_after=1))
    assert summary.enrolled == 4 and [n.channel for n in woke] == [channel]


def test_a_refused_batch_writes_nothing_and_leaves_neither_lock_nor_open_transaction(
        pg_ledger: Ledger) -> None:
    """The appender begins, locks and notifies in one round trip and commits with its last
    read: a batch the primary key refuses is rolled back whole, its connection goes back to the
    pool idle, and the table's lock is gone (another writer locks it at once)."""
    appender = PostgresAppender(pg_ledger.recorder)
    person = Person.register(UUID(int=11), "3603014101900011")
    stored = [pg_ledger.mapper.to_stored_event(e) for e in person.collect_events()]
    first = appender.append(stored)
    assert first is not None
    before = _rows(pg_ledger.settings)
    again = [pg_ledger.mapper.to_stored_event(e) for e in Person.register(
        UUID(int=12), "3603014101900012").collect_events()]
    clash = again + stored
    with pytest.raises(IntegrityError):
        appender.append(clash)
    assert _rows(pg_ledger.settings) == before  # the new person's row went with the batch
    table = f'"{pg_ledger.settings.env["POSTGRES_SCHEMA"]}".ledger_events'
    with psycopg.connect(**postgres_connect_args(pg_ledger.settings)) as other:
        other.execute("SET lock_timeout = '1s'")
        other.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # not held by the refused one
    with pg_ledger.recorder.datastore.get_connection() as connection:
        assert connection.info.transaction_status == TransactionStatus.IDLE
    last = appender.append(again)
    after = _rows(pg_ledger.settings)
    assert len(after) == len(before) + 1 and after[-1][0] == last
