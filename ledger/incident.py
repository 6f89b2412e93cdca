"""An accident, occupational disease or death of a covered member.

The incident also keeps the claims opened on it, so that one death is paid as JKK or JKM and
never both: the claim and the incident are saved together, and two claims racing for the same
death meet a version conflict on the incident.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.benefits import Benefit, IncidentFacts
from ledger.coverage import CoverageAnswer
from ledger.enrolment import Enrolment
from ledger.errors import (
    DeceasedError,
    DuplicateDeathBenefitError,
    IncidentAfterDeathError,
    IncidentBeforeEnrolmentError,
    InvalidInputError,
    NotCoveredError,
)
from ledger.identity import mask_nik


class IncidentKind(StrEnum):
    ACCIDENT = "accident"
    OCCUPATIONAL_DISEASE = "occupational_disease"
    DEATH = "death"


def parse_kind(text: str) -> IncidentKind:
    try:
        return IncidentKind(text.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in IncidentKind)
        raise InvalidInputError(
            f"unknown incident kind '{text}'; use one of: {known}", field="kind"
        ) from None


class Incident(LedgerAggregate):
    """What happened to a member, when and where, as reported."""

    @event("Reported")
    def __init__(
        self,
        enrolment_id: str,
        programme_id: str,
        programme_code: str,
        person_id: str,
        nik: str,
        kind: str,
        occurred_on: date,
        place: str,
        narrative: str,
        work_related: bool,
        cause: str,
        actor: str,
    ) -> None:
        self.enrolment_id = enrolment_id
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.person_id = person_id
        self.nik = nik
        self.kind = IncidentKind(kind)
        self.occurred_on = occurred_on
        self.place = place
        self.narrative = narrative
        self.work_related = work_related
        self.cause = cause
        self.reported_by = actor
        # claim id -> benefit, for claims not rejected
        self.open_claims: dict[str, str] = {}

    @staticmethod
    def require_place(place: str) -> None:
        """A report says where it happened (checked before anything is read)."""
        if not place.strip():
            raise InvalidInputError("say where it happened", field="place")

    @classmethod
    def report(cls, *, enrolment: Enrolment, died_on: date | None,
               covered: Callable[[date], CoverageAnswer], kind: IncidentKind,
               occurred_on: date, place: str, narrative: str, work_related: bool,
               cause: str, actor: str) -> Incident:
        """A new incident of a member, if it could have happened to them as covered: not
        before the enrolment, not after a recorded death (``died_on``), not a second death,
        and on a day ``covered`` says the member was covered (asked last: it reads payments)."""
        cls.require_place(place)
        who = f"NIK {mask_nik(enrolment.nik)}"
        if occurred_on < enrolment.enrolled_on:
            raise IncidentBeforeEnrolmentError(
                f"the incident on {occurred_on.isoformat()} is before {who} was enrolled "
                f"({enrolment.enrolled_on.isoformat()})", field="occurred_on")
        if died_on is not None and occurred_on > died_on:
            raise IncidentAfterDeathError(
                f"{who} is recorded as deceased on {died_on.isoformat()}; nothing can "
                f"happen to them on {occurred_on.isoformat()}", field="occurred_on")
        if kind is IncidentKind.DEATH and died_on is not None:
            raise DeceasedError(
                f"the death of {who} is already recorded ({died_on.isoformat()})",
                field="kind")
        answer = covered(occurred_on)
        if not answer.covered:
            raise NotCoveredError(
                f"{who} was not covered on {occurred_on.isoformat()}: {answer.reason}",
                field="occurred_on")
        return cls(
            enrolment_id=str(enrolment.id), programme_id=enrolment.programme_id,
            programme_code=enrolment.programme_code, person_id=enrolment.person_id,
            nik=enrolment.nik, kind=kind.value,
            occurred_on=occurred_on, place=place, narrative=narrative,
            work_related=work_related, cause=cause, actor=actor)

    def facts(self, enrolment: Enrolment) -> IncidentFacts:
        """What a claim's benefit on this incident depends on (see benefits.entitlement)."""
        return IncidentFacts(death=self.is_death, work_related=self.work_related,
                             occurred_on=self.occurred_on, enrolled_on=enrolment.enrolled_on,
                             wage=enrolment.wage_band)

    @property
    def is_death(self) -> bool:
        return self.kind is IncidentKind.DEATH

    def open_claim(self, claim_id: str, benefit: Benefit) -> None:
        """Record a claim on this incident, once the conflict check passed."""
        self.require_claimable(benefit)
        self._claim_opened(claim_id, benefit.value)

    def require_claimable(self, benefit: Benefit) -> None:
        """Refuse a second benefit of the same kind, or JKK and JKM for one death."""
        for other_id, other in self.open_claims.items():
            other_benefit = Benefit(other)
            if other_benefit == benefit or (
                benefit.is_death_benefit and other_benefit.is_death_benefit
            ):
                raise DuplicateDeathBenefitError(
                    f"this incident already has a {other_benefit.value} claim ({other_id}); "
                    "one death is paid as JKK or JKM, never both, and a benefit is claimed once"
                )

    @event("ClaimOpened")
    def _claim_opened(self, claim_id: str, benefit: str) -> None:
        self.open_claims[claim_id] = benefit

    @event("ClaimClosed")
    def claim_closed(self, claim_id: str, reason: str) -> None:
        self.open_claims.pop(claim_id, None)
