"""Erasure is refused while a person's data is still needed, with every reason named, on both
stores; nothing is recorded by a refusal."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.enrolment import Enrolment
from ledger.erasure import (
    ErasureRefusedError,
    OpenClaimError,
    RetentionPeriodError,
    ScholarshipRunningError,
    StillCoveredError,
    UnpaidBenefitError,
)
from ledger.errors import InvalidInputError, NotFoundError
from ledger.incident import IncidentKind
from ledger.reads import log_head
from ledger.schooling import Child, SchoolLevel
from scenario import APPROVER, CLERK, FINANCE, a_nik, covered_member, heir, tangerang_terms

DIED_ON = date(2025, 9, 2)
BASIS = "UU 27/2022 pasal 8; permohonan ahli waris no. PDP/2026/014"
REASON = "the heirs asked for the deceased member's data to be erased"


def _member(ledger: Ledger, retention_years: int = 1) -> Enrolment:
    """A TNG-2025 member, their programme keeping data ``retention_years`` after cover ends."""
    ledger.open_programme(tangerang_terms(retention_years=retention_years), actor="admin")
    return covered_member(ledger)


def _death_claim(ledger: Ledger, member: Enrolment, *, approve: bool = True,
                 pay: bool = True, work_related: bool = False) -> str:
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, DIED_ON, "Periuk", "died",
                                      work_related=work_related, actor=CLERK)
    benefit = Benefit.JKK_DEATH if work_related else Benefit.JKM_DEATH
    claim = ledger.file_claim(incident.id, benefit, heir(), date(2025, 9, 10), actor=CLERK)
    if approve:
        approved = ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
        if pay:
            ledger.disburse(claim.id, "TRF-1", approved.approved_amount, date(2025, 9, 13),
                            actor=FINANCE)
    return str(claim.id)


def _refused(ledger: Ledger, nik: str) -> ErasureRefusedError:
    before = log_head(ledger)
    with pytest.raises(ErasureRefusedError) as refused:
        ledger.erase_person(nik, BASIS, REASON, actor="admin.ayu")
    assert log_head(ledger) == before  # a refusal records nothing
    return refused.value


def test_a_person_still_covered_is_not_erased(ledger: Ledger) -> None:
    member = _member(ledger)
    refusal = _refused(ledger, member.nik)
    assert isinstance(refusal, StillCoveredError)
    assert "still covered by programme TNG-2025" in str(refusal)
    assert member.nik not in str(refusal)


def test_a_claim_filed_and_not_decided_keeps_the_data(ledger: Ledger) -> None:
    member = _member(ledger)
    _death_claim(ledger, member, approve=False)
    refusal = _refused(ledger, member.nik)
    assert isinstance(refusal, OpenClaimError)
    assert "1 claim about the person is filed and not decided (jkm_death" in str(refusal)


def test_an_approved_benefit_not_fully_paid_keeps_the_data(ledger: Ledger) -> None:
    member = _member(ledger)
    _death_claim(ledger, member, pay=False)
    refusal = _refused(ledger, member.nik)
    assert isinstance(refusal, UnpaidBenefitError)
    assert "Rp42.000.000 still owed" in str(refusal)


def test_an_heirs_data_is_kept_while_the_benefit_owed_to_them_is_not_paid(
    ledger: Ledger,
) -> None:
    member = _member(ledger)
    _death_claim(ledger, member, pay=False)
    # The heir has no coverage of their own: the claim paid to them is what keeps their data.
    refusal = _refused(ledger, heir().nik)
    assert isinstance(refusal, UnpaidBenefitError)


def test_a_scholarship_still_running_for_the_children_keeps_the_data(ledger: Ledger) -> None:
    member = _member(ledger)
    claim_id = _death_claim(ledger, member, work_related=True)
    child = Child("Siti Aminah", a_nik(40, born=date(2016, 5, 10)), date(2016, 5, 10),
                  SchoolLevel.TK_SD)
    ledger.grant_scholarship(claim_id, [child], date(2025, 9, 15), actor=CLERK)
    refusal = _refused(ledger, member.nik)
    assert isinstance(refusal, ScholarshipRunningError)
    assert "a scholarship still runs for the person or their children" in str(refusal)


def test_the_programmes_retention_period_keeps_the_data_ten_years_by_default(
    ledger: Ledger,
) -> None:
    member = _member(ledger, retention_years=10)
    _death_claim(ledger, member)
    refusal = _refused(ledger, member.nik)
    assert isinstance(refusal, RetentionPeriodError)
    # The period runs from the last thing the programme did for the person: here the death
    # claim's approval, ten days after the death ended the coverage.
    assert ("programme TNG-2025 keeps the person's records until 2035-09-12 (10 years after "
            "claim jkm_death ") in str(refusal)
    assert "was approved on 2025-09-12); erasure is possible from that day" in str(refusal)


def test_every_reason_that_holds_is_named_in_one_answer(ledger: Ledger) -> None:
    member = _member(ledger, retention_years=10)
    _death_claim(ledger, member, approve=False)
    refusal = _refused(ledger, member.nik)
    assert type(refusal) is ErasureRefusedError
    assert [type(reason) for reason in refusal.reasons] == [OpenClaimError,
                                                           RetentionPeriodError]
    assert str(refusal).startswith("the person's data is still needed for 2 reasons: (1) ")


@pytest.mark.parametrize(("basis", "reason", "said"), [
    ("", REASON, "say the legal basis of the erasure"),
    (BASIS, "   ", "say the reason of the erasure"),
    (BASIS, "erase NIK 3671084803900001 please", "holds a 16-digit number (a NIK?)"),
    ("request 3671 0848 0390 0001", REASON, "holds a 16-digit number (a NIK?)"),
])
def test_a_basis_or_reason_that_is_empty_or_holds_a_nik_is_refused_in_plain_words(
    ledger: Ledger, basis: str, reason: str, said: str,
) -> None:
    member = _member(ledger)
    with pytest.raises(InvalidInputError, match=re.escape(said)):
        ledger.erase_person(member.nik, basis, reason, actor="admin.ayu")


def test_a_nik_the_ledger_never_saw_is_not_found(ledger: Ledger) -> None:
    _member(ledger)
    with pytest.raises(NotFoundError, match="holds no person with NIK 3671"):
        ledger.erase_person(a_nik(99), BASIS, REASON, actor="admin.ayu")
