"""Claims: JKK and JKM claims filed on incidents, the city's death grant, then approved or
rejected, and paid out (or the payout reversed)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.benefits import Benefit, entitlement
from ledger.claim import Claim, Claimant
from ledger.commands.base import Commands
from ledger.deceased import Deceased
from ledger.errors import (
    BenefitNotApplicableError,
    BenefitNotInProgrammeError,
    DuplicateDeathBenefitError,
    InvalidInputError,
    NotFoundError,
)
from ledger.grants import check_application, grant_claim
from ledger.limits import MAX_INCAPACITY_MONTHS, require_count
from ledger.work_accident_case import WorkAccidentCase, case_id


class ClaimCommands(Commands):
    """Filing, deciding and paying claims."""

    def file_claim(self, incident_id: UUID | str, benefit: Benefit, claimant: Claimant,
                   filed_on: date, actor: str, incapacity_months: int | None = None) -> Claim:
        """File a JKK or JKM claim on an incident; the rule set computes the amount."""
        if benefit is Benefit.SCHOLARSHIP_YEAR:
            raise BenefitNotApplicableError(
                "a school year of the scholarship is claimed on its scholarship (with the proof "
                "of enrolment), not on an incident", field="benefit")
        if incapacity_months is not None:
            require_count(incapacity_months, "the months of incapacity",
                          field="incapacity_months", minimum=1,
                          maximum=MAX_INCAPACITY_MONTHS)

        def build() -> tuple[Claim, list[Aggregate]]:
            incident = self.incident(incident_id)
            enrolment = self.enrolment(incident.enrolment_id)
            programme = self._programme_by_id(incident.programme_id, shared=True)  # read only
            if not programme.covers_benefit(benefit.cover.value):
                raise BenefitNotInProgrammeError(
                    f"programme {programme.code} does not cover {benefit.cover.value}",
                    field="benefit")
            incident.require_claimable(benefit)
            if benefit is Benefit.JKK_TEMPORARY_INCAPACITY and self._exists(
                    case_id(incident.id)) and self._get(
                    case_id(incident.id), WorkAccidentCase, NotFoundError, "JKK case").months:
                raise DuplicateDeathBenefitError(
                    "this incident's temporary incapacity is claimed month by month "
                    "(jkk_stmb_month); claim its next month rather than one claim of several",
                    field="benefit")
            claimant.validate(death_benefit=benefit.is_death_benefit, on=filed_on)
            if filed_on < incident.occurred_on:
                raise InvalidInputError("a claim cannot be filed before the incident",
                                        field="filed_on")
            amount = entitlement(benefit, incident.facts(enrolment), filed_on, incapacity_months,
                                 rule_set=self.rules_on(incident.occurred_on))
            facts: dict[str, Any] = {
                "wage": enrolment.wage_band, "enrolled_on": enrolment.enrolled_on,
                "occurred_on": incident.occurred_on, "work_related": incident.work_related,
            }
            if incapacity_months is not None:
                facts["incapacity_months"] = incapacity_months
            claim = Claim(
                programme_id=str(programme.id), programme_code=programme.code,
                benefit=benefit.value, incident_id=str(incident.id),
                enrolment_id=str(enrolment.id), person_id=enrolment.person_id,
                subject_nik=enrolment.nik, claimant=self._claimant_record(claimant),
                filed_on=filed_on, entitlement=amount.amount,
                rule_version=amount.rule_version, computation=amount.as_record(),
                facts=facts, actor=actor)
            incident.open_claim(str(claim.id), benefit)
            return claim, [incident, claim]

        return self._command(build)

    def file_grant_claim(self, code: str, deceased: Deceased, died_on: date, cause: str,
                         claimant: Claimant, filed_on: date, actor: str) -> Claim:
        """File the city's flat death grant for a poor resident who died."""

        def build() -> tuple[Claim, list[Aggregate]]:
            programme = self.programme(code)
            rule_set = self.rules_on(died_on)
            nik = check_application(programme, deceased, died_on, cause, claimant, filed_on,
                                    rule_set)
            person = self._person_or_new(nik)
            claim = grant_claim(programme, person, deceased, died_on, cause, claimant,
                                self.personal.subject_for(claimant.nik), filed_on, actor,
                                rule_set)
            return claim, [person, claim]

        return self._command(build)

    def approve_claim(self, claim_id: UUID | str, approved_on: date, actor: str,
                      expected_version: int | None = None,
                      sole_approver_reason: str = "") -> Claim:
        """Approve the computed amount (four-eyes: not by the clerk who filed, unless the
        officer who holds both roles records why no one else could decide)."""
        return self._update(
            lambda: self.claim(claim_id),
            lambda claim: claim.approve(approved_on, actor, sole_approver_reason),
            expected_version)

    def revoke_approval(self, claim_id: UUID | str, reason: str, revoked_on: date, actor: str,
                        expected_version: int | None = None) -> Claim:
        """Withdraw an approval; payouts already made become money owed back (a scholarship's
        school year is free again, to be claimed rightly)."""

        def act(claim: Claim) -> list[Aggregate]:
            claim.revoke_approval(reason, revoked_on, actor)
            if claim.benefit.on_case:  # the month, loss or receipts are free again
                return [claim, self._case_withdrawn(claim, reason.strip())]
            if claim.benefit is not Benefit.SCHOLARSHIP_YEAR:
                return [claim]
            scholarship = self.scholarship(claim.facts["scholarship_id"])
            scholarship.year_withdrawn(str(claim.id), reason.strip())
            return [claim, scholarship]

        return self._update(lambda: self.claim(claim_id), act, expected_version)

    def reject_claim(self, claim_id: UUID | str, reason: str, note: str, rejected_on: date,
                     actor: str, expected_version: int | None = None) -> Claim:
        """Reject with a reason code; the incident (or the NIK's grant) is free again."""

        def act(claim: Claim) -> list[Aggregate]:
            claim.reject(reason, note, rejected_on, actor)
            if claim.benefit is Benefit.SCHOLARSHIP_YEAR:  # the school year is free again
                scholarship = self.scholarship(claim.facts["scholarship_id"])
                scholarship.year_withdrawn(str(claim.id), reason)
                return [claim, scholarship]
            if claim.benefit.on_case:  # the month, loss or receipts are free again
                return [claim, self._case_withdrawn(claim, reason)]
            if claim.incident_id is not None:
                incident = self.incident(claim.incident_id)
                incident.claim_closed(str(claim.id), reason)
                return [claim, incident]
            person = self._person_or_new(claim.subject_nik)
            person.grant_released(str(claim.id))
            return [claim, person]

        return self._update(lambda: self.claim(claim_id), act, expected_version)

    def _case_withdrawn(self, claim: Claim, reason: str) -> WorkAccidentCase:
        case = self._get(claim.facts["case_id"], WorkAccidentCase, NotFoundError, "JKK case")
        case.claim_withdrawn(str(claim.id), reason)
        return case

    def disburse(self, claim_id: UUID | str, reference: str, amount: int, paid_on: date,
                 actor: str, expected_version: int | None = None) -> Claim:
        """Record a payout; the city's own grant also counts against its programme's ceiling."""

        def act(claim: Claim) -> list[Aggregate]:
            # A JKM claim with a due day computes the interest of a late payout by its set.
            rules = None if claim.due_on is None else self.rule_book.version(claim.rule_version)
            claim.disburse(reference, amount, paid_on, actor, rules)
            if claim.benefit.payer != "CITY":
                return [claim]
            programme = self._programme_by_id(claim.programme_id)
            programme.require_budget_for(amount)
            programme.payout_booked(str(claim.id), reference, amount)
            return [claim, programme]

        return self._update(lambda: self.claim(claim_id), act, expected_version)

    def record_file_complete(self, claim_id: UUID | str, complete_on: date, actor: str,
                             expected_version: int | None = None) -> Claim:
        """Record the day a JKM claim's file was complete (its last document in): the benefit
        is due 3 working days later, and a payout after that owes the heirs 1% a day."""
        return self._update(
            lambda: self.claim(claim_id),
            lambda claim: claim.record_file_complete(
                complete_on, self.rule_book.version(claim.rule_version), actor),
            expected_version)

    def reverse_disbursement(self, claim_id: UUID | str, reference: str, reason: str,
                             reversed_on: date, actor: str,
                             expected_version: int | None = None) -> Claim:
        """Reverse a payout (bounced, wrong account); the city's grant goes back under the
        ceiling."""

        def act(claim: Claim) -> list[Aggregate]:
            claim.reverse_disbursement(reference, reason, reversed_on, actor)
            if claim.benefit.payer != "CITY":
                return [claim]
            programme = self._programme_by_id(claim.programme_id)
            programme.payout_unbooked(str(claim.id), reference)
            return [claim, programme]

        return self._update(lambda: self.claim(claim_id), act, expected_version)
