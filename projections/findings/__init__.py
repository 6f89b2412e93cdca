"""Audit findings: the ten red flags of docs/domain.md section 7, read from the projection tables.

The ledger refuses what its rules forbid, but an audit looks for what happened anyway: payments
for members whose death or move was recorded later, claims whose contribution was reversed after
the payout, approvals revoked after the money left, an officer approving alone under a recorded
waiver, a budget line built on the wrong rate. Each finding names its red flag, rule, severity,
its facts (:mod:`projections.findings.facts`), the members and claims concerned and the log
positions of the events that prove it, so an inspector can pull each of those events with its
inclusion proof. What a finding says in words, in English or Indonesian, is told by
:mod:`documents.finding_text`.

Every rule reads one snapshot of the tables (``Connection.snapshot``), so the findings are those
of one log position, the projection's; the live tables' findings are computed once per state
of the tables (:mod:`projections.kept`).
"""

from __future__ import annotations

from collections.abc import Callable

from projections.findings.claims import (
    SHARED_ACCOUNT_FAMILIES,
    account_key,
    death_within_90_days,
    incident_outside_paid_coverage,
    shared_payee_account,
    two_benefits_for_one_death,
)
from projections.findings.facts import Facts
from projections.findings.members import (
    identity_not_matched,
    paid_after_death_or_move,
    paid_twice_in_a_month,
)
from projections.findings.model import (
    HIGH,
    MEDIUM,
    REVIEW,
    RULES,
    SEVERITIES,
    Finding,
    Rule,
    summary,
)
from projections.findings.payments import (
    approved_by_filer,
    budget_checks,
    handover_without_payout,
    payout_above_approval,
)
from projections.findings.queries import FindingRows
from projections.kept import kept
from projections.queries import Reader

Check = Callable[[FindingRows], list[Finding]]

#: Every check; each returns the cases of its rule(s) (the budget check serves two rules).
CHECKS: tuple[Check, ...] = (
    paid_after_death_or_move, identity_not_matched, paid_twice_in_a_month,
    death_within_90_days, incident_outside_paid_coverage, two_benefits_for_one_death,
    shared_payee_account, handover_without_payout, budget_checks, payout_above_approval,
    approved_by_filer,
)


def findings(reader: Reader, *, program: str | None = None, rule: str | None = None,
             severity: str | None = None) -> list[Finding]:
    """Every finding, in red-flag order, then by the first position that proves it."""
    found: list[Finding] = kept(reader.connection, reader.ns, ("findings",),
                                lambda: _every_finding(reader))
    found = [f for f in found if (program is None or program in f.programmes)
             and (rule is None or f.rule == rule)
             and (severity is None or f.severity == severity)]
    return sorted(found, key=lambda f: (f.flag, f.rule, f.positions[:1], f.key))



def _every_finding(reader: Reader) -> list[Finding]:
    rows = FindingRows(reader)
    with reader.connection.snapshot():
        return [finding for check in CHECKS for finding in check(rows)]


__all__ = ["CHECKS", "HIGH", "MEDIUM", "REVIEW", "RULES", "SEVERITIES",
           "SHARED_ACCOUNT_FAMILIES", "Facts", "Finding", "Rule", "account_key", "findings",
           "summary"]
