"""On PostgreSQL the rows of a roster are checked and new members encoded in worker processes.
Whatever the number of workers, an import reports the same summary and the same rejected rows
(file order, same reasons) and records the same log as the import done in one process: the same
rows in the same order, byte for byte except what is fresh on every run (event timestamps and
the random enrolment ids)."""

from __future__ import annotations

import json
import multiprocessing
import threading
import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from psycopg import sql
from roster_rows import OPTIONS, every_kind_of_bad_row, open_programmes, people, run, write

from intake.importing import RosterImport, read_roster
from ledger.clock import SeededIds, recording
from scenario import CLERK
from storage.log_index import open_ledger
from storage.outage import JobInterruptedError
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store, postgres_connect_args

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_store(postgres_database: str) -> Iterator[Any]:
    """Makes as many initialised schemas as a test asks for (dropped afterwards)."""
    schemas: list[str] = []

    def make() -> StoreSettings:
        schemas.append(f"t_{uuid.uuid4().hex[:12]}")
        settings = settings_from_url(f"{postgres_database}?schema={schemas[-1]}")
        init_store(settings)
        return settings

    yield make
    with psycopg.connect(postgres_database, autocommit=True) as connection:
        for schema in schemas:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _log(settings: StoreSettings, after: int) -> list[tuple[Any, ...]]:
    """The rows recorded after ``after``: enrolment and person ids and timestamps replaced by
    what is the same on every run (their ordinals), and the sealed personal fields (under
    random keys and nonces) left out; everything else as stored."""
    table = f'"{settings.env["POSTGRES_SCHEMA"]}".ledger_events'
    with psycopg.connect(**postgres_connect_args(settings)) as connection:
        rows = connection.execute(
            f"SELECT notification_id, originator_id::text, originator_version, topic, state "
            f"FROM {table} WHERE notification_id > %s ORDER BY notification_id",
            (after,)).fetchall()
    enrolments: dict[str, str] = {}
    for row in rows:
        if row[3].endswith("Enrolment.Enrolled"):
            enrolments[row[1]] = f"enrolment-{len(enrolments)}"
        elif row[1] not in enrolments:  # a person (ids drawn at random, per store)
            enrolments[row[1]] = f"person-{len(enrolments)}"
    normalised = []
    for notification_id, originator, version, topic, state in rows:
        body = json.loads(bytes(state))
        body.pop("timestamp")
        body.pop("_sealed", None)
        if "enrolment_id" in body:
            body["enrolment_id"] = enrolments[str(uuid.UUID(body["enrolment_id"]))]
        if "person_id" in body:
            body["person_id"] = enrolments.get(body["person_id"], body["person_id"])
        normalised.append((notification_id, enrolments.get(originator, originator), version,
                           topic, json.dumps(body, ensure_ascii=False)))
    return normalised


def _import_with(settings: StoreSettings, workers: int, path_of: Any) -> dict[str, Any]:
    ledger = open_ledger(settings)
    try:
        open_programmes(ledger)
        rows, expected = every_kind_of_bad_row(ledger)
        # A person on record without coverage: enrolled through the aggregate, among new ones.
        known = people(24, 2)
        for cells in known:
            ledger.save(ledger._person_or_new(cells[0]))
        good = people(23, 40)
        rows = [*good[:20], known[0], *rows, *good[20:], known[1], good[3]]
        path = write(path_of(workers), rows)
        head = ledger.recorder.max_notification_id() or 0
        first, first_rejected = run(ledger, path, batch_size=7, workers=workers)
        second, second_rejected = run(ledger, path, batch_size=7, workers=workers)
        subjects = {ledger.personal.subject_of(r.nik) for r in first_rejected
                    if r.nik and r.rule != "duplicate-in-file"}
        return {"expected": expected, "first": first.as_record(), "second": second.as_record(),
                "first_rejected": first_rejected, "second_rejected": second_rejected,
                "head": head, "log": _log(settings, head),
                "rejected_persons": {str(s) for s in subjects if s is not None}}
    finally:
        ledger.close()


