"""Deadlines and the interest a late JKM payout owes the heirs (PP 82/2019)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.benefits import BenefitRules
from ledger.deadlines import (
    jkk_claim_expires_on,
    jkm_due_on,
    jkm_late_interest,
    late_interest,
    require_jkk_claim_in_time,
)
from ledger.errors import ClaimExpiredError

ACCIDENT = date(2025, 3, 24)
JKM = 42_000_000


def test_a_jkk_claim_filed_the_day_before_it_expires_is_in_time(v1: BenefitRules) -> None:
    assert jkk_claim_expires_on(v1, ACCIDENT) == date(2030, 3, 24)
    require_jkk_claim_in_time(v1, accident_on=ACCIDENT, filed_on=date(2030, 3, 23))
    require_jkk_claim_in_time(v1, accident_on=ACCIDENT, filed_on=date(2030, 3, 24))


def test_a_jkk_claim_filed_the_day_after_it_expired_is_refused(v1: BenefitRules) -> None:
    with pytest.raises(ClaimExpiredError) as refused:
        require_jkk_claim_in_time(v1, accident_on=ACCIDENT, filed_on=date(2030, 3, 25))
    assert str(refused.value) == (
        "JKK claims expire 5 years after the accident (2025-03-24); this one expired on "
        "2030-03-24")


def test_an_accident_on_29_february_expires_on_28_february_five_years_later(
        v1: BenefitRules) -> None:
    assert jkk_claim_expires_on(v1, date(2024, 2, 29)) == date(2029, 2, 28)


def test_jkm_is_due_on_the_third_working_day_after_the_complete_file(v1: BenefitRules) -> None:
    assert jkm_due_on(v1, date(2025, 10, 2)) == date(2025, 10, 7)  # Thu -> Fri, Mon, Tue
    # Christmas Day is not a working day: Wed 24, Fri 26, Mon 29 December.
    assert jkm_due_on(v1, date(2025, 12, 23)) == date(2025, 12, 29)


def test_one_day_late_owes_the_heirs_1_percent_of_42_million(v1: BenefitRules) -> None:
    owed = jkm_late_interest(v1, benefit=JKM, file_complete_on=date(2025, 10, 2),
                             paid_on=date(2025, 10, 8))
    assert (owed.due_on, owed.days_late, owed.amount) == (date(2025, 10, 7), 1, 420_000)
    assert owed.describe() == (
        "paid 1 day(s) after it was due on 2025-10-07: 1 x 1% of Rp42.000.000 = Rp420.000 "
        "owed to the heirs")


def test_ten_days_late_owes_the_heirs_4_2_million(v1: BenefitRules) -> None:
    owed = jkm_late_interest(v1, benefit=JKM, file_complete_on=date(2025, 10, 2),
                             paid_on=date(2025, 10, 17))
    assert (owed.days_late, owed.amount) == (10, 4_200_000)


def test_a_payout_on_or_before_its_due_day_owes_nothing(v1: BenefitRules) -> None:
    due = date(2025, 10, 7)
    assert late_interest(v1, benefit=JKM, due_on=due, paid_on=due).amount == 0
    assert late_interest(v1, benefit=JKM, due_on=due, paid_on=date(2025, 10, 3)).days_late == 0


def test_a_fraction_of_a_rupiah_of_interest_is_rounded_up_in_the_heirs_favour(
        v1: BenefitRules) -> None:
    # 1% of Rp10.000.050 is Rp100.000,50: the heirs get Rp100.001.
    owed = late_interest(v1, benefit=10_000_050, due_on=date(2025, 10, 7),
                         paid_on=date(2025, 10, 8))
    assert owed.amount == 100_001
    # Rounded once on the total: 3 days of Rp100.000,50 is Rp300.001,50 -> Rp300.002.
    assert late_interest(v1, benefit=10_000_050, due_on=date(2025, 10, 7),
                         paid_on=date(2025, 10, 10)).amount == 300_002


def test_the_test_rule_set_owes_2_percent_a_day(later: BenefitRules) -> None:
    assert late_interest(later, benefit=JKM, due_on=date(2026, 10, 7),
                         paid_on=date(2026, 10, 8)).amount == 840_000
