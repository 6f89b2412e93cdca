"""Deadlines through the commands, on both stores: a JKK claim expires 5 years after the
accident; JKM is due 3 working days after its file is complete, and a later payout records the
heirs' interest, 1% of the benefit a day (docs/domain.md section 4)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.errors import BenefitNotApplicableError, ClaimExpiredError, ClaimStateError
from ledger.incident import IncidentKind
from scenario import APPROVER, CLERK, FINANCE, covered_member, heir, member_self

ACCIDENT = date(2025, 7, 14)
COMPLETE = date(2025, 9, 15)  # a Monday: due on the 3rd working day, Thursday 18 September


def _accident(ledger: Ledger, seed: int) -> str:
    member = covered_member(ledger, seed=seed)
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, ACCIDENT, "Jl. Daan Mogot",
                                      "hit by a truck", work_related=True, actor=CLERK)
    return str(incident.id)


def test_a_jkk_claim_is_in_time_the_day_before_and_on_its_expiry_and_refused_the_day_after(
    ledger: Ledger,
) -> None:
    early, last = _accident(ledger, 7), _accident(ledger, 8)
    member = ledger.enrolment(ledger.incident(early).enrolment_id)
    before = ledger.file_claim(early, Benefit.JKK_TOTAL_DISABILITY, member_self(member),
                               date(2030, 7, 13), actor=CLERK)
    assert before.entitlement == 68_000_000
    other = ledger.enrolment(ledger.incident(last).enrolment_id)
    with pytest.raises(ClaimExpiredError, match="this one expired on 2030-07-14"):
        ledger.file_claim(last, Benefit.JKK_TOTAL_DISABILITY, member_self(other),
                          date(2030, 7, 15), actor=CLERK)
    on_the_day = ledger.file_claim(last, Benefit.JKK_TOTAL_DISABILITY, member_self(other),
                                   date(2030, 7, 14), actor=CLERK)
    assert on_the_day.entitlement == 68_000_000


def _jkm_approved_and_complete(ledger: Ledger) -> str:
    member = covered_member(ledger)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "sakit", work_related=False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    ledger.record_file_complete(claim.id, COMPLETE, actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 16), actor=APPROVER)
    return str(claim.id)


@pytest.mark.parametrize(("paid_on", "days", "interest"), [
    (date(2025, 9, 19), 1, 420_000),
    (date(2025, 9, 28), 10, 4_200_000),
])
def test_a_late_jkm_payout_records_one_percent_a_day_for_the_heirs(
    ledger: Ledger, paid_on: date, days: int, interest: int,
) -> None:
    claim_id = _jkm_approved_and_complete(ledger)
    paid = ledger.disburse(claim_id, "TRF/JKM/1", 42_000_000, paid_on, actor=FINANCE)
    assert paid.due_on == date(2025, 9, 18)
    assert paid.late_interest["TRF/JKM/1"]["days_late"] == days
    assert paid.late_interest_owed == interest
    owed = list(ledger.events.get(paid.id))[-1]
    assert (type(owed).__name__, owed.amount, owed.paid) == (
        "LateInterestOwed", interest, 42_000_000)


def test_a_jkm_payout_on_its_due_day_owes_no_interest(ledger: Ledger) -> None:
    claim_id = _jkm_approved_and_complete(ledger)
    paid = ledger.disburse(claim_id, "TRF/JKM/1", 42_000_000, date(2025, 9, 18), actor=FINANCE)
    assert (paid.late_interest_owed, paid.outstanding) == (0, 0)
    assert type(list(ledger.events.get(paid.id))[-1]).__name__ == "Disbursed"


def test_a_complete_file_is_recorded_once_and_only_on_a_jkm_claim(ledger: Ledger) -> None:
    claim_id = _jkm_approved_and_complete(ledger)
    with pytest.raises(ClaimStateError, match="already recorded complete on 2025-09-15"):
        ledger.record_file_complete(claim_id, date(2025, 9, 16), actor=CLERK)
    accident = _accident(ledger, 9)
    member = ledger.enrolment(ledger.incident(accident).enrolment_id)
    jkk = ledger.file_claim(accident, Benefit.JKK_TOTAL_DISABILITY, member_self(member),
                            date(2025, 9, 10), actor=CLERK)
    with pytest.raises(BenefitNotApplicableError, match="only a JKM claim"):
        ledger.record_file_complete(jkk.id, COMPLETE, actor=CLERK)
