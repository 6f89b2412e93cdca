"""Contributions: members x rate x months exactly, within the ceiling, reversed only by events."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.calendar import month_range
from ledger.enrolment import Enrolment
from ledger.errors import (
    AlreadyReversedError,
    BudgetExceededError,
    ContributionAmountError,
    ContributionMembersError,
    DuplicatePaymentOrderError,
    InvalidInputError,
    NotEligibleError,
)
from scenario import CLERK, FINANCE, factory, tangerang_terms

MAR_DEC = month_range("2025-03", 10)


@pytest.fixture
def members(ledger: Ledger) -> list[Enrolment]:
    """Three members of a programme budgeted for exactly three members x 10 months."""
    ledger.open_programme(
        tangerang_terms(budget_ceiling=3 * 16_800 * 10, planned_members=3), actor="admin"
    )
    people = factory()
    return ledger.enrol_batch(
        "TNG-2025", [people.worker(date(2025, 3, 24)) for _ in range(3)], actor=CLERK
    )


def _ids(members: list[Enrolment]) -> list[str]:
    return [str(m.id) for m in members]


def test_ten_monthly_payments_use_the_budget_exactly(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    for month in MAR_DEC:
        ledger.pay_contribution("TNG-2025", f"SP2D/{month}", date(2025, 3, 25), [month],
                                _ids(members), 3 * 16_800, actor=FINANCE)
    programme = ledger.programme("TNG-2025")
    assert programme.committed == programme.budget_ceiling == 504_000
    assert programme.remaining == 0


def test_the_seed_figures_hold_5952_members_for_ten_months_is_the_whole_budget() -> None:
    assert 5_952 * 16_800 * 10 == 999_936_000


def test_an_amount_that_is_not_members_times_rate_times_months_is_refused(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    # One city budgeted Rp17,000 instead of Rp16,800.
    with pytest.raises(ContributionAmountError,
                       match=r"3 x Rp16\.800 x 1 = Rp50\.400"):
        ledger.pay_contribution("TNG-2025", "SP2D/1", date(2025, 3, 25), ["2025-03"],
                                _ids(members), 3 * 17_000, actor=FINANCE)
    assert ledger.programme("TNG-2025").committed == 0


def test_payments_beyond_the_ceiling_are_refused(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), MAR_DEC[:9],
                            _ids(members), 3 * 16_800 * 9, actor=FINANCE)
    with pytest.raises(BudgetExceededError, match=r"only Rp50\.400 is left"):
        ledger.pay_contribution("TNG-2025", "SP2D/B", date(2025, 3, 25), MAR_DEC[8:],
                                _ids(members), 3 * 16_800 * 2, actor=FINANCE)


def test_a_reversal_is_a_new_event_and_frees_the_budget(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    paid = ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), MAR_DEC,
                                   _ids(members), 504_000, actor=FINANCE)
    reversed_ = ledger.reverse_contribution("TNG-2025", "SP2D/A", date(2025, 4, 2),
                                            "wrong roster attached", FINANCE)
    assert reversed_.version == paid.version + 1
    assert ledger.programme("TNG-2025").committed == 0
    with pytest.raises(AlreadyReversedError):
        ledger.reverse_contribution("TNG-2025", "SP2D/A", date(2025, 4, 3), "again", FINANCE)


def test_a_payment_order_is_recorded_once(ledger: Ledger, members: list[Enrolment]) -> None:
    ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-03"],
                            _ids(members), 50_400, actor=FINANCE)
    with pytest.raises(DuplicatePaymentOrderError, match="SP2D/A is already recorded"):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-04"],
                                _ids(members), 50_400, actor=FINANCE)


def test_a_payment_for_someone_not_enrolled_is_refused(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    stranger = "8f2b2c4e-0000-4000-8000-000000000000"
    with pytest.raises(ContributionMembersError, match="1 of the members named are not enrolled"):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-03"],
                                [*_ids(members), stranger], 4 * 16_800, actor=FINANCE)


def test_a_member_named_twice_is_refused(ledger: Ledger, members: list[Enrolment]) -> None:
    with pytest.raises(ContributionMembersError, match="named twice"):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-03"],
                                [*_ids(members), _ids(members)[0]], 4 * 16_800, actor=FINANCE)


def test_months_outside_the_programme_are_refused(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    with pytest.raises(NotEligibleError, match="2026-01 are outside the coverage months"):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2026-01"],
                                _ids(members), 50_400, actor=FINANCE)


@pytest.mark.parametrize(
    ("amount", "months", "message"),
    [
        (50_400.0, ["2025-03"], "whole number of rupiah"),
        (-50_400, ["2025-03"], "whole number of rupiah"),
        (True, ["2025-03"], "whole number of rupiah"),
        (50_400, ["03/2025"], "YYYY-MM"),
        (50_400, [], "name the month"),
    ],
)
def test_malformed_payments_are_refused_in_words(
    ledger: Ledger, members: list[Enrolment], amount: object, months: list[str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), months,
                                _ids(members), amount, actor=FINANCE)  # type: ignore[arg-type]
    assert ledger.programme("TNG-2025").committed == 0


def test_a_budget_revision_below_what_was_paid_is_refused(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-03"],
                            _ids(members), 50_400, actor=FINANCE)
    with pytest.raises(BudgetExceededError, match=r"below the Rp50\.400 already paid"):
        ledger.revise_budget("TNG-2025", 50_000, "DPPA", "cut", "admin")


def test_a_payment_naming_a_member_of_another_programme_is_refused(
    ledger: Ledger, members: list[Enrolment]
) -> None:
    ledger.open_programme(tangerang_terms(code="TNG-2025-B"), actor="admin")
    other = ledger.enrol("TNG-2025-B", factory(seed=99).worker(date(2025, 3, 24)), actor=CLERK)
    with pytest.raises(ContributionMembersError, match=f"first: {other.id}"):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-03"],
                                [*_ids(members), str(other.id)], 4 * 16_800, actor=FINANCE)
    with pytest.raises(ContributionMembersError, match="'not-an-id' is not a member id"):
        ledger.pay_contribution("TNG-2025", "SP2D/A", date(2025, 3, 25), ["2025-03"],
                                ["not-an-id"], 16_800, actor=FINANCE)
