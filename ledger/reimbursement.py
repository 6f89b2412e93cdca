"""JKK costs paid back against receipts: medical care, transport and home care.

PP 44/2015 as amended by PP 82/2019 (docs/domain.md section 4), with the ceilings of the rule set
in force on the day of the accident:

- **medical care** is paid as billed, with no ceiling, against its invoices;
- **transport** of the injured member is paid as billed up to Rp5.000.000 by land, Rp2.000.000
  by sea and Rp10.000.000 by air, each ceiling for the whole case (the receipts of one mode are
  added up, then capped);
- **home care** is paid as billed for at most one year from its first day, up to Rp20.000.000 in
  all; a receipt for care after that year is refused.

Each receipt carries the SHA-256 of its scanned document (64 hexadecimal digits), so the
document an auditor is shown can be checked against the one paid; one receipt listed twice in a
case is refused. A function here computes the whole case from all its receipts; what was
already paid is the service's to subtract.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ledger.benefits import BenefitRules, Computation, Line
from ledger.calendar import add_calendar_months
from ledger.errors import DuplicateReceiptError, HomeCarePeriodError, InvalidInputError
from ledger.limits import require_rupiah
from ledger.money import rupiah

# ASCII only: ``[0-9a-f]`` and not ``\w`` or str.isalnum, which accept other scripts' digits.
_SHA256 = re.compile(r"[0-9a-f]{64}")


def require_sha256(text: object, *, field: str = "receipt_sha256") -> str:
    """A SHA-256 written as 64 hexadecimal digits (either case), returned in lower case."""
    value = text.strip().lower() if isinstance(text, str) else None
    if value is None or _SHA256.fullmatch(value) is None:
        raise InvalidInputError(
            "a receipt's SHA-256 is 64 hexadecimal digits (0-9, a-f), as sha256sum prints it",
            field=field)
    return value


class TransportMode(StrEnum):
    """How the injured member was carried."""

    LAND = "land"
    SEA = "sea"
    AIR = "air"


@dataclass(frozen=True)
class Receipt:
    """An invoice or receipt: its reference, its date, its amount, its document's SHA-256."""

    reference: str
    issued_on: date
    amount: int
    sha256: str

    def __post_init__(self) -> None:
        if not isinstance(self.reference, str) or not self.reference.strip():
            raise InvalidInputError("a receipt needs its reference (number on the document)",
                                    field="receipt_reference")
        require_rupiah(self.amount, f"the amount of receipt {self.reference.strip()}",
                       field="receipt_amount", minimum=1)
        object.__setattr__(self, "reference", self.reference.strip())
        object.__setattr__(self, "sha256", require_sha256(self.sha256))


def _distinct(receipts: Sequence[Receipt]) -> None:
    seen: dict[str, str] = {}
    for receipt in receipts:
        if receipt.sha256 in seen:
            raise DuplicateReceiptError(
                f"receipts {seen[receipt.sha256]} and {receipt.reference} are the same document "
                "(same SHA-256): list it once", field="receipts")
        seen[receipt.sha256] = receipt.reference


def _need(receipts: Sequence[object], what: str) -> None:
    if not receipts:
        raise InvalidInputError(f"{what} is paid against receipts: give at least one",
                                field="receipts")


def medical_care(rules: BenefitRules, receipts: Sequence[Receipt]) -> Computation:
    """Medical care as billed: the sum of its invoices, with no ceiling."""
    _need(receipts, "medical care")
    _distinct(receipts)
    lines = tuple(Line(f"invoice {r.reference} of {r.issued_on.isoformat()}", r.amount)
                  for r in receipts)
    return Computation(sum(r.amount for r in receipts), lines, rules.version)


def transport_ceiling(rules: BenefitRules, mode: TransportMode) -> int:
    """The most a case's transport by one mode is paid."""
    return {TransportMode.LAND: rules.transport_land_ceiling,
            TransportMode.SEA: rules.transport_sea_ceiling,
            TransportMode.AIR: rules.transport_air_ceiling}[mode]


def transport(rules: BenefitRules,
              receipts: Sequence[tuple[TransportMode, Receipt]]) -> Computation:
    """Transport as billed, each mode's total capped at its ceiling."""
    _need(receipts, "transport")
    _distinct([receipt for _, receipt in receipts])
    lines = []
    for mode in TransportMode:
        billed = sum(r.amount for m, r in receipts if m is mode)
        if not billed:
            continue
        ceiling = transport_ceiling(rules, mode)
        paid = min(billed, ceiling)
        capped = f", paid up to the ceiling of {rupiah(ceiling)}" if billed > ceiling else ""
        lines.append(Line(f"transport by {mode.value}: billed {rupiah(billed)}{capped}", paid))
    return Computation(sum(line.amount for line in lines), tuple(lines), rules.version)


def home_care(rules: BenefitRules, *, started_on: date,
              receipts: Sequence[Receipt]) -> Computation:
    """Home care as billed, for care within a year of its first day, up to the ceiling."""
    _need(receipts, "home care")
    _distinct(receipts)
    last_day = add_calendar_months(started_on, rules.home_care_months) - timedelta(days=1)
    for receipt in receipts:
        if not started_on <= receipt.issued_on <= last_day:
            raise HomeCarePeriodError(
                f"home care is paid for {rules.home_care_months} months at most, from "
                f"{started_on.isoformat()} to {last_day.isoformat()}; receipt "
                f"{receipt.reference} is dated {receipt.issued_on.isoformat()}",
                field="receipts")
    billed = sum(r.amount for r in receipts)
    paid = min(billed, rules.home_care_ceiling)
    capped = (f", paid up to the ceiling of {rupiah(rules.home_care_ceiling)}"
              if billed > rules.home_care_ceiling else "")
    line = Line(f"home care from {started_on.isoformat()}: billed {rupiah(billed)}{capped}", paid)
    return Computation(paid, (line,), rules.version)
