"""The benefit rule set, with the figures of PP 82/2019 and PP 44/2015 (docs/domain.md
section 4)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.benefits import Benefit, parse_benefit, rules
from ledger.errors import InvalidInputError

WAGE = 1_000_000


def test_jkm_after_three_months_of_membership_pays_forty_two_million() -> None:
    entitlement = rules().jkm_death(enrolled_on=date(2025, 3, 24), died_on=date(2025, 8, 1))
    assert entitlement.amount == 42_000_000
    assert [line.amount for line in entitlement.lines] == [20_000_000, 12_000_000, 10_000_000]


def test_jkm_within_the_first_three_months_pays_only_ten_million() -> None:
    entitlement = rules().jkm_death(enrolled_on=date(2025, 3, 24), died_on=date(2025, 6, 23))
    assert entitlement.amount == 10_000_000


def test_jkm_on_the_day_three_months_are_complete_pays_in_full() -> None:
    entitlement = rules().jkm_death(enrolled_on=date(2025, 3, 24), died_on=date(2025, 6, 24))
    assert entitlement.amount == 42_000_000


def test_jkk_death_at_the_lowest_band_pays_seventy_million() -> None:
    assert rules().jkk_death(wage=WAGE).amount == 70_000_000


def test_jkk_death_lump_sum_is_48_times_wage_above_the_minimum() -> None:
    # 48 x 2,000,000 = 96,000,000 > 20,000,000; + 12,000,000 + 10,000,000
    assert rules().jkk_death(wage=2_000_000).amount == 118_000_000


def test_jkk_total_permanent_disability_is_56_times_wage_plus_twelve_million() -> None:
    assert rules().jkk_total_disability(wage=WAGE).amount == 68_000_000


def test_stmb_pays_full_wage_for_twelve_months_then_half() -> None:
    assert rules().jkk_temporary_incapacity(wage=WAGE, months=3).amount == 3_000_000
    assert rules().jkk_temporary_incapacity(wage=WAGE, months=12).amount == 12_000_000
    assert rules().jkk_temporary_incapacity(wage=WAGE, months=14).amount == 13_000_000


def test_stmb_without_a_month_of_incapacity_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least 1"):
        rules().jkk_temporary_incapacity(wage=WAGE, months=0)


def test_the_city_death_grant_is_a_flat_three_million() -> None:
    assert rules().city_death_grant().amount == 3_000_000


def test_every_entitlement_names_the_rule_version_that_computed_it() -> None:
    assert rules().jkk_death(wage=WAGE).rule_version == "PP82-2019/PP44-2015 v1"


def test_an_unknown_rule_version_is_refused_in_words() -> None:
    with pytest.raises(InvalidInputError, match="unknown benefit rule version"):
        rules("PP1-1900")


def test_benefit_codes_parse_and_name_their_payer() -> None:
    assert parse_benefit(" JKM_DEATH ") is Benefit.JKM_DEATH
    assert Benefit.JKM_DEATH.payer == "BPJS"
    assert Benefit.CITY_DEATH_GRANT.payer == "CITY"
    with pytest.raises(InvalidInputError, match="unknown benefit 'jkx'"):
        parse_benefit("jkx")
