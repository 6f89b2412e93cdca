"""An incident is reported only if it could have happened to the member as covered."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from ledger.coverage import CoverageAnswer
from ledger.enrolment import Enrolment
from ledger.errors import (
    DeceasedError,
    IncidentAfterDeathError,
    IncidentBeforeEnrolmentError,
    InvalidInputError,
    NotCoveredError,
)
from ledger.incident import Incident, IncidentKind
from ledger.person import Person
from ledger.programme import Programme
from scenario import CLERK, tangerang_terms, worker

ENROLLED_ON = date(2025, 3, 24)


def _member() -> Enrolment:
    request = worker(ENROLLED_ON)
    return Enrolment.start(Programme.open(tangerang_terms(), "admin"), request,
                           Person.register(uuid4(), request.nik), CLERK)


def _covered(_day: date) -> CoverageAnswer:
    return CoverageAnswer(True, "paid")


def _report(member: Enrolment, occurred_on: date, **overrides: Any) -> Incident:
    facts: dict[str, Any] = dict(
        enrolment=member, died_on=None, covered=_covered, kind=IncidentKind.ACCIDENT,
        occurred_on=occurred_on, place="Periuk", narrative="fell", work_related=True,
        cause="", actor=CLERK)
    return Incident.report(**{**facts, **overrides})


def test_an_incident_of_a_covered_member_is_reported_with_the_enrolment_it_happened_under(
) -> None:
    member = _member()
    incident = _report(member, date(2025, 6, 2))
    assert (incident.enrolment_id, incident.nik) == (str(member.id), member.nik)
    assert incident.programme_code == "TNG-2025"
    assert incident.kind is IncidentKind.ACCIDENT


def test_an_incident_without_a_place_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="say where it happened"):
        _report(_member(), date(2025, 6, 2), place="  ")


def test_an_incident_before_enrolment_is_refused() -> None:
    with pytest.raises(IncidentBeforeEnrolmentError, match=r"before NIK .* was enrolled"):
        _report(_member(), date(2025, 3, 23))


def test_an_incident_after_a_recorded_death_is_refused() -> None:
    with pytest.raises(IncidentAfterDeathError, match="recorded as deceased on 2025-05-01"):
        _report(_member(), date(2025, 6, 2), died_on=date(2025, 5, 1))


def test_a_second_death_is_refused() -> None:
    with pytest.raises(DeceasedError, match="already recorded"):
        _report(_member(), date(2025, 5, 1), died_on=date(2025, 5, 1),
                kind=IncidentKind.DEATH)


def test_an_incident_on_a_day_without_cover_is_refused_with_the_reason() -> None:
    def unpaid(_day: date) -> CoverageAnswer:
        return CoverageAnswer(False, "no contribution paid for 2025-06")

    with pytest.raises(NotCoveredError, match="not covered on 2025-06-02: no contribution"):
        _report(_member(), date(2025, 6, 2), covered=unpaid)


def test_the_cover_is_asked_only_once_the_dates_are_possible() -> None:
    asked: list[date] = []

    def covered(day: date) -> CoverageAnswer:
        asked.append(day)
        return CoverageAnswer(True, "paid")

    with pytest.raises(IncidentBeforeEnrolmentError):
        _report(_member(), date(2025, 1, 2), covered=covered)
    assert asked == []
