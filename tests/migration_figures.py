"""The figures a store's read models give (budgets, coverage, balances, findings counts), as
JSON-ready values: what a migration must leave exactly as they were."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from ledger.application import Ledger


def figures(ledger: Ledger) -> dict[str, Any]:
    """Every programme's budget, roster counts, balances and statistics, and the findings
    counted (and summed) by rule and severity, the read models rebuilt from the log first."""
    from projections.findings import findings
    from projections.queries import Reader
    from projections.runner import Projector

    projector = Projector(ledger)
    try:
        projector.rebuild()
        reader = Reader(projector.connection, projector.live)
        found: dict[str, Any] = {}
        for programme in reader.programmes():
            code = str(programme["programme"])
            found[code] = {"budget": reader.budget(code),
                           "coverage": reader.member_groups(code),
                           "balances": reader.balance_totals(code),
                           "stats": reader.stats(code)}
        counted: Counter[str] = Counter()
        amounts: Counter[str] = Counter()
        for finding in findings(reader):
            counted[f"{finding.rule}/{finding.severity}"] += 1
            amounts[f"{finding.rule}/{finding.severity}"] += finding.amount or 0
        found["findings"] = {"counts": dict(counted), "amounts": dict(amounts)}
        found["claims"] = len(reader.claims(limit=10**9))
        found["position"] = projector.position()
    finally:
        projector.close()
    # Through JSON and back, as the kept file holds them: dates as text, and PostgreSQL's sums
    # (decimals) as the whole rupiah SQLite gives.
    normalised: dict[str, Any] = json.loads(json.dumps(found, sort_keys=True, default=_plain))
    return normalised


def canonical(found: Any) -> Any:
    """The figures with every list of rows in one order: SQLite and PostgreSQL sort the rows
    of a region or occupation that is none (NULL) at either end."""
    if isinstance(found, dict):
        return {key: canonical(value) for key, value in found.items()}
    if isinstance(found, list):
        return sorted((canonical(value) for value in found),
                      key=lambda value: json.dumps(value, sort_keys=True))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return str(value)
