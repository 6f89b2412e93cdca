"""Findings in words: each rule's title in both languages, what a case found in a printed
report's language (:mod:`documents.finding_text_id`, :mod:`documents.finding_text_en`) or in
one plain English line for the API and the command line (:mod:`documents.finding_statements`),
all told from the facts each finding carries (:mod:`projections.findings.facts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from documents import finding_text_en, finding_text_id
from documents.finding_statements import statement
from projections.findings import Finding, summary

#: Each rule's title: (English, Indonesian).
TITLES = {
    "paid-after-death-or-move": (
        "Contributions paid after the member's recorded death or move",
        "Iuran dibayar setelah peserta tercatat meninggal atau pindah"),
    "identity-not-matched": (
        "NIK never matched to the population register",
        "NIK tidak pernah dipadankan dengan data kependudukan (Dukcapil)"),
    "paid-twice-in-a-month": (
        "The same NIK paid for twice in one month (two programmes or funders)",
        "NIK yang sama dibayar dua kali dalam satu bulan (dua program atau pemberi dana)"),
    "death-within-90-days": (
        "Death within 90 days of enrolment",
        "Meninggal dalam 90 hari sejak didaftarkan"),
    "incident-outside-paid-coverage": (
        "Claim for an incident outside a paid coverage month or before enrolment",
        "Klaim atas kejadian di luar bulan yang dibayar atau sebelum pendaftaran"),
    "two-benefits-for-one-death": (
        "More than one death benefit for the same death",
        "Lebih dari satu manfaat kematian untuk kematian yang sama"),
    "shared-payee-account": (
        "Heirs of unrelated families paid into the same bank account",
        "Ahli waris dari keluarga berbeda dibayar ke rekening yang sama"),
    "handover-without-payout": (
        "Ceremony handover without an approved claim or a recorded payout",
        "Penyerahan simbolis tanpa klaim disetujui atau tanpa pembayaran tercatat"),
    "budget-not-headcount-rate-months": (
        "Budget not equal to headcount x official rate x months",
        "Anggaran tidak sama dengan jumlah peserta x tarif resmi x bulan"),
    "paid-beyond-ceiling": (
        "Payments beyond the DPA ceiling",
        "Pembayaran melebihi pagu DPA"),
    "payout-above-approval": (
        "Payout above the approved amount",
        "Pembayaran melebihi jumlah yang disetujui"),
    "approved-by-filer": (
        "Claim approved by the officer who filed it",
        "Klaim disetujui oleh petugas yang mengajukannya"),
}


def title(finding: Finding, lang: str) -> str:
    """The finding's rule, titled in the report's language."""
    english, indonesian = TITLES[finding.rule]
    return indonesian if lang == "id" else english


def detail(finding: Finding, lang: str) -> str:
    """What was found, in the report's language."""
    tell = (finding_text_id.SENTENCES if lang == "id" else finding_text_en.SENTENCES)
    return tell[finding.rule](finding, finding.case)


def record(finding: Finding) -> dict[str, Any]:
    """A finding as the API and ``audit --json`` give it: facts, ids, positions, titles in both
    languages and the plain English statement."""
    english, indonesian = TITLES[finding.rule]
    return {
        "id": finding.id, "flag": finding.flag, "rule": finding.rule,
        "severity": finding.severity, "title": english, "title_id": indonesian,
        "programmes": list(finding.programmes), "detail": statement(finding),
        "members": list(finding.members), "claims": list(finding.claims),
        "positions": list(finding.positions), "amount": finding.amount,
        "facts": finding.facts,
    }


def titled_summary(found: Iterable[Finding]) -> list[dict[str, Any]]:
    """How many cases each rule has (see :func:`projections.findings.summary`), titled."""
    rows = summary(found)
    return [{**row, "title": TITLES[row["rule"]][0], "title_id": TITLES[row["rule"]][1]}
            for row in rows]


__all__ = ["TITLES", "detail", "record", "statement", "title", "titled_summary"]
