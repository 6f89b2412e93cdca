"""The JKK schedule of a work accident: STMB claimed month by month and ended by recovery,
permanent disability or death; partial permanent disability by the table's row; medical care,
transport and home care against receipts. Each is a claim (approved, rejected and paid at
:mod:`ledger.commands.claims`) held on the accident's case (:mod:`ledger.work_accident_case`),
decided under the rule set in force on the accident's day."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.benefits import Benefit, BenefitRules, Computation, Line, require_jkk_in_time
from ledger.claim import Claim, Claimant
from ledger.commands.base import Commands
from ledger.errors import (
    BenefitNotApplicableError,
    BenefitNotInProgrammeError,
    DuplicateDeathBenefitError,
    InvalidInputError,
    NotFoundError,
)
from ledger.incident import Incident
from ledger.reimbursement import Receipt, TransportMode
from ledger.work_accident import IncapacityEnd
from ledger.work_accident_case import WorkAccidentCase, case_id, receipt_record

#: What a schedule claim's build returns: its computation, its facts, and the event that holds
#: what it claims on the case (given the new claim's id).
Decision = tuple[Computation, dict[str, Any], Callable[[str], None]]


class WorkAccidentCommands(Commands):
    """Claiming the JKK schedule of a work accident."""

    def work_accident_case(self, incident_id: UUID | str) -> WorkAccidentCase:
        """The JKK case of an incident, or a refusal when nothing was recorded on it yet."""
        try:
            return self._get(case_id(incident_id), WorkAccidentCase, NotFoundError, "JKK case")
        except NotFoundError:
            raise NotFoundError(
                f"there is no JKK case for incident {incident_id}: nothing of the JKK schedule "
                "was claimed or recorded on it yet", field="id") from None

    def _open_case(self, incident: Incident, actor: str) -> WorkAccidentCase:
        """The incident's case, opened (for a work accident or occupational disease) when it
        has none yet, under the rule set in force on the accident's day."""
        if self._exists(case_id(incident.id)):
            return self.work_accident_case(incident.id)
        if not incident.work_related:
            raise BenefitNotApplicableError(
                "the JKK schedule is for a work accident or occupational disease; this "
                "incident is not work-related", field="incident")
        enrolment = self.enrolment(incident.enrolment_id)
        return WorkAccidentCase(
            incident_id=str(incident.id), programme_id=incident.programme_id,
            programme_code=incident.programme_code, enrolment_id=str(enrolment.id),
            person_id=enrolment.person_id, subject_nik=enrolment.nik,
            accident_on=incident.occurred_on,
            wage=enrolment.wage_band, rule_version=self.rules_on(incident.occurred_on).version,
            actor=actor)

    def _case(self, incident: Incident, benefit: Benefit, filed_on: date, actor: str, *,
              living: bool) -> tuple[WorkAccidentCase, BenefitRules]:
        """The incident's case (opened on its first claim), once the rules allow ``benefit``:
        a programme covering JKK, a work accident claimed within its expiry, a living member
        for STMB and disability."""
        enrolment = self.enrolment(incident.enrolment_id)
        programme = self._programme_by_id(incident.programme_id, shared=True)
        if not programme.covers_benefit(benefit.cover.value):
            raise BenefitNotInProgrammeError(
                f"programme {programme.code} does not cover {benefit.cover.value}",
                field="benefit")
        if filed_on < incident.occurred_on:
            raise InvalidInputError("a claim cannot be filed before the incident",
                                    field="filed_on")
        rules = self.rules_on(incident.occurred_on)
        require_jkk_in_time(benefit, incident.facts(enrolment), filed_on, rules)
        if living and incident.is_death:
            raise BenefitNotApplicableError(
                f"{benefit.value} is for a living member; this incident is a death",
                field="benefit")
        return self._open_case(incident, actor), rules

    def _file_on_case(self, incident_id: UUID | str, benefit: Benefit, claimant: Claimant,
                      filed_on: date, actor: str, *, living: bool,
                      decide: Callable[[WorkAccidentCase, BenefitRules], Decision]) -> Claim:
        """File one claim of the schedule: ``decide`` computes it on the case (or refuses)."""

        def build() -> tuple[Claim, list[Aggregate]]:
            incident = self.incident(incident_id)
            claimant.validate(death_benefit=False, on=filed_on)
            case, rules = self._case(incident, benefit, filed_on, actor, living=living)
            computation, facts, hold = decide(case, rules)
            claim = Claim(
                programme_id=case.programme_id, programme_code=case.programme_code,
                benefit=benefit.value, incident_id=str(incident.id),
                enrolment_id=case.enrolment_id, person_id=case.person_id,
                subject_nik=case.subject_nik, claimant=self._claimant_record(claimant),
                filed_on=filed_on,
                entitlement=computation.amount, rule_version=computation.rule_version,
                computation=[{"label": line.label, "amount": line.amount}
                             for line in computation.lines],
                facts={"case_id": str(case.id), "wage": case.wage,
                       "occurred_on": case.accident_on, "work_related": True, **facts},
                actor=actor)
            hold(str(claim.id))
            return claim, [case, claim]

        return self._command(build)

    def file_stmb_month(self, incident_id: UUID | str, month: int, claimant: Claimant,
                        filed_on: date, actor: str) -> Claim:
        """Claim one month of temporary incapacity (1 = the month of the accident): 100% of
        the wage band for months 1-12, 50% from month 13; a month claimed twice, a month after
        the recorded end, or a month not yet begun is refused."""

        def decide(case: WorkAccidentCase, rules: BenefitRules) -> Decision:
            incident = self.incident(incident_id)
            if Benefit.JKK_TEMPORARY_INCAPACITY.value in incident.open_claims.values():
                raise DuplicateDeathBenefitError(
                    "this incident's temporary incapacity was claimed as one claim of several "
                    "months (jkk_temporary_incapacity); its months cannot be claimed again one "
                    "by one", field="month")
            found = case.stmb_month(rules, month, filed_on)
            line = (f"STMB month {found.number} ({found.starts_on.isoformat()} to "
                    f"{found.ends_on.isoformat()}) at {found.percent}% of wage")
            computation = Computation(found.amount, (Line(line, found.amount),), rules.version)
            facts = {"month": found.number, "starts_on": found.starts_on,
                     "ends_on": found.ends_on, "percent": found.percent}
            return computation, facts, lambda claim_id: case.month_claimed(
                claim_id, found.number, found.starts_on, found.ends_on, found.percent,
                found.amount)

        return self._file_on_case(incident_id, Benefit.JKK_STMB_MONTH, claimant, filed_on,
                                  actor, living=True, decide=decide)

    def end_incapacity(self, incident_id: UUID | str, ended_by: IncapacityEnd, ended_on: date,
                       actor: str) -> WorkAccidentCase:
        """Record the recovery, permanent disability or death that ended the months of STMB
        (opening the accident's case if no month was claimed yet)."""
        return self._update(lambda: self._open_case(self.incident(incident_id), actor),
                            lambda case: case.end_incapacity(ended_by, ended_on, actor))

    def file_partial_disability(self, incident_id: UUID | str, loss: str,
                                function_lost_percent: int, claimant: Claimant,
                                filed_on: date, actor: str) -> Claim:
        """Claim a partial permanent disability: the table's percentage for the loss (its row
        recorded) x 80 x wage, times the share of function lost (100 for the part itself)."""

        def decide(case: WorkAccidentCase, rules: BenefitRules) -> Decision:
            computation = case.disability(rules, loss, function_lost_percent)
            row = rules.disability_table.row(loss)
            facts = {"disability_row": row.code, "disability_percent": row.percent,
                     "disability_table": rules.disability_table.source,
                     "function_lost_percent": function_lost_percent}
            return computation, facts, lambda claim_id: case.disability_claimed(
                claim_id, row.code, row.percent, function_lost_percent, computation.amount)

        return self._file_on_case(incident_id, Benefit.JKK_PARTIAL_DISABILITY, claimant,
                                  filed_on, actor, living=True, decide=decide)

    def file_reimbursement(self, incident_id: UUID | str, benefit: Benefit,
                           receipts: Sequence[tuple[TransportMode | None, Receipt]],
                           claimant: Claimant, filed_on: date, actor: str,
                           started_on: date | None = None) -> Claim:
        """Claim costs back against receipts (each with its reference and SHA-256): medical
        care as billed, transport by mode up to its ceiling, home care within a year of
        ``started_on`` up to its ceiling; an amount over a ceiling is paid up to it, and the
        computation says so."""
        kinds = {Benefit.JKK_MEDICAL_CARE: "medical_care", Benefit.JKK_TRANSPORT: "transport",
                 Benefit.JKK_HOME_CARE: "home_care"}
        if benefit not in kinds:
            raise BenefitNotApplicableError(
                f"a reimbursement is one of {', '.join(b.value for b in kinds)}",
                field="benefit")
        kind = kinds[benefit]
        for receipt in receipts:
            if receipt[1].issued_on > filed_on:
                raise InvalidInputError(f"receipt {receipt[1].reference} is dated after the "
                                        "claim was filed", field="receipts")

        def decide(case: WorkAccidentCase, rules: BenefitRules) -> Decision:
            computation = case.reimbursement(rules, kind, receipts, started_on)
            records = [receipt_record(r, mode) for mode, r in receipts]
            facts: dict[str, Any] = {"receipts": records}
            if kind == "home_care":
                facts["started_on"] = started_on
            return computation, facts, lambda claim_id: case.reimbursement_claimed(
                claim_id, kind, records, computation.amount,
                started_on if kind == "home_care" else None)

        return self._file_on_case(incident_id, benefit, claimant, filed_on, actor,
                                  living=False, decide=decide)
