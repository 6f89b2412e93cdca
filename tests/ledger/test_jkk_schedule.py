"""The JKK schedule through the commands, on both stores (docs/domain.md section 4): STMB month
by month (100% of the Rp1.000.000 band for months 1-12, 50% from month 13) until recovery,
permanent disability or death; partial permanent disability as the table's percentage x 80 x
wage; medical care, transport and home care against receipts with their SHA-256."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import CURRENT_RULES_VERSION, Benefit
from ledger.claim import Claimant, ClaimStatus
from ledger.errors import (
    BenefitNotApplicableError,
    ClaimExpiredError,
    DuplicateDeathBenefitError,
    DuplicateReceiptError,
    FourEyesError,
    HomeCarePeriodError,
    InvalidInputError,
    LedgerError,
    NotFoundError,
    RuleViolationError,
)
from ledger.incident import IncidentKind
from ledger.reimbursement import Receipt, TransportMode
from ledger.rule_sets import TEST_RULE_SET, rule_book_with_test_set
from ledger.work_accident import IncapacityEnd
from ledger.work_accident_case import (
    CeilingReachedError,
    DisabilityClaimedError,
    IncapacityEndedError,
    StmbMonthClaimedError,
)
from scenario import APPROVER, CLERK, covered_in_2026, covered_member, member_self, projected
from storage.log_index import open_ledger
from storage.settings import StoreSettings

ACCIDENT = date(2025, 7, 14)


def _accident(ledger: Ledger, seed: int = 7, *, work_related: bool = True) -> str:
    member = covered_member(ledger, seed=seed)
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, ACCIDENT,
                                      "Jl. Daan Mogot", "hit by a truck",
                                      work_related=work_related, actor=CLERK)
    return str(incident.id)


def _month(ledger: Ledger, incident_id: str, month: int, filed_on: date) -> object:
    member = ledger.enrolment(ledger.incident(incident_id).enrolment_id)
    return ledger.file_stmb_month(incident_id, month, member_self(member), filed_on,
                                  actor=CLERK)


def _receipt(reference: str, amount: int, issued_on: date = date(2025, 7, 20)) -> Receipt:
    return Receipt(reference, issued_on, amount, hashlib.sha256(reference.encode()).hexdigest())


def test_stmb_month_12_pays_the_whole_wage_and_month_13_half_once_approved_by_another(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    twelfth = _month(ledger, incident, 12, date(2026, 6, 20))
    thirteenth = _month(ledger, incident, 13, date(2026, 7, 20))
    assert (twelfth.entitlement, thirteenth.entitlement) == (1_000_000, 500_000)
    assert thirteenth.facts["month"] == 13 and thirteenth.facts["percent"] == 50
    assert thirteenth.computation == [{
        "label": "STMB month 13 (2026-07-14 to 2026-08-13) at 50% of wage", "amount": 500_000}]
    assert thirteenth.rule_version == "PP82-2019/PP44-2015 v1"
    with pytest.raises(FourEyesError):
        ledger.approve_claim(thirteenth.id, date(2026, 7, 21), actor=CLERK)
    approved = ledger.approve_claim(thirteenth.id, date(2026, 7, 21), actor=APPROVER)
    assert (approved.status, approved.approved_amount) == (ClaimStatus.APPROVED, 500_000)


def test_a_month_of_stmb_claimed_twice_is_refused_and_free_again_once_rejected(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    first = _month(ledger, incident, 1, date(2025, 8, 1))
    with pytest.raises(StmbMonthClaimedError, match=r"month 1 of incapacity .* already claimed"):
        _month(ledger, incident, 1, date(2025, 8, 2))
    ledger.reject_claim(first.id, "duplicate", "", date(2025, 8, 3), actor=APPROVER)
    assert _month(ledger, incident, 1, date(2025, 8, 4)).entitlement == 1_000_000


def test_no_month_of_stmb_after_the_recorded_recovery_is_paid(ledger: Ledger) -> None:
    incident = _accident(ledger)
    _month(ledger, incident, 2, date(2025, 9, 1))
    case = ledger.end_incapacity(incident, IncapacityEnd.RECOVERY, date(2025, 9, 20),
                                 actor=CLERK)
    assert (case.ended_by, case.ended_on) == (IncapacityEnd.RECOVERY, date(2025, 9, 20))
    # Month 3 began (14 September) before the recovery (20 September): it is owed in full.
    third = _month(ledger, incident, 3, date(2025, 9, 25))
    assert third.entitlement == 1_000_000
    with pytest.raises(IncapacityEndedError,
                       match=re.escape(
                           "ended on 2025-09-20 (recovery); month 4 begins on 2025-10-14")):
        _month(ledger, incident, 4, date(2025, 10, 20))


def test_the_end_of_incapacity_is_recorded_once_and_not_before_a_claimed_month(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    _month(ledger, incident, 3, date(2025, 9, 20))
    with pytest.raises(IncapacityEndedError,
                       match=re.escape("month 3 (from 2025-09-14) is claimed")):
        ledger.end_incapacity(incident, IncapacityEnd.PERMANENT_DISABILITY, date(2025, 9, 1),
                              actor=CLERK)
    ledger.end_incapacity(incident, IncapacityEnd.DEATH, date(2025, 10, 2), actor=CLERK)
    with pytest.raises(RuleViolationError, match=re.escape("already ended on 2025-10-02 (death)")):
        ledger.end_incapacity(incident, IncapacityEnd.RECOVERY, date(2025, 10, 5), actor=CLERK)


def test_a_month_not_yet_begun_and_a_month_after_expiry_are_refused(ledger: Ledger) -> None:
    incident = _accident(ledger)
    with pytest.raises(InvalidInputError, match="month 3 of incapacity begins on 2025-09-14"):
        _month(ledger, incident, 3, date(2025, 9, 13))
    with pytest.raises(ClaimExpiredError, match="expired on 2030-07-14"):
        _month(ledger, incident, 20, date(2030, 7, 15))


def test_stmb_is_claimed_month_by_month_or_as_one_claim_never_both(ledger: Ledger) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    _month(ledger, incident, 1, date(2025, 8, 1))
    with pytest.raises(DuplicateDeathBenefitError, match="claimed month by month"):
        ledger.file_claim(incident, Benefit.JKK_TEMPORARY_INCAPACITY, member_self(member),
                          date(2025, 10, 1), actor=CLERK, incapacity_months=3)
    other = _accident(ledger, seed=8)
    other_member = ledger.enrolment(ledger.incident(other).enrolment_id)
    ledger.file_claim(other, Benefit.JKK_TEMPORARY_INCAPACITY, member_self(other_member),
                      date(2025, 10, 1), actor=CLERK, incapacity_months=3)
    with pytest.raises(DuplicateDeathBenefitError, match="as one claim of several months"):
        _month(ledger, other, 4, date(2025, 11, 1))


def test_a_schedule_benefit_is_not_filed_as_a_plain_claim_nor_on_an_accident_off_work(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    with pytest.raises(BenefitNotApplicableError, match="claimed on the accident's JKK case"):
        ledger.file_claim(incident, Benefit.JKK_STMB_MONTH, member_self(member),
                          date(2025, 8, 1), actor=CLERK)
    off_work = _accident(ledger, seed=8, work_related=False)
    with pytest.raises(BenefitNotApplicableError, match="not work-related"):
        _month(ledger, off_work, 1, date(2025, 8, 1))


def test_partial_disability_of_one_eye_pays_35_percent_of_80_wages_with_its_row_recorded(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    claim = ledger.file_partial_disability(incident, "eye_one", 100, member_self(member),
                                           date(2025, 11, 3), actor=CLERK)
    assert claim.entitlement == 28_000_000  # 35% x 80 x Rp1.000.000
    assert (claim.facts["disability_row"], claim.facts["disability_percent"]) == ("eye_one", 35)
    assert claim.computation[0]["label"].endswith(": 35% x 80 x wage")
    half = ledger.file_partial_disability(incident, "smell", 50, member_self(member),
                                          date(2025, 11, 3), actor=CLERK)
    assert half.entitlement == 4_000_000  # 10% x 50% of function x 80 x Rp1.000.000
    with pytest.raises(DisabilityClaimedError, match="'eye_one' of this accident is already"):
        ledger.file_partial_disability(incident, "eye_one", 100, member_self(member),
                                       date(2025, 11, 4), actor=CLERK)


def test_a_loss_the_table_does_not_hold_is_refused_naming_the_rows_it_has(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    with pytest.raises(InvalidInputError, match=r"'thumb' is not a loss in the disability table"
                                                r".*it lists: eyes_both, eye_one"):
        ledger.file_partial_disability(incident, "thumb", 100, member_self(member),
                                       date(2025, 11, 3), actor=CLERK)
    with pytest.raises(NotFoundError, match=f"there is no JKK case for incident {incident}"):
        ledger.work_accident_case(incident)  # nothing recorded: the case was not opened


def test_transport_is_capped_at_each_modes_ceiling_across_the_cases_claims(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    first = ledger.file_reimbursement(
        incident, Benefit.JKK_TRANSPORT,
        [(TransportMode.LAND, _receipt("AMB-1", 3_500_000)),
         (TransportMode.SEA, _receipt("KM-1", 2_400_000))],
        member_self(member), date(2025, 7, 25), actor=CLERK)
    assert first.entitlement == 3_500_000 + 2_000_000
    assert first.computation[1]["label"] == (
        "transport by sea: billed Rp2.400.000, paid up to the ceiling of Rp2.000.000")
    assert first.facts["receipts"][0]["sha256"] == hashlib.sha256(b"AMB-1").hexdigest()
    second = ledger.file_reimbursement(
        incident, Benefit.JKK_TRANSPORT, [(TransportMode.LAND, _receipt("AMB-2", 2_000_000))],
        member_self(member), date(2025, 7, 26), actor=CLERK)
    assert second.entitlement == 1_500_000  # land: Rp5.500.000 billed, Rp5.000.000 ceiling
    with pytest.raises(CeilingReachedError, match="already claimed up to its ceiling"):
        ledger.file_reimbursement(
            incident, Benefit.JKK_TRANSPORT,
            [(TransportMode.LAND, _receipt("AMB-3", 100_000))],
            member_self(member), date(2025, 7, 27), actor=CLERK)
    air = ledger.file_reimbursement(
        incident, Benefit.JKK_TRANSPORT, [(TransportMode.AIR, _receipt("GA-1", 12_000_000))],
        member_self(member), date(2025, 7, 27), actor=CLERK)
    assert air.entitlement == 10_000_000


def test_medical_care_is_paid_as_billed_and_a_receipt_is_paid_once(ledger: Ledger) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    care = ledger.file_reimbursement(
        incident, Benefit.JKK_MEDICAL_CARE,
        [(None, _receipt("RS-1", 48_250_000)), (None, _receipt("RS-2", 1_750_000))],
        member_self(member), date(2025, 8, 1), actor=CLERK)
    assert care.entitlement == 50_000_000
    with pytest.raises(DuplicateReceiptError, match="already claimed on claim"):
        ledger.file_reimbursement(incident, Benefit.JKK_MEDICAL_CARE,
                                  [(None, _receipt("RS-2", 1_750_000))],
                                  member_self(member), date(2025, 8, 2), actor=CLERK)


def test_home_care_is_capped_at_its_ceiling_and_refused_after_its_year(ledger: Ledger) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    started = date(2025, 8, 1)
    care = ledger.file_reimbursement(
        incident, Benefit.JKK_HOME_CARE, [(None, _receipt("HC-1", 22_000_000, date(2026, 1, 5)))],
        member_self(member), date(2026, 1, 6), actor=CLERK, started_on=started)
    assert care.entitlement == 20_000_000
    assert "paid up to the ceiling of Rp20.000.000" in care.computation[0]["label"]
    with pytest.raises(HomeCarePeriodError, match="receipt HC-2 is dated 2026-08-01"):
        ledger.file_reimbursement(
            incident, Benefit.JKK_HOME_CARE,
            [(None, _receipt("HC-2", 1_000_000, date(2026, 8, 1)))],
            member_self(member), date(2026, 8, 2), actor=CLERK, started_on=started)


def test_the_claims_read_model_lists_the_schedules_claims_with_their_amounts(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    thirteenth = _month(ledger, incident, 13, date(2026, 7, 20))
    ledger.approve_claim(thirteenth.id, date(2026, 7, 21), actor=APPROVER)
    ledger.end_incapacity(incident, IncapacityEnd.RECOVERY, date(2026, 8, 1), actor=CLERK)
    read = projected(ledger)["claims"]
    row = next(c for c in read if c["claim_id"] == str(thirteenth.id))
    assert (row["benefit"], row["status"], row["approved"]) == (
        "jkk_stmb_month", "approved", 500_000)


def test_a_recovery_recorded_before_any_month_is_claimed_still_ends_the_months(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    ledger.end_incapacity(incident, IncapacityEnd.RECOVERY, date(2025, 8, 1), actor=CLERK)
    assert _month(ledger, incident, 1, date(2025, 8, 5)).entitlement == 1_000_000
    with pytest.raises(IncapacityEndedError, match="month 2 begins on 2025-08-14"):
        _month(ledger, incident, 2, date(2025, 8, 20))
    off_work = _accident(ledger, seed=8, work_related=False)
    with pytest.raises(BenefitNotApplicableError, match="not work-related"):
        ledger.end_incapacity(off_work, IncapacityEnd.RECOVERY, date(2025, 8, 1), actor=CLERK)


def test_a_receipt_dated_before_the_accident_is_refused(ledger: Ledger) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    with pytest.raises(InvalidInputError, match="dated 2025-07-13, before the accident"):
        ledger.file_reimbursement(
            incident, Benefit.JKK_MEDICAL_CARE,
            [(None, _receipt("RS-0", 500_000, date(2025, 7, 13)))],
            member_self(member), date(2025, 7, 20), actor=CLERK)


@pytest.fixture
def test_book_ledger(store_settings: StoreSettings) -> Iterator[Ledger]:
    app = open_ledger(store_settings, rule_book=rule_book_with_test_set())
    yield app
    app.close()


def _accident_2026(ledger: Ledger, on: date, seed: int) -> tuple[str, Claimant]:
    member = covered_in_2026(ledger, seed=seed)
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, on, "Jl. Daan Mogot",
                                      "hit by a truck", work_related=True, actor=CLERK)
    return str(incident.id), member_self(member)


def test_the_schedule_follows_the_rule_set_in_force_on_the_accidents_day(
    test_book_ledger: Ledger,
) -> None:
    ledger = test_book_ledger
    june, june_payee = _accident_2026(ledger, date(2026, 6, 30), 11)
    july, july_payee = _accident_2026(ledger, date(2026, 7, 1), 12)
    before = ledger.file_stmb_month(june, 13, june_payee, date(2027, 7, 5), actor=CLERK)
    after = ledger.file_stmb_month(july, 13, july_payee, date(2027, 7, 5), actor=CLERK)
    assert (before.entitlement, before.rule_version) == (500_000, CURRENT_RULES_VERSION)
    assert (after.entitlement, after.rule_version) == (600_000, TEST_RULE_SET.version)
    land = ledger.file_reimbursement(
        july, Benefit.JKK_TRANSPORT, [(TransportMode.LAND, _receipt("AMB-7", 7_000_000,
                                                                     date(2026, 7, 1)))],
        july_payee, date(2026, 7, 3), actor=CLERK)
    assert land.entitlement == 6_000_000  # the test set's land ceiling


def test_a_revoked_reimbursement_frees_its_receipts_and_its_share_of_the_ceiling(
    ledger: Ledger,
) -> None:
    incident = _accident(ledger)
    member = ledger.enrolment(ledger.incident(incident).enrolment_id)
    forged = ledger.file_reimbursement(
        incident, Benefit.JKK_TRANSPORT, [(TransportMode.LAND, _receipt("AMB-9", 5_000_000))],
        member_self(member), date(2025, 7, 25), actor=CLERK)
    ledger.approve_claim(forged.id, date(2025, 7, 26), actor=APPROVER)
    ledger.revoke_approval(forged.id, "the ambulance receipt was issued to another patient",
                           date(2025, 7, 28), actor=APPROVER)
    assert str(forged.id) not in ledger.work_accident_case(incident).reimbursements
    rightly = ledger.file_reimbursement(
        incident, Benefit.JKK_TRANSPORT, [(TransportMode.LAND, _receipt("AMB-10", 4_000_000))],
        member_self(member), date(2025, 7, 29), actor=CLERK)
    assert rightly.entitlement == 4_000_000


def test_four_clerks_claiming_the_same_first_month_at_once_let_exactly_one_win(
    ledger: Ledger, store_settings: StoreSettings,
) -> None:
    incident = _accident(ledger)
    payee = member_self(ledger.enrolment(ledger.incident(incident).enrolment_id))
    apps = [open_ledger(store_settings) for _ in range(4)]
    barrier = threading.Barrier(4)
    wins: list[object] = []
    losses: list[Exception] = []

    def claim(index: int) -> None:
        barrier.wait()
        try:
            wins.append(apps[index].file_stmb_month(incident, 1, payee, date(2025, 8, 1),
                                                    actor=f"{CLERK}{index}"))
        except LedgerError as error:
            losses.append(error)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for app in apps:
            app.close()
    assert len(wins) == 1
    assert len(losses) == 3 and all(isinstance(e, StmbMonthClaimedError) for e in losses)
    assert list(ledger.work_accident_case(incident).months.values()) == [1]
