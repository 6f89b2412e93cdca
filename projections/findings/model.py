"""The red flags an audit looks for, and one finding: a case of one rule with what proves it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projections.findings.facts import Facts

HIGH, MEDIUM, REVIEW = "high", "medium", "review"
SEVERITIES = (HIGH, MEDIUM, REVIEW)


@dataclass(frozen=True)
class Rule:
    """One check: which red flag it serves and how grave (its title is told in
    :mod:`documents.finding_text`)."""

    name: str
    flag: int
    severity: str


RULES = {rule.name: rule for rule in (
    Rule("paid-after-death-or-move", 1, HIGH),
    Rule("identity-not-matched", 2, MEDIUM),
    Rule("paid-twice-in-a-month", 3, HIGH),
    Rule("death-within-90-days", 4, MEDIUM),
    Rule("incident-outside-paid-coverage", 5, HIGH),
    Rule("two-benefits-for-one-death", 6, HIGH),
    Rule("shared-payee-account", 7, HIGH),
    Rule("handover-without-payout", 8, MEDIUM),
    Rule("budget-not-headcount-rate-months", 9, MEDIUM),
    Rule("paid-beyond-ceiling", 9, HIGH),
    Rule("payout-above-approval", 10, HIGH),
    Rule("approved-by-filer", 10, HIGH),
)}


@dataclass(frozen=True)
class Finding:
    """One case of one rule: its facts, the members and claims concerned, the amount at stake
    and the log positions of the events that prove it."""

    rule: str
    severity: str
    key: str
    programmes: tuple[str, ...]
    case: Facts
    members: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    positions: tuple[int, ...] = ()
    amount: int | None = None

    @property
    def flag(self) -> int:
        return RULES[self.rule].flag

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.key}"

    @property
    def facts(self) -> dict[str, Any]:
        """The facts as published (see :meth:`Facts.public`)."""
        return self.case.public()


def summary(found: Iterable[Finding]) -> list[dict[str, Any]]:
    """How many cases each rule has (rules with none included), in red-flag order."""
    counts: dict[str, int] = defaultdict(int)
    for finding in found:
        counts[finding.rule] += 1
    return [{"flag": r.flag, "rule": r.name, "severity": r.severity, "cases": counts[r.name]}
            for r in RULES.values()]


def positions_of(*values: Any) -> tuple[int, ...]:
    """Log positions, each once, in order (None left out)."""
    return tuple(sorted({int(v) for v in values if v is not None}))
