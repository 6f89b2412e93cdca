"""Re-adjudication drift: a decided claim's amount under another rule set."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from ledger.benefits import Benefit, BenefitRules
from ledger.drift import DecidedClaim, DecidedScholarshipYear, drift, drifted, recompute
from ledger.errors import InvalidInputError
from ledger.reimbursement import Receipt, TransportMode
from ledger.schooling import SchoolLevel, SchoolYear

V1 = "PP82-2019/PP44-2015 v1"
JKM = DecidedClaim("c-jkm", Benefit.JKM_DEATH, 42_000_000, V1, wage=1_000_000,
                   enrolled_on=date(2025, 3, 24), occurred_on=date(2025, 8, 1))
JKM_EARLY = DecidedClaim("c-early", Benefit.JKM_DEATH, 10_000_000, V1, wage=1_000_000,
                         enrolled_on=date(2025, 3, 24), occurred_on=date(2025, 5, 1))
JKK_DEATH = DecidedClaim("c-jkk", Benefit.JKK_DEATH, 70_000_000, V1, wage=1_000_000,
                         occurred_on=date(2025, 6, 2))
STMB = DecidedClaim("c-stmb", Benefit.JKK_TEMPORARY_INCAPACITY, 13_000_000, V1, wage=1_000_000,
                    occurred_on=date(2025, 1, 10), incapacity_months=14)
GRANT = DecidedClaim("c-grant", Benefit.CITY_DEATH_GRANT, 3_000_000, V1)
TK_SD_YEAR = DecidedScholarshipYear("c-tk", SchoolLevel.TK_SD, SchoolYear(2025), 1_500_000, V1)


def test_a_jkm_claim_decided_under_the_old_set_drifts_by_5_million_under_the_test_set(
        later: BenefitRules) -> None:
    found = drift(JKM, later)
    assert (found.decided_amount, found.recomputed_amount, found.difference) == (
        42_000_000, 47_000_000, 5_000_000)
    assert found.differs
    assert found.describe() == (
        "decided Rp42.000.000 under 'PP82-2019/PP44-2015 v1'; Rp47.000.000 under "
        "'TEST-2026-07 (fixture, not a regulation)', Rp5.000.000 more")


def test_a_claim_recomputed_under_its_own_set_does_not_drift(v1: BenefitRules) -> None:
    assert [drift(claim, v1).differs for claim in (JKM, JKM_EARLY, JKK_DEATH, STMB, GRANT,
                                                   TK_SD_YEAR)] == [False] * 6
    assert recompute(STMB, v1).amount == 13_000_000


def test_only_the_claims_whose_figures_changed_are_listed_with_both_figures(
        later: BenefitRules) -> None:
    found = drifted([JKM, JKM_EARLY, JKK_DEATH, STMB, GRANT, TK_SD_YEAR], later)
    assert [(d.claim_id, d.decided_amount, d.recomputed_amount) for d in found] == [
        ("c-jkm", 42_000_000, 47_000_000),
        ("c-jkk", 70_000_000, 72_000_000),
        ("c-stmb", 13_000_000, 13_200_000),  # months 13-14 at 60% instead of 50%
        ("c-tk", 1_500_000, 2_000_000),
    ]


def test_a_claim_that_recorded_too_few_facts_cannot_be_recomputed(later: BenefitRules) -> None:
    bare = DecidedClaim("c-bare", Benefit.JKK_TEMPORARY_INCAPACITY, 3_000_000, V1,
                        wage=1_000_000)
    with pytest.raises(InvalidInputError, match="claim c-bare recorded no incapacity months"):
        drift(bare, later)


def _receipt(reference: str, amount: int, issued_on: date = date(2025, 7, 20)) -> Receipt:
    return Receipt(reference, issued_on, amount, hashlib.sha256(reference.encode()).hexdigest())


LAND = TransportMode.LAND
# The JKK schedule of an accident on 14 July 2025 at the Rp1.000.000 band (docs/domain.md
# section 4): STMB month 12 at 100%, month 13 at 50%; one eye lost, 35% x 80 x wage.
MONTH_12 = DecidedClaim("c-m12", Benefit.JKK_STMB_MONTH, 1_000_000, V1, wage=1_000_000,
                        stmb_month=12)
MONTH_13 = DecidedClaim("c-m13", Benefit.JKK_STMB_MONTH, 500_000, V1, wage=1_000_000,
                        stmb_month=13)
EYE = DecidedClaim("c-eye", Benefit.JKK_PARTIAL_DISABILITY, 28_000_000, V1, wage=1_000_000,
                   disability_row="eye_one", function_lost_percent=100)
# Transport by land: Rp7.000.000 billed on one claim, paid up to the Rp5.000.000 ceiling.
TRANSPORT = DecidedClaim("c-tr", Benefit.JKK_TRANSPORT, 5_000_000, V1,
                         receipts=((LAND, _receipt("AMB-1", 7_000_000)),))
# A second transport claim of a case whose first held Rp4.000.000: Rp3.000.000 billed adds
# Rp1.000.000 up to the Rp5.000.000 ceiling.
SECOND_TRANSPORT = DecidedClaim("c-tr2", Benefit.JKK_TRANSPORT, 1_000_000, V1,
                                receipts=((LAND, _receipt("AMB-3", 3_000_000)),),
                                earlier_receipts=((LAND, _receipt("AMB-2", 4_000_000)),))
MEDICAL = DecidedClaim("c-med", Benefit.JKK_MEDICAL_CARE, 45_000_000, V1,
                       receipts=((None, _receipt("RS-1", 45_000_000)),))


def test_the_schedule_s_claims_recomputed_under_their_own_set_do_not_drift(
        v1: BenefitRules) -> None:
    assert [recompute(claim, v1).amount for claim in (
        MONTH_12, MONTH_13, EYE, TRANSPORT, SECOND_TRANSPORT, MEDICAL)] == [
        1_000_000, 500_000, 28_000_000, 5_000_000, 1_000_000, 45_000_000]


def test_stmb_month_13_drifts_to_60_percent_under_the_test_set_and_month_12_does_not(
        later: BenefitRules) -> None:
    assert not drift(MONTH_12, later).differs
    found = drift(MONTH_13, later)
    assert (found.recomputed_amount, found.difference) == (600_000, 100_000)


def test_transport_recomputes_its_ceiling_counting_the_case_s_earlier_receipts(
        later: BenefitRules) -> None:
    # The test set's land ceiling is Rp6.000.000: Rp1.000.000 more on each claim.
    assert (drift(TRANSPORT, later).recomputed_amount,
            drift(SECOND_TRANSPORT, later).recomputed_amount) == (6_000_000, 2_000_000)
    assert not drift(MEDICAL, later).differs  # as billed under both sets
    assert not drift(EYE, later).differs  # the same table row and multiple


def test_a_schedule_claim_that_recorded_no_month_or_row_says_it_cannot_be_recomputed(
        later: BenefitRules) -> None:
    with pytest.raises(InvalidInputError, match="recorded no STMB month"):
        recompute(DecidedClaim("c-x", Benefit.JKK_STMB_MONTH, 500_000, V1, wage=1_000_000),
                  later)
    with pytest.raises(InvalidInputError, match="recorded no disability row"):
        recompute(DecidedClaim("c-y", Benefit.JKK_PARTIAL_DISABILITY, 1, V1, wage=1_000_000),
                  later)
