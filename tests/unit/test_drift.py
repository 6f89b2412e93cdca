"""Re-adjudication drift: a decided claim's amount under another rule set."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.benefits import Benefit, BenefitRules
from ledger.drift import DecidedClaim, DecidedScholarshipYear, drift, drifted, recompute
from ledger.errors import InvalidInputError
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
