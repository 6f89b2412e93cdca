"""Which benefit an incident claim may ask for, and what it computes to (benefits.entitlement)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.benefits import Benefit, IncidentFacts, entitlement
from ledger.errors import BenefitNotApplicableError, ClaimExpiredError, InvalidInputError

WAGE = 1_000_000


def _facts(death: bool, work_related: bool, occurred_on: date = date(2025, 9, 2)
           ) -> IncidentFacts:
    return IncidentFacts(death=death, work_related=work_related, occurred_on=occurred_on,
                         enrolled_on=date(2025, 3, 24), wage=WAGE)


def test_jkm_for_a_death_not_caused_by_work_after_three_months_is_forty_two_million() -> None:
    assert entitlement(Benefit.JKM_DEATH, _facts(True, False), date(2025, 9, 10)).amount == (
        42_000_000)


def test_jkm_for_a_work_related_death_is_refused_and_points_to_jkk() -> None:
    with pytest.raises(BenefitNotApplicableError, match="claim jkk_death instead"):
        entitlement(Benefit.JKM_DEATH, _facts(True, True), date(2025, 9, 10))


def test_jkm_for_an_accident_is_refused() -> None:
    with pytest.raises(BenefitNotApplicableError, match="this incident is not a death"):
        entitlement(Benefit.JKM_DEATH, _facts(False, True), date(2025, 9, 10))


def test_jkk_for_an_incident_not_caused_by_work_is_refused() -> None:
    with pytest.raises(BenefitNotApplicableError, match="not work-related"):
        entitlement(Benefit.JKK_TOTAL_DISABILITY, _facts(False, False), date(2025, 9, 10))


def test_a_jkk_claim_five_years_after_the_accident_has_expired() -> None:
    with pytest.raises(ClaimExpiredError, match="expired on 2030-09-02"):
        entitlement(Benefit.JKK_TOTAL_DISABILITY, _facts(False, True), date(2030, 9, 3))


def test_jkk_death_needs_a_death_and_jkk_disability_a_living_member() -> None:
    with pytest.raises(BenefitNotApplicableError, match="jkk_death needs a death incident"):
        entitlement(Benefit.JKK_DEATH, _facts(False, True), date(2025, 9, 10))
    with pytest.raises(BenefitNotApplicableError, match="is for a living member"):
        entitlement(Benefit.JKK_TOTAL_DISABILITY, _facts(True, True), date(2025, 9, 10))


def test_temporary_incapacity_needs_its_months() -> None:
    with pytest.raises(InvalidInputError, match="needs the months of incapacity"):
        entitlement(Benefit.JKK_TEMPORARY_INCAPACITY, _facts(False, True), date(2025, 9, 10))
    paid = entitlement(Benefit.JKK_TEMPORARY_INCAPACITY, _facts(False, True),
                       date(2025, 9, 10), incapacity_months=2)
    assert paid.amount == 2 * WAGE


def test_the_city_grant_is_not_claimed_on_an_incident() -> None:
    with pytest.raises(BenefitNotApplicableError, match="is not claimed on an incident"):
        entitlement(Benefit.CITY_DEATH_GRANT, _facts(False, True), date(2025, 9, 10))
