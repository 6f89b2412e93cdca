"""The scholarship (beasiswa) of the heirs' children, with the figures of Permenaker 5/2021."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.benefits import BenefitRules
from ledger.errors import (
    ChildNoLongerEligibleError,
    InvalidInputError,
    NotFoundError,
    ScholarshipChildLimitError,
    ScholarshipChildUnknownError,
    ScholarshipNotGrantedError,
    ScholarshipYearClaimedError,
    SchoolLevelOrderError,
    SchoolLevelYearsUsedError,
)
from ledger.scholarship import ScholarshipEntitlement, grant_scholarship
from ledger.schooling import (
    Child,
    SchoolLevel,
    SchoolYear,
    parse_school_level,
    parse_school_year,
)

TK_SD, SMP, SMA, UNIVERSITY = (SchoolLevel.TK_SD, SchoolLevel.SMP, SchoolLevel.SMA,
                               SchoolLevel.UNIVERSITY)
SITI = Child("Siti Aminah", "3173014512170001", date(2017, 12, 5), TK_SD)
BAYU = Child("Bayu Saputra", "3173011008170002", date(2017, 8, 10), TK_SD)
RINA = Child("Rina Lestari", "3173015203120003", date(2012, 3, 12), SMP)


def granted(v1: BenefitRules, *children: Child, died_on: date = date(2021, 6, 1)
            ) -> ScholarshipEntitlement:
    return grant_scholarship(v1, work_accident=True, membership_began_on=date(2021, 4, 1),
                             died_on=died_on, children=children)


def claim_run(entitlement: ScholarshipEntitlement, child: Child, level: SchoolLevel,
              first: int, years: int) -> ScholarshipEntitlement:
    for start in range(first, first + years):
        entitlement = entitlement.record(entitlement.claim_year(child.nik, level,
                                                                SchoolYear(start)))
    return entitlement


# -- who is granted it ------------------------------------------------------------------------


def test_a_jkm_death_one_day_before_three_years_of_membership_gives_no_scholarship(
        v1: BenefitRules) -> None:
    with pytest.raises(ScholarshipNotGrantedError) as refused:
        grant_scholarship(v1, work_accident=False, membership_began_on=date(2022, 5, 10),
                          died_on=date(2025, 5, 9), children=[RINA])
    assert str(refused.value) == (
        "no scholarship: a death not caused by work (JKM) gives one after at least 3 years of "
        "membership; membership began on 2022-05-10, so 3 years were complete on 2025-05-10, "
        "after the death on 2025-05-09 (a death at work gives it with no minimum period)")


def test_a_jkm_death_on_the_day_three_years_are_complete_gives_the_scholarship(
        v1: BenefitRules) -> None:
    entitlement = grant_scholarship(v1, work_accident=False,
                                    membership_began_on=date(2022, 5, 10),
                                    died_on=date(2025, 5, 10), children=[RINA])
    assert entitlement.children == (RINA,)
    assert entitlement.rule_version == "PP82-2019/PP44-2015 v1"


def test_a_jkk_death_gives_the_scholarship_with_no_minimum_period(v1: BenefitRules) -> None:
    entitlement = grant_scholarship(v1, work_accident=True, membership_began_on=date(2025, 3, 24),
                                    died_on=date(2025, 3, 25), children=[SITI, BAYU])
    assert len(entitlement.children) == 2


def test_a_death_before_1_april_2021_gives_no_scholarship(v1: BenefitRules) -> None:
    with pytest.raises(ScholarshipNotGrantedError, match="paid for deaths from 2021-04-01"):
        granted(v1, SITI, died_on=date(2021, 3, 31))
    assert granted(v1, SITI, died_on=date(2021, 4, 1)).children == (SITI,)


def test_a_death_outside_the_rule_sets_period_is_refused(later: BenefitRules) -> None:
    with pytest.raises(ScholarshipNotGrantedError, match="is not in force on the day of death"):
        granted(later, SITI, died_on=date(2026, 6, 30))


# -- the children -------------------------------------------------------------------------------


def test_a_third_child_is_refused_in_words(v1: BenefitRules) -> None:
    entitlement = granted(v1, SITI, BAYU)
    with pytest.raises(ScholarshipChildLimitError) as refused:
        entitlement.add_child(RINA)
    assert str(refused.value) == (
        "the scholarship is paid for at most 2 children of the deceased; Siti Aminah and "
        "Bayu Saputra are already named, so Rina Lestari cannot be added")
    with pytest.raises(ScholarshipChildLimitError):
        granted(v1, SITI, BAYU, RINA)


def test_a_child_already_23_at_the_death_is_refused(v1: BenefitRules) -> None:
    grown = Child("Dewi", "3173014401980004", date(1998, 1, 4), UNIVERSITY)
    with pytest.raises(ChildNoLongerEligibleError, match="Dewi turned 23 on 2021-01-04"):
        granted(v1, grown)


def test_a_childs_nik_must_be_16_digits_and_is_not_repeated_in_the_refusal() -> None:
    with pytest.raises(InvalidInputError) as refused:
        Child("Siti", "317301451217000", date(2017, 12, 5))
    assert str(refused.value) == "the NIK of Siti must be 16 digits"


def test_a_year_for_a_child_not_named_is_refused(v1: BenefitRules) -> None:
    with pytest.raises(ScholarshipChildUnknownError, match="not named in this scholarship"):
        granted(v1, SITI).claim_year(RINA.nik, SMP, SchoolYear(2025))


# -- what a school year pays --------------------------------------------------------------------


@pytest.mark.parametrize(("level", "amount"), [
    (TK_SD, 1_500_000), (SMP, 2_000_000), (SMA, 3_000_000), (UNIVERSITY, 12_000_000)])
def test_each_level_pays_its_yearly_figure(v1: BenefitRules, level: SchoolLevel,
                                           amount: int) -> None:
    year = granted(v1, SITI).claim_year(SITI.nik, level, SchoolYear(2025))
    assert year.amount == amount
    assert year.year_at_level == 1


@pytest.mark.parametrize(("level", "limit"), [(TK_SD, 8), (SMP, 3), (SMA, 3), (UNIVERSITY, 5)])
def test_a_level_pays_at_most_its_8_3_3_5_years(v1: BenefitRules, level: SchoolLevel,
                                                limit: int) -> None:
    entitlement = claim_run(granted(v1, SITI), SITI, level, 2021, limit)
    assert entitlement.years_left(SITI.nik, level) == 0
    with pytest.raises(SchoolLevelYearsUsedError) as refused:
        entitlement.claim_year(SITI.nik, level, SchoolYear(2021 + limit))
    assert str(refused.value) == (
        f"Siti Aminah has used all {limit} years the scholarship pays at {level.label}")


def test_two_children_through_every_level_are_paid_174_million_and_not_a_rupiah_more(
        v1: BenefitRules) -> None:
    entitlement = granted(v1, SITI, BAYU)
    assert entitlement.ceiling == 174_000_000
    for child in (SITI, BAYU):
        entitlement = claim_run(entitlement, child, TK_SD, 2021, 8)
        entitlement = claim_run(entitlement, child, SMP, 2029, 3)
        entitlement = claim_run(entitlement, child, SMA, 2032, 3)
        entitlement = claim_run(entitlement, child, UNIVERSITY, 2035, 5)
        assert entitlement.claimed_for(child.nik) == 87_000_000
        assert entitlement.remaining_for(child.nik) == 0
    assert entitlement.claimed == 174_000_000
    assert entitlement.remaining == 0
    with pytest.raises(SchoolLevelYearsUsedError):
        entitlement.claim_year(BAYU.nik, UNIVERSITY, SchoolYear(2040))


def test_the_entitlement_says_what_was_claimed_and_what_remains_per_child_and_level(
        v1: BenefitRules) -> None:
    entitlement = claim_run(granted(v1, RINA), RINA, SMP, 2021, 2)
    by_level = {row.level: row for row in entitlement.balances()}
    assert (by_level[SMP].years_claimed, by_level[SMP].years_left) == (2, 1)
    assert (by_level[SMP].claimed, by_level[SMP].remaining) == (4_000_000, 2_000_000)
    assert by_level[TK_SD].remaining == 12_000_000
    assert entitlement.claimed_for(RINA.nik) == 4_000_000
    assert entitlement.remaining_for(RINA.nik) == 83_000_000


# -- refusals -----------------------------------------------------------------------------------


def test_a_year_claimed_twice_is_refused(v1: BenefitRules) -> None:
    entitlement = claim_run(granted(v1, RINA), RINA, SMP, 2025, 1)
    with pytest.raises(ScholarshipYearClaimedError) as refused:
        entitlement.claim_year(RINA.nik, SMP, SchoolYear(2025))
    assert str(refused.value) == "Rina Lestari's school year 2025/2026 is already claimed"


def test_a_withdrawn_year_can_be_claimed_again(v1: BenefitRules) -> None:
    entitlement = claim_run(granted(v1, RINA), RINA, SMP, 2025, 1)
    entitlement = entitlement.withdraw(RINA.nik, SchoolYear(2025))
    assert entitlement.claim_year(RINA.nik, SMP, SchoolYear(2025)).amount == 2_000_000
    with pytest.raises(NotFoundError, match="no claim for the school year 2025/2026"):
        entitlement.withdraw(RINA.nik, SchoolYear(2025))


def test_a_child_does_not_go_back_from_sma_to_smp(v1: BenefitRules) -> None:
    entitlement = claim_run(granted(v1, RINA), RINA, SMA, 2025, 1)
    with pytest.raises(SchoolLevelOrderError) as refused:
        entitlement.claim_year(RINA.nik, SMP, SchoolYear(2026))
    assert str(refused.value) == (
        "SMP in 2026/2027 is out of order: Rina Lestari is recorded at SMA in 2025/2026, and a "
        "child does not go back a level")
    # A year before the SMA year at a higher level is out of order too; a lower one is not.
    with pytest.raises(SchoolLevelOrderError):
        entitlement.claim_year(RINA.nik, UNIVERSITY, SchoolYear(2024))
    assert entitlement.claim_year(RINA.nik, SMP, SchoolYear(2024)).amount == 2_000_000


def test_a_repeated_grade_stays_at_its_level_within_the_limit(v1: BenefitRules) -> None:
    entitlement = claim_run(granted(v1, RINA), RINA, SMP, 2021, 2)
    entitlement = claim_run(entitlement, RINA, SMA, 2023, 1)
    assert entitlement.claim_year(RINA.nik, SMA, SchoolYear(2024)).year_at_level == 2


def test_a_school_year_starting_on_the_23rd_birthday_is_refused_and_the_one_before_paid(
        v1: BenefitRules) -> None:
    born_1_july = Child("Andi", "3173010107050005", date(2005, 7, 1), UNIVERSITY)
    entitlement = granted(v1, born_1_july)
    assert entitlement.claim_year(born_1_july.nik, UNIVERSITY, SchoolYear(2027)).amount \
        == 12_000_000
    with pytest.raises(ChildNoLongerEligibleError) as refused:
        entitlement.claim_year(born_1_july.nik, UNIVERSITY, SchoolYear(2028))
    assert str(refused.value) == (
        "Andi turned 23 on 2028-07-01; the school year 2028/2029 starts on 2028-07-01, after "
        "that: no scholarship")


def test_a_child_turning_23_the_day_after_the_school_year_starts_is_paid_that_year(
        v1: BenefitRules) -> None:
    born_2_july = Child("Andi", "3173010207050005", date(2005, 7, 2), UNIVERSITY)
    year = granted(v1, born_2_july).claim_year(born_2_july.nik, UNIVERSITY, SchoolYear(2028))
    assert year.amount == 12_000_000


def test_a_married_child_is_paid_no_school_year_starting_after_the_wedding(
        v1: BenefitRules) -> None:
    entitlement = granted(v1, RINA).child_married(RINA.nik, date(2026, 3, 1))
    assert entitlement.claim_year(RINA.nik, SMA, SchoolYear(2025)).amount == 3_000_000
    with pytest.raises(ChildNoLongerEligibleError, match="Rina Lestari married on 2026-03-01"):
        entitlement.claim_year(RINA.nik, SMA, SchoolYear(2026))


def test_a_working_child_is_paid_no_school_year_starting_after_the_first_day_of_work(
        v1: BenefitRules) -> None:
    entitlement = granted(v1, RINA).child_started_work(RINA.nik, date(2027, 7, 1))
    with pytest.raises(ChildNoLongerEligibleError, match="started work on 2027-07-01"):
        entitlement.claim_year(RINA.nik, SMA, SchoolYear(2027))


def test_a_school_year_that_ended_before_the_death_is_refused(v1: BenefitRules) -> None:
    entitlement = granted(v1, RINA, died_on=date(2025, 8, 1))
    with pytest.raises(ChildNoLongerEligibleError, match="pays from the school year 2025/2026"):
        entitlement.claim_year(RINA.nik, SMP, SchoolYear(2024))
    assert entitlement.claim_year(RINA.nik, SMP, SchoolYear(2025)).amount == 2_000_000


def test_a_stale_year_is_not_recorded(v1: BenefitRules) -> None:
    entitlement = granted(v1, RINA)
    year = entitlement.claim_year(RINA.nik, SMP, SchoolYear(2025))
    entitlement = entitlement.record(year)
    with pytest.raises(ScholarshipYearClaimedError):
        entitlement.record(year)
    assert entitlement.claimed == 2_000_000


def test_school_years_and_levels_are_read_as_a_clerk_writes_them() -> None:
    assert parse_school_year(" 2025/2026 ") == SchoolYear(2025)
    assert str(SchoolYear(2025)) == "2025/2026"
    assert SchoolYear(2025).starts_on == date(2025, 7, 1)
    assert SchoolYear(2025).ends_on == date(2026, 6, 30)
    assert SchoolYear.of(date(2026, 6, 30)) == SchoolYear(2025)
    assert parse_school_level("SMA") is SMA
    with pytest.raises(InvalidInputError, match="two following years"):
        parse_school_year("2025/2027")
    with pytest.raises(InvalidInputError, match="unknown school level 'sd'"):
        parse_school_level("sd")
