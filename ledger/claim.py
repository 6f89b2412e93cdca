"""A claim for a benefit: filed, approved or rejected, paid out (maybe in parts), reversed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.benefits import Benefit, BenefitRules
from ledger.deadlines import jkm_due_on, late_interest
from ledger.deceased import Deceased
from ledger.errors import (
    AlreadyReversedError,
    BenefitNotApplicableError,
    ClaimStateError,
    FourEyesError,
    InvalidInputError,
    PayoutExceedsApprovedError,
)
from ledger.identity import mask_nik, parse_nik
from ledger.limits import require_rupiah
from ledger.money import rupiah
from ledger.names import require_visible

# Deceased (the city grant's applicant) lives in ledger.deceased; callers may import it here.
__all__ = [
    "REJECTION_REASONS",
    "RELATIONSHIPS",
    "WAIVER_MIN_LENGTH",
    "Claim",
    "ClaimStatus",
    "Claimant",
    "Deceased",
]


class ClaimStatus(StrEnum):
    FILED = "filed"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


#: The shortest reason accepted for approving one's own claim (the recorded four-eyes waiver).
WAIVER_MIN_LENGTH = 20


#: Heirs in the order of the law (docs/domain.md section 4); "self" is the member's own claim.
RELATIONSHIPS = (
    "self",
    "spouse",
    "child",
    "parent",
    "grandparent",
    "grandchild",
    "sibling",
    "parent_in_law",
    "will_beneficiary",
)

REJECTION_REASONS = (
    "incomplete_file",
    "not_covered",
    "not_eligible",
    "excluded_cause",
    "duplicate",
    "fraud_suspected",
    "other",
)


@dataclass(frozen=True)
class Claimant:
    """Who receives the benefit: the member, or an heir with the heir certificate."""

    nik: str
    name: str
    relationship: str
    heir_certificate: str
    bank: str
    account_number: str
    account_name: str

    def validate(self, *, death_benefit: bool, on: date) -> None:
        parse_nik(self.nik, on=on)
        if not self.name.strip():
            raise InvalidInputError("the claimant's name is empty", field="claimant.name")
        require_visible(self.name, "the claimant's name", "claimant.name")
        require_visible(self.account_name, "the account holder's name", "claimant.account_name")
        if self.relationship not in RELATIONSHIPS:
            raise InvalidInputError(
                f"relationship must be one of {', '.join(RELATIONSHIPS)}; "
                f"got '{self.relationship}'",
                field="claimant.relationship",
            )
        if death_benefit and self.relationship == "self":
            raise InvalidInputError(
                "a death benefit is paid to an heir, not to the member",
                field="claimant.relationship",
            )
        if death_benefit and not self.heir_certificate.strip():
            raise InvalidInputError(
                "a death benefit needs the heir certificate (surat keterangan ahli waris) "
                "reference",
                field="claimant.heir_certificate",
            )
        digits = self.account_number.replace(" ", "").replace("-", "")
        if not self.bank.strip() or not digits.isdigit() or not 6 <= len(digits) <= 20:
            raise InvalidInputError(
                "the payee account needs a bank and an account number of 6-20 digits",
                field="claimant.account_number",
            )

    def as_record(self, subject_id: UUID) -> dict[str, str]:
        """The claimant as a claim records them; ``subject_id``: the claimant's data subject
        (the keyed index's, for the NIK), under whose key the personal fields are sealed."""
        return {
            "subject_id": str(subject_id),
            "nik": self.nik,
            "name": self.name,
            "relationship": self.relationship,
            "heir_certificate": self.heir_certificate,
            "bank": self.bank,
            "account_number": self.account_number.replace(" ", "").replace("-", ""),
            "account_name": self.account_name,
        }


class Claim(LedgerAggregate):
    """A benefit claim whose amount the rule set computed when it was filed."""

    @event("Filed")
    def __init__(
        self,
        programme_id: str,
        programme_code: str,
        benefit: str,
        incident_id: str | None,
        enrolment_id: str | None,
        person_id: str,
        subject_nik: str,
        claimant: dict[str, str],
        filed_on: date,
        entitlement: int,
        rule_version: str,
        computation: list[dict[str, Any]],
        facts: dict[str, Any],
        actor: str,
    ) -> None:
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.benefit = Benefit(benefit)
        self.incident_id = incident_id
        self.enrolment_id = enrolment_id
        self.person_id = person_id
        self.subject_nik = subject_nik
        self.claimant = dict(claimant)
        self.filed_on = filed_on
        self.entitlement = entitlement
        self.rule_version = rule_version
        self.computation = list(computation)
        self.facts = dict(facts)
        self.filed_by = actor
        self.status = ClaimStatus.FILED
        self.approved_amount = 0
        self.approved_by: str | None = None
        self.approved_on: date | None = None
        self.sole_approver_reason = ""
        self.rejection_reason: str | None = None
        self.revocation_reason: str | None = None
        # disbursement reference -> amount (0 once reversed)
        self.disbursements: dict[str, int] = {}
        self.reversed_references: set[str] = set()
        # JKM: the day the file was complete and the day the benefit is due; a payout after it
        # owes the heirs interest, recorded per payout reference (ledger.deadlines).
        self.file_complete_on: date | None = None
        self.due_on: date | None = None
        self.late_interest: dict[str, dict[str, Any]] = {}

    @property
    def disbursed(self) -> int:
        return sum(self.disbursements.values())

    @property
    def outstanding(self) -> int:
        return self.approved_amount - self.disbursed

    @property
    def late_interest_owed(self) -> int:
        """The interest late payouts owe the heirs, in rupiah."""
        return sum(int(owed["amount"]) for owed in self.late_interest.values())

    @property
    def is_paid(self) -> bool:
        return self.status is ClaimStatus.APPROVED and self.outstanding == 0

    def describe(self) -> str:
        return f"{self.benefit.value} claim for NIK {mask_nik(self.subject_nik)}"

    def approve(self, approved_on: date, actor: str, sole_approver_reason: str = "") -> None:
        """Approve the computed amount; the approver may not be the clerk who filed.

        Only where one officer holds both roles may they approve their own claim, and then only
        with a written reason, recorded on the approval (and listed among the audit findings).
        """
        self._require_filed("approved")
        waiver = sole_approver_reason.strip()
        if actor == self.filed_by and not waiver:
            raise FourEyesError(
                f"{actor} filed this claim and so cannot approve it; another approver must"
                " (or, where no other approver exists, give the reason for approving alone)"
            )
        if waiver and actor != self.filed_by:
            raise InvalidInputError(
                "a reason for approving alone is only for the officer who filed the claim",
                field="sole_approver_reason",
            )
        if waiver and len(waiver) < WAIVER_MIN_LENGTH:
            raise InvalidInputError(
                f"say in at least {WAIVER_MIN_LENGTH} characters why no other approver could "
                "decide", field="sole_approver_reason",
            )
        if approved_on < self.filed_on:
            raise InvalidInputError(
                "a claim cannot be approved before it was filed", field="approved_on"
            )
        self._approved(self.entitlement, self.rule_version, approved_on, actor, waiver)

    @event("Approved")
    def _approved(self, amount: int, rule_version: str, approved_on: date, actor: str,
                  sole_approver_reason: str = "") -> None:
        self.status = ClaimStatus.APPROVED
        self.approved_amount = amount
        self.approved_by = actor
        self.approved_on = approved_on
        self.sole_approver_reason = sole_approver_reason

    def revoke_approval(self, reason: str, revoked_on: date, actor: str) -> None:
        """Withdraw an approval found wrong after the fact (a forged heir certificate, say).

        Money already paid stays recorded as paid: it is now owed back, and shows as a payout
        above the approved amount until a reversal records its return.
        """
        if self.status is not ClaimStatus.APPROVED:
            raise ClaimStateError(
                f"only an approved claim can have its approval revoked; this claim is "
                f"{self.status.value}"
            )
        if not reason.strip():
            raise InvalidInputError("a revocation needs a reason", field="reason")
        if actor == self.filed_by:
            raise FourEyesError(
                f"{actor} filed this claim and so cannot revoke its approval; another "
                "officer must"
            )
        if self.approved_on is not None and revoked_on < self.approved_on:
            raise InvalidInputError(
                "an approval cannot be revoked before it was given", field="revoked_on"
            )
        self._approval_revoked(reason.strip(), revoked_on, self.disbursed, actor)

    @event("ApprovalRevoked")
    def _approval_revoked(self, reason: str, revoked_on: date, paid_so_far: int,
                          actor: str) -> None:
        self.status = ClaimStatus.REVOKED
        self.approved_amount = 0
        self.revocation_reason = reason

    def reject(self, reason: str, note: str, rejected_on: date, actor: str) -> None:
        self._require_filed("rejected")
        if reason not in REJECTION_REASONS:
            raise InvalidInputError(
                f"rejection reason must be one of {', '.join(REJECTION_REASONS)}; got '{reason}'",
                field="reason",
            )
        if actor == self.filed_by:
            raise FourEyesError(
                f"{actor} filed this claim and so cannot decide on it; another approver must"
            )
        self._rejected(reason, note, rejected_on, actor)

    @event("Rejected")
    def _rejected(self, reason: str, note: str, rejected_on: date, actor: str) -> None:
        self.status = ClaimStatus.REJECTED
        self.rejection_reason = reason

    def record_file_complete(self, complete_on: date, rules: BenefitRules, actor: str) -> None:
        """Record the day a JKM claim's file was complete: the benefit is due 3 working days
        later (the rule set's figure), and a later payout owes the heirs interest."""
        if self.benefit is not Benefit.JKM_DEATH:
            raise BenefitNotApplicableError(
                f"only a JKM claim is due a set time after its file is complete; this claim is "
                f"{self.benefit.value}", field="benefit")
        if self.status not in (ClaimStatus.FILED, ClaimStatus.APPROVED) or self.disbursements:
            raise ClaimStateError("the day the file was complete is recorded on a claim filed "
                                  "or approved and not yet paid")
        if self.file_complete_on is not None:
            raise ClaimStateError(f"the file was already recorded complete on "
                                  f"{self.file_complete_on.isoformat()}")
        if complete_on < self.filed_on:
            raise InvalidInputError("a file cannot be complete before the claim was filed",
                                    field="complete_on")
        self._file_completed(complete_on, jkm_due_on(rules, complete_on), actor)

    @event("FileCompleted")
    def _file_completed(self, complete_on: date, due_on: date, actor: str) -> None:
        self.file_complete_on = complete_on
        self.due_on = due_on

    def disburse(self, reference: str, amount: int, paid_on: date, actor: str,
                 rules: BenefitRules | None = None) -> None:
        """A payout, never beyond what was approved; after a JKM claim's due day it also
        records the interest owed to the heirs (``rules``: the claim's rule set)."""
        if self.status is not ClaimStatus.APPROVED:
            raise ClaimStateError(
                f"only an approved claim can be paid; this claim is {self.status.value}"
            )
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise InvalidInputError(
                "a payout is a whole number of rupiah above zero", field="amount"
            )
        require_rupiah(amount, "a payout", field="amount", minimum=1)
        if not reference.strip():
            raise InvalidInputError("a payout needs its transfer reference", field="reference")
        if reference in self.disbursements:
            raise InvalidInputError(
                f"payout reference {reference} is already recorded on this claim",
                field="reference",
            )
        if self.approved_on is not None and paid_on < self.approved_on:
            raise InvalidInputError(
                "a claim cannot be paid before it was approved", field="paid_on"
            )
        if amount > self.outstanding:
            raise PayoutExceedsApprovedError(
                f"paying {rupiah(amount)} would exceed the approved {rupiah(self.approved_amount)}"
                f"; {rupiah(self.outstanding)} is outstanding"
            )
        owed = None
        if self.due_on is not None and paid_on > self.due_on:
            if rules is None or rules.version != self.rule_version:
                raise InvalidInputError(f"a late payout needs the claim's rule set "
                                        f"'{self.rule_version}' to compute the interest")
            owed = late_interest(rules, benefit=amount, due_on=self.due_on, paid_on=paid_on)
        self._disbursed(reference, amount, paid_on, self.benefit.payer, actor)
        if owed is not None:
            self._late_interest_owed(reference, owed.due_on, paid_on, owed.days_late,
                                     owed.percent_per_day, amount, owed.amount)

    @event("LateInterestOwed")
    def _late_interest_owed(self, reference: str, due_on: date, paid_on: date, days_late: int,
                            percent_per_day: int, paid: int, amount: int) -> None:
        self.late_interest[reference] = {
            "reference": reference, "due_on": due_on, "paid_on": paid_on,
            "days_late": days_late, "percent_per_day": percent_per_day, "paid": paid,
            "amount": amount}

    @event("Disbursed")
    def _disbursed(
        self, reference: str, amount: int, paid_on: date, payer: str, actor: str
    ) -> None:
        self.disbursements[reference] = amount

    def reverse_disbursement(
        self, reference: str, reason: str, reversed_on: date, actor: str
    ) -> None:
        if reference not in self.disbursements:
            raise InvalidInputError(
                f"there is no payout {reference} on this claim", field="reference"
            )
        if reference in self.reversed_references:
            raise AlreadyReversedError(f"payout {reference} was already reversed")
        if not reason.strip():
            raise InvalidInputError("a reversal needs a reason", field="reason")
        self._disbursement_reversed(reference, reason, reversed_on, actor)

    @event("DisbursementReversed")
    def _disbursement_reversed(
        self, reference: str, reason: str, reversed_on: date, actor: str
    ) -> None:
        self.disbursements[reference] = 0
        self.reversed_references.add(reference)

    def _require_filed(self, step: str) -> None:
        if self.status is not ClaimStatus.FILED:
            raise ClaimStateError(
                f"this claim is already {self.status.value}; it cannot be {step} again"
            )
