"""Enrolment: every rule of docs/domain.md section 6, each refusal leaving nothing behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledger.application import Ledger
from ledger.enrolment import EndReason
from ledger.errors import (
    AlreadyCoveredError,
    CoverageEndedError,
    DeceasedError,
    DuplicateInBatchError,
    ExcludedByBpjsError,
    InvalidInputError,
    LedgerError,
    NotEligibleError,
)
from ledger.identity import IdentityError
from scenario import CLERK, a_nik, factory, grant_terms, tangerang_terms, worker
from storage.settings import StoreSettings


@pytest.fixture
def programme(ledger: Ledger) -> str:
    ledger.open_programme(tangerang_terms(), actor="admin")
    return "TNG-2025"


def _member_count(ledger: Ledger) -> int:
    return len(ledger.enrolment_ids("TNG-2025"))


def test_an_eligible_worker_is_enrolled_with_the_programme_band(
    ledger: Ledger, programme: str
) -> None:
    request = worker()
    member = ledger.enrol(programme, request, actor=CLERK)
    stored = ledger.enrolment(member.id)
    assert stored.nik == request.nik
    assert stored.wage_band == 1_000_000
    assert stored.enrolled_by == CLERK
    assert stored.is_active
    person = ledger.person(request.nik)
    assert person is not None and person.active_enrolment_id == str(member.id)
    assert ledger.enrolment_ids(programme) == [str(member.id)]


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"nik": "367108520390000"}, IdentityError, "16 digits"),
        ({"nik": "3671083102900001"}, IdentityError, "birth date that does not exist"),
        ({"kk": "12345"}, IdentityError, "KK number must be 16 digits"),
        ({"region": "36.03", "district": "36.03.01", "village": "36.03.01.2001"},
         NotEligibleError, "covers residents of 36.71 only"),
        ({"district": "36.71.99", "village": "36.71.99.1001"}, InvalidInputError,
         "not one of the districts of Kota Tangerang"),
        ({"village": "36.71.01.1001"}, InvalidInputError, "not a village of district"),
        ({"decile": 5}, NotEligibleError, "decile 5; programme TNG-2025 covers deciles 1-4"),
        ({"decile": 11}, InvalidInputError, "between 1"),
        ({"occupation": "dokter"}, NotEligibleError, "'dokter' is not on the list"),
        ({"branch": "Cikokol"}, NotEligibleError, "branch 'Cikokol' does not serve"),
        ({"enrolled_on": date(2026, 1, 5)}, NotEligibleError, "outside the programme's period"),
        ({"register": "BDT"}, InvalidInputError, "DTKS or DTSEN"),
        ({"name": "  "}, InvalidInputError, "name is empty"),
    ],
)
def test_an_ineligible_worker_is_refused_with_the_reason_and_nothing_recorded(
    ledger: Ledger, programme: str, overrides: dict[str, object], error: type[Exception],
    message: str,
) -> None:
    request = worker(district="36.71.08", village="36.71.08.1001")
    bad = replace(request, **overrides)  # type: ignore[arg-type]
    with pytest.raises(error, match=message):
        ledger.enrol(programme, bad, actor=CLERK)
    assert _member_count(ledger) == 0
    assert ledger.person(request.nik) is None


def test_one_nik_has_one_active_coverage_across_funders(ledger: Ledger, programme: str) -> None:
    request = worker()
    ledger.enrol(programme, request, actor=CLERK)
    ledger.open_programme(
        tangerang_terms(code="TNG-2025-B", funder_name="Pemerintah Kota Tangerang (B)"),
        actor="admin",
    )
    with pytest.raises(AlreadyCoveredError, match="already covered by programme TNG-2025"):
        ledger.enrol("TNG-2025-B", request, actor=CLERK)
    assert ledger.enrolment_ids("TNG-2025-B") == []


def test_after_coverage_ends_the_nik_may_come_back_as_a_new_period(
    ledger: Ledger, programme: str
) -> None:
    request = worker()
    first = ledger.enrol(programme, request, actor=CLERK)
    ledger.end_coverage(first.id, date(2025, 6, 30), EndReason.MOVED, "moved to Bogor", CLERK)
    again = ledger.enrol(programme, replace(request, enrolled_on=date(2025, 9, 1)), actor=CLERK)
    assert again.id != first.id
    assert again.enrolled_on == date(2025, 9, 1)
    person = ledger.person(request.nik)
    assert person is not None and person.enrolment_ids == [str(first.id), str(again.id)]


def test_a_coverage_cannot_end_twice_nor_before_it_began(ledger: Ledger, programme: str) -> None:
    member = ledger.enrol(programme, worker(), actor=CLERK)
    with pytest.raises(InvalidInputError, match="before it started"):
        ledger.end_coverage(member.id, date(2025, 3, 1), EndReason.LAPSED, "", CLERK)
    ledger.end_coverage(member.id, date(2025, 7, 1), EndReason.LAPSED, "4 months unpaid", CLERK)
    with pytest.raises(CoverageEndedError, match="already ended on 2025-07-01"):
        ledger.end_coverage(member.id, date(2025, 8, 1), EndReason.MOVED, "", CLERK)


def test_a_nik_on_the_bpjs_exclusion_list_is_refused(ledger: Ledger, programme: str) -> None:
    request = worker()
    ledger.record_bpjs_exclusion(request.nik, "BPJS-CIMONE-2025-03", "PU member", "admin")
    with pytest.raises(ExcludedByBpjsError, match="BPJS-CIMONE-2025-03"):
        ledger.enrol(programme, request, actor=CLERK)


def test_a_worker_recorded_as_deceased_is_refused(ledger: Ledger, programme: str) -> None:
    from ledger.claim import Deceased
    from scenario import heir

    ledger.open_programme(grant_terms(), actor="admin")
    request = worker()
    ledger.file_grant_claim(
        "TNG-SANTUNAN-2025",
        Deceased(request.nik, request.name, request.kk, request.region, request.district, 2,
                 "DTKS", date(2025, 2, 1)),
        date(2025, 3, 3), "illness", heir(), date(2025, 3, 10), actor=CLERK,
    )
    with pytest.raises(DeceasedError, match="recorded as deceased on 2025-03-03"):
        ledger.enrol(programme, request, actor=CLERK)


def test_a_batch_is_all_or_nothing(ledger: Ledger, programme: str) -> None:
    people = factory()
    good = [people.worker(date(2025, 3, 24)) for _ in range(3)]
    bad = replace(people.worker(date(2025, 3, 24)), decile=9)
    with pytest.raises(NotEligibleError):
        ledger.enrol_batch(programme, [*good, bad], actor=CLERK)
    assert _member_count(ledger) == 0
    assert all(ledger.person(w.nik) is None for w in good)
    enrolled = ledger.enrol_batch(programme, good, actor=CLERK)
    assert len(enrolled) == 3 and _member_count(ledger) == 3


def test_the_same_nik_twice_in_one_batch_is_refused(ledger: Ledger, programme: str) -> None:
    request = worker()
    with pytest.raises(DuplicateInBatchError, match="appears twice"):
        ledger.enrol_batch(programme, [request, request], actor=CLERK)


def test_a_grant_only_programme_enrols_no_workers(ledger: Ledger) -> None:
    ledger.open_programme(grant_terms(), actor="admin")
    with pytest.raises(NotEligibleError, match="pays no JKK/JKM contributions"):
        ledger.enrol("TNG-SANTUNAN-2025", worker(), actor=CLERK)


def test_the_kpj_card_number_is_recorded_later_and_must_have_eleven_digits(
    ledger: Ledger, programme: str
) -> None:
    member = ledger.enrol(programme, worker(), actor=CLERK)
    with pytest.raises(IdentityError):
        ledger.record_kpj(member.id, "1234", CLERK)
    ledger.record_kpj(member.id, "25012345678", CLERK)
    assert ledger.enrolment(member.id).kpj == "25012345678"


def test_every_refusal_is_a_ledger_error_with_a_rule_name() -> None:
    assert issubclass(AlreadyCoveredError, LedgerError)
    assert AlreadyCoveredError.rule == "nik-already-covered"
    assert issubclass(IdentityError, LedgerError)
    assert a_nik().startswith("367108")


def test_an_enrolment_of_a_nik_new_to_the_ledger_reads_no_person_since_none_can_exist(
    ledger: Ledger, programme: str, store_settings: StoreSettings
) -> None:
    """A NIK whose data subject this enrolment made (on PostgreSQL, in the same statement as its
    key) cannot have a person recorded yet: the log is not asked for one (a round trip saved on
    every new enrolment). A NIK the ledger knows is read as before."""
    asked: list[object] = []
    select_events = ledger.recorder.select_events

    def spy(originator_id: object, *args: object, **kwargs: object) -> object:
        asked.append(originator_id)
        return select_events(originator_id, *args, **kwargs)  # type: ignore[arg-type]

    ledger.recorder.select_events = spy  # type: ignore[method-assign]
    request = worker()
    first = ledger.enrol(programme, request, actor=CLERK)
    person = ledger.personal.subjects_for([request.nik])[request.nik]
    if store_settings.is_postgres:
        assert person not in asked
    asked.clear()
    ledger.end_coverage(first.id, date(2025, 6, 30), EndReason.MOVED, "moved to Bogor", CLERK)
    ledger.enrol(programme, replace(request, enrolled_on=date(2025, 9, 1)), actor=CLERK)
    assert person in asked  # known: its person is read, and the one-coverage rule holds
