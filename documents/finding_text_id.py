"""Findings told in Bahasa Indonesia for a printed report: benefits by their label, dates and
months written out, amounts in rupiah."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from documents.finding_words import benefit, money, who
from documents.formatting import date_id, month_id, number_id, rupiah
from documents.labels import STATUS
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


def _day(text: str | None) -> str:
    return date_id(date.fromisoformat(text)) if text else "-"


def _months(months: tuple[str, ...]) -> str:
    if len(months) > 2:
        return f"{month_id(months[0])} s.d. {month_id(months[-1])}"
    return " dan ".join(month_id(m) for m in months)


def _orders(orders: tuple[str, ...]) -> str:
    if len(orders) <= 2:
        return " dan ".join(orders)
    return f"{len(orders)} SP2D ({orders[0]} ... {orders[-1]})"


def _paid_after(f: Finding, facts: PaidAfterEnd) -> str:
    event = "meninggal dunia" if facts.event == "died" else "pindah domisili"
    return (f"Peserta {who(f, facts.nik)} {event} pada {_day(facts.on)}, namun iuran "
            f"{len(facts.months)} bulan berikutnya ({_months(facts.months)}) tetap "
            f"dibayar melalui {_orders(facts.sp2d)}: {money(f)}.")


def _identity(f: Finding, facts: IdentityNotMatched) -> str:
    if facts.answer == "never_checked":
        return (f"{who(f, facts.nik)} belum pernah dipadankan dengan data kependudukan "
                "(Dukcapil).")
    return f"{who(f, facts.nik)} tidak padan dengan data kependudukan: {facts.reason}."


def _twice(f: Finding, facts: PaidTwice) -> str:
    return (f"{who(f, facts.nik)} dibayar lebih dari sekali untuk {_months(facts.months)} "
            f"oleh {' dan '.join(f.programmes)} ({_orders(facts.sp2d)}): {money(f)} "
            "terbayar ganda.")


def _early_death(f: Finding, facts: EarlyDeath) -> str:
    return (f"Peserta {who(f, facts.nik)} didaftarkan {_day(facts.enrolled_on)} dan meninggal "
            f"{number_id(facts.days)} hari kemudian ({_day(facts.died_on)}); klaim "
            f"{benefit(facts.benefit)} sebesar {money(f)}.")


def _outside(f: Finding, facts: OutsideCoverage) -> str:
    day = facts.occurred_on
    if day < facts.enrolled_on:
        why = f"sebelum peserta didaftarkan ({_day(facts.enrolled_on)})"
    else:
        why = (f"pada bulan {month_id(day[:7])} yang iurannya tidak dibayar (juga tidak dalam "
               "masa tenggang)")
    return (f"Klaim {benefit(facts.benefit)} {who(f, facts.nik)}: kejadian {_day(day)} "
            f"terjadi {why}; {money(f)} telah dibayarkan.")


def _two_benefits(f: Finding, facts: TwoBenefits) -> str:
    benefits = " dan ".join(benefit(b) for b in facts.benefits)
    text = (f"Kematian {who(f, facts.nik)} memiliki {len(facts.benefits)} klaim manfaat: "
            f"{benefits}; {money(f)} telah dibayarkan.")
    if f.severity == "review":
        text += " Santunan kota di samping manfaat kematian BPJS tidak diatur: perlu ditinjau."
    return text


def _account(f: Finding, facts: SharedAccount) -> str:
    return (f"Rekening {facts.account} menerima {money(f)} untuk {len(f.claims)} klaim dari "
            f"{facts.families} keluarga berbeda.")


def _handover(f: Finding, facts: HandoverUnpaid) -> str:
    shown = f"diserahkan di {facts.venue} pada {_day(facts.held_on)}"
    if facts.status != "approved":
        what = f"persetujuannya kini {STATUS['id'].get(facts.status, facts.status)}"
    elif f.severity == "high":
        what = "pembayarannya belum tercatat"
    else:
        what = f"belum ada pembayaran saat itu; dibayar pada {_day(facts.paid_on)}"
    return f"Klaim senilai {money(f)} {shown}: {what}."


def _budget(f: Finding, facts: BeyondCeiling | BudgetOffRate) -> str:
    if isinstance(facts, BeyondCeiling):
        return (f"Realisasi {rupiah(facts.committed)} melampaui pagu "
                f"{rupiah(facts.ceiling)}: lebih {money(f)}.")
    per_member = round(facts.ceiling / (facts.headcount * facts.months))
    return (f"Pagu {rupiah(facts.ceiling)}, sedangkan {number_id(facts.headcount)} peserta "
            f"x {rupiah(facts.official_rate)} x {facts.months} bulan = "
            f"{rupiah(facts.expected)} (selisih {money(f)}; anggaran setara "
            f"{rupiah(per_member)} per peserta per bulan).")


def _above(f: Finding, facts: AboveApproval) -> str:
    state = ("persetujuannya dicabut setelah dibayar" if facts.status == "revoked"
             else "melebihi jumlah yang disetujui")
    return f"Klaim telah dibayar, {state}: {money(f)} harus dikembalikan."


def _self_approved(f: Finding, facts: SelfApproved) -> str:
    text = f"Klaim senilai {money(f)} diajukan dan disetujui oleh {facts.officer}"
    return text + (f"; alasan: {facts.reason}." if facts.reason else ".")


#: The sentence of each rule's findings.
SENTENCES: dict[str, Callable[[Finding, Any], str]] = {
    "paid-after-death-or-move": _paid_after, "identity-not-matched": _identity,
    "paid-twice-in-a-month": _twice, "death-within-90-days": _early_death,
    "incident-outside-paid-coverage": _outside, "two-benefits-for-one-death": _two_benefits,
    "shared-payee-account": _account, "handover-without-payout": _handover,
    "budget-not-headcount-rate-months": _budget, "paid-beyond-ceiling": _budget,
    "payout-above-approval": _above, "approved-by-filer": _self_approved,
}


