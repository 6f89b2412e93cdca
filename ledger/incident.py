"""An accident, occupational disease or death of a covered member.

The incident also keeps the claims opened on it, so that one death is paid as JKK or JKM and
never both: the claim and the incident are saved together, and two claims racing for the same
death meet a version conflict on the incident.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.benefits import Benefit
from ledger.errors import DuplicateDeathBenefitError, InvalidInputError


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