def test_one_or_two_workers_give_the_summary_rejected_rows_and_log_of_one_process(
        fresh_store: Any, tmp_path: Path) -> None:
    results = {workers: _import_with(fresh_store(), workers,
                                     lambda n: tmp_path / f"roster-{n}.csv")
               for workers in (0, 1, 2)}
    alone = results[0]
    assert alone["first"]["enrolled"] == 40 + 4 + 2
    assert alone["first"]["rejected"] == len(alone["first_rejected"]) > 13
    assert {r.rule for r in alone["first_rejected"]} >= set(alone["expected"].values())
    assert alone["second"]["enrolled"] == 0
    assert alone["second"]["already_enrolled"] == 40 + 4 + 2
    assert [r.row for r in alone["first_rejected"]] == sorted(
        r.row for r in alone["first_rejected"])
    # New members: registered, coverage started, enrolled; the two on record: the last two.
    assert len(alone["log"]) == 3 * 44 + 2 * 2
    assert not alone["rejected_persons"] & {row[1] for row in alone["log"]}
    for workers in (1, 2):
        result = results[workers]
        for key in ("first", "second", "first_rejected", "second_rejected", "head", "log"):
            assert result[key] == alone[key], (workers, key)


def test_stopping_an_import_early_or_on_an_error_leaves_no_worker_process_behind(
        postgres_settings: StoreSettings, tmp_path: Path) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        rows, _ = every_kind_of_bad_row(ledger)
        path = write(tmp_path / "roster.csv", [*people(25, 30), *rows])
        job = RosterImport(ledger, "TNG-2025", CLERK, OPTIONS, batch_size=4, workers=2)
        stream = job.run(read_roster(path))
        first = next(stream)
        assert first.rule and multiprocessing.active_children()
        stream.close()
        assert multiprocessing.active_children() == []
        assert not [t for t in threading.enumerate() if t.name.startswith("roster-")]

        def refuse(niks: list[str]) -> None:
            raise RuntimeError("the clerk cancelled")

        with pytest.raises(RuntimeError, match="cancelled") as cancelled:
            run(ledger, write(tmp_path / "more.csv", people(26, 10)), batch_size=4, workers=2,
                before_save=refuse)
        assert multiprocessing.active_children() == []
        # the error's traceback keeps the import's frame alive: its batches were closed anyway
        assert cancelled.value.__traceback__ is not None
        assert not [t for t in threading.enumerate() if t.name.startswith("roster-")]
    finally:
        ledger.close()


def test_with_workers_the_event_timestamps_still_rise_with_the_log(
        postgres_settings: StoreSettings, tmp_path: Path) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        known = people(27, 6)
        for cells in known:
            ledger.save(ledger._person_or_new(cells[0]))
        head = ledger.recorder.max_notification_id() or 0
        good = people(28, 30)
        rows = [row for pair in zip(good[::5], known, strict=False) for row in pair] + good
        summary, _ = run(ledger, write(tmp_path / "roster.csv", rows), batch_size=3,
                         workers=2)
        assert summary.enrolled == 36
        table = f'"{postgres_settings.env["POSTGRES_SCHEMA"]}".ledger_events'
        with psycopg.connect(**postgres_connect_args(postgres_settings)) as connection:
            rows = connection.execute(
                f"SELECT topic, state FROM {table} WHERE notification_id > %s "
                "ORDER BY notification_id", (head,)).fetchall()
        assert len(rows) == 30 * 3 + 6 * 2
        # A member's events are stamped in the aggregates' order (the enrolment before the
        # coverage it starts) and logged person first; member after member, the stamps rise.
        members: list[list[str]] = [[]]
        for topic, state in rows:
            members[-1].append(json.loads(bytes(state))["timestamp"]["_data_"])
            if topic.endswith("Enrolment.Enrolled"):
                members.append([])
        members.pop()
        assert len(members) == 36
        assert all(max(before) <= min(after)
                   for before, after in pairwise(members))
    finally:
        ledger.close()


def _originators(settings: StoreSettings, after: int, event: str) -> list[Any]:
    """The aggregate ids of the events of this class recorded after log position ``after``."""
    table = f'"{settings.env["POSTGRES_SCHEMA"]}".ledger_events'
    with psycopg.connect(**postgres_connect_args(settings)) as connection:
        return [row[0] for row in connection.execute(
            f"SELECT originator_id FROM {table} WHERE notification_id > %s AND topic LIKE %s",
            (after, f"%{event}")).fetchall()]


