"""Indonesian formats for people: rupiah, numbers, dates, WIB times."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ledger.calendar import month_start
from ledger.money import rupiah

__all__ = ["date_en", "date_id", "datetime_wib", "month_id", "number_id", "rupiah"]

WIB = ZoneInfo("Asia/Jakarta")


def number_id(n: int) -> str:
    """``5.952``: dot for thousands."""
    return f"{n:,}".replace(",", ".")


def date_id(day: date) -> str:
    """``24 Maret 2025``."""
    return format_date(day, "d MMMM y", locale="id")


def date_en(day: date) -> str:
    """``24 March 2025``."""
    return format_date(day, "d MMMM y", locale="en")


def month_id(month: str) -> str:
    """``2025-03`` -> ``Maret 2025``."""
    return format_date(month_start(month), "MMMM y", locale="id")


def datetime_wib(moment: datetime) -> str:
    """An aware timestamp shown in WIB: ``24 Maret 2025 14:05 WIB``."""
    if moment.tzinfo is None:
        raise ValueError("a naive timestamp cannot be shown in WIB; timestamps are UTC-aware")
    local = moment.astimezone(WIB)
    return f"{date_id(local.date())} {local:%H:%M} WIB"
