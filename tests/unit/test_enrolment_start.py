"""An enrolment is made of a request in one place, and only for a person who may be enrolled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from ledger.enrolment import Enrolment
from ledger.errors import AlreadyCoveredError, DeceasedError, InvalidInputError
from ledger.person import Person
from ledger.programme import Programme
from ledger.token import DEFAULT_EXPIRY_DAYS, requested_expiry
from scenario import CLERK, tangerang_terms, worker


def test_an_enrolment_is_the_request_in_the_programme_and_the_person_holds_it() -> None:
    programme, request = Programme.open(tangerang_terms(), "admin"), worker()
    person = Person.register(uuid4(), request.nik)
    enrolment = Enrolment.start(programme, request, person, CLERK)
    assert (enrolment.programme_code, enrolment.nik, enrolment.name) == (
        "TNG-2025", request.nik, request.name.strip())
    assert enrolment.wage_band == programme.wage_band and enrolment.enrolled_by == CLERK
    assert (person.active_enrolment_id, person.active_programme_code) == (
        str(enrolment.id), "TNG-2025")


def test_the_enrolled_event_holds_exactly_the_requests_fields() -> None:
    programme, request = Programme.open(tangerang_terms(), "admin"), worker()
    person = Person.register(uuid4(), request.nik)
    enrolment = Enrolment.start(programme, request, person, CLERK)
    (enrolled,) = enrolment.collect_events()
    assert {k: v for k, v in vars(enrolled).items()
            if k not in ("originator_id", "originator_version", "timestamp",
                         "originator_topic")} == request.enrolled_fields(programme, CLERK,
                                                                         str(person.id))


def test_a_person_covered_already_or_deceased_is_not_enrolled() -> None:
    programme, request = Programme.open(tangerang_terms(), "admin"), worker()
    person = Person.register(uuid4(), request.nik)
    Enrolment.start(programme, request, person, CLERK)
    with pytest.raises(AlreadyCoveredError, match="already covered by programme TNG-2025"):
        Enrolment.start(programme, request, person, CLERK)
    dead = Person.register(uuid4(), request.nik)
    dead.record_death(date(2025, 1, 5), "incident", "x")
    with pytest.raises(DeceasedError, match="cannot be enrolled"):
        Enrolment.start(programme, request, dead, CLERK)


def test_a_token_lives_ninety_days_unless_told_and_never_past_its_longest_life() -> None:
    now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert requested_expiry(None, now) == now + timedelta(days=DEFAULT_EXPIRY_DAYS)
    with pytest.raises(InvalidInputError, match="needs a time zone"):
        requested_expiry(datetime(2026, 4, 1), now)
    with pytest.raises(InvalidInputError, match="must be in the future"):
        requested_expiry(now, now)
    with pytest.raises(InvalidInputError, match="at most 730 days"):
        requested_expiry(now + timedelta(days=800), now)
