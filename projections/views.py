"""Typed, frozen rows of the read models: what documents (and any other reader) are given.

Each row is built from one answer of :class:`~projections.queries.Reader` (whose dicts the JSON
routes serve as they are): the columns a reader may rely on, with JSON columns decoded (a
programme's covers, a payment order's months) and nothing else. Dates stay ISO text, as the
tables keep them (they compare and print as dates); money is whole rupiah.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

Row = TypeVar("Row")


def row_of(kind: type[Row], values: Mapping[str, Any], **decoded: Any) -> Row:
    """A ``kind`` row from a table row's columns (those it names), ``decoded`` ones replaced."""
    names = [f.name for f in fields(kind)]  # type: ignore[arg-type]
    chosen = {name: values.get(name) for name in names if name not in decoded}
    return kind(**chosen, **decoded)


@dataclass(frozen=True)
class Programme:
    """A programme as the budget read model holds it: its terms and its running totals."""

    programme: str
    programme_id: str
    name: str
    funder_name: str
    funder_region: str
    funding_source: str
    fiscal_year: int
    covers: tuple[str, ...]
    ceiling: int
    dpa_reference: str
    first_month: str
    months: int
    grace_months: int
    planned_members: int | None
    wage_band: int | None
    revisions: int
    paid: int
    reversed: int
    closed_on: str | None
    position: int

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Programme:
        covers = values.get("covers")
        found = json.loads(covers) if isinstance(covers, str) else covers or []
        return row_of(cls, values, covers=tuple(str(c) for c in found))


@dataclass(frozen=True)
class Revision:
    """A change of a programme's ceiling (a DPA revision), at its log position."""

    position: int
    ceiling: int
    dpa_reference: str
    reason: str


@dataclass(frozen=True)
class BudgetMonth:
    """One month of a programme: members on the roster, what was due and what was paid."""

    month: str
    active_members: int
    rate: int
    due: int
    paid: int
    paid_members: int
    short_of_roster: bool
    paid_beyond_roster: bool
    over_ceiling: bool


@dataclass(frozen=True)
class Budget:
    """A programme's budget realisation: ceiling, revisions, paid, committed, month by month."""

    programme: str
    funding_source: str
    ceiling: int
    dpa_reference: str
    revisions: tuple[Revision, ...]
    paid: int
    reversed: int
    city_payouts: int
    committed: int
    remaining: int
    members: int
    months: tuple[BudgetMonth, ...]

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Budget:
        return row_of(cls, values,
                      revisions=tuple(row_of(Revision, r) for r in values["revisions"]),
                      months=tuple(row_of(BudgetMonth, m) for m in values["months"]))


@dataclass(frozen=True)
class MemberGroup:
    """How many members of a programme share a district, occupation, decile and status: the
    roster counted in the database (a programme's page needs the counts, not the rows)."""

    district: str | None
    occupation: str | None
    decile: int | None
    status: str | None
    members: int


@dataclass(frozen=True)
class RosterMember:
    """A member (enrolment) of a programme with the months paid for it and its claims."""

    enrolment_id: str
    programme: str
    nik: str
    person_id: str
    name: str
    region: str
    district: str
    village: str
    occupation: str
    branch: str | None
    decile: int
    enrolled_on: str
    status: str
    ended_on: str | None
    end_reason: str | None
    kpj: str | None
    died_on: str | None
    position: int
    kk: str | None
    identity: str | None
    identity_reason: str | None
    months_paid: int
    claims: int


@dataclass(frozen=True)
class Contribution:
    """A payment order (SP2D) of a programme: the months and members it paid for."""

    contribution_id: str
    programme: str
    sp2d: str
    paid_on: str
    months: tuple[str, ...]
    month_count: int
    members: int
    rate: int
    amount: int
    reversed_on: str | None
    position: int
    reversed_position: int | None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Contribution:
        months = values["months"]
        found = json.loads(months) if isinstance(months, str) else months
        return row_of(cls, values, months=tuple(found))


@dataclass(frozen=True)
class ClaimBalance:
    """A claim as the balances read model holds it: entitled, approved, paid, outstanding."""

    claim_id: str
    programme: str
    benefit: str
    payer: str
    enrolment_id: str | None
    incident_id: str | None
    subject_nik: str
    district: str | None
    filed_on: str
    entitlement: int
    status: str
    approved: int
    approved_on: str | None
    disbursed: int
    reversed: int
    position: int
    filed_by: str | None
    approved_by: str | None
    outstanding: int


