"""Payment orders (SP2D) from finance's sheet, each recorded through ``Ledger.pay_contribution``.

A row names the SP2D number, its date, the amount, the month(s) paid and the programme; it may
name the members paid for (NIKs separated by ``;``), else it pays for every member with an active
coverage in the programme (the roster as the ledger holds it). The ledger checks the rules
(members x rate x months exactly, within the budget ceiling, months inside the programme) and a
refused row is reported with the ledger's reason. A re-run skips the SP2Ds already recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.utils import get_topic

from intake.importing import RejectedRow, RowError, _date, reject
from intake.roster import PAYMENT_COLUMNS, PAYMENT_REQUIRED, Sheet, SheetRow, read_sheet
from ledger.calendar import CalendarError, month_range, parse_month
from ledger.enrolment import Enrolment
from ledger.errors import ContributionNotFoundError, InvalidInputError, LedgerError
from ledger.identity import IdentityError, mask_nik, parse_nik
from ledger.limits import MAX_RUPIAH
from ledger.money import rupiah


def read_payments(path: Path) -> Sheet:
    return read_sheet(Path(path), PAYMENT_COLUMNS, PAYMENT_REQUIRED)


def parse_months(text: str) -> list[str]:
    """``2025-03``, ``2025-03;2025-04`` or a range ``2025-03..2025-12``."""
    value = text.strip().replace(",", ";").replace(" ", "")
    try:
        if ".." in value:
            first, _, last = value.partition("..")
            start, end = parse_month(first), parse_month(last)
            if end < start:
                raise RowError(f"the months {value} run backwards", field="months")
            count = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:]) - int(start[5:]) + 1
            return month_range(start, count)
        return [parse_month(m) for m in value.split(";") if m]
    except CalendarError as error:
        # The column's own words: a month cell is read here, whatever the calendar calls it.
        raise RowError(f"the months '{text.strip()}' cannot be read: {error.message}",
                       field="months") from None


def _amount(text: str) -> int:
    digits = text.strip().replace("Rp", "").replace(".", "").replace(" ", "")
    if digits.startswith("-") and digits[1:].isdigit():
        raise RowError(f"amount '{text}' is negative: a payment order pays a whole number of "
                       "rupiah above zero (a refund is a reversal, not a negative SP2D)",
                       field="amount")
    if not digits.isdigit():
        raise RowError(f"amount '{text}' is not a whole number of rupiah", field="amount")
    # Compared by length first: int() refuses (ValueError) a text of thousands of digits.
    if len(digits.lstrip("0")) > len(str(MAX_RUPIAH)) or int(digits) > MAX_RUPIAH:
        raise RowError(f"amount '{text}' is more than the ledger holds: an amount can be at "
                       f"most {rupiah(MAX_RUPIAH)}", field="amount")
    return int(digits)


def active_members(ledger: Any) -> dict[str, dict[str, str]]:
    """programme code -> {NIK: enrolment id} of every active coverage, read from the log."""
    enrolled = get_topic(Enrolment.Enrolled)  # type: ignore[attr-defined]
    ended = get_topic(Enrolment.CoverageEnded)  # type: ignore[attr-defined]
    found: dict[str, dict[str, str]] = {}
    where: dict[str, tuple[str, str]] = {}
    position = 0
    while True:
        page = ledger.recorder.select_notifications(start=position + 1, limit=5000,
                                                    topics=[enrolled, ended])
        if not page:
            return found
        for notification in page:
            event: Any = ledger.mapper.to_domain_event(notification)
            key = str(event.originator_id)
            if notification.topic == enrolled:
                found.setdefault(event.programme_code, {})[event.nik] = key
                where[key] = (event.programme_code, event.nik)
            elif key in where:
                code, nik = where[key]
                if found.get(code, {}).get(nik) == key:
                    del found[code][nik]
        position = page[-1].id


@dataclass
class PaymentSummary:
    rows: int = 0
    recorded: int = 0
    already_recorded: int = 0
    rejected: int = 0
    amount: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)

    def as_record(self) -> dict[str, Any]:
        return {"rows": self.rows, "recorded": self.recorded,
                "already_recorded": self.already_recorded, "rejected": self.rejected,
                "amount": self.amount, "rejected_by_rule": dict(sorted(self.by_rule.items()))}


def import_payments(ledger: Any, sheet: Sheet, actor: str, program: str | None,
                    progress: Callable[[int], None] | None = None) -> tuple[
                        PaymentSummary, list[RejectedRow]]:
    """Record every payment order of the sheet; returns the counts and the refused rows."""
    summary = PaymentSummary()
    rejected: list[RejectedRow] = []
    roster: dict[str, dict[str, str]] | None = None
    seen: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        summary.rows += 1
        if progress is not None:
            progress(1)
        sp2d = sheet.value(row, "sp2d")
        try:
            if not sp2d:
                raise InvalidInputError("the payment needs its SP2D number (column No SP2D)",
                                        field="sp2d")
            code = (sheet.value(row, "program") or program or "").strip().upper()
            if not code:
                raise RowError("the row names no programme (column Program, or --program)",
                               field="program")
            first = seen.setdefault((code, sp2d), row.number)
            if first != row.number:
                raise RowError(f"SP2D {sp2d} appears again: it is already on row {first}",
                               field="sp2d")
            # The row's own cells first: what the clerk can correct in the file itself.
            amount = _amount(sheet.value(row, "amount"))
            paid_on = _date(sheet.value(row, "paid_on"), "date", "paid_on")
            months = parse_months(sheet.value(row, "months"))
            programme = ledger.programme(code)  # an unknown programme is named as such
            if _recorded(ledger, code, sp2d):
                summary.already_recorded += 1
                continue
            programme.require_open()  # a closed one too, before its members are sought
            if roster is None:
                roster = active_members(ledger)
            members = _members(sheet, row, roster.get(code, {}))
            ledger.pay_contribution(code, sp2d, paid_on, months, members, amount, actor)
            summary.recorded += 1
            summary.amount += amount
        except LedgerError as error:
            item = reject(row, "", error)
            rejected.append(item)
            summary.rejected += 1
            summary.by_rule[item.rule] += 1
    return summary, rejected


def _recorded(ledger: Any, code: str, sp2d: str) -> bool:
    if not sp2d.strip():
        return False
    try:
        ledger.contribution(code, sp2d)
    except ContributionNotFoundError:
        return False
    return True


def _members(sheet: Sheet, row: SheetRow, roster: dict[str, str]) -> list[str]:
    named = sheet.value(row, "members").replace(",", ";").replace(" ", ";")
    if not named:
        if not roster:
            raise RowError(
                "the programme has no active member to pay for: enrol its roster first, or "
                "name the members paid for in column Peserta", field="members",
                reason_id="Program belum memiliki peserta aktif untuk dibayar; impor daftar "
                          "peserta dahulu atau sebut NIK di kolom Peserta")
        return sorted(roster.values())
    ids: list[str] = []
    for text in (n for n in named.split(";") if n):
        try:
            nik = parse_nik(text).value
        except IdentityError as error:  # the Peserta column's NIK, not the row's own
            raise IdentityError(f"column Peserta: {error.message}", field="members") from None
        if nik not in roster:
            raise RowError(f"NIK {mask_nik(nik)} is not an active member of the programme",
                           field="members")
        if roster[nik] in ids:
            raise RowError(f"NIK {mask_nik(nik)} is named twice in column Peserta",
                           field="members",
                           reason_id="NIK yang sama disebut dua kali di kolom Peserta")
        ids.append(roster[nik])
    return ids


def payment_error_record(item: RejectedRow) -> dict[str, Any]:
    return {"row": item.row, "rule": item.rule, "reason_id": item.reason_id,
            "reason_en": item.reason_en}

