"""The JKK schedule: STMB month by month and partial permanent disability (PP 82/2019)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.benefits import BenefitRules
from ledger.errors import InvalidInputError
from ledger.work_accident import (
    IncapacityEnd,
    partial_disability,
    stmb_month,
    stmb_month_amount,
    stmb_schedule,
)

WAGE = 1_000_000
ACCIDENT = date(2025, 1, 10)


def test_stmb_month_12_pays_the_full_wage_and_month_13_half(v1: BenefitRules) -> None:
    assert stmb_month_amount(v1, wage=WAGE, month=1) == 1_000_000
    assert stmb_month_amount(v1, wage=WAGE, month=12) == 1_000_000
    assert stmb_month_amount(v1, wage=WAGE, month=13) == 500_000
    assert stmb_month_amount(v1, wage=WAGE, month=120) == 500_000


def test_stmb_month_13_pays_60_percent_under_the_test_rule_set(later: BenefitRules) -> None:
    assert stmb_month_amount(later, wage=WAGE, month=13) == 600_000


def test_a_month_of_incapacity_runs_from_the_accidents_day_each_month(v1: BenefitRules) -> None:
    month = stmb_month(v1, wage=WAGE, accident_on=ACCIDENT, month=13)
    assert (month.starts_on, month.ends_on) == (date(2026, 1, 10), date(2026, 2, 9))
    assert (month.percent, month.amount) == (50, 500_000)
    # From the 31st, a shorter month ends on its last day and the next starts from the 31st.
    second = stmb_month(v1, wage=WAGE, accident_on=date(2025, 1, 31), month=2)
    assert (second.starts_on, second.ends_on) == (date(2025, 2, 28), date(2025, 3, 30))


def test_an_open_schedule_owes_every_month_begun_and_matches_the_claims_computation(
        v1: BenefitRules) -> None:
    schedule = stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT, through=date(2026, 3, 9))
    assert len(schedule.months) == 14  # month 15 starts on 10 March 2026
    assert schedule.is_open
    assert schedule.total == 13_000_000
    assert schedule.total == v1.jkk_temporary_incapacity(wage=WAGE, months=14).amount
    assert [(line.label, line.amount) for line in schedule.computation().lines] == [
        ("12 month(s) at 100% of wage (months 1-12)", 12_000_000),
        ("2 month(s) at 50% of wage (months 13-14)", 1_000_000),
    ]


def test_recovery_ends_the_schedule_the_month_it_comes(v1: BenefitRules) -> None:
    on_the_day = stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT, through=date(2026, 12, 31),
                               ended_by=IncapacityEnd.RECOVERY, ended_on=date(2025, 4, 10))
    assert len(on_the_day.months) == 3  # back at work on the day month 4 would start
    a_day_later = stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT,
                                through=date(2026, 12, 31), ended_by=IncapacityEnd.RECOVERY,
                                ended_on=date(2025, 4, 11))
    assert len(a_day_later.months) == 4
    assert a_day_later.total == 4_000_000
    assert not a_day_later.is_open


def test_a_death_after_fifteen_months_owes_twelve_full_and_three_half_months(
        v1: BenefitRules) -> None:
    schedule = stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT, through=date(2026, 12, 31),
                             ended_by=IncapacityEnd.DEATH, ended_on=date(2026, 4, 5))
    # Month 15 runs from 10 March to 9 April 2026: the death on 5 April falls in it.
    assert [m.percent for m in schedule.months] == [100] * 12 + [50] * 3
    assert schedule.total == 13_500_000


def test_a_schedule_without_its_end_day_or_before_the_accident_is_refused(
        v1: BenefitRules) -> None:
    with pytest.raises(InvalidInputError, match="both what ended the incapacity and when"):
        stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT, through=date(2026, 1, 1),
                      ended_by=IncapacityEnd.RECOVERY)
    with pytest.raises(InvalidInputError, match="before the accident"):
        stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT, through=date(2024, 1, 1))


def test_a_schedule_longer_than_120_months_is_refused(v1: BenefitRules) -> None:
    with pytest.raises(InvalidInputError, match="at most 120 months"):
        stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT, through=date(2035, 1, 10))
    assert len(stmb_schedule(v1, wage=WAGE, accident_on=ACCIDENT,
                             through=date(2035, 1, 9)).months) == 120


def test_the_dominant_arm_lost_at_the_shoulder_pays_40_percent_of_80_wages(
        v1: BenefitRules) -> None:
    computed = partial_disability(v1, wage=WAGE, loss="arm_dominant_from_shoulder")
    assert computed.amount == 32_000_000
    assert computed.lines[0].label == (
        "the dominant arm from the shoulder joint down: 40% x 80 x wage")
    assert partial_disability(v1, wage=WAGE, loss="arm_other_from_shoulder").amount \
        == 28_000_000
    assert partial_disability(v1, wage=WAGE, loss="hearing_one_ear").amount == 16_000_000


def test_a_partial_loss_of_function_pays_its_share_of_the_tables_amount(
        v1: BenefitRules) -> None:
    computed = partial_disability(v1, wage=WAGE, loss="eye_one", function_lost_percent=50)
    assert computed.amount == 35 * 80 * WAGE * 50 // 10_000 == 14_000_000


def test_a_loss_not_in_the_table_is_refused_naming_the_table(v1: BenefitRules) -> None:
    with pytest.raises(InvalidInputError) as refused:
        partial_disability(v1, wage=WAGE, loss="thumb_right")
    assert str(refused.value).startswith(
        "'thumb_right' is not a loss in the disability table (PP 44/2015 Lampiran III jo. "
        "PP 82/2019); it lists: eyes_both, eye_one,")
    with pytest.raises(InvalidInputError, match="between 1 and 100"):
        partial_disability(v1, wage=WAGE, loss="eye_one", function_lost_percent=0)
