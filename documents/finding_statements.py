"""Findings stated in one plain English line each, as the API's ``/findings`` and the command
line give them: the ledger's codes (``jkm_death``), ISO dates and months, amounts in rupiah.
(A printed report tells the same facts in its reader's words: :mod:`documents.finding_text`.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.calendar import add_months
from ledger.money import rupiah
from projections.findings import HIGH, Finding
from projections.findings.facts import (
    AboveApproval,
    BeyondCeiling,
    BudgetOffRate,
    EarlyDeath,
    HandoverUnpaid,
    IdentityNotMatched,
    OutsideCoverage,
    PaidAfterEnd,
    PaidTwice,
    SelfApproved,
    SharedAccount,
    TwoBenefits,
)


def statement(finding: Finding) -> str:
    """What was found, in one line of plain English."""
    return STATEMENTS[finding.rule](finding, finding.case)


def _number(n: int) -> str:
    """5952 -> "5.952", the Indonesian way (as rupiah amounts are written)."""
    return f"{n:,}".replace(",", ".")


def _months(months: tuple[str, ...]) -> str:
    """``("2025-07", "2025-08", "2025-09", "2025-11")`` -> "2025-07 to 2025-09, 2025-11"."""
    runs: list[list[str]] = []
    for month in sorted(months):
        if runs and add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def _orders(orders: tuple[str, ...]) -> str:
    """Payment orders named in full when few, else as a count with the first and the last."""
    if len(orders) <= 2:
        return " and ".join(orders)
    return f"{len(orders)} payment orders ({orders[0]} ... {orders[-1]})"


def _who(f: Finding, nik: str) -> str:
    """The masked NIK, and the short id of the enrolment(s) that tells it apart from others
    that look alike (and that 'history --member' takes)."""
    ids = sorted({m[:8] for m in f.members if m})
    return f"NIK {nik}" + (f" ({', '.join(ids)})" if ids else "")


def _amount(f: Finding) -> str:
    return rupiah(f.amount or 0)


def _paid_after(f: Finding, facts: PaidAfterEnd) -> str:
    event = "died" if facts.event == "died" else "moved away"
    return (f"{_who(f, facts.nik)} {event} on {facts.on}, yet {len(facts.months)} later "
            f"month(s) ({_months(facts.months)}) were paid for them by {_orders(facts.sp2d)}: "
            f"{_amount(f)}")


def _identity(f: Finding, facts: IdentityNotMatched) -> str:
    if facts.answer == "never_checked":
        why = "was never sent to the population register for matching"
    else:
        why = f"was not matched by the population register: {facts.reason}"
    return f"{_who(f, facts.nik)} {why}"


def _twice(f: Finding, facts: PaidTwice) -> str:
    return (f"{_who(f, facts.nik)} was paid for {_months(facts.months)} more than once, "
            f"by {' and '.join(f.programmes)} ({_orders(facts.sp2d)}): {_amount(f)} paid twice")


def _early_death(f: Finding, facts: EarlyDeath) -> str:
    return (f"{_who(f, facts.nik)} was enrolled on {facts.enrolled_on} and died {facts.days} "
            f"days later ({facts.died_on}); {facts.benefit} claim for {_amount(f)}")


def _outside(f: Finding, facts: OutsideCoverage) -> str:
    if facts.occurred_on < facts.enrolled_on:
        why = f"before the member was enrolled ({facts.enrolled_on})"
    else:
        why = (f"in {facts.occurred_on[:7]}, which is not paid (nor the {facts.grace_months} "
               "months of grace before it)")
    return (f"{facts.benefit} claim for {_who(f, facts.nik)}: the incident on "
            f"{facts.occurred_on} is {why}; {_amount(f)} paid out")


def _two_benefits(f: Finding, facts: TwoBenefits) -> str:
    return (f"the death of {_who(f, facts.nik)} has {len(facts.benefits)} benefit claims "
            f"({' + '.join(facts.benefits)}); {_amount(f)} paid in all"
            + ("" if f.severity == HIGH else "; the city grant beside a BPJS death benefit is "
               "not ruled either way: for review"))


def _account(f: Finding, facts: SharedAccount) -> str:
    return (f"account {facts.account} received {_amount(f)} for {len(f.claims)} claims of "
            f"{facts.families} different families ({facts.heirs} different heirs)")


def _handover(f: Finding, facts: HandoverUnpaid) -> str:
    if facts.status != "approved":
        what = f"its approval is now {facts.status}"
    elif facts.unpaid > 0:
        what = f"{rupiah(facts.unpaid)} of it is still unpaid"
    else:
        what = f"no payout was recorded then; it was paid on {facts.paid_on}"
    return (f"claim for {_who(f, facts.nik)} ({_amount(f)}) handed over at {facts.venue} on "
            f"{facts.held_on}: {what}")


def _budget(f: Finding, facts: BeyondCeiling | BudgetOffRate) -> str:
    if isinstance(facts, BeyondCeiling):
        return (f"{facts.programme} has paid {rupiah(facts.committed)} against a ceiling of "
                f"{rupiah(facts.ceiling)} (DPA {facts.dpa_reference}): "
                f"{rupiah(facts.committed - facts.ceiling)} beyond it")
    planned = facts.headcount * facts.months
    budgeted_rate = facts.ceiling / planned if facts.headcount else 0
    return (f"{facts.programme} budgets {rupiah(facts.ceiling)}, but "
            f"{_number(facts.headcount)} members x {rupiah(facts.official_rate)} x "
            f"{facts.months} months is {rupiah(facts.expected)} (difference "
            f"{rupiah(abs(facts.ceiling - facts.expected))}; the budget works out at "
            f"{rupiah(round(budgeted_rate))} a member a month)")


def _above(f: Finding, facts: AboveApproval) -> str:
    state = ("its approval was revoked after payment" if facts.status == "revoked"
             else f"approved {rupiah(facts.approved)}")
    return (f"{facts.benefit} claim for {_who(f, facts.nik)}: {rupiah(facts.disbursed)} paid, "
            f"{state}; {rupiah(facts.to_recover)} to recover")


def _self_approved(f: Finding, facts: SelfApproved) -> str:
    return (f"{facts.benefit} claim for {_who(f, facts.nik)} ({_amount(f)}) was filed and "
            f"approved by {facts.officer}"
            + (f"; reason given: {facts.reason}" if facts.reason else ""))


#: The statement of each rule's findings.
STATEMENTS: dict[str, Callable[[Finding, Any], str]] = {
    "paid-after-death-or-move": _paid_after, "identity-not-matched": _identity,
    "paid-twice-in-a-month": _twice, "death-within-90-days": _early_death,
    "incident-outside-paid-coverage": _outside, "two-benefits-for-one-death": _two_benefits,
    "shared-payee-account": _account, "handover-without-payout": _handover,
    "budget-not-headcount-rate-months": _budget, "paid-beyond-ceiling": _budget,
    "payout-above-approval": _above, "approved-by-filer": _self_approved,
}
