"""Who of a batch is enrolled is decided in one place, for the service and the import alike."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ledger.enrolling import AlreadyEnrolled, Enrol, NewMember, Refused, decide, decide_batch
from ledger.enrolment import Enrolment
from ledger.errors import (
    AlreadyCoveredError,
    DeceasedError,
    DuplicateInBatchError,
    NotEligibleError,
)
from ledger.person import Person
from ledger.programme import Programme
from scenario import CLERK, tangerang_terms, worker


def covered(programme: Programme, seed: int) -> Person:
    request = worker(seed=seed)
    person = Person.register(uuid4(), request.parsed_nik().value)
    Enrolment.start(programme, request, person, CLERK)
    return person


def test_a_worker_never_seen_is_a_new_member_whom_nothing_on_record_refuses() -> None:
    programme, request = Programme.open(tangerang_terms(), "admin"), worker()
    nik = request.parsed_nik().value
    decision = decide(programme, nik, None, request, CLERK)
    assert decision == NewMember(nik)
    enrol = decision.start(programme, request, uuid4(), CLERK)
    assert enrol.changed == [enrol.person, enrol.enrolment]
    assert enrol.enrolment.nik == nik and enrol.person.active_programme_code == "TNG-2025"


def test_a_known_person_free_to_enrol_is_enrolled_with_the_enrolment_start_makes() -> None:
    programme, request = Programme.open(tangerang_terms(), "admin"), worker()
    person = Person.register(uuid4(), request.parsed_nik().value)
    decision = decide(programme, person.nik, person, lambda: request, CLERK)
    assert isinstance(decision, Enrol) and decision.person is person
    assert decision.enrolment.programme_code == "TNG-2025"


def test_a_person_covered_by_this_programme_is_already_enrolled_and_by_another_refused() -> None:
    programme = Programme.open(tangerang_terms(), "admin")
    here = covered(programme, seed=7)
    again = decide(programme, here.nik, here, worker(seed=7), CLERK)
    assert isinstance(again, AlreadyEnrolled)
    assert isinstance(again.error, AlreadyCoveredError)
    elsewhere = covered(Programme.open(tangerang_terms(code="TNG-2026"), "admin"), seed=7)
    refused = decide(programme, elsewhere.nik, elsewhere, worker(seed=7), CLERK)
    assert isinstance(refused, Refused) and isinstance(refused.error, AlreadyCoveredError)


def test_a_batch_is_decided_row_by_row_in_order() -> None:
    programme = Programme.open(tangerang_terms(), "admin")
    fresh, dead_request, twice = worker(seed=1), worker(seed=2), worker(seed=1)
    dead = Person.register(uuid4(), dead_request.parsed_nik().value)
    dead.record_death(date(2025, 1, 5), "incident", "x")
    outsider = worker(seed=3, decile=9)
    decisions = decide_batch(programme, [fresh, dead_request, twice, outsider],
                             {dead.nik: dead}, CLERK)
    assert decisions[0] == NewMember(fresh.parsed_nik().value)
    assert [type(getattr(d, "error", None)) for d in decisions[1:]] == [
        DeceasedError, DuplicateInBatchError, NotEligibleError]
