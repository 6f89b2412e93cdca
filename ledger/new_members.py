"""The three events that enrol a person the ledger has never seen, built without aggregates.

Enrolling a new NIK records exactly: ``Person.Registered`` (version 1), ``Enrolment.Enrolled``
(version 1) and ``Person.CoverageStarted`` (version 2), saved in the order person, enrolment.
Going through the aggregates (``Person(nik=...)``, ``Enrolment(...)``, ``start_coverage``) costs
the library's generic machinery (signature coercion, ``mutate``, pending lists) on every row;
for a roster of 200,000 members that is most of the Python time of an import. This module makes
the same event objects with the same classes and the same field values, so the mapper stores
them byte for byte as it would the aggregates' (``tests/importing`` compares both).

No rule is skipped: a person that is not in the store yet has no coverage, no death and no
BPJS exclusion, so ``Person.require_enrollable`` cannot refuse them, and the event bodies only
assign fields. A person who *is* in the store still goes through the aggregate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import datetime_now_with_tzinfo
from eventsourcing.utils import get_topic

from ledger.enrolment import Enrolment
from ledger.person import Person

_PERSON_TOPIC = get_topic(Person)
_ENROLMENT_TOPIC = get_topic(Enrolment)
_REGISTERED: Any = Person.Registered  # type: ignore[attr-defined]
_COVERAGE_STARTED: Any = Person.CoverageStarted  # type: ignore[attr-defined]
_ENROLLED: Any = Enrolment.Enrolled  # type: ignore[attr-defined]


def new_member_events(
    *, person: UUID, person_nik: str, nik: str, programme_id: str, programme_code: str,
    kk: str, name: str,
    region: str, district: str, village: str, occupation: str, decile: int, register: str,
    register_snapshot: date, branch: str, enrolled_on: date, wage_band: int, actor: str,
    enrolment: UUID | None = None, clock: Callable[[], datetime] = datetime_now_with_tzinfo,
) -> tuple[Any, Any, Any]:
    """(Registered, CoverageStarted, Enrolled) of a new person enrolled in a programme: what
    ``Person(nik)``, ``Enrolment(...)`` and ``person.start_coverage(...)`` would trigger, with
    the timestamps taken in that order. ``person_nik`` is the NIK the person is registered
    under (``Person(nik=...)``), ``nik`` the one written on the enrolment."""
    enrolment_id = enrolment or uuid4()  # as Aggregate.create_id
    registered = _REGISTERED(originator_id=person, originator_version=1, timestamp=clock(),
                             originator_topic=_PERSON_TOPIC, nik=person_nik)
    enrolled = _ENROLLED(
        originator_id=enrolment_id, originator_version=1, timestamp=clock(),
        originator_topic=_ENROLMENT_TOPIC, programme_id=programme_id,
        programme_code=programme_code, nik=nik, kk=kk, name=name, region=region,
        district=district, village=village, occupation=occupation, decile=decile,
        register=register, register_snapshot=register_snapshot, branch=branch,
        enrolled_on=enrolled_on, wage_band=wage_band, actor=actor)
    started = _COVERAGE_STARTED(originator_id=person, originator_version=2, timestamp=clock(),
                                enrolment_id=str(enrolment_id), programme_code=programme_code)
    return registered, started, enrolled
