"""Rule sets by effective date (docs/domain.md section 4): which set decides, and when."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledger.benefits import CURRENT_RULES_VERSION, RULE_SETS, BenefitRules, rules
from ledger.errors import InvalidInputError, InvalidRuleBookError, NoRuleSetInForceError
from ledger.rule_sets import RULE_BOOK, TEST_RULE_SET, RuleBook, rules_in_force

V1 = "PP82-2019/PP44-2015 v1"


def test_the_version_claims_carry_keeps_its_id_its_figures_and_stays_the_default() -> None:
    assert CURRENT_RULES_VERSION == V1
    assert rules().version == V1
    assert rules(V1).jkm_death(enrolled_on=date(2025, 3, 24),
                               died_on=date(2025, 8, 1)).amount == 42_000_000
    assert rules(V1).jkk_death(wage=1_000_000).amount == 70_000_000


def test_the_rule_set_in_force_today_is_v1_with_its_regulation_and_dates() -> None:
    in_force = rules_in_force(date(2026, 12, 2))
    assert in_force is rules(V1)
    assert in_force.regulation == "PP 44/2015 jo. PP 82/2019; Permenaker 5/2021"
    assert in_force.valid_from == date(2019, 12, 2)
    assert in_force.valid_until is None
    assert not in_force.for_tests


def test_v1_is_in_force_from_pp_82_2019_and_its_scholarship_from_1_april_2021() -> None:
    assert rules_in_force(date(2019, 12, 2)).version == V1
    assert rules(V1).scholarship.paid_for_deaths_from == date(2021, 4, 1)


def test_a_day_before_the_first_rule_set_is_refused_in_words() -> None:
    with pytest.raises(NoRuleSetInForceError) as refused:
        rules_in_force(date(2019, 12, 1))
    assert str(refused.value) == (
        "no benefit rule set is in force on 2019-12-01: the first, 'PP82-2019/PP44-2015 v1' "
        "(PP 44/2015 jo. PP 82/2019; Permenaker 5/2021), starts on 2019-12-02")
    assert refused.value.rule == "no-rule-set-in-force"


def test_the_rule_set_switches_on_its_date(test_book: RuleBook) -> None:
    day_before, first_day = date(2026, 6, 30), date(2026, 7, 1)
    assert test_book.in_force(day_before).version == V1
    assert test_book.in_force(first_day).version == TEST_RULE_SET.version
    enrolled = date(2025, 3, 24)
    assert test_book.in_force(day_before).jkm_death(
        enrolled_on=enrolled, died_on=day_before).amount == 42_000_000
    assert test_book.in_force(first_day).jkm_death(
        enrolled_on=enrolled, died_on=first_day).amount == 47_000_000


def test_adding_a_later_set_closes_the_open_one_on_the_day_before(test_book: RuleBook) -> None:
    v1_in_book = test_book.version(V1)
    assert v1_in_book.valid_until == date(2026, 6, 30)
    assert replace(v1_in_book, valid_until=None) == rules(V1)  # the same figures


def test_a_claim_decided_under_the_older_set_finds_it_after_the_switch(
        test_book: RuleBook) -> None:
    assert test_book.version(V1).jkm_lump_sum == 20_000_000
    with pytest.raises(InvalidInputError, match="unknown benefit rule version 'PP1-1900'"):
        test_book.version("PP1-1900")


def test_a_day_in_a_gap_between_two_rule_sets_is_refused_naming_both() -> None:
    closed = replace(rules(V1), valid_until=date(2026, 6, 30))
    book = RuleBook((closed, replace(TEST_RULE_SET, valid_from=date(2026, 8, 1))),
                    for_tests=True)
    with pytest.raises(NoRuleSetInForceError) as refused:
        book.in_force(date(2026, 7, 15))
    assert str(refused.value) == (
        "no benefit rule set is in force on 2026-07-15: 'PP82-2019/PP44-2015 v1' ended on "
        "2026-06-30 and 'TEST-2026-07 (fixture, not a regulation)' starts on 2026-08-01")
    assert book.in_force(date(2026, 8, 1)).version == TEST_RULE_SET.version


def test_a_day_after_the_last_closed_set_is_refused() -> None:
    book = RuleBook((replace(rules(V1), valid_until=date(2030, 12, 31)),))
    with pytest.raises(NoRuleSetInForceError, match=r"the last, .* ended on 2030-12-31"):
        book.in_force(date(2031, 1, 1))


def test_overlapping_rule_sets_are_refused_with_the_day_to_close_the_first() -> None:
    with pytest.raises(InvalidRuleBookError) as refused:
        RuleBook((rules(V1), TEST_RULE_SET), for_tests=True)
    assert "overlap: give 'PP82-2019/PP44-2015 v1' valid_until=2026-06-30" in str(refused.value)


def test_a_test_rule_set_cannot_enter_a_book_of_real_rule_sets() -> None:
    closed = replace(rules(V1), valid_until=date(2026, 6, 30))
    with pytest.raises(InvalidRuleBookError, match="is for tests and cannot decide real claims"):
        RuleBook((closed, TEST_RULE_SET))


def test_a_version_listed_twice_and_a_set_ending_before_it_starts_are_refused() -> None:
    first = replace(rules(V1), valid_until=date(2020, 12, 31))
    again = replace(rules(V1), valid_from=date(2021, 1, 1))
    with pytest.raises(InvalidRuleBookError, match="listed twice"):
        RuleBook((first, again))
    with pytest.raises(InvalidRuleBookError, match="ends before it starts"):
        RuleBook((replace(rules(V1), valid_until=date(2019, 1, 1)),))


def test_the_real_book_holds_every_registered_set_and_no_test_set() -> None:
    assert [s.version for s in RULE_BOOK.sets] == list(RULE_SETS)
    assert not any(s.for_tests for s in RULE_BOOK.sets)
    assert TEST_RULE_SET.for_tests


def test_a_rule_set_names_its_regulation_and_first_day() -> None:
    with pytest.raises(TypeError):
        BenefitRules(version="no dates")  # type: ignore[call-arg]
