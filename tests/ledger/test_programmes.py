"""Programmes: opening, budget revisions, rates, closing."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.errors import (
    BudgetExceededError,
    InvalidInputError,
    ProgrammeClosedError,
    ProgrammeExistsError,
    ProgrammeNotFoundError,
)
from ledger.programme import Rate
from scenario import grant_terms, tangerang_terms


def test_the_tangerang_programme_costs_sixteen_thousand_eight_hundred_a_member_month(
    ledger: Ledger,
) -> None:
    programme = ledger.open_programme(tangerang_terms(), actor="admin")
    assert programme.rate_for("2025-03") == 16_800
    assert programme.coverage_months[0] == "2025-03"
    assert programme.coverage_months[-1] == "2025-12"
    # 999,936,000 / 5,952 = 168,000 = 10 months x Rp16,800
    assert programme.budget_ceiling == 5_952 * 16_800 * 10


def test_a_programme_code_can_be_opened_only_once(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    with pytest.raises(ProgrammeExistsError, match="TNG-2025 already exists"):
        ledger.open_programme(tangerang_terms(name="again"), actor="admin")


def test_an_unknown_programme_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(ProgrammeNotFoundError, match="NOPE"):
        ledger.programme("NOPE")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"funding_source": "DAU"}, "funding source must be one of"),
        ({"covers": ("JKX",)}, "unknown: JKX"),
        ({"budget_ceiling": -1}, "budget ceiling must be a whole number"),
        ({"months": 0}, "at least one month"),
        ({"first_month": "2024-03"}, "not in fiscal year 2025"),
        ({"deciles": (4, 1)}, "deciles must be a range"),
        ({"rates": (Rate("JKK", date(2025, 1, 1), 10_000),)}, "no contribution rate for it"),
    ],
)
def test_impossible_programme_terms_are_refused_and_nothing_is_recorded(
    ledger: Ledger, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ledger.open_programme(tangerang_terms(**overrides), actor="admin")
    with pytest.raises(ProgrammeNotFoundError):
        ledger.programme("TNG-2025")


def test_a_budget_revision_is_an_event_with_its_reason(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    revised = ledger.revise_budget("TNG-2025", 1_200_000_000, "DPPA-2025", "APBD-P", "admin")
    assert revised.budget_ceiling == 1_200_000_000
    assert revised.version == 2
    assert ledger.programme("TNG-2025", version=1).budget_ceiling == 999_936_000


def test_a_budget_revision_needs_a_reason(ledger: Ledger) -> None:
    ledger.open_programme(grant_terms(), actor="admin")
    with pytest.raises(InvalidInputError, match="needs a reason"):
        ledger.revise_budget("TNG-SANTUNAN-2025", 10, "DPPA", " ", "admin")


def test_a_new_dated_rate_applies_from_its_month_only(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    ledger.set_rate("TNG-2025", Rate("JKM", date(2025, 7, 1), 7_000), "admin")
    programme = ledger.programme("TNG-2025")
    assert programme.rate_for("2025-06") == 16_800
    assert programme.rate_for("2025-07") == 17_000


def test_a_closed_programme_takes_nothing_more(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    ledger.close_programme("TNG-2025", date(2025, 12, 31), "fiscal year ended", "admin")
    with pytest.raises(ProgrammeClosedError, match="was closed on 2025-12-31"):
        ledger.revise_budget("TNG-2025", 1, "x", "y", "admin")


def test_the_budget_check_counts_only_what_is_left(ledger: Ledger) -> None:
    programme = ledger.open_programme(grant_terms(budget_ceiling=3_000_000), actor="admin")
    programme.require_budget_for(3_000_000)
    with pytest.raises(BudgetExceededError, match=r"Rp3\.000\.001 against a ceiling of Rp3\.000"):
        programme.require_budget_for(3_000_001)
