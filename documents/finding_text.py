"""Findings told for a printed report, in Bahasa Indonesia or English, from the facts each
finding carries.

The findings themselves (``projections/findings.py``) say what they found in English for the API
and the command line, with the ledger's codes (``jkm_death``) and ISO dates. A report tells the
same facts in its reader's words: benefits by their label, dates and months written out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from documents.formatting import date_en, date_id, month_en, month_id, number_id, rupiah
from documents.labels import BENEFIT, STATUS
from projections.findings import RULES, Finding


def title(finding: Finding, lang: str) -> str:
    rule = RULES[finding.rule]
    return rule.title_id if lang == "id" else rule.title


def detail(finding: Finding, lang: str) -> str:
    """What was found, in the report's language."""
    tell = (_INDONESIAN if lang == "id" else _ENGLISH).get(finding.rule)
    return tell(finding, finding.facts) if tell else finding.detail


def _who(f: Finding, facts: dict[str, Any]) -> str:
    """A member as the documents print one: the masked NIK, which often reads like another's
    (``3671********0001``), and the short id of the enrolment(s) that tells them apart."""
    ids = sorted({m[:8] for m in f.members})
    return f"NIK {facts['nik']}" + (f" ({', '.join(ids)})" if ids else "")


def _benefit(code: str, lang: str = "id") -> str:
    """A benefit's label inside a sentence: "city death grant", but "JKM death" stays."""
    label = BENEFIT[lang].get(code, code)
    return label[0].lower() + label[1:] if label[1:2].islower() else label


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
    return (f"Peserta {_who(f, facts)} {event} pada {_day(facts['on'])}, namun iuran "
            f"{len(facts['months'])} bulan berikutnya ({_months(facts['months'])}) tetap "
            f"dibayar melalui {_orders(facts['sp2d'])}: {_money(f)}.")


def _identity(f: Finding, facts: dict[str, Any]) -> str:
    if facts["answer"] == "never_checked":
        return (f"{_who(f, facts)} belum pernah dipadankan dengan data kependudukan "
                "(Dukcapil).")
    return f"{_who(f, facts)} tidak padan dengan data kependudukan: {facts['reason']}."


def _twice(f: Finding, facts: dict[str, Any]) -> str:
    return (f"{_who(f, facts)} dibayar lebih dari sekali untuk {_months(facts['months'])} "
            f"oleh {' dan '.join(f.programmes)} ({_orders(facts['sp2d'])}): {_money(f)} "
            "terbayar ganda.")


def _early_death(f: Finding, facts: dict[str, Any]) -> str:
    return (f"Peserta {_who(f, facts)} didaftarkan {_day(facts['enrolled_on'])} dan meninggal "
            f"{number_id(facts['days'])} hari kemudian ({_day(facts['died_on'])}); klaim "
            f"{_benefit(facts['benefit'])} sebesar {_money(f)}.")


def _outside(f: Finding, facts: dict[str, Any]) -> str:
    day = facts["occurred_on"]
    if day < facts["enrolled_on"]:
        why = f"sebelum peserta didaftarkan ({_day(facts['enrolled_on'])})"
    else:
        why = (f"pada bulan {month_id(day[:7])} yang iurannya tidak dibayar (juga tidak dalam "
               "masa tenggang)")
    return (f"Klaim {_benefit(facts['benefit'])} {_who(f, facts)}: kejadian {_day(day)} "
            f"terjadi {why}; {_money(f)} telah dibayarkan.")


def _two_benefits(f: Finding, facts: dict[str, Any]) -> str:
    benefits = " dan ".join(_benefit(b) for b in facts["benefits"])
    text = (f"Kematian {_who(f, facts)} memiliki {len(facts['benefits'])} klaim manfaat: "
            f"{benefits}; {_money(f)} telah dibayarkan.")
    if f.severity == "review":
        text += " Santunan kota di samping manfaat kematian BPJS tidak diatur: perlu ditinjau."
    return text


def _account(f: Finding, facts: dict[str, Any]) -> str:
    return (f"Rekening {facts['account']} menerima {_money(f)} untuk {len(f.claims)} klaim dari "
            f"{facts['families']} keluarga berbeda.")


def _handover(f: Finding, facts: dict[str, Any]) -> str:
    shown = f"diserahkan di {facts['venue']} pada {_day(facts['held_on'])}"
    if facts["status"] != "approved":
        what = f"persetujuannya kini {STATUS['id'].get(facts['status'], facts['status'])}"
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


# -- English ------------------------------------------------------------------------------------

def _day_en(text: str | None) -> str:
    return date_en(date.fromisoformat(text)) if text else "-"


def _months_en(months: list[str]) -> str:
    if len(months) > 2:
        return f"{month_en(months[0])} to {month_en(months[-1])}"
    return " and ".join(month_en(m) for m in months)


def _orders_en(orders: list[str]) -> str:
    if len(orders) <= 2:
        return " and ".join(orders)
    return f"{len(orders)} payment orders ({orders[0]} ... {orders[-1]})"


