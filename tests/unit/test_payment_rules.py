"""A payment order's rules: its form, its months, its members and its exact amount; a registry
answer's form and members."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.contribution import Contribution, read_order
from ledger.errors import (
    BudgetExceededError,
    ContributionAmountError,
    ContributionMembersError,
    IdentityCheckMembersError,
    InvalidInputError,
    NotEligibleError,
)
from ledger.identity_check import IdentityCheck, read_answer
from ledger.programme import Programme
from scenario import FINANCE, tangerang_terms

A, B = "0f5bd3a0-52c9-4a51-9f3f-0b0bd0a2a001", "0f5bd3a0-52c9-4a51-9f3f-0b0bd0a2a002"


def _none_strange(_members: list[str]) -> list[str]:
    return []


def _pay(programme: Programme, months: list[str], amount: int,
         members: tuple[str, ...] = (A, B)) -> Contribution:
    return Contribution.pay(programme, sp2d=" SP2D/1 ", paid_on=date(2025, 4, 10),
                            months=months, members=list(members), amount=amount,
                            not_enrolled=_none_strange, actor=FINANCE)


def test_an_order_reads_its_months_sorted_once_and_its_members_as_text() -> None:
    months, members = read_order("SP2D/1", ["2025-04", "2025-03", "2025-04"], [A, B], 67_200)
    assert (months, members) == (["2025-03", "2025-04"], [A, B])


@pytest.mark.parametrize(("sp2d", "months", "members", "amount", "error", "words"), [
    (" ", ["2025-03"], [A], 16_800, InvalidInputError, "SP2D number"),
    ("S", [], [A], 16_800, InvalidInputError, "name the month"),
    ("S", ["2025-03"], [], 16_800, ContributionMembersError, "name the members"),
    ("S", ["2025-03"], [A, A], 16_800, ContributionMembersError, "named twice"),
    ("S", ["2025-03"], [A], 0, InvalidInputError, "above zero"),
])
def test_an_order_without_what_it_needs_is_refused_before_anything_is_read(
    sp2d: str, months: list[str], members: list[str], amount: int, error: type[Exception],
    words: str,
) -> None:
    with pytest.raises(error, match=words):
        read_order(sp2d, months, members, amount)


def test_members_times_rate_times_months_is_paid_at_the_programme_rate() -> None:
    paid = _pay(Programme.open(tangerang_terms(), "admin"), ["2025-03", "2025-04"], 67_200)
    assert (paid.sp2d, paid.rate, paid.amount) == ("SP2D/1", 16_800, 67_200)


def test_an_amount_that_is_not_members_times_rate_times_months_is_refused() -> None:
    with pytest.raises(ContributionAmountError, match=r"2 x Rp16\.800 x 2 = Rp67\.200"):
        _pay(Programme.open(tangerang_terms(), "admin"), ["2025-03", "2025-04"], 67_000)


def test_a_month_outside_the_programme_is_refused_before_its_members_are_read() -> None:
    def unread(_members: list[str]) -> list[str]:
        raise AssertionError("the members were read")

    with pytest.raises(NotEligibleError, match="2026-02 are outside the coverage months"):
        Contribution.pay(Programme.open(tangerang_terms(), "admin"), sp2d="S",
                         paid_on=date(2025, 4, 10), months=["2026-02"], members=[A],
                         amount=16_800, not_enrolled=unread, actor=FINANCE)


def test_members_not_enrolled_in_the_programme_are_refused() -> None:
    with pytest.raises(ContributionMembersError, match=f"1 of the members .*first: {B}"):
        Contribution.pay(Programme.open(tangerang_terms(), "admin"), sp2d="S",
                         paid_on=date(2025, 4, 10), months=["2025-03"], members=[A, B],
                         amount=33_600, not_enrolled=lambda ids: ids[1:], actor=FINANCE)


def test_a_payment_beyond_the_budget_ceiling_is_refused() -> None:
    programme = Programme.open(tangerang_terms(budget_ceiling=16_800), "admin")
    with pytest.raises(BudgetExceededError):
        _pay(programme, ["2025-03"], 33_600)


def test_a_registry_answer_names_its_members_once_each_with_reasons() -> None:
    with pytest.raises(InvalidInputError, match="name the registry's answer"):
        read_answer(" ", [A], {})
    with pytest.raises(IdentityCheckMembersError, match="name the members"):
        read_answer("R/1", [], {})
    with pytest.raises(IdentityCheckMembersError, match="both matched and not matched"):
        read_answer("R/1", [A], {A: "no record"})
    with pytest.raises(InvalidInputError, match="reason for every member"):
        read_answer("R/1", [A], {B: " "})
    assert read_answer("R/1", [A], {B: " no record "}) == ([A], {B: "no record"})


def test_a_registry_answer_on_members_of_another_programme_is_refused() -> None:
    with pytest.raises(IdentityCheckMembersError, match="not enrolled in programme TNG-2025"):
        IdentityCheck.answer(Programme.open(tangerang_terms(), "admin"), reference="R/1",
                             registry="Dukcapil", checked_on=date(2025, 5, 1), matched=[A],
                             unmatched={}, not_enrolled=lambda ids: ids, actor="clerk")
