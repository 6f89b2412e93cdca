"""One coverage period of one worker in one programme (a membership, *kepesertaan*)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import CoverageEndedError, InvalidInputError
from ledger.identity import Nik, parse_kk, parse_kpj, parse_nik
from ledger.names import require_visible
from ledger.person import Person
from ledger.programme import Programme


class EndReason(StrEnum):
    """Why a coverage period ended."""

    DIED = "died"
    MOVED = "moved"
    INELIGIBLE = "ineligible"
    LAPSED = "lapsed"


REGISTERS = ("DTKS", "DTSEN")


@dataclass(frozen=True)
class EnrolmentRequest:
    """What a clerk (or a roster row) says about a worker to be enrolled."""

    nik: str
    kk: str
    name: str
    region: str
    district: str
    village: str
    occupation: str
    decile: int
    register: str
    register_snapshot: date
    branch: str
    enrolled_on: date

    def parsed_nik(self) -> Nik:
        return parse_nik(self.nik, on=self.enrolled_on)

    def enrolled_fields(self, programme: Programme, actor: str, person_id: str
                        ) -> dict[str, Any]:
        """The fields of the ``Enrolled`` event that enrols this worker in the programme: the
        one place an enrolment is made of a request (the aggregate, and the import's direct
        encoding of a new member's events, both take them from here). ``person_id``: the worker's
        data subject (the Person's id), under whose key the personal fields are sealed."""
        return {
            "programme_id": str(programme.id), "programme_code": programme.code,
            "person_id": person_id, "nik": self.nik.strip(), "kk": self.kk.strip(),
            "name": self.name.strip(),
            "region": self.region, "district": self.district, "village": self.village,
            "occupation": self.occupation, "decile": self.decile, "register": self.register,
            "register_snapshot": self.register_snapshot, "branch": self.branch,
            "enrolled_on": self.enrolled_on, "wage_band": programme.wage_band, "actor": actor,
        }

    def validate_form(self) -> None:
        """The checks that need no programme: formats and plain sense."""
        self.parsed_nik()
        parse_kk(self.kk)
        if not self.name.strip():
            raise InvalidInputError("the worker's name is empty", field="name")
        require_visible(self.name, "the worker's name", "name")
        if not isinstance(self.decile, int) or isinstance(self.decile, bool):
            raise InvalidInputError("decile must be a whole number 1-10", field="decile")
        if not 1 <= self.decile <= 10:
            raise InvalidInputError(
                f"decile must be between 1 (poorest) and 10; got {self.decile}", field="decile"
            )
        if self.register not in REGISTERS:
            raise InvalidInputError(
                f"welfare register must be DTKS or DTSEN; got '{self.register}'",
                field="register",
            )
        if self.register_snapshot > self.enrolled_on:
            raise InvalidInputError(
                "the welfare register snapshot is dated after the enrolment",
                field="register_snapshot",
            )


class Enrolment(LedgerAggregate):
    """A member's coverage: enrolled on a date, maybe given a KPJ card, maybe ended."""

    @event("Enrolled")
    def __init__(
        self,
        programme_id: str,
        programme_code: str,
        person_id: str,
        nik: str,
        kk: str,
        name: str,
        region: str,
        district: str,
        village: str,
        occupation: str,
        decile: int,
        register: str,
        register_snapshot: date,
        branch: str,
        enrolled_on: date,
        wage_band: int,
        actor: str,
    ) -> None:
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.person_id = person_id
        self.nik = nik
        self.kk = kk
        self.name = name
        self.region = region
        self.district = district
        self.village = village
        self.occupation = occupation
        self.decile = decile
        self.register = register
        self.register_snapshot = register_snapshot
        self.branch = branch
        self.enrolled_on = enrolled_on
        self.wage_band = wage_band
        self.enrolled_by = actor
        self.kpj: str | None = None
        self.ended_on: date | None = None
        self.end_reason: str | None = None

    @classmethod
    def start(cls, programme: Programme, request: EnrolmentRequest, person: Person,
              actor: str) -> Enrolment:
        """A new coverage of the request's worker in the programme, if the person may be
        enrolled (not covered already, not deceased, not excluded by BPJS); the person then
        holds it as their one active coverage. Eligibility is checked before (it needs no
        person: :func:`~ledger.eligibility.require_eligible`)."""
        person.require_enrollable()
        enrolment = cls(**request.enrolled_fields(programme, actor, str(person.id)))
        person.start_coverage(str(enrolment.id), programme.code)
        return enrolment

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def covers_day(self, day: date) -> bool:
        """Enrolled on or before the day, and not ended before it (the end day is covered)."""
        return self.enrolled_on <= day and (self.ended_on is None or day <= self.ended_on)

    def record_kpj(self, kpj: str, actor: str) -> None:
        """The BPJS member card number, once BPJS has issued it."""
        number = parse_kpj(kpj)
        if self.kpj == number:
            return
        self._kpj_recorded(self.person_id, number, actor)

    @event("KpjRecorded")
    def _kpj_recorded(self, person_id: str, kpj: str, actor: str) -> None:
        self.kpj = kpj

    def end(self, ended_on: date, reason: EndReason, note: str, actor: str) -> None:
        """End the coverage period. A later return is a new enrolment with a new start."""
        if self.ended_on is not None:
            raise CoverageEndedError(
                f"this coverage already ended on {self.ended_on.isoformat()} "
                f"({self.end_reason})"
            )
        if ended_on < self.enrolled_on:
            raise InvalidInputError(
                f"coverage cannot end ({ended_on.isoformat()}) before it started "
                f"({self.enrolled_on.isoformat()})",
                field="ended_on",
            )
        self._coverage_ended(ended_on, reason.value, note, actor)

    @event("CoverageEnded")
    def _coverage_ended(self, ended_on: date, reason: str, note: str, actor: str) -> None:
        self.ended_on = ended_on
        self.end_reason = reason