@dataclass(frozen=True)
class CeremonyItem:
    """A claim shown at a handover ceremony, and how that claim stands now."""

    claim_id: str
    amount: int
    paid_at_ceremony: int
    benefit: str
    subject_nik: str
    status: str
    approved: int
    disbursed: int


@dataclass(frozen=True)
class Ceremony:
    """A handover ceremony that showed claims of a programme."""

    handover_id: str
    held_on: str
    venue: str
    occasion: str
    items: tuple[CeremonyItem, ...]

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Ceremony:
        return row_of(cls, values, items=tuple(row_of(CeremonyItem, i) for i in values["items"]))


@dataclass(frozen=True)
class Discrepancy:
    """One line of a statement that the ledger does not match, and what became of it."""

    discrepancy_id: str
    run_id: str
    number: int
    kind: str
    reference: str | None
    statement_amount: int | None
    ledger_amount: int | None
    statement_date: str | None
    ledger_date: str | None
    line: int | None
    detail: str | None
    status: str
    resolved_reason: str | None
    resolved_by: str | None
    resolved_at: str | None
    position: int


@dataclass(frozen=True)
class ReconciliationRun:
    """A statement (bank or BPJS) matched against the ledger, with its discrepancies."""

    run_id: str
    source: str
    programme: str | None
    month: str | None
    statement: str
    statement_sha256: str
    lines: int
    ledger_items: int
    matched: int
    discrepancies: int
    open: int
    run_on: str
    actor: str
    recorded_at: str | None
    position: int
    items: tuple[Discrepancy, ...]

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> ReconciliationRun:
        return row_of(cls, values, items=tuple(row_of(Discrepancy, d) for d in values["items"]))


@dataclass(frozen=True)
class ObligationYear:
    """A school year of projected scholarship payments: children paid for, amount."""

    school_year: str
    children: int
    amount: int


@dataclass(frozen=True)
class UnpaidClaim:
    """An approved claim not yet paid in full."""

    claim_id: str
    benefit: str
    payer: str
    subject_nik: str
    approved_on: str | None
    approved: int
    paid: int
    outstanding: int


@dataclass(frozen=True)
class OpenStmbCase:
    """A work accident's temporary incapacity with no recorded end: the months claimed, the
    next month due (its first day, percentage of the wage band and amount)."""

    case_id: str
    incident_id: str
    subject_nik: str
    accident_on: str
    wage: int
    rule_version: str
    months_claimed: int
    last_month: int
    next_month: int
    next_starts_on: str
    next_percent: int
    next_amount: int
    begun: bool


@dataclass(frozen=True)
class Obligations:
    """What a programme still owes from a day on, beside what it paid (projections.obligations):
    scholarship years still payable by school year, approved claims unpaid, late interest,
    the next STMB month of each open work accident case."""

    programme: str
    funder_name: str
    on: str
    from_school_year: str
    scholarships: int
    children: int
    scholarship_years: tuple[ObligationYear, ...]
    scholarship_total: int
    scholarship_paid: int
    unpaid_claims: tuple[UnpaidClaim, ...]
    unpaid_total: int
    late_interest_total: int
    stmb_cases: tuple[OpenStmbCase, ...]
    stmb_total: int
    paid: int

    @property
    def total(self) -> int:
        """Everything still owed: projected scholarship years, unpaid claims, late interest,
        the next STMB month of each open case."""
        return (self.scholarship_total + self.unpaid_total + self.late_interest_total
                + self.stmb_total)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Obligations:
        return row_of(cls, values, scholarship_years=tuple(
            row_of(ObligationYear, y) for y in values["scholarship_years"]),
            unpaid_claims=tuple(row_of(UnpaidClaim, c) for c in values["unpaid_claims"]),
            stmb_cases=tuple(row_of(OpenStmbCase, c) for c in values["stmb_cases"]))


@dataclass(frozen=True)
class ScholarshipYearLine:
    """A school year claimed for a child: level, amount, the claim's state, what was paid."""

    claim_id: str
    school_year: str
    level: str
    amount: int
    status: str
    paid: int


@dataclass(frozen=True)
class ScholarshipChild:
    """A child named in a scholarship: the death it comes with, what was paid and remains."""

    scholarship_id: str
    death_claim_id: str
    cover: str
    name: str
    claimed: int
    paid: int
    remaining: int
    years: tuple[ScholarshipYearLine, ...]
