"""Coverage on a day, and incidents: refused before enrolment, after death, or when not covered."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.enrolment import EndReason
from ledger.errors import (
    DeceasedError,
    IncidentAfterDeathError,
    IncidentBeforeEnrolmentError,
    InvalidInputError,
    NotCoveredError,
)
from ledger.incident import IncidentKind
from scenario import CLERK, covered_member


def test_a_member_is_covered_in_a_paid_month(ledger: Ledger) -> None:
    member = covered_member(ledger)
    answer = ledger.coverage_on(member.id, date(2025, 7, 14))
    assert answer.covered and answer.paid_month == "2025-07"


def test_a_member_is_not_covered_before_enrolment(ledger: Ledger) -> None:
    member = covered_member(ledger)
    assert not ledger.coverage_on(member.id, date(2025, 3, 23)).covered


def test_grace_covers_three_months_after_the_last_paid_month(ledger: Ledger) -> None:
    member = covered_member(ledger, months=("2025-03", "2025-04", "2025-05"))
    inside = ledger.coverage_on(member.id, date(2025, 8, 31))
    assert inside.covered and inside.paid_month == "2025-05"
    assert "grace" in inside.reason
    assert not ledger.coverage_on(member.id, date(2025, 9, 1)).covered


def test_a_member_with_no_payment_is_not_covered(ledger: Ledger) -> None:
    member = covered_member(ledger, months=())
    answer = ledger.coverage_on(member.id, date(2025, 4, 1))
    assert not answer.covered and "no contribution was paid for 2025-04" in answer.reason


def test_a_reversed_payment_no_longer_covers(ledger: Ledger) -> None:
    member = covered_member(ledger, months=("2025-03",))
    ledger.reverse_contribution("TNG-2025", "SP2D/7/2025-03", date(2025, 4, 20), "bounced",
                                "finance.rina")
    assert not ledger.coverage_on(member.id, date(2025, 3, 30)).covered


def test_an_accident_of_a_covered_member_is_recorded(ledger: Ledger) -> None:
    member = covered_member(ledger)
    incident = ledger.report_incident(
        member.id, IncidentKind.ACCIDENT, date(2025, 7, 14), "Jl. Daan Mogot, Batuceper",
        "fell from motorbike while carrying a passenger", work_related=True, actor=CLERK)
    stored = ledger.incident(incident.id)
    assert stored.kind is IncidentKind.ACCIDENT and stored.reported_by == CLERK
    assert ledger.enrolment(member.id).is_active


def test_an_incident_before_enrolment_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    with pytest.raises(IncidentBeforeEnrolmentError, match=r"before NIK \S+ was enrolled"):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 3, 1), "Periuk",
                               "", work_related=True, actor=CLERK)


def test_an_incident_when_the_member_was_not_covered_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger, months=("2025-03",))
    with pytest.raises(NotCoveredError, match="was not covered on 2025-08-01"):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 8, 1), "Periuk",
                               "", work_related=True, actor=CLERK)


def test_an_incident_after_coverage_ended_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    ledger.end_coverage(member.id, date(2025, 6, 30), EndReason.MOVED, "to Bogor", CLERK)
    with pytest.raises(NotCoveredError, match="ended on 2025-06-30"):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 1), "Periuk",
                               "", work_related=True, actor=CLERK)


def test_a_death_ends_the_coverage_and_is_recorded_on_the_person(ledger: Ledger) -> None:
    member = covered_member(ledger)
    ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "RSUD Kota Tangerang",
                           "heart failure", work_related=False, actor=CLERK)
    ended = ledger.enrolment(member.id)
    assert ended.ended_on == date(2025, 9, 2) and ended.end_reason == EndReason.DIED
    person = ledger.person(member.nik)
    assert person is not None and person.died_on == date(2025, 9, 2) and not person.is_covered


def test_an_incident_after_a_recorded_death_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk", "",
                           work_related=False, actor=CLERK)
    with pytest.raises(IncidentAfterDeathError, match="deceased on 2025-09-02"):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 9, 3), "Periuk",
                               "", work_related=True, actor=CLERK)
    with pytest.raises(DeceasedError, match="already recorded"):
        ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk", "",
                               work_related=False, actor=CLERK)


def test_an_accident_before_the_death_may_still_be_reported(ledger: Ledger) -> None:
    member = covered_member(ledger)
    ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk", "",
                           work_related=True, actor=CLERK)
    earlier = ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 8, 30),
                                     "Periuk", "the accident that led to it",
                                     work_related=True, actor=CLERK)
    assert earlier.occurred_on == date(2025, 8, 30)


def test_an_incident_without_a_place_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    with pytest.raises(InvalidInputError, match="where it happened"):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 1), " ", "",
                               work_related=True, actor=CLERK)


# -- read without copying: the cache's own instance, still fast-forwarded --------------------------


def test_a_coverage_check_reads_the_payments_without_copying_them(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.contribution import Contribution

    member = covered_member(ledger)
    copies: list[int] = []
    original = Contribution.__deepcopy__

    def counted(self: Contribution, memo: dict[int, object]) -> Contribution:
        copies.append(1)
        return original(self, memo)

    monkeypatch.setattr(Contribution, "__deepcopy__", counted)
    for _ in range(3):
        assert ledger.coverage_on(member.id, date(2025, 7, 14)).covered
    ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14), "Periuk", "",
                           work_related=True, actor=CLERK)
    assert copies == []


def test_a_payment_reversed_after_a_coverage_check_is_seen_by_the_next_check(
        ledger: Ledger) -> None:
    member = covered_member(ledger, months=("2025-03",))
    assert ledger.coverage_on(member.id, date(2025, 3, 30)).covered  # the payment now cached
    ledger.reverse_contribution("TNG-2025", "SP2D/7/2025-03", date(2025, 4, 20), "bounced",
                                "finance.rina")
    assert not ledger.coverage_on(member.id, date(2025, 3, 30)).covered
    with pytest.raises(NotCoveredError):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 3, 30), "Periuk",
                               "", work_related=True, actor=CLERK)


def test_a_programme_closed_after_an_enrolment_refuses_the_next_one(ledger: Ledger) -> None:
    from ledger.errors import ProgrammeClosedError
    from scenario import worker

    covered_member(ledger)  # the programme now cached, read for the enrolment's checks
    ledger.close_programme("TNG-2025", date(2025, 6, 30), "moved to the 2026 programme", "admin")
    with pytest.raises(ProgrammeClosedError):
        ledger.enrol("TNG-2025", worker(date(2025, 3, 24), seed=8), actor=CLERK)


# -- a payment order's months and members never change: read once, not again each check --------


def test_a_coverage_check_does_not_ask_the_store_again_for_a_payment_order_it_has_read(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.contribution import contribution_id

    member = covered_member(ledger)
    payment = contribution_id("TNG-2025", "SP2D/7/2025-03")
    assert ledger.coverage_on(member.id, date(2025, 7, 14)).covered  # read once here
    asked: list[object] = []
    store = ledger.repository.event_store
    original = store.get

    def noted(originator_id: object, *args: object, **kwargs: object) -> object:
        asked.append(originator_id)
        return original(originator_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "get", noted)
    assert ledger.coverage_on(member.id, date(2025, 7, 14)).covered
    ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14), "Periuk", "",
                           work_related=True, actor=CLERK)
    assert asked and payment not in asked  # the enrolment and programme are still read fresh


def test_a_payment_reversed_by_another_process_after_a_check_is_seen_by_the_next_check(
        ledger: Ledger, store_settings: object) -> None:
    from storage.log_index import open_ledger

    member = covered_member(ledger, months=("2025-03",))
    assert ledger.coverage_on(member.id, date(2025, 3, 30)).covered  # the payment now cached
    other = open_ledger(store_settings)  # type: ignore[arg-type]
    try:
        other.reverse_contribution("TNG-2025", "SP2D/7/2025-03", date(2025, 4, 20), "bounced",
                                   "finance.rina")
    finally:
        other.close()
    assert not ledger.coverage_on(member.id, date(2025, 3, 30)).covered
    with pytest.raises(NotCoveredError):
        ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 3, 30), "Periuk",
                               "", work_related=True, actor=CLERK)


def test_an_accident_reads_the_enrolment_and_person_without_copying_and_a_death_copies_them(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    import eventsourcing.application as library

    from ledger.enrolment import Enrolment
    from ledger.person import Person

    member = covered_member(ledger)
    ledger.coverage_on(member.id, date(2025, 7, 14))  # everything it reads now cached
    copied: list[str] = []
    original = library.deepcopy

    def noted(value: object, *args: object) -> object:
        copied.append(type(value).__name__)
        return original(value, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(library, "deepcopy", noted)
    ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14), "Periuk", "",
                           work_related=True, actor=CLERK)
    assert Enrolment.__name__ not in copied and Person.__name__ not in copied
    ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 7, 20), "Periuk", "",
                           work_related=False, actor=CLERK)
    assert {Enrolment.__name__, Person.__name__} <= set(copied)
    assert not ledger.enrolment(member.id).is_active
