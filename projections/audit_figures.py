"""The audit feed's figures: a programme's budget realisation, coverage counts and claims paid,
read from the typed views at the bundle's cut-off (:func:`projections.opening.open_read_side`,
as the documents read them), as ``figures`` lines of the bundle. Counts and rupiah only: no
personal number leaves here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from ledger.application import Ledger
from projections.opening import open_read_side
from projections.views import ClaimBalance, RosterMember

_MONEY = ("entitlement", "approved", "disbursed", "reversed", "outstanding")


def figure_lines(ledger: Ledger, program: str, position: int) -> Iterator[dict[str, Any]]:
    """The ``budget``, ``coverage`` and ``claims`` lines of ``program`` at ``position``."""
    with open_read_side(ledger, position, on_replica=False) as view:
        budget = view.budget(program)
        roster = view.roster(program)
        claims = view.claims(program)
    common = {"type": "figures", "as_of_position": position}
    if budget is not None:
        values = asdict(budget)
        values.pop("programme", None)
        yield {**common, "figure": "budget", **values}
    yield {**common, "figure": "coverage", **coverage(roster)}
    yield {**common, "figure": "claims", **claims_paid(claims)}


def coverage(roster: list[RosterMember]) -> dict[str, Any]:
    """How many members, by status and by the population register's answer; months paid."""
    return {
        "members": len(roster),
        "by_status": dict(sorted(Counter(m.status for m in roster).items())),
        "identity": dict(sorted(Counter(m.identity or "not_checked" for m in roster).items())),
        "months_paid": sum(m.months_paid for m in roster),
    }


def _totals(claims: list[ClaimBalance]) -> dict[str, Any]:
    found: dict[str, Any] = {"claims": len(claims)}
    for name in _MONEY:
        found[name] = sum(int(getattr(c, name) or 0) for c in claims)
    found["by_status"] = dict(sorted(Counter(c.status for c in claims).items()))
    return found


def claims_paid(claims: list[ClaimBalance]) -> dict[str, Any]:
    """Claims per benefit and in all: entitled, approved, paid out, reversed, still owed."""
    benefits = sorted({c.benefit for c in claims})
    return {"benefits": {b: {"payer": sorted({c.payer for c in claims if c.benefit == b}),
                             **_totals([c for c in claims if c.benefit == b])}
                         for b in benefits},
            "totals": _totals(claims)}
