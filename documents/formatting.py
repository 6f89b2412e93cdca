"""Indonesian formats for people reading reports: rupiah, counts, dates and WIB times.

Reports are in Bahasa Indonesia (English optional), so dates carry Indonesian month names and
times are shown in WIB, the time zone of Tangerang and Jakarta. Babel supplies the month names
and digit grouping from CLDR instead of a hand-kept table.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from ledger.calendar import month_start

# One writer of money for the whole project: ledger error messages and documents must show the
# same figure the same way, so the implementation lives with the money rules and is re-exported.
from ledger.money import rupiah

__all__ = ["WIB", "date_en", "date_id", "datetime_wib", "month_en", "month_id", "number_id",
           "outstanding", "rupiah", "weekday_date"]

#: Western Indonesia Time (UTC+7, no daylight saving), where the cities of the ledger are.
WIB = ZoneInfo("Asia/Jakarta")


def number_id(n: int) -> str:
    """A whole count with a dot for thousands: ``5952`` -> ``"5.952"``.

    Counts are whole numbers; a float or a bool here is a bug upstream, so it is refused rather
    than printed as ``5.952,5`` or ``1``.
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"a count is a whole number (int); got {type(n).__name__}")
    return format_decimal(n, locale="id")


#: What a negative amount still owed on a claim is: money paid beyond what is due.
OVERPAID = {"id": "Lebih bayar", "en": "Overpaid"}


def outstanding(amount: int, lang: str = "id") -> str:
    """An amount still owed on a claim: ``Rp2.000.000``, or, when more was paid than is due,
    the overpayment said as such, ``"Lebih bayar Rp42.000.000"`` (``"Overpaid
    Rp42.000.000"``), never ``-Rp42.000.000`` under a column headed "still owed"."""
    if amount < 0:
        return f"{OVERPAID[lang]} {rupiah(-amount)}"
    return rupiah(amount)


def date_id(d: date) -> str:
    """A date in Indonesian: ``date(2025, 3, 24)`` -> ``"24 Maret 2025"``."""
    return format_date(d, "d MMMM y", locale="id")


def date_en(d: date) -> str:
    """A date in English, for the optional English reports: ``"24 March 2025"``."""
    return format_date(d, "d MMMM y", locale="en")


def weekday_date(d: date, lang: str = "id") -> str:
    """A date with its day of the week, as minutes open: ``"Selasa, 3 Februari 2026"``
    (``"Tuesday, 3 February 2026"`` in English)."""
    return format_date(d, "EEEE, d MMMM y", locale=lang)


def month_en(month: str) -> str:
    """A ledger month in English: ``"2025-03"`` -> ``"March 2025"`` (refuses a bad month)."""
    return format_date(month_start(month), "LLLL y", locale="en")


def month_id(month: str) -> str:
    """A ledger month in Indonesian: ``"2025-03"`` -> ``"Maret 2025"`` (refuses a bad month)."""
    # Stand-alone month name (LLLL): a month shown on its own, not inside a full date.
    return format_date(month_start(month), "LLLL y", locale="id")


def datetime_wib(ts: datetime, lang: str = "id") -> str:
    """An aware timestamp shown in WIB: 07:05 UTC on 24 March 2025 -> ``"24 Maret 2025 14:05 WIB"``
    (``"24 March 2025 14:05 WIB"`` with ``lang="en"``).

    Naive timestamps are refused: the ledger records UTC, and guessing the zone of a naive value
    could move an event to another day in a report.
    """
    if ts.tzinfo is None or ts.tzinfo.utcoffset(ts) is None:
        raise ValueError(
            "a naive timestamp (no time zone) cannot be shown in WIB; give an aware UTC datetime"
        )
    local = ts.astimezone(WIB)
    day = date_en(local.date()) if lang == "en" else date_id(local.date())
    return f"{day} {local:%H:%M} WIB"
