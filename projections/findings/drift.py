"""Re-adjudication drift, read from the claims table: every decided claim whose amount would
differ under the rule set in force on a day (today unless asked), with both figures.

A claim is decided under the rule set it recorded; when the rules change mid-programme an auditor
asks what the same facts would give under the set in force now. The facts each claim recorded
when it was filed (its benefit, the wage band, the enrolment and incident days, the months of
incapacity; for the JKK schedule its STMB month, its disability table row and share of function
lost, its receipts, with those the earlier claims of its case still hold for the same costs, as
the ceiling counts them) and its decision (the approved amount and the rule version) are
columns of the claims table; :func:`ledger.drift.drift` recomputes the amount. Nothing is
replayed and nothing is changed: the list is for the auditor, a decided claim stays decided.

A decided claim is an approved one (a rejected claim has no amount, a revoked approval none any
more). One whose recorded facts cannot give an amount under the other set is not dropped: it is
listed apart, with the reason in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.benefits import Benefit
from ledger.drift import DecidedClaim, DecidedScholarshipYear, drift
from ledger.errors import LedgerError
from ledger.reimbursement import Receipt, TransportMode
from ledger.rule_sets import RuleBook
from ledger.schooling import SchoolLevel, SchoolYear
from projections.queries import Reader


@dataclass(frozen=True)
class DriftedClaim:
    """A decided claim beside what the other rule set gives for the same facts."""

    claim_id: str
    programme: str
    benefit: str
    decided_amount: int
    decided_version: str
    recomputed_amount: int
    recomputed_version: str
    #: Recomputed minus decided: positive when the rule set in force now pays more.
    difference: int
    #: The log position of the approval that decided it (pull it with ``history``).
    position: int


@dataclass(frozen=True)
class NotRecomputed:
    """A decided claim whose recorded facts give no amount under the other rule set."""

    claim_id: str
    programme: str
    benefit: str
    reason: str
    position: int


@dataclass(frozen=True)
class DriftReport:
    """The decided claims compared with the rule set in force on one day."""

    on: date
    #: The rule set in force on ``on``: its version and regulation; ``for_tests`` when it is
    #: the test set (a fixture, not a regulation).
    version: str
    regulation: str
    for_tests: bool
    #: How many decided claims were compared.
    decided: int
    claims: tuple[DriftedClaim, ...]
    not_recomputed: tuple[NotRecomputed, ...]

    @property
    def total_difference(self) -> int:
        """What the drifted claims would differ by together (recomputed minus decided)."""
        return sum(found.difference for found in self.claims)


_DECIDED = (
    "SELECT claim_id, programme, benefit, approved, rule_version, wage, enrolled_on,"
    " occurred_on, incapacity_months, approved_position, incident_id, position, stmb_month,"
    " disability_row, function_lost_percent, receipts, started_on FROM {claims}"
    " WHERE status = 'approved'")

#: The receipts the earlier claims of a case held for the same costs (not rejected or revoked):
#: a ceiling counts them with the claim's own.
_EARLIER = (
    "SELECT receipts FROM {claims} WHERE incident_id = ? AND benefit = ? AND position < ?"
    " AND status NOT IN ('rejected', 'revoked') AND receipts IS NOT NULL ORDER BY position")

Receipts = tuple[tuple[TransportMode | None, Receipt], ...]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _number(value: Any) -> int | None:
    return int(value) if value is not None else None


def _receipts(text: str | None) -> Receipts | None:
    if text is None:
        return None
    return tuple((TransportMode(r["mode"]) if r.get("mode") else None,
                  Receipt(r["reference"], date.fromisoformat(str(r["issued_on"])[:10]),
                          int(r["amount"]), r["sha256"])) for r in json.loads(text))


def _decided(row: dict[str, Any], earlier: Receipts = ()) -> DecidedClaim:
    return DecidedClaim(
        claim_id=row["claim_id"], benefit=Benefit(row["benefit"]), amount=int(row["approved"]),
        rule_version=row["rule_version"] or "", wage=_number(row["wage"]),
        enrolled_on=_day(row["enrolled_on"]), occurred_on=_day(row["occurred_on"]),
        incapacity_months=_number(row["incapacity_months"]),
        stmb_month=_number(row["stmb_month"]), disability_row=row["disability_row"],
        function_lost_percent=_number(row["function_lost_percent"]),
        receipts=_receipts(row["receipts"]), earlier_receipts=earlier,
        started_on=_day(row["started_on"]))


def _scholarship_year(reader: Reader, row: dict[str, Any]) -> DecidedScholarshipYear | None:
    """A scholarship year's level and school year (None for any other claim): its amount is
    the level's a year under the other set."""
    if row["benefit"] != Benefit.SCHOLARSHIP_YEAR.value:
        return None
    found = reader.connection.query(reader.ns.sql(
        "SELECT level, school_year FROM {scholarship_years} WHERE claim_id = ?"),
        (row["claim_id"],))
    if not found:
        return None
    return DecidedScholarshipYear(row["claim_id"], SchoolLevel(found[0]["level"]),
                                  SchoolYear(int(found[0]["school_year"])), int(row["approved"]),
                                  row["rule_version"] or "")


def _earlier(reader: Reader, row: dict[str, Any]) -> Receipts:
    if row["receipts"] is None or row["incident_id"] is None:
        return ()
    found = reader.connection.query(reader.ns.sql(_EARLIER), (
        row["incident_id"], row["benefit"], row["position"]))
    return tuple(item for earlier in found for item in _receipts(earlier["receipts"]) or ())


def drift_report(reader: Reader, book: RuleBook, on: date, *,
                 program: str | None = None) -> DriftReport:
    """The decided claims (of one programme, or all) whose amount differs under the rule set
    of ``book`` in force on ``on``, in the order they were decided. A day no set of the book
    covers is refused in words (:class:`~ledger.errors.NoRuleSetInForceError`)."""
    rule_set = book.in_force(on)
    sql = _DECIDED + (" AND programme = ?" if program else "") + " ORDER BY approved_position"
    rows = reader.connection.query(reader.ns.sql(sql), (program,) if program else ())
    drifted: list[DriftedClaim] = []
    refused: list[NotRecomputed] = []
    for row in rows:
        position = int(row["approved_position"])
        try:
            found = drift(_scholarship_year(reader, row) or _decided(row, _earlier(reader, row)),
                          rule_set)
        except LedgerError as error:
            refused.append(NotRecomputed(row["claim_id"], row["programme"], row["benefit"],
                                         str(error), position))
            continue
        if found.differs:
            drifted.append(DriftedClaim(
                found.claim_id, row["programme"], row["benefit"], found.decided_amount,
                found.decided_version, found.recomputed_amount, found.recomputed_version,
                found.difference, position))
    return DriftReport(on, rule_set.version, rule_set.regulation, rule_set.for_tests,
                       len(rows), tuple(drifted), tuple(refused))
