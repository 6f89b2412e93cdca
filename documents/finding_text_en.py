"""Findings told in English for a printed report: benefits by their label, dates and months
written out, amounts in rupiah (the API's and the command line's plainer sentences are in
:mod:`documents.finding_statements`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from documents.finding_words import benefit, money, who
from documents.formatting import date_en, month_en, number_id, rupiah
from projections.findings import Finding
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


def _day_en(text: str | None) -> str:
    return date_en(date.fromisoformat(text)) if text else "-"


def _months_en(months: tuple[str, ...]) -> str:
    if len(months) > 2:
        return f"{month_en(months[0])} to {month_en(months[-1])}"
    return " and ".join(month_en(m) for m in months)


def _orders_en(orders: tuple[str, ...]) -> str:
    if len(orders) <= 2:
        return " and ".join(orders)
    return f"{len(orders)} payment orders ({orders[0]} ... {orders[-1]})"


def _paid_after_en(f: Finding, facts: PaidAfterEnd) -> str:
    event = "died" if facts.event == "died" else "moved away"
    months = facts.months
    later = f"{len(months)} later months were" if len(months) > 1 else "1 later month was"
    return (f"{who(f, facts.nik)} {event} on {_day_en(facts.on)}, yet {later} paid for "
            f"({_months_en(months)}) by {_orders_en(facts.sp2d)}: {money(f)}.")


def _identity_en(f: Finding, facts: IdentityNotMatched) -> str:
    if facts.answer == "never_checked":
        return f"{who(f, facts.nik)} was never matched with the population register (Dukcapil)."
    return f"{who(f, facts.nik)} was not matched by the population register: {facts.reason}."


def _twice_en(f: Finding, facts: PaidTwice) -> str:
    return (f"{who(f, facts.nik)} was paid for more than once for {_months_en(facts.months)} "
            f"by {' and '.join(f.programmes)} ({_orders_en(facts.sp2d)}): {money(f)} "
            "paid twice.")


def _early_death_en(f: Finding, facts: EarlyDeath) -> str:
    return (f"{who(f, facts.nik)} was enrolled on {_day_en(facts.enrolled_on)} and died "
            f"{number_id(facts.days)} days later ({_day_en(facts.died_on)}); "
            f"{benefit(facts.benefit, 'en')} claim for {money(f)}.")


def _outside_en(f: Finding, facts: OutsideCoverage) -> str:
    day = facts.occurred_on
    if day < facts.enrolled_on:
        why = f"before the member was enrolled ({_day_en(facts.enrolled_on)})"
    else:
        why = f"in {month_en(day[:7])}, a month not paid for (nor within the grace period)"
    return (f"{benefit(facts.benefit, 'en')} claim for {who(f, facts.nik)}: the incident on "
            f"{_day_en(day)} came {why}; {money(f)} paid out.")


def _two_benefits_en(f: Finding, facts: TwoBenefits) -> str:
    benefits = " and ".join(benefit(b, "en") for b in facts.benefits)
    text = (f"The death of {who(f, facts.nik)} has {len(facts.benefits)} benefit claims: "
            f"{benefits}; {money(f)} paid in all.")
    if f.severity == "review":
        text += " The city grant beside a BPJS death benefit is not ruled either way: for review."
    return text


def _account_en(f: Finding, facts: SharedAccount) -> str:
    return (f"Account {facts.account} received {money(f)} for {len(f.claims)} claims of "
            f"{facts.families} different families.")


def _handover_en(f: Finding, facts: HandoverUnpaid) -> str:
    shown = f"handed over at {facts.venue} on {_day_en(facts.held_on)}"
    if facts.status != "approved":
        what = f"its approval is now {facts.status}"
    elif f.severity == "high":
        what = "its payout is not recorded"
    else:
        what = f"no payout was recorded then; it was paid on {_day_en(facts.paid_on)}"
    return f"A claim of {money(f)} {shown}: {what}."


def _budget_en(f: Finding, facts: BeyondCeiling | BudgetOffRate) -> str:
    if isinstance(facts, BeyondCeiling):
        return (f"Realised {rupiah(facts.committed)} exceeds the ceiling "
                f"{rupiah(facts.ceiling)}: {money(f)} beyond it.")
    per_member = round(facts.ceiling / (facts.headcount * facts.months))
    return (f"The ceiling is {rupiah(facts.ceiling)}, while {number_id(facts.headcount)} "
            f"members x {rupiah(facts.official_rate)} x {facts.months} months = "
            f"{rupiah(facts.expected)} (difference {money(f)}; the budget works out at "
            f"{rupiah(per_member)} a member a month).")


def _above_en(f: Finding, facts: AboveApproval) -> str:
    state = ("its approval was revoked after payment" if facts.status == "revoked"
             else "beyond the approved amount")
    return f"The claim was paid, {state}: {money(f)} to recover."


def _self_approved_en(f: Finding, facts: SelfApproved) -> str:
    text = f"A claim of {money(f)} was filed and approved by {facts.officer}"
    return text + (f"; reason given: {facts.reason}." if facts.reason else ".")


#: The sentence of each rule's findings.
SENTENCES: dict[str, Callable[[Finding, Any], str]] = {
    "paid-after-death-or-move": _paid_after_en, "identity-not-matched": _identity_en,
    "paid-twice-in-a-month": _twice_en, "death-within-90-days": _early_death_en,
    "incident-outside-paid-coverage": _outside_en, "two-benefits-for-one-death": _two_benefits_en,
    "shared-payee-account": _account_en, "handover-without-payout": _handover_en,
    "budget-not-headcount-rate-months": _budget_en, "paid-beyond-ceiling": _budget_en,
    "payout-above-approval": _above_en, "approved-by-filer": _self_approved_en,
}