def test_the_niks_keyed_by_the_workers_find_the_same_subjects_as_this_process_and_the_persons(
        postgres_settings: StoreSettings, tmp_path: Path) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        head = ledger.recorder.max_notification_id() or 0
        good = people(29, 12)
        summary, _ = run(ledger, write(tmp_path / "roster.csv", good), batch_size=4,
                         workers=2)
        assert summary.enrolled == 12
        persons = set(_originators(postgres_settings, head, "Person.Registered"))
        # the index rows the workers' HMACs made are the ones this process's keyed NIK finds
        assert {ledger.personal.subject_of(cells[0]) for cells in good} == persons
        assert len(persons) == 12
    finally:
        ledger.close()


def test_members_imported_with_workers_read_back_with_their_sealed_fields_in_a_fresh_ledger(
        postgres_settings: StoreSettings, tmp_path: Path) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        head = ledger.recorder.max_notification_id() or 0
        good = people(31, 9)
        summary, _ = run(ledger, write(tmp_path / "roster.csv", good), batch_size=4,
                         workers=2)
        assert summary.enrolled == 9
    finally:
        ledger.close()
    enrolments = _originators(postgres_settings, head, "Enrolment.Enrolled")
    fresh = open_ledger(postgres_settings)  # no key cached: each key unwrapped from the store
    try:
        for cells in good:
            person = fresh.repository.get(fresh.personal.subject_of(cells[0]))
            assert person.nik == cells[0]
        opened = [fresh.repository.get(e) for e in enrolments]
        assert sorted(e.nik for e in opened) == sorted(cells[0] for cells in good)
        assert all(e.name and e.kk for e in opened)
    finally:
        fresh.close()


def test_a_batch_is_resolved_on_its_own_thread_with_the_systems_randomness_and_in_turn_in_a_story(
        postgres_settings: StoreSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """With production's ids and keys, the next batch's subjects, keys and people are resolved
    by a second thread while this one seals; a story's seeded ids are drawn in one fixed order,
    so there every batch is resolved in turn by the import's own thread."""
    resolved_on: list[str] = []
    resolve = RosterImport._resolve

    def noted(self: RosterImport, candidates: list[Any]) -> Any:
        resolved_on.append(threading.current_thread().name)
        return resolve(self, candidates)

    monkeypatch.setattr(RosterImport, "_resolve", noted)
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        summary, _ = run(ledger, write(tmp_path / "roster.csv", people(30, 12)), batch_size=4,
                         workers=2)
        assert summary.enrolled == 12
        assert len(resolved_on) == 3
        assert all(name.startswith("roster-resolver") for name in resolved_on)
    finally:
        ledger.close()
    resolved_on.clear()
    story = open_ledger(postgres_settings, ids=SeededIds("story"))
    try:
        with recording(ids=SeededIds("enrolments")):
            summary, _ = run(story, write(tmp_path / "story.csv", people(31, 12)), batch_size=4,
                             workers=2)
        assert summary.enrolled == 12
        assert resolved_on == [threading.main_thread().name] * 3
    finally:
        story.close()


def test_a_batch_whose_resolution_fails_stops_the_import_and_no_later_batch_is_resolved(
        postgres_settings: StoreSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """The database gone while a batch's subjects are claimed: the import stops with its one
    plain line, and the batch after it is not sent to be resolved (a second wait of the
    import's whole patience, and NIKs claimed for nothing)."""
    resolved: list[int] = []
    resolve = RosterImport._resolve

    def failing(self: RosterImport, candidates: list[Any]) -> Any:
        resolved.append(len(candidates))
        if len(resolved) == 2:
            raise OperationalError("the server closed the connection unexpectedly")
        return resolve(self, candidates)

    monkeypatch.setattr(RosterImport, "_resolve", failing)
    ledger = open_ledger(postgres_settings)
    try:
        open_programmes(ledger)
        with pytest.raises(JobInterruptedError, match="stopped after row"):
            run(ledger, write(tmp_path / "roster.csv", people(32, 20)), batch_size=4,
                workers=2)
        assert len(resolved) == 2
        assert not [t for t in threading.enumerate() if t.name.startswith("roster-")]
    finally:
        ledger.close()
