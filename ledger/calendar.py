"""Months ("YYYY-MM", as stored in events), calendar arithmetic and Indonesian working days."""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from datetime import date, timedelta
from functools import lru_cache

import holidays

from ledger.errors import InvalidInputError


class CalendarError(InvalidInputError):
    rule = "invalid-date"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> str:
    """Validate ``YYYY-MM`` and return it as written."""
    found = _MONTH.match(str(text).strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise CalendarError(
            f"a month must be written YYYY-MM, e.g. 2025-03; got '{text}'", field="months"
        )
    return found.group(0)


def _split(month: str) -> tuple[int, int]:
    year, number = parse_month(month).split("-")
    return int(year), int(number)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    year, number = _split(month)
    return date(year, number, 1)


def month_end(month: str) -> date:
    year, number = _split(month)
    return date(year, number, _stdlib_calendar.monthrange(year, number)[1])


def add_months(month: str, n: int) -> str:
    year, number = _split(month)
    index = year * 12 + (number - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(a: str, b: str) -> int:
    """``b - a`` in months."""
    ya, ma = _split(a)
    yb, mb = _split(b)
    return (yb * 12 + mb) - (ya * 12 + ma)


def month_range(first: str, count: int) -> list[str]:
    return [add_months(first, n) for n in range(count)]


def add_calendar_months(day: date, n: int) -> date:
    """The same day ``n`` months later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    target = add_months(month_of(day), n)
    return min(month_start(target).replace(day=min(day.day, month_end(target).day)),
               month_end(target))


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    # National public holidays of Indonesia as the holidays library knows them; collective
    # leave days (cuti bersama) are not in it, so deadlines counted here are never too short.
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday, not a public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (n >= 0; 0 gives ``day`` itself)."""
    current = day
    remaining = n
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def contribution_due_date(month: str) -> date:
    """Contributions are due by the 15th of the month paid for, or the next working day."""
    due = month_start(month).replace(day=15)
    while not is_working_day(due):
        due += timedelta(days=1)
    return due
