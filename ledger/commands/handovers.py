"""Handover ceremonies: approved claims shown to the heirs before officials (BAST)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.benefits import Benefit
from ledger.claim import ClaimStatus
from ledger.commands.base import Commands
from ledger.errors import HandoverClaimNotApprovedError, InvalidInputError
from ledger.handover import CeremonyDetails, Handover


class HandoverCommands(Commands):
    """Recording ceremonies."""

    def record_handover(self, details: CeremonyDetails, claim_ids: Sequence[UUID | str],
                        actor: str) -> Handover:
        """Record a ceremony; each claim shown must be approved, unpaid ones are marked."""
        details.validate()
        if not claim_ids:
            raise InvalidInputError("name the claims handed over at the ceremony",
                                    field="claim_ids")
        if len({str(c) for c in claim_ids}) != len(claim_ids):
            raise InvalidInputError("a claim is named twice", field="claim_ids")
        items: list[dict[str, Any]] = []
        for claim_id in claim_ids:
            claim = self.claim(claim_id)
            if claim.status is not ClaimStatus.APPROVED:
                raise HandoverClaimNotApprovedError(
                    f"claim {claim_id} ({claim.describe()}) is {claim.status.value}, not "
                    "approved; only approved claims may be handed over", field="claim_ids")
            items.append({
                "claim_id": str(claim.id), "benefit": claim.benefit.value,
                "recipient_subject_id": claim.claimant.get("subject_id"),
                "recipient": claim.claimant["name"], "relationship": claim.claimant["relationship"],
                "person_id": claim.person_id, "subject_nik": claim.subject_nik,
                "amount": claim.approved_amount,
                "paid": claim.is_paid, "claim_version": claim.version,
                # A scholarship year says whose and which (the minutes list it so).
                **({"scholarship": {key: str(claim.facts[key]) for key in
                                    ("child_subject_id", "child_name", "school_year",
                                     "level")}}
                   if claim.benefit is Benefit.SCHOLARSHIP_YEAR else {}),
            })

        def build() -> tuple[Handover, list[Aggregate]]:
            handover = Handover(
                held_on=details.held_on, venue=details.venue, region=details.region,
                district=details.district, occasion=details.occasion,
                officials=[o.as_record() for o in details.officials], items=items, actor=actor)
            return handover, [handover]

        # A ceremony's id is new: nothing to retry (as before).
        return self._command(build, retry=False)
