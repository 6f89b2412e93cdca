"""Findings told in Bahasa Indonesia, from the facts each finding carries.

The findings themselves (``projections/findings.py``) say what they found in English for the API
and the command line; a report in Indonesian tells the same facts in Indonesian here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from documents.formatting import date_id, month_id, number_id, rupiah
from projections.findings import RULES, Finding


def title(finding: Finding, lang: str) -> str:
    rule = RULES[finding.rule]
    return rule.title_id if lang == "id" else rule.title


def detail(finding: Finding, lang: str) -> str:
    """What was found, in the report's language."""
    if lang != "id":
        return finding.detail
    tell = _INDONESIAN.get(finding.rule)
    return tell(finding, finding.facts) if tell else finding.detail


def _day(text: str | None) -> str:
    return date_id(date.fromisoformat(text)) if text else "-"


def _months(months: list[str]) -> str:
    if len(months) > 2:
        return f"{month_id(months[0])} s.d. {month_id(months[-1])}"
    return " dan ".join(month_id(m) for m in months)


def _orders(orders: list[str]) -> str:
    if len(orders) <= 2:
        return " dan ".join(orders)
    return f"{len(orders)} SP2D ({orders[0]} ... {orders[-1]})"


def _money(finding: Finding) -> str:
    return rupiah(abs(finding.amount or 0))


def _paid_after(f: Finding, facts: dict[str, Any]) -> str:
    event = "meninggal dunia" if facts["event"] == "died" else "pindah domisili"
    return (f"Peserta NIK {facts['nik']} {event} pada {_day(facts['on'])}, namun iuran "
            f"{len(facts['months'])} bulan berikutnya ({_months(facts['months'])}) tetap "
            f"dibayar melalui {_orders(facts['sp2d'])}: {_money(f)}.")


def _identity(f: Finding, facts: dict[str, Any]) -> str:
    if facts["answer"] == "never_checked":
        return (f"NIK {facts['nik']} belum pernah dipadankan dengan data kependudukan "
                "(Dukcapil).")
    return f"NIK {facts['nik']} tidak padan dengan data kependudukan: {facts['reason']}."


def _twice(f: Finding, facts: dict[str, Any]) -> str:
    return (f"NIK {facts['nik']} dibayar lebih dari sekali untuk {_months(facts['months'])} "
            f"oleh {' dan '.join(f.programmes)} ({_orders(facts['sp2d'])}): {_money(f)} "
            "terbayar ganda.")


def _early_death(f: Finding, facts: dict[str, Any]) -> str:
    return (f"Peserta NIK {facts['nik']} didaftarkan {_day(facts['enrolled_on'])} dan meninggal "
            f"{number_id(facts['days'])} hari kemudian ({_day(facts['died_on'])}); klaim "
            f"{facts['benefit']} sebesar {_money(f)}.")


def _outside(f: Finding, facts: dict[str, Any]) -> str:
    day = facts["occurred_on"]
    if day < facts["enrolled_on"]:
        why = f"sebelum peserta didaftarkan ({_day(facts['enrolled_on'])})"
    else:
        why = (f"pada bulan {month_id(day[:7])} yang iurannya tidak dibayar (juga tidak dalam "
               "masa tenggang)")
    return (f"Klaim {facts['benefit']} NIK {facts['nik']}: kejadian {_day(day)} terjadi {why}; "
            f"{_money(f)} telah dibayarkan.")


def _two_benefits(f: Finding, facts: dict[str, Any]) -> str:
    text = (f"Kematian NIK {facts['nik']} memiliki {len(facts['benefits'])} klaim manfaat "
            f"({' + '.join(facts['benefits'])}); {_money(f)} telah dibayarkan.")
    if f.severity == "review":
        text += " Santunan kota di samping manfaat kematian BPJS tidak diatur: perlu ditinjau."
    return text


def _account(f: Finding, facts: dict[str, Any]) -> str:
    return (f"Rekening {facts['account']} menerima {_money(f)} untuk {len(f.claims)} klaim dari "
            f"{facts['families']} keluarga berbeda.")


def _handover(f: Finding, facts: dict[str, Any]) -> str:
    shown = f"diserahkan di {facts['venue']} pada {_day(facts['held_on'])}"
    if facts["status"] != "approved":
        what = f"persetujuannya kini {facts['status']}"
    elif f.severity == "high":
        what = "pembayarannya belum tercatat"
    else:
        what = f"belum ada pembayaran saat itu; dibayar pada {_day(facts['paid_on'])}"
    return f"Klaim senilai {_money(f)} {shown}: {what}."


def _budget(f: Finding, facts: dict[str, Any]) -> str:
    if "headcount" not in facts:
        return (f"Realisasi {rupiah(facts['committed'])} melampaui pagu "
                f"{rupiah(facts['ceiling'])}: lebih {_money(f)}.")
    per_member = round(facts["ceiling"] / (facts["headcount"] * facts["months"]))
    return (f"Pagu {rupiah(facts['ceiling'])}, sedangkan {number_id(facts['headcount'])} peserta "
            f"x {rupiah(facts['official_rate'])} x {facts['months']} bulan = "
            f"{rupiah(facts['expected'])} (selisih {_money(f)}; anggaran setara "
            f"{rupiah(per_member)} per peserta per bulan).")


def _above(f: Finding, facts: dict[str, Any]) -> str:
    state = ("persetujuannya dicabut setelah dibayar" if facts["status"] == "revoked"
             else "melebihi jumlah yang disetujui")
    return f"Klaim telah dibayar, {state}: {_money(f)} harus dikembalikan."


def _self_approved(f: Finding, facts: dict[str, Any]) -> str:
    text = f"Klaim senilai {_money(f)} diajukan dan disetujui oleh {facts['officer']}"
    return text + (f"; alasan: {facts['reason']}." if facts.get("reason") else ".")


_INDONESIAN = {
    "paid-after-death-or-move": _paid_after, "identity-not-matched": _identity,
    "paid-twice-in-a-month": _twice, "death-within-90-days": _early_death,
    "incident-outside-paid-coverage": _outside, "two-benefits-for-one-death": _two_benefits,
    "shared-payee-account": _account, "handover-without-payout": _handover,
    "budget-not-headcount-rate-months": _budget, "paid-beyond-ceiling": _budget,
    "payout-above-approval": _above, "approved-by-filer": _self_approved,
}
