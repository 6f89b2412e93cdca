"""Who of a batch of enrolment requests is enrolled: the one decision behind every enrolment.

``Ledger.enrol`` / ``Ledger.enrol_batch`` (the API, the CLI) and the roster import
(:mod:`intake.importing`) all decide here, row by row, on the persons the caller read before
(in bulk, through the store): a worker never seen is a :class:`NewMember` (nothing on record can
refuse them), one already covered by this programme is :class:`AlreadyEnrolled`, one the rules
refuse is :class:`Refused` with the named error, and anyone else is enrolled (:class:`Enrol`,
the :class:`~ledger.enrolment.Enrolment` made by :meth:`~ledger.enrolment.Enrolment.start`).
The callers differ only in what they do with a decision: the service refuses the whole batch
on the first refusal; the import refuses the row alone, skips an already enrolled one, and
writes a new member's events straight from
:meth:`~ledger.enrolment.EnrolmentRequest.enrolled_fields` (the same fields the aggregate takes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.eligibility import require_eligible
from ledger.enrolment import Enrolment, EnrolmentRequest
from ledger.errors import DuplicateInBatchError, LedgerError
from ledger.identity import mask_nik
from ledger.person import Person
from ledger.programme import Programme


@dataclass(frozen=True)
class NewMember:
    """A worker the ledger never saw: enrolled; the caller makes the person and the
    enrolment (:meth:`start`) or writes their events from ``enrolled_fields`` itself."""

    nik: str

    def start(self, programme: Programme, request: EnrolmentRequest, subject_id: UUID,
              actor: str) -> Enrol:
        """The new person (under the NIK's data subject, ``subject_id``) and their first
        enrolment, as aggregates."""
        return _start(programme, request, Person.register(subject_id, self.nik), actor)


@dataclass(frozen=True)
class Enrol:
    """A known person enrolled: both aggregates changed, to be saved in this order."""

    person: Person
    enrolment: Enrolment

    @property
    def changed(self) -> list[Aggregate]:
        """What to save: the person (the coverage claimed), then the enrolment."""
        return [self.person, self.enrolment]


@dataclass(frozen=True)
class AlreadyEnrolled:
    """The person is covered by this very programme already: nothing to do again (an
    import run twice); ``error`` is the refusal a single enrolment gives instead."""

    person: Person
    error: LedgerError


@dataclass(frozen=True)
class Refused:
    """The row is refused, for the reason the error names."""

    error: LedgerError


Decision = NewMember | Enrol | AlreadyEnrolled | Refused


def decide(programme: Programme, nik: str, person: Person | None,
           request: EnrolmentRequest | Callable[[], EnrolmentRequest],
           actor: str) -> Decision:
    """The decision for one eligible worker, given what the ledger knows of their NIK
    (``person``; None when never seen). ``request`` may be a function, asked only when the
    person is known (the import reads a row again only then)."""
    if person is None:
        return NewMember(nik)
    if not isinstance(request, EnrolmentRequest):
        request = request()
    try:
        return _start(programme, request, person, actor)
    except LedgerError as error:
        if person.active_programme_code == programme.code:
            return AlreadyEnrolled(person, error)
        return Refused(error)


def decide_batch(programme: Programme, requests: Sequence[EnrolmentRequest],
                 known: Mapping[str, Person], actor: str) -> list[Decision]:
    """The decision for every request of a batch, in order: eligibility first, then a NIK
    already met in the batch, then :func:`decide` on the person ``known`` holds for it."""
    seen: set[str] = set()
    decisions: list[Decision] = []
    for request in requests:
        try:
            require_eligible(programme, request)
            nik = request.parsed_nik().value
            if nik in seen:
                raise DuplicateInBatchError(
                    f"NIK {mask_nik(nik)} appears twice in the same batch", field="nik")
        except LedgerError as error:
            decisions.append(Refused(error))
            continue
        seen.add(nik)
        decisions.append(decide(programme, nik, known.get(nik), request, actor))
    return decisions


def _start(programme: Programme, request: EnrolmentRequest, person: Person,
           actor: str) -> Enrol:
    return Enrol(person, Enrolment.start(programme, request, person, actor))
