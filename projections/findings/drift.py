"""Re-adjudication drift, read from the claims table: every decided claim whose amount would
differ under the rule set in force on a day (today unless asked), with both figures.

A claim is decided under the rule set it recorded; when the rules change mid-programme an auditor
asks what the same facts would give under the set in force now. The facts each claim recorded
when it was filed (its benefit, the wage band, the enrolment and incident days, the months of
incapacity) and its decision (the approved amount and the rule version) are columns of the claims
table; :func:`ledger.drift.drift` recomputes the amount. Nothing is replayed and nothing is
changed: the list is for the auditor, a decided claim stays decided.

A decided claim is an approved one (a rejected claim has no amount, a revoked approval none any
more). One whose recorded facts cannot give an amount under the other set is not dropped: it is
listed apart, with the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.benefits import Benefit
from ledger.drift import DecidedClaim, drift
from ledger.errors import LedgerError
from ledger.rule_sets import RuleBook
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
    " occurred_on, incapacity_months, approved_position FROM {claims}"
    " WHERE status = 'approved'")


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _decided(row: dict[str, Any]) -> DecidedClaim:
    months = row["incapacity_months"]
    wage = row["wage"]
    return DecidedClaim(
        claim_id=row["claim_id"], benefit=Benefit(row["benefit"]), amount=int(row["approved"]),
        rule_version=row["rule_version"] or "", wage=int(wage) if wage is not None else None,
        enrolled_on=_day(row["enrolled_on"]), occurred_on=_day(row["occurred_on"]),
        incapacity_months=int(months) if months is not None else None)


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
            found = drift(_decided(row), rule_set)
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
