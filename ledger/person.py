"""A person as the ledger knows them by NIK, across every programme and funder.

This aggregate is how "one active coverage per NIK" holds atomically: its id is the NIK's data
subject in the keyed index (:class:`ledger.ports.PersonalData`, a random id, never derived from
the NIK), and every enrolment, coverage end and recorded death changes it in the same
transaction as the enrolment itself. Two clerks enrolling the same new NIK at the same moment
get the same subject from the index, both write version 1 of this aggregate, and the store lets
exactly one of them through.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import AlreadyCoveredError, DeceasedError, ExcludedByBpjsError
from ledger.identity import mask_nik


class Person(LedgerAggregate):
    """Coverage, death and BPJS exclusion of one NIK."""

    @classmethod
    def register(cls, subject_id: UUID, nik: str) -> Person:
        """The person of a NIK the ledger never recorded, under the NIK's data subject id
        (``PersonalData.subject_for``): its NIK is sealed under that subject's key."""
        person: Person = cls._create(cls.Registered, id=subject_id, nik=nik)  # type: ignore[attr-defined]
        return person

    @event("Registered")
    def __init__(self, nik: str) -> None:
        self.nik = nik
        self.active_enrolment_id: str | None = None
        self.active_programme_code: str | None = None
        self.enrolment_ids: list[str] = []
        self.died_on: date | None = None
        self.excluded_by: str | None = None
        self.grant_claim_id: str | None = None

    @property
    def is_covered(self) -> bool:
        return self.active_enrolment_id is not None

    def require_enrollable(self) -> None:
        """Refuse a second coverage, a deceased person, or one BPJS excluded."""
        masked = mask_nik(self.nik)
        if self.died_on is not None:
            raise DeceasedError(
                f"NIK {masked} is recorded as deceased on {self.died_on.isoformat()}; "
                "a deceased person cannot be enrolled",
                field="nik",
            )
        if self.excluded_by is not None:
            raise ExcludedByBpjsError(
                f"NIK {masked} is on the BPJS exclusion list {self.excluded_by} "
                "(already covered elsewhere)",
                field="nik",
            )
        if self.active_enrolment_id is not None:
            raise AlreadyCoveredError(
                f"NIK {masked} is already covered by programme {self.active_programme_code}; "
                "one person can have only one active coverage",
                field="nik",
            )

    def start_coverage(self, enrolment_id: str, programme_code: str) -> None:
        self.require_enrollable()
        self._coverage_started(enrolment_id, programme_code)

    @event("CoverageStarted")
    def _coverage_started(self, enrolment_id: str, programme_code: str) -> None:
        self.active_enrolment_id = enrolment_id
        self.active_programme_code = programme_code
        self.enrolment_ids.append(enrolment_id)

    @event("CoverageReleased")
    def release_coverage(self, enrolment_id: str) -> None:
        if self.active_enrolment_id == enrolment_id:
            self.active_enrolment_id = None
            self.active_programme_code = None

    @event("DeathRecorded")
    def record_death(self, died_on: date, source: str, reference: str) -> None:
        self.died_on = died_on

    @event("ExclusionRecorded")
    def record_exclusion(self, list_reference: str, reason: str, actor: str) -> None:
        self.excluded_by = list_reference

    @event("GrantClaimed")
    def grant_claimed(self, claim_id: str) -> None:
        self.grant_claim_id = claim_id

    @event("GrantReleased")
    def grant_released(self, claim_id: str) -> None:
        if self.grant_claim_id == claim_id:
            self.grant_claim_id = None
