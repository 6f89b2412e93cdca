"""Scholarships: granted with an approved JKM or JKK death claim, their children, and each
school year claimed with its proof of enrolment (then approved, rejected and paid as any
claim: :mod:`ledger.commands.claims`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.benefits import Benefit, Line
from ledger.claim import Claim, Claimant, ClaimStatus
from ledger.commands.base import Commands
from ledger.errors import (
    BenefitNotApplicableError,
    ClaimStateError,
    DuplicateDeathBenefitError,
    InvalidInputError,
)
from ledger.identity import parse_nik
from ledger.reimbursement import require_sha256
from ledger.scholarship import grant_scholarship
from ledger.scholarship_grant import Scholarship, scholarship_id
from ledger.schooling import Child, SchoolLevel, SchoolYear

#: Why a child stops receiving the scholarship before 23 (recorded with the day).
STOP_REASONS = ("married", "working")


class ScholarshipCommands(Commands):
    """Granting scholarships and claiming their school years."""

    def grant_scholarship(self, death_claim_id: UUID | str, children: Sequence[Child],
                          granted_on: date, actor: str,
                          membership_began_on: date | None = None) -> Scholarship:
        """Grant the scholarship of an approved death claim to at most two children.

        ``membership_began_on``: the day BPJS membership began, when it began before this
        enrolment (the membership card's history); by default the enrolment's first day. A JKM
        death needs 3 years of it; a JKK death none."""

        def build() -> tuple[Scholarship, list[Aggregate]]:
            death = self.claim(death_claim_id)
            if death.benefit not in (Benefit.JKM_DEATH, Benefit.JKK_DEATH):
                raise BenefitNotApplicableError(
                    f"a scholarship comes with a JKM or JKK death claim; this claim is "
                    f"{death.benefit.value}", field="death_claim_id")
            if death.status is not ClaimStatus.APPROVED:
                raise ClaimStateError(
                    f"a scholarship is granted with an approved death claim; this one is "
                    f"{death.status.value}")
            if self._exists(scholarship_id(death.id)):
                raise DuplicateDeathBenefitError(
                    f"the scholarship of this death is already granted "
                    f"({scholarship_id(death.id)}); add a child to it instead",
                    field="death_claim_id")
            assert death.incident_id is not None and death.enrolment_id is not None
            incident = self.incident(death.incident_id)
            enrolment = self.enrolment(death.enrolment_id)
            began = membership_began_on or enrolment.enrolled_on
            if began > enrolment.enrolled_on:
                raise InvalidInputError(
                    "membership cannot begin after the enrolment's first day "
                    f"({enrolment.enrolled_on.isoformat()})", field="membership_began_on")
            if granted_on < (death.approved_on or granted_on):
                raise InvalidInputError("a scholarship cannot be granted before its death "
                                        "claim was approved", field="granted_on")
            for child in children:
                parse_nik(child.nik, on=granted_on)
            rule_set = self.rules_on(incident.occurred_on)
            entitlement = grant_scholarship(
                rule_set, work_accident=death.benefit is Benefit.JKK_DEATH,
                membership_began_on=began, died_on=incident.occurred_on, children=children)
            if not entitlement.children:
                raise InvalidInputError("name the child (or the two children) the scholarship "
                                        "is for", field="children")
            scholarship = Scholarship.grant(
                death_claim_id=str(death.id), programme_id=death.programme_id,
                programme_code=death.programme_code, incident_id=str(incident.id),
                person_id=death.person_id, subject_nik=death.subject_nik,
                cover=death.benefit.cover.value, entitlement=entitlement,
                child_subjects={c.nik: self.personal.subject_for(c.nik)
                                for c in entitlement.children},
                rule_set=rule_set, membership_began_on=began,
                granted_on=granted_on, actor=actor)
            return scholarship, [scholarship]

        return self._command(build)

    def add_scholarship_child(self, scholarship_id_: UUID | str, child: Child,
                              actor: str) -> Scholarship:
        """Name a second child (a third, or a child already 23 at the death, is refused)."""
        parse_nik(child.nik)

        def act(scholarship: Scholarship) -> None:
            scholarship.add_child(self.rule_book.version(scholarship.rule_version), child,
                                  self.personal.subject_for(child.nik), actor)

        return self._update(lambda: self.scholarship(scholarship_id_), act)

    def record_child_stopped(self, scholarship_id_: UUID | str, child_nik: str, why: str,
                             on: date, actor: str) -> Scholarship:
        """Record that a child married or started work on a day: no later year is paid."""
        if why not in STOP_REASONS:
            raise InvalidInputError(f"why must be one of {', '.join(STOP_REASONS)}; got '{why}'",
                                    field="why")

        def act(scholarship: Scholarship) -> None:
            scholarship.child_stopped(self.rule_book.version(scholarship.rule_version),
                                      child_nik, why, on, actor)

        return self._update(lambda: self.scholarship(scholarship_id_), act)

    def file_scholarship_year(self, scholarship_id_: UUID | str, child_nik: str,
                              level: SchoolLevel, school_year: SchoolYear,
                              proof_reference: str, proof_sha256: str, claimant: Claimant,
                              filed_on: date, actor: str) -> Claim:
        """Claim one school year of a child with its proof of enrolment (the school's letter:
        its reference and the SHA-256 of the scanned document); the rule set of the grant
        computes the amount; approved by another officer as any claim."""
        digest = require_sha256(proof_sha256, field="proof_sha256")
        if not proof_reference.strip():
            raise InvalidInputError("a school year is claimed with its proof of enrolment: "
                                    "give the document's reference", field="proof_reference")

        def build() -> tuple[Claim, list[Aggregate]]:
            scholarship = self.scholarship(scholarship_id_)
            if filed_on < scholarship.granted_on:
                raise InvalidInputError("a school year cannot be claimed before the scholarship "
                                        "was granted", field="filed_on")
            claimant.validate(death_benefit=True, on=filed_on)
            rule_set = self.rule_book.version(scholarship.rule_version)
            year = scholarship.claim_year(rule_set, child_nik, level, school_year)
            line = Line(f"scholarship {year.level.label} year {year.year_at_level}, "
                        f"school year {year.school_year}", year.amount)
            claim = Claim(
                programme_id=scholarship.programme_id,
                programme_code=scholarship.programme_code,
                benefit=Benefit.SCHOLARSHIP_YEAR.value, incident_id=scholarship.incident_id,
                enrolment_id=None, person_id=scholarship.person_id,
                subject_nik=scholarship.subject_nik, claimant=self._claimant_record(claimant),
                filed_on=filed_on, entitlement=year.amount,
                rule_version=year.rule_version,
                computation=[{"label": line.label, "amount": line.amount}],
                facts={"scholarship_id": str(scholarship.id),
                       "child_subject_id": scholarship.child_subject(year.child_nik),
                       "child_nik": year.child_nik,
                       "child_name": year.child_name, "level": year.level.value,
                       "school_year": str(year.school_year),
                       "year_at_level": year.year_at_level,
                       "proof_reference": proof_reference.strip(), "proof_sha256": digest,
                       "occurred_on": scholarship.died_on},
                actor=actor)
            scholarship.year_claimed(str(claim.id), year)
            return claim, [scholarship, claim]

        return self._command(build)
