"""What a scholarship may still pay, school year by school year, one grade a year."""

from __future__ import annotations

from datetime import date

from ledger.benefits import BenefitRules
from ledger.scholarship import grant_scholarship
from ledger.scholarship_outlook import outlook
from ledger.schooling import Child, SchoolLevel, SchoolYear

SD_CHILD = Child("Putri", "3173014809150001", date(2015, 9, 8), SchoolLevel.TK_SD)
SMA_CHILD = Child("Fajar", "3173010303090002", date(2009, 3, 3), SchoolLevel.SMA)


def test_a_child_at_smp_is_projected_through_sma_and_university_one_grade_a_year(
        v1: BenefitRules) -> None:
    child = Child("Rina", "3173015203120003", date(2012, 3, 12), SchoolLevel.SMP)
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[child])
    entitlement = entitlement.record(
        entitlement.claim_year(child.nik, SchoolLevel.SMP, SchoolYear(2025)))
    future = outlook(entitlement, SchoolYear(2026))
    assert [(str(y.school_year), y.level.value) for y in future.years] == [
        ("2026/2027", "smp"), ("2027/2028", "smp"),
        ("2028/2029", "sma"), ("2029/2030", "sma"), ("2030/2031", "sma"),
        ("2031/2032", "university"), ("2032/2033", "university"), ("2033/2034", "university"),
        ("2034/2035", "university"),
    ]  # she turns 23 on 12 March 2035: 2035/2036, her fifth university year, is not owed
    assert future.total == 2 * 2_000_000 + 3 * 3_000_000 + 4 * 12_000_000


def test_the_outlook_stops_at_the_school_year_starting_after_the_23rd_birthday(
        v1: BenefitRules) -> None:
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[SMA_CHILD])
    future = outlook(entitlement, SchoolYear(2025))
    # Fajar turns 23 on 3 March 2032: 2031/2032 (from 1 July 2031) is the last year paid.
    assert future.years[-1].school_year == SchoolYear(2031)
    assert [y.level for y in future.years].count(SchoolLevel.SMA) == 3
    assert [y.level for y in future.years].count(SchoolLevel.UNIVERSITY) == 4


def test_the_outlook_adds_up_two_children_by_school_year(v1: BenefitRules) -> None:
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[SD_CHILD, SMA_CHILD])
    by_year = dict(outlook(entitlement, SchoolYear(2025)).by_school_year())
    assert by_year[SchoolYear(2025)] == 1_500_000 + 3_000_000
    assert by_year[SchoolYear(2028)] == 1_500_000 + 12_000_000


def test_a_child_not_at_school_yet_is_projected_from_the_first_school_year_it_starts_aged_5(
        v1: BenefitRules) -> None:
    baby = Child("Nadia", "3173016501240003", date(2024, 1, 25))
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[baby])
    future = outlook(entitlement, SchoolYear(2025))
    assert future.years[0].school_year == SchoolYear(2029)
    assert future.years[0].level is SchoolLevel.TK_SD
    # From TK at 5 one grade a year, 18 school years start before her 23rd birthday
    # (25 January 2047): every year of every level but the fifth at university.
    assert [y.level for y in future.years] == (
        [SchoolLevel.TK_SD] * 8 + [SchoolLevel.SMP] * 3 + [SchoolLevel.SMA] * 3
        + [SchoolLevel.UNIVERSITY] * 4)
    assert future.total == 87_000_000 - 12_000_000


def test_a_married_child_has_no_years_projected_after_the_wedding(v1: BenefitRules) -> None:
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[SMA_CHILD])
    entitlement = entitlement.child_married(SMA_CHILD.nik, date(2027, 2, 1))
    future = outlook(entitlement, SchoolYear(2025))
    assert [y.school_year for y in future.years] == [SchoolYear(2025), SchoolYear(2026)]


def test_years_already_claimed_are_not_projected_but_use_their_level(v1: BenefitRules) -> None:
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[SMA_CHILD])
    entitlement = entitlement.record(
        entitlement.claim_year(SMA_CHILD.nik, SchoolLevel.SMA, SchoolYear(2026)))
    future = outlook(entitlement, SchoolYear(2025))
    assert SchoolYear(2026) not in [y.school_year for y in future.years]
    assert [y.level for y in future.years][:3] == [
        SchoolLevel.SMA, SchoolLevel.SMA, SchoolLevel.UNIVERSITY]


def test_a_child_at_tk_sd_goes_on_to_smp_at_13_with_tk_sd_years_left(v1: BenefitRules) -> None:
    eleven = Child("Dimas", "3173010101150004", date(2015, 1, 1), SchoolLevel.TK_SD)
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2025, 6, 1),
                                    died_on=date(2026, 1, 14), children=[eleven])
    entitlement = entitlement.record(
        entitlement.claim_year(eleven.nik, SchoolLevel.TK_SD, SchoolYear(2025)))
    future = outlook(entitlement, SchoolYear(2026))
    assert [(y.school_year.start, y.level) for y in future.years[:4]] == [
        (2026, SchoolLevel.TK_SD), (2027, SchoolLevel.TK_SD),  # aged 11 and 12 on 1 July
        (2028, SchoolLevel.SMP), (2029, SchoolLevel.SMP)]
    assert entitlement.years_left(eleven.nik, SchoolLevel.TK_SD) == 7  # left, but not projected


def test_a_child_ahead_of_its_age_is_not_projected_back_a_level(v1: BenefitRules) -> None:
    ahead = Child("Laras", "3173014101120005", date(2012, 1, 1), SchoolLevel.SMA)
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2024, 1, 1),
                                    died_on=date(2025, 8, 1), children=[ahead])
    future = outlook(entitlement, SchoolYear(2025))
    assert [y.level for y in future.years[:4]] == [SchoolLevel.SMA] * 3 + [SchoolLevel.UNIVERSITY]
