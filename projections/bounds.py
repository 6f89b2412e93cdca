"""The bounds the read models hold numbers to: an event past them is refused, in words.

The domain refuses these numbers past the same bounds (:mod:`ledger.limits`) when it records
them; a log restored from elsewhere, or recorded before the bounds, may still hold one, and a
projection then stops with one clear line instead of overflowing a column or a sum.
"""

from __future__ import annotations

from typing import Any

from ledger.limits import (
    LAST_FISCAL_YEAR,
    MAX_GRACE_MONTHS,
    MAX_INCAPACITY_MONTHS,
    MAX_MEMBERS,
    MAX_PROGRAMME_MONTHS,
    MAX_RATE,
    MAX_RUPIAH,
    MAX_WAGE_BAND,
    count_text,
)
from ledger.money import rupiah


class BeyondBoundsError(ValueError):
    """An event (restored from elsewhere, or recorded before the bounds) holds a number past
    the ledger's bounds: the read models refuse it rather than overflow a column or a sum."""


_MONEY = (MAX_RUPIAH, "rupiah")

#: Event -> (attribute, bound, unit, what) of every number a handler stores or adds up. The
#: domain refuses these past the same bounds (ledger.limits); a log restored from elsewhere may
#: still hold one.
BOUNDS: dict[str, tuple[tuple[str, int, str, str], ...]] = {
    "Programme.Opened": (
        ("budget_ceiling", *_MONEY, "the budget ceiling"),
        ("wage_band", MAX_WAGE_BAND, "rupiah", "the wage band"),
        ("months", MAX_PROGRAMME_MONTHS, "count", "the programme's months"),
        ("grace_months", MAX_GRACE_MONTHS, "count", "the grace months"),
        ("planned_members", MAX_MEMBERS, "count", "the planned members"),
        ("fiscal_year", LAST_FISCAL_YEAR, "count", "the fiscal year"),
        ("rates.amount", MAX_RATE, "rupiah", "a contribution rate"),
    ),
    "Programme.BudgetRevised": (("ceiling", *_MONEY, "the budget ceiling"),),
    "Programme.RateSet": (("rate.amount", MAX_RATE, "rupiah", "a contribution rate"),),
    "Enrolment.Enrolled": (("decile", 10, "count", "the decile"),),
    "Contribution.Paid": (
        ("amount", *_MONEY, "the amount of the payment order"),
        ("rate", *_MONEY, "the rate of the payment order"),
        ("enrolment_ids.len", MAX_MEMBERS, "count", "the members paid for"),
        ("months.len", MAX_PROGRAMME_MONTHS, "count", "the months paid for"),
    ),
    "Claim.Filed": (("entitlement", *_MONEY, "the entitlement"),
                    ("facts.wage", MAX_WAGE_BAND, "rupiah", "the wage band"),
                    ("facts.incapacity_months", MAX_INCAPACITY_MONTHS, "count", "STMB months"),
                    ("facts.month", MAX_INCAPACITY_MONTHS, "count", "the STMB month")),
    "WorkAccidentCase.Opened": (("wage", MAX_WAGE_BAND, "rupiah", "the wage band"),),
    "Claim.Approved": (("amount", *_MONEY, "the approved amount"),),
    "Claim.Disbursed": (("amount", *_MONEY, "the payout"),),
    "Claim.LateInterestOwed": (("amount", *_MONEY, "the late interest"),),
    "Handover.Held": (("items.amount", *_MONEY, "an amount handed over"),),
    "Reconciliation.DiscrepancyFound": (
        ("statement_amount", *_MONEY, "the statement's amount"),
        ("ledger_amount", *_MONEY, "the ledger's amount"),
    ),
}


def check_bounds(event_name: str, event: Any) -> None:
    """Refuse (``BeyondBoundsError``, in words) an event whose numbers no read model may hold."""
    for path, bound, unit, what in BOUNDS.get(event_name, ()):
        for value in _values(event, path):
            if isinstance(value, int) and abs(value) > bound:
                shown = rupiah(value) if unit == "rupiah" else count_text(value)
                limit = rupiah(bound) if unit == "rupiah" else count_text(bound)
                raise BeyondBoundsError(f"{what} {shown} is beyond the ledger's bound of "
                                        f"{limit}")


def _values(event: Any, path: str) -> list[Any]:
    name, _, part = path.partition(".")
    value = getattr(event, name, None)
    if part == "len":
        return [len(value)] if value is not None else []
    if part:
        items = value if isinstance(value, list) else [value]
        return [item.get(part) for item in items if isinstance(item, dict)]
    return [value]