def _paid_after_en(f: Finding, facts: dict[str, Any]) -> str:
    event = "died" if facts["event"] == "died" else "moved away"
    months = facts["months"]
    later = f"{len(months)} later months were" if len(months) > 1 else "1 later month was"
    return (f"{_who(f, facts)} {event} on {_day_en(facts['on'])}, yet {later} paid for "
            f"({_months_en(months)}) by {_orders_en(facts['sp2d'])}: {_money(f)}.")


def _identity_en(f: Finding, facts: dict[str, Any]) -> str:
    if facts["answer"] == "never_checked":
        return f"{_who(f, facts)} was never matched with the population register (Dukcapil)."
    return f"{_who(f, facts)} was not matched by the population register: {facts['reason']}."


def _twice_en(f: Finding, facts: dict[str, Any]) -> str:
    return (f"{_who(f, facts)} was paid for more than once for {_months_en(facts['months'])} "
            f"by {' and '.join(f.programmes)} ({_orders_en(facts['sp2d'])}): {_money(f)} "
            "paid twice.")


def _early_death_en(f: Finding, facts: dict[str, Any]) -> str:
    return (f"{_who(f, facts)} was enrolled on {_day_en(facts['enrolled_on'])} and died "
            f"{number_id(facts['days'])} days later ({_day_en(facts['died_on'])}); "
            f"{_benefit(facts['benefit'], 'en')} claim for {_money(f)}.")


def _outside_en(f: Finding, facts: dict[str, Any]) -> str:
    day = facts["occurred_on"]
    if day < facts["enrolled_on"]:
        why = f"before the member was enrolled ({_day_en(facts['enrolled_on'])})"
    else:
        why = f"in {month_en(day[:7])}, a month not paid for (nor within the grace period)"
    return (f"{_benefit(facts['benefit'], 'en')} claim for {_who(f, facts)}: the incident on "
            f"{_day_en(day)} came {why}; {_money(f)} paid out.")


def _two_benefits_en(f: Finding, facts: dict[str, Any]) -> str:
    benefits = " and ".join(_benefit(b, "en") for b in facts["benefits"])
    text = (f"The death of {_who(f, facts)} has {len(facts['benefits'])} benefit claims: "
            f"{benefits}; {_money(f)} paid in all.")
    if f.severity == "review":
        text += " The city grant beside a BPJS death benefit is not ruled either way: for review."
    return text


def _account_en(f: Finding, facts: dict[str, Any]) -> str:
    return (f"Account {facts['account']} received {_money(f)} for {len(f.claims)} claims of "
            f"{facts['families']} different families.")


def _handover_en(f: Finding, facts: dict[str, Any]) -> str:
    shown = f"handed over at {facts['venue']} on {_day_en(facts['held_on'])}"
    if facts["status"] != "approved":
        what = f"its approval is now {facts['status']}"
    elif f.severity == "high":
        what = "its payout is not recorded"
    else:
        what = f"no payout was recorded then; it was paid on {_day_en(facts['paid_on'])}"
    return f"A claim of {_money(f)} {shown}: {what}."


def _budget_en(f: Finding, facts: dict[str, Any]) -> str:
    if "headcount" not in facts:
        return (f"Realised {rupiah(facts['committed'])} exceeds the ceiling "
                f"{rupiah(facts['ceiling'])}: {_money(f)} beyond it.")
    per_member = round(facts["ceiling"] / (facts["headcount"] * facts["months"]))
    return (f"The ceiling is {rupiah(facts['ceiling'])}, while {number_id(facts['headcount'])} "
            f"members x {rupiah(facts['official_rate'])} x {facts['months']} months = "
            f"{rupiah(facts['expected'])} (difference {_money(f)}; the budget works out at "
            f"{rupiah(per_member)} a member a month).")


def _above_en(f: Finding, facts: dict[str, Any]) -> str:
    state = ("its approval was revoked after payment" if facts["status"] == "revoked"
             else "beyond the approved amount")
    return f"The claim was paid, {state}: {_money(f)} to recover."


def _self_approved_en(f: Finding, facts: dict[str, Any]) -> str:
    text = f"A claim of {_money(f)} was filed and approved by {facts['officer']}"
    return text + (f"; reason given: {facts['reason']}." if facts.get("reason") else ".")


_ENGLISH = {
    "paid-after-death-or-move": _paid_after_en, "identity-not-matched": _identity_en,
    "paid-twice-in-a-month": _twice_en, "death-within-90-days": _early_death_en,
    "incident-outside-paid-coverage": _outside_en, "two-benefits-for-one-death": _two_benefits_en,
    "shared-payee-account": _account_en, "handover-without-payout": _handover_en,
    "budget-not-headcount-rate-months": _budget_en, "paid-beyond-ceiling": _budget_en,
    "payout-above-approval": _above_en, "approved-by-filer": _self_approved_en,
}
