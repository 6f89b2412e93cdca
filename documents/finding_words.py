"""What the sentences of findings share, in either language: a member, a benefit, an amount."""

from __future__ import annotations

from documents.formatting import rupiah
from documents.labels import BENEFIT
from projections.findings import Finding


def who(f: Finding, nik: str) -> str:
    """A member as the documents print one: the masked NIK, which often reads like another's
    (``3671********0001``), and the short id of the enrolment(s) that tells them apart."""
    ids = sorted({m[:8] for m in f.members})
    return f"NIK {nik}" + (f" ({', '.join(ids)})" if ids else "")


def benefit(code: str, lang: str = "id") -> str:
    """A benefit's label inside a sentence: "city death grant", but "JKM death" stays."""
    label = BENEFIT[lang].get(code, code)
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def money(finding: Finding) -> str:
    """The amount at stake, in rupiah."""
    return rupiah(abs(finding.amount or 0))
