"""Claims: computed amounts, four-eyes approvals, payouts within the approval, reversals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.claim import ClaimStatus, Deceased
from ledger.enrolment import Enrolment
from ledger.errors import (
    BenefitNotApplicableError,
    BenefitNotInProgrammeError,
    BudgetExceededError,
    ClaimExpiredError,
    ClaimStateError,
    DuplicateDeathBenefitError,
    ExcludedCauseError,
    FourEyesError,
    InvalidInputError,
    NotEligibleError,
    PayoutExceedsApprovedError,
)
from ledger.incident import IncidentKind
from scenario import (
    APPROVER,
    CLERK,
    FINANCE,
    covered_member,
    grant_terms,
    heir,
    member_self,
    worker,
)


def _death(ledger: Ledger, member: Enrolment, on: date, work_related: bool) -> str:
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, on, "Periuk",
                                      "died", work_related=work_related, actor=CLERK)
    return str(incident.id)


def _accident(ledger: Ledger, member: Enrolment, on: date = date(2025, 7, 14)) -> str:
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, on, "Jl. Gatot Subroto",
                                      "hit by a truck", work_related=True, actor=CLERK)
    return str(incident.id)


def test_a_jkm_claim_after_three_months_is_computed_at_forty_two_million(
    ledger: Ledger,
) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 9, 10), actor=CLERK)
    assert claim.entitlement == 42_000_000
    assert claim.rule_version == "PP82-2019/PP44-2015 v1"
    assert [line["amount"] for line in claim.computation] == [20_000_000, 12_000_000, 10_000_000]


def test_a_death_within_three_months_of_enrolment_pays_ten_million(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 5, 30), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 6, 2), actor=CLERK)
    assert claim.entitlement == 10_000_000


def test_a_work_accident_death_pays_seventy_million_as_jkk(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), True), Benefit.JKK_DEATH,
                              heir("child"), date(2025, 9, 10), actor=CLERK)
    assert claim.entitlement == 70_000_000


def test_total_permanent_disability_pays_sixty_eight_million(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_accident(ledger, member), Benefit.JKK_TOTAL_DISABILITY,
                              member_self(member), date(2025, 10, 1), actor=CLERK)
    assert claim.entitlement == 68_000_000


def test_temporary_incapacity_of_fourteen_months_pays_thirteen_million(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_accident(ledger, member), Benefit.JKK_TEMPORARY_INCAPACITY,
                              member_self(member), date(2025, 10, 1), actor=CLERK,
                              incapacity_months=14)
    assert claim.entitlement == 13_000_000


def test_temporary_incapacity_needs_its_months(ledger: Ledger) -> None:
    member = covered_member(ledger)
    with pytest.raises(InvalidInputError, match="months of incapacity"):
        ledger.file_claim(_accident(ledger, member), Benefit.JKK_TEMPORARY_INCAPACITY,
                          member_self(member), date(2025, 10, 1), actor=CLERK)


def test_jkm_for_a_work_related_death_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    with pytest.raises(BenefitNotApplicableError, match="claim jkk_death instead"):
        ledger.file_claim(_death(ledger, member, date(2025, 9, 2), True), Benefit.JKM_DEATH,
                          heir(), date(2025, 9, 10), actor=CLERK)


def test_jkk_for_an_accident_off_work_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14),
                                      "home", "slipped", work_related=False, actor=CLERK)
    with pytest.raises(BenefitNotApplicableError, match="not work-related"):
        ledger.file_claim(incident.id, Benefit.JKK_TOTAL_DISABILITY, member_self(member),
                          date(2025, 8, 1), actor=CLERK)


def test_one_death_is_paid_as_jkk_or_jkm_never_both(ledger: Ledger) -> None:
    member = covered_member(ledger)
    death = _death(ledger, member, date(2025, 9, 2), True)
    ledger.file_claim(death, Benefit.JKK_DEATH, heir(), date(2025, 9, 10), actor=CLERK)
    with pytest.raises(DuplicateDeathBenefitError, match="never both"):
        ledger.file_claim(death, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), actor=CLERK)
    with pytest.raises(DuplicateDeathBenefitError):
        ledger.file_claim(death, Benefit.JKK_DEATH, heir(), date(2025, 9, 11), actor=CLERK)


def test_a_rejected_death_claim_frees_the_death_for_the_right_benefit(ledger: Ledger) -> None:
    member = covered_member(ledger)
    death = _death(ledger, member, date(2025, 9, 2), True)
    first = ledger.file_claim(death, Benefit.JKK_DEATH, heir(), date(2025, 9, 10), actor=CLERK)
    ledger.reject_claim(first.id, "incomplete_file", "no police report", date(2025, 9, 12),
                        APPROVER)
    again = ledger.file_claim(death, Benefit.JKK_DEATH, heir(), date(2025, 9, 20), actor=CLERK)
    assert again.entitlement == 70_000_000
    assert ledger.claim(first.id).status is ClaimStatus.REJECTED


def test_jkk_claims_expire_five_years_after_the_accident(ledger: Ledger) -> None:
    member = covered_member(ledger)
    with pytest.raises(ClaimExpiredError, match="expired on 2030-07-14"):
        ledger.file_claim(_accident(ledger, member), Benefit.JKK_TOTAL_DISABILITY,
                          member_self(member), date(2030, 7, 15), actor=CLERK)


def test_a_death_benefit_needs_an_heir_with_a_certificate(ledger: Ledger) -> None:
    member = covered_member(ledger)
    death = _death(ledger, member, date(2025, 9, 2), False)
    with pytest.raises(InvalidInputError, match="heir certificate"):
        ledger.file_claim(death, Benefit.JKM_DEATH, replace(heir(), heir_certificate=""),
                          date(2025, 9, 10), actor=CLERK)
    with pytest.raises(InvalidInputError, match="relationship must be one of"):
        ledger.file_claim(death, Benefit.JKM_DEATH, replace(heir(), relationship="friend"),
                          date(2025, 9, 10), actor=CLERK)
    with pytest.raises(InvalidInputError, match="account number"):
        ledger.file_claim(death, Benefit.JKM_DEATH, replace(heir(), account_number="12a"),
                          date(2025, 9, 10), actor=CLERK)


def test_the_clerk_who_filed_cannot_approve(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 9, 10), actor=CLERK)
    with pytest.raises(FourEyesError, match=r"clerk\.siti filed this claim"):
        ledger.approve_claim(claim.id, date(2025, 9, 11), actor=CLERK)
    approved = ledger.approve_claim(claim.id, date(2025, 9, 11), actor=APPROVER)
    assert approved.approved_by == APPROVER and approved.approved_amount == 42_000_000


def test_an_approved_claim_cannot_be_approved_or_rejected_again(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 9, 10), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), actor=APPROVER)
    with pytest.raises(ClaimStateError, match="already approved"):
        ledger.approve_claim(claim.id, date(2025, 9, 11), actor="approver.other")
    with pytest.raises(ClaimStateError, match="already approved"):
        ledger.reject_claim(claim.id, "other", "", date(2025, 9, 12), "approver.other")


def test_a_rejection_needs_a_known_reason_code(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 9, 10), actor=CLERK)
    with pytest.raises(InvalidInputError, match="rejection reason must be one of"):
        ledger.reject_claim(claim.id, "because", "", date(2025, 9, 12), APPROVER)


def test_payouts_never_exceed_the_approved_amount(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 9, 10), actor=CLERK)
    with pytest.raises(ClaimStateError, match="only an approved claim can be paid"):
        ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 12), FINANCE)
    ledger.approve_claim(claim.id, date(2025, 9, 11), actor=APPROVER)
    ledger.disburse(claim.id, "TRF-1", 30_000_000, date(2025, 9, 12), FINANCE)
    with pytest.raises(PayoutExceedsApprovedError, match=r"Rp12\.000\.000 is outstanding"):
        ledger.disburse(claim.id, "TRF-2", 12_000_001, date(2025, 9, 13), FINANCE)
    paid = ledger.disburse(claim.id, "TRF-2", 12_000_000, date(2025, 9, 13), FINANCE)
    assert paid.is_paid and paid.outstanding == 0


def test_a_reversed_payout_is_outstanding_again(ledger: Ledger) -> None:
    member = covered_member(ledger)
    claim = ledger.file_claim(_death(ledger, member, date(2025, 9, 2), False), Benefit.JKM_DEATH,
                              heir(), date(2025, 9, 10), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), actor=APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 12), FINANCE)
    reversed_ = ledger.reverse_disbursement(claim.id, "TRF-1", "account closed",
                                            date(2025, 9, 15), FINANCE)
    assert reversed_.outstanding == 42_000_000 and not reversed_.is_paid
    with pytest.raises(InvalidInputError, match="already recorded"):
        ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 16), FINANCE)


def _deceased(nik: str, decile: int = 2) -> Deceased:
    request = worker(nik=nik)
    return Deceased(nik, request.name, request.kk, "36.71", "36.71.08", decile, "DTKS",
                    date(2025, 2, 1))


def test_the_city_grant_pays_three_million_within_forty_working_days(ledger: Ledger) -> None:
    from scenario import a_nik

    ledger.open_programme(grant_terms(), actor="admin")
    claim = ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(5)), date(2025, 2, 3),
                                    "illness", heir(), date(2025, 3, 10), actor=CLERK)
    assert claim.entitlement == 3_000_000
    ledger.approve_claim(claim.id, date(2025, 3, 11), APPROVER)
    ledger.disburse(claim.id, "BTT-TRF-1", 3_000_000, date(2025, 3, 12), FINANCE)
    assert ledger.programme("TNG-SANTUNAN-2025").committed == 3_000_000


def test_the_city_grant_applied_for_too_late_is_refused(ledger: Ledger) -> None:
    from scenario import a_nik

    ledger.open_programme(grant_terms(), actor="admin")
    with pytest.raises(ClaimExpiredError, match="within 40 working days"):
        ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(5)), date(2025, 2, 3),
                                "illness", heir(), date(2025, 6, 10), actor=CLERK)


@pytest.mark.parametrize("cause", ["suicide", "drug_abuse", "natural_disaster"])
def test_the_city_grant_is_not_paid_for_excluded_causes(ledger: Ledger, cause: str) -> None:
    from scenario import a_nik

    ledger.open_programme(grant_terms(), actor="admin")
    with pytest.raises(ExcludedCauseError):
        ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(5)), date(2025, 2, 3),
                                cause, heir(), date(2025, 2, 10), actor=CLERK)


def test_the_city_grant_needs_the_deceased_in_the_welfare_register(ledger: Ledger) -> None:
    from scenario import a_nik

    ledger.open_programme(grant_terms(), actor="admin")
    with pytest.raises(NotEligibleError, match="decile 1-5"):
        ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(5), decile=8),
                                date(2025, 2, 3), "illness", heir(), date(2025, 2, 10),
                                actor=CLERK)


def test_one_grant_per_deceased_and_never_beyond_the_btt_budget(ledger: Ledger) -> None:
    from scenario import a_nik

    ledger.open_programme(grant_terms(budget_ceiling=3_000_000), actor="admin")
    first = ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(5)), date(2025, 2, 3),
                                    "illness", heir(), date(2025, 2, 10), actor=CLERK)
    with pytest.raises(DuplicateDeathBenefitError, match="already has a city death grant"):
        ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(5)), date(2025, 2, 3),
                                "illness", heir(), date(2025, 2, 11), actor=CLERK)
    second = ledger.file_grant_claim("TNG-SANTUNAN-2025", _deceased(a_nik(6)), date(2025, 2, 3),
                                     "illness", heir(), date(2025, 2, 10), actor=CLERK)
    for claim in (first, second):
        ledger.approve_claim(claim.id, date(2025, 2, 12), APPROVER)
    ledger.disburse(first.id, "BTT-1", 3_000_000, date(2025, 2, 13), FINANCE)
    with pytest.raises(BudgetExceededError, match=r"ceiling of Rp3\.000\.000"):
        ledger.disburse(second.id, "BTT-2", 3_000_000, date(2025, 2, 13), FINANCE)


def test_a_city_grant_in_a_jkk_jkm_programme_is_refused(ledger: Ledger) -> None:
    member = covered_member(ledger)
    death = _death(ledger, member, date(2025, 9, 2), False)
    ledger.open_programme(grant_terms(), actor="admin")
    with pytest.raises(BenefitNotInProgrammeError):
        ledger.file_grant_claim("TNG-2025", _deceased(member.nik), date(2025, 9, 2),
                                "illness", heir(), date(2025, 9, 10), actor=CLERK)
    assert ledger.incident(death).open_claims == {}
