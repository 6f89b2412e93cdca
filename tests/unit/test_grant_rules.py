"""The city death grant: who may apply, for which deaths, how late, and once per person."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ledger.claim import Deceased
from ledger.errors import (
    BenefitNotInProgrammeError,
    ClaimExpiredError,
    DeceasedError,
    DuplicateDeathBenefitError,
    ExcludedCauseError,
    InvalidInputError,
)
from ledger.grants import check_application, grant_claim
from ledger.person import Person
from ledger.programme import Programme
from scenario import CLERK, a_nik, grant_terms, heir, tangerang_terms, worker

DIED_ON = date(2025, 2, 3)


def _deceased(nik: str) -> Deceased:
    request = worker(nik=nik)
    return Deceased(nik, request.name, request.kk, "36.71", "36.71.08", 2, "DTKS",
                    date(2025, 2, 1))


def _grant_programme() -> Programme:
    return Programme.open(grant_terms(), "admin")


def test_an_application_in_time_names_the_deceased_and_the_claim_records_the_death() -> None:
    programme, deceased = _grant_programme(), _deceased(a_nik(5))
    nik = check_application(programme, deceased, DIED_ON, "illness", heir(), date(2025, 3, 10))
    person = Person.register(uuid4(), nik)
    claim = grant_claim(programme, person, deceased, DIED_ON, "illness", heir(), uuid4(),
                        date(2025, 3, 10), CLERK)
    assert (claim.entitlement, claim.subject_nik) == (3_000_000, a_nik(5))
    assert (person.died_on, person.grant_claim_id) == (DIED_ON, str(claim.id))


def test_a_programme_that_does_not_pay_the_grant_refuses_it() -> None:
    with pytest.raises(BenefitNotInProgrammeError, match="does not pay the city death grant"):
        check_application(Programme.open(tangerang_terms(), "admin"), _deceased(a_nik(5)),
                          DIED_ON, "illness", heir(), date(2025, 2, 10))


@pytest.mark.parametrize("cause", ["suicide", "death_penalty", "natural_disaster"])
def test_the_grant_is_not_paid_for_an_excluded_cause(cause: str) -> None:
    with pytest.raises(ExcludedCauseError, match=f"death by {cause.replace('_', ' ')}"):
        check_application(_grant_programme(), _deceased(a_nik(5)), DIED_ON, cause, heir(),
                          date(2025, 2, 10))


def test_an_application_before_the_death_or_after_forty_working_days_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="before the death"):
        check_application(_grant_programme(), _deceased(a_nik(5)), DIED_ON, "illness",
                          heir(), date(2025, 2, 2))
    with pytest.raises(ClaimExpiredError, match="within 40 working days"):
        check_application(_grant_programme(), _deceased(a_nik(5)), DIED_ON, "illness",
                          heir(), date(2025, 6, 10))


def test_a_second_grant_for_one_person_is_refused() -> None:
    programme, deceased = _grant_programme(), _deceased(a_nik(5))
    person = Person.register(uuid4(), a_nik(5))
    grant_claim(programme, person, deceased, DIED_ON, "illness", heir(), uuid4(),
                date(2025, 2, 10), CLERK)
    with pytest.raises(DuplicateDeathBenefitError, match="already has a city death grant"):
        grant_claim(programme, person, deceased, DIED_ON, "illness", heir(), uuid4(),
                    date(2025, 2, 11), CLERK)


def test_a_death_on_another_day_than_the_one_recorded_is_refused() -> None:
    person = Person.register(uuid4(), a_nik(5))
    person.record_death(date(2025, 1, 20), "incident", "x")
    with pytest.raises(DeceasedError, match="recorded as deceased on 2025-01-20"):
        grant_claim(_grant_programme(), person, _deceased(a_nik(5)), DIED_ON, "illness",
                    heir(), uuid4(), date(2025, 2, 10), CLERK)
