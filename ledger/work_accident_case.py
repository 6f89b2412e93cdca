"""The JKK case of one work accident: its STMB months, partial disabilities and receipts.

A work accident pays more than one amount over time (:mod:`ledger.work_accident`,
:mod:`ledger.reimbursement`): temporary incapacity (STMB) month by month until recovery,
permanent disability or death is recorded; partial permanent disability by the table's row; and
the costs of care and transport against their receipts. Each of these is a
:class:`~ledger.claim.Claim` (filed by a clerk, approved by another officer, under the rule set
in force on the accident's day); this aggregate, one per incident (:func:`case_id`), holds which
claim holds which month, loss and receipt, so that a month is paid once, no month after the end
is paid, a receipt is paid once, and a ceiling counts every claim of the case. A rejected or
revoked claim frees what it held.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.benefits import BenefitRules, Computation, Line
from ledger.calendar import add_calendar_months
from ledger.errors import (
    ClaimStateError,
    DuplicateReceiptError,
    InvalidInputError,
    RuleViolationError,
)
from ledger.reimbursement import Receipt, TransportMode, home_care, medical_care, transport
from ledger.work_accident import IncapacityEnd, StmbMonth, partial_disability, stmb_month

CASE_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:work-accident-case")

#: The kinds of costs paid back against receipts.
REIMBURSEMENTS = ("medical_care", "transport", "home_care")


class StmbMonthClaimedError(RuleViolationError):
    """A month of temporary incapacity is paid once."""

    rule = "stmb-month-claimed"


class IncapacityEndedError(RuleViolationError):
    """No month of temporary incapacity after recovery, permanent disability or death."""

    rule = "stmb-after-end"


class DisabilityClaimedError(RuleViolationError):
    """One loss of one accident is paid once."""

    rule = "disability-claimed"


class CeilingReachedError(RuleViolationError):
    """Costs of a case already claimed up to their ceiling: new receipts add nothing."""

    rule = "reimbursement-ceiling-reached"


def case_id(incident_id: UUID | str) -> UUID:
    """The id of the JKK case of an incident."""
    return uuid5(CASE_NAMESPACE, str(incident_id))


def receipt_record(receipt: Receipt, mode: TransportMode | None = None) -> dict[str, Any]:
    """A receipt as the events record it (its reference, date, amount, SHA-256)."""
    record: dict[str, Any] = {"reference": receipt.reference, "issued_on": receipt.issued_on,
                              "amount": receipt.amount, "sha256": receipt.sha256}
    if mode is not None:
        record["mode"] = mode.value
    return record


def _receipt(record: dict[str, Any]) -> Receipt:
    return Receipt(record["reference"], record["issued_on"], int(record["amount"]),
                   record["sha256"])


class WorkAccidentCase(LedgerAggregate):
    """What a work accident's schedule has claimed: months, losses, receipts."""

    @staticmethod
    def create_id(incident_id: str, **_: Any) -> UUID:
        return case_id(incident_id)

    @event("Opened")
    def __init__(self, incident_id: str, programme_id: str, programme_code: str,
                 enrolment_id: str, person_id: str, subject_nik: str, accident_on: date,
                 wage: int,
                 rule_version: str, actor: str) -> None:
        self.incident_id = incident_id
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.enrolment_id = enrolment_id
        self.person_id = person_id
        self.subject_nik = subject_nik
        self.accident_on = accident_on
        self.wage = wage
        self.rule_version = rule_version
        self.opened_by = actor
        self.months: dict[str, int] = {}  # claim id -> month number
        self.losses: dict[str, str] = {}  # claim id -> the table row's code
        # claim id -> {"kind", "receipts", "amount", "started_on"}
        self.reimbursements: dict[str, dict[str, Any]] = {}
        self.ended_by: IncapacityEnd | None = None
        self.ended_on: date | None = None

    # -- STMB ---------------------------------------------------------------------------------

    def stmb_month(self, rules: BenefitRules, month: int, filed_on: date) -> StmbMonth:
        """Month ``month`` as the rule pays it, or why it cannot be claimed: claimed already,
        after the end of incapacity, or not yet begun."""
        found = stmb_month(rules, wage=self.wage, accident_on=self.accident_on, month=month)
        for claim_id, held in self.months.items():
            if held == month:
                raise StmbMonthClaimedError(
                    f"month {month} of incapacity ({found.starts_on.isoformat()} to "
                    f"{found.ends_on.isoformat()}) is already claimed (claim {claim_id}); a "
                    "month is paid once", field="month")
        if self.ended_on is not None and found.starts_on >= self.ended_on:
            assert self.ended_by is not None
            raise IncapacityEndedError(
                f"incapacity ended on {self.ended_on.isoformat()} "
                f"({self.ended_by.value.replace('_', ' ')}); month {month} begins on "
                f"{found.starts_on.isoformat()}, after the end, and is not paid", field="month")
        if found.starts_on > filed_on:
            raise InvalidInputError(
                f"month {month} of incapacity begins on {found.starts_on.isoformat()}; it can "
                "be claimed once it has begun", field="month")
        return found

    @event("MonthClaimed")
    def month_claimed(self, claim_id: str, month: int, starts_on: date, ends_on: date,
                      percent: int, amount: int) -> None:
        self.months[claim_id] = month

    def end_incapacity(self, ended_by: IncapacityEnd, ended_on: date, actor: str) -> None:
        """Record what ended temporary incapacity, and when: no later month is paid."""
        if self.ended_by is not None and self.ended_on is not None:
            raise ClaimStateError(
                f"incapacity already ended on {self.ended_on.isoformat()} "
                f"({self.ended_by.value.replace('_', ' ')})")
        if ended_on <= self.accident_on:
            raise InvalidInputError(
                f"incapacity ends after the accident ({self.accident_on.isoformat()})",
                field="ended_on")
        for claim_id, month in self.months.items():
            starts_on = stmb_month_start(self.accident_on, month)
            if starts_on >= ended_on:
                raise IncapacityEndedError(
                    f"month {month} (from {starts_on.isoformat()}) is claimed (claim "
                    f"{claim_id}) though it begins after {ended_on.isoformat()}; reject that "
                    "claim first", field="ended_on")
        self._incapacity_ended(ended_by.value, ended_on, actor)

    @event("IncapacityEnded")
    def _incapacity_ended(self, ended_by: str, ended_on: date, actor: str) -> None:
        self.ended_by = IncapacityEnd(ended_by)
        self.ended_on = ended_on

    # -- partial permanent disability ---------------------------------------------------------

    def disability(self, rules: BenefitRules, loss: str,
                   function_lost_percent: int) -> Computation:
        """The table's percentage for ``loss`` x 80 x wage (a row the table lacks is refused
        in words, naming the rows it has); one loss is paid once."""
        computation = partial_disability(rules, wage=self.wage, loss=loss,
                                         function_lost_percent=function_lost_percent)
        code = rules.disability_table.row(loss).code
        for claim_id, held in self.losses.items():
            if held == code:
                raise DisabilityClaimedError(
                    f"the loss '{code}' of this accident is already claimed (claim "
                    f"{claim_id})", field="loss")
        return computation

    @event("DisabilityClaimed")
    def disability_claimed(self, claim_id: str, loss: str, percent: int,
                           function_lost_percent: int, amount: int) -> None:
        self.losses[claim_id] = loss

    # -- receipts -----------------------------------------------------------------------------

    def reimbursement(self, rules: BenefitRules, kind: str,
                      receipts: Sequence[tuple[TransportMode | None, Receipt]],
                      started_on: date | None = None) -> Computation:
        """What new receipts add: the rule computes the whole case (every receipt of this kind
        held by a claim of the case, and these), less what earlier claims hold; a ceiling
        already reached is refused in words, a receipt paid before is refused."""
        if kind not in REIMBURSEMENTS:
            raise InvalidInputError(f"a reimbursement is one of {', '.join(REIMBURSEMENTS)}",
                                    field="kind")
        for _, receipt in receipts:
            if receipt.issued_on < self.accident_on:
                raise InvalidInputError(
                    f"receipt {receipt.reference} is dated {receipt.issued_on.isoformat()}, "
                    f"before the accident ({self.accident_on.isoformat()})", field="receipts")
        held = {c: r for c, r in self.reimbursements.items() if r["kind"] == kind}
        paid_before = {rec["sha256"]: (claim_id, rec["reference"])
                       for claim_id, r in self.reimbursements.items() for rec in r["receipts"]}
        for _, receipt in receipts:
            if receipt.sha256 in paid_before:
                claim_id, reference = paid_before[receipt.sha256]
                raise DuplicateReceiptError(
                    f"receipt {receipt.reference} is the document of receipt {reference} "
                    f"(same SHA-256), already claimed on claim {claim_id}", field="receipts")
        earlier = [(TransportMode(rec["mode"]) if rec.get("mode") else None, _receipt(rec))
                   for r in held.values() for rec in r["receipts"]]
        everything = [*earlier, *receipts]
        if kind == "medical_care":
            whole = medical_care(rules, [r for _, r in everything])
        elif kind == "transport":
            if any(mode is None for mode, _ in everything):
                raise InvalidInputError("each transport receipt says its mode: land, sea or air",
                                        field="receipts")
            whole = transport(rules, [(mode, r) for mode, r in everything if mode is not None])
        else:
            first = {r["started_on"] for r in held.values()}
            if started_on is None:
                raise InvalidInputError("home care needs the day it started", field="started_on")
            if first and started_on not in first:
                raise InvalidInputError(
                    f"this case's home care started on {min(first).isoformat()}; say that day",
                    field="started_on")
            whole = home_care(rules, started_on=started_on, receipts=[r for _, r in everything])
        already = sum(int(r["amount"]) for r in held.values())
        amount = whole.amount - already
        if amount <= 0:
            raise CeilingReachedError(
                f"{kind.replace('_', ' ')} of this case is already claimed up to its ceiling "
                f"({' ; '.join(line.label for line in whole.lines)}); these receipts add "
                "nothing", field="receipts")
        if not already:
            return whole
        lines = (*whole.lines, Line(f"less what {len(held)} earlier claim(s) of this case hold",
                                    -already))
        return Computation(amount, lines, whole.rule_version)

    @event("ReimbursementClaimed")
    def reimbursement_claimed(self, claim_id: str, kind: str, receipts: list[dict[str, Any]],
                              amount: int, started_on: date | None) -> None:
        self.reimbursements[claim_id] = {"kind": kind, "receipts": list(receipts),
                                         "amount": amount, "started_on": started_on}

    # -- a claim rejected or revoked ----------------------------------------------------------

    @event("ClaimWithdrawn")
    def claim_withdrawn(self, claim_id: str, reason: str) -> None:
        """Free what a rejected or revoked claim held: its month, loss or receipts."""
        self.months.pop(claim_id, None)
        self.losses.pop(claim_id, None)
        self.reimbursements.pop(claim_id, None)


def stmb_month_start(accident_on: date, month: int) -> date:
    """The first day of month ``month`` of incapacity."""
    return add_calendar_months(accident_on, month - 1)
