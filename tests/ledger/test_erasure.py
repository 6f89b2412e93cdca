"""Erasure done, on both stores: PersonErased recorded, then the key and the index row
destroyed; the person's sealed fields read "[dihapus]"; twice is refused; a crash between the
record and the destruction is finished by a re-run; an heir is erased as a person of their own."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.enrolment import Enrolment
from ledger.erasure import ERASED, AlreadyErasedError
from ledger.errors import NotFoundError
from ledger.incident import IncidentKind
from ledger.reads import log_head
from scenario import APPROVER, CLERK, FINANCE, covered_member, heir, tangerang_terms

BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/014"
REASON = "the heirs asked for the deceased member's data to be erased"


def _paid_death(ledger: Ledger) -> tuple[Enrolment, str]:
    """A member of a programme keeping data one year, who died in 2025; the JKM benefit paid
    to the heir in full."""
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                      "died", work_related=False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 13), actor=FINANCE)
    return member, str(claim.id)


def test_an_erasure_records_person_erased_then_destroys_the_key_and_the_index_row(
    ledger: Ledger,
) -> None:
    member, claim_id = _paid_death(ledger)
    report = ledger.erase_person(member.nik, BASIS, REASON, actor="admin.ayu")
    assert report.person_id == member.person_id
    assert report.masked_nik == member.nik[:4] + "********" + member.nik[-4:]
    assert report.position == log_head(ledger)
    assert report.data_key_destroyed and report.index_rows_removed == 1
    assert report.unreadable == {"Claim.Filed": 1, "Enrolment.Enrolled": 1,
                                 "Incident.Reported": 1, "Person.Registered": 1}
    assert not report.completed_earlier_erasure
    assert ledger.personal.is_erased(report.person_id)  # type: ignore[arg-type]
    # The log still decodes; the member's personal fields read [dihapus], every figure kept.
    enrolment = ledger.enrolment(member.id)
    assert (enrolment.nik, enrolment.name, enrolment.kk) == (ERASED, ERASED, ERASED)
    assert enrolment.decile == member.decile and enrolment.ended_on == date(2025, 9, 2)
    claim = ledger.claim(claim_id)
    assert claim.subject_nik == ERASED and claim.disbursed == 42_000_000
    assert claim.claimant["nik"] == heir().nik  # the heir is a subject of their own
    assert ledger.person(member.nik) is None  # the NIK is no longer in the index


def test_erasing_twice_is_refused_as_already_erased_by_id_and_not_found_by_nik(
    ledger: Ledger,
) -> None:
    member, _ = _paid_death(ledger)
    report = ledger.erase_person(member.nik, BASIS, REASON, actor="admin.ayu")
    head = log_head(ledger)
    with pytest.raises(AlreadyErasedError, match="was already erased on 20"):
        ledger.erase_person(None, BASIS, REASON, actor="admin.ayu", person_id=report.person_id)
    with pytest.raises(NotFoundError, match="or the person was erased"):
        ledger.erase_person(member.nik, BASIS, REASON, actor="admin.ayu")
    assert log_head(ledger) == head


def test_a_crash_between_the_record_and_the_destruction_is_finished_by_a_re_run(
    ledger: Ledger,
) -> None:
    member, _ = _paid_death(ledger)
    person = ledger.person(member.nik)
    assert person is not None
    person.record_erasure(date(2026, 12, 2), BASIS, REASON, "admin.ayu")
    ledger.save(person)  # ... and the process died before the key was destroyed
    recorded = log_head(ledger)
    assert not ledger.personal.is_erased(person.id)
    report = ledger.erase_person(member.nik, BASIS, "again", actor="admin.ayu")
    assert report.completed_earlier_erasure and report.data_key_destroyed
    assert report.position == recorded and log_head(ledger) == recorded  # nothing new recorded
    assert report.erased_on == date(2026, 12, 2)
    assert ledger.personal.is_erased(person.id)


def test_an_heir_is_erased_as_a_person_of_their_own_once_paid(ledger: Ledger) -> None:
    member, claim_id = _paid_death(ledger)
    report = ledger.erase_person(heir().nik, BASIS, "the heir asked", actor="admin.ayu")
    assert report.unreadable == {"Claim.Filed": 1, "Person.Registered": 1}
    claim = ledger.claim(claim_id)
    assert claim.claimant["nik"] == ERASED and claim.claimant["account_number"] == ERASED
    assert claim.claimant["bank"] == "Bank BJB"  # not personal: kept in clear
    assert claim.subject_nik == member.nik  # the member is not erased by their heir's erasure
