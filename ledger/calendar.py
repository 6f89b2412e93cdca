"""Months, calendar arithmetic and Indonesian working days.

A month is written ``"YYYY-MM"`` everywhere in the ledger: stored events are JSON, and a short
ISO string survives JSON, sorts correctly as text and reads the same to a clerk and to a query.
Years are limited to 2000-2100 so that a typo ("0225-03", "20250-3") is caught where it is typed
instead of turning into a coverage period nobody can find.

Working days matter for two deadlines in the domain: contributions are due by the 15th of the
month paid for (next working day if that is not one), and the city death grant must be applied
for within 40 working days of the death. Both count Monday to Friday minus Indonesian public
holidays as the ``holidays`` library knows them.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from datetime import date, timedelta
from functools import lru_cache

import holidays

from ledger.errors import InvalidInputError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "CalendarError",
    "add_calendar_months",
    "add_months",
    "add_working_days",
    "contribution_due_date",
    "is_working_day",
    "month_end",
    "month_of",
    "month_range",
    "month_start",
    "months_between",
    "parse_month",
    "working_days_between",
]

#: The years a ledger month may fall in; anything outside is a typo, not a real period.
FIRST_YEAR = 2000
LAST_YEAR = 2100

#: The day of the month contributions are due for that month (BPU members).
CONTRIBUTION_DUE_DAY = 15

# ASCII digits only: ``\d`` would also accept e.g. Arabic-Indic digits, which int() then reads.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class CalendarError(InvalidInputError, ValueError):
    """A month or a date computation the ledger cannot accept, explained in plain words.

    It is an :class:`~ledger.errors.InvalidInputError` so the HTTP layer answers 422 with the
    message, and a :class:`ValueError` so plain Python callers can catch it the usual way.
    """

    rule = "invalid-date"

    def __init__(self, message: str, *, field: str | None = "months") -> None:
        # Almost every bad month arrives in a request's "months" / "first_month" field; callers
        # that know better pass their own field name.
        super().__init__(message, field=field)


def parse_month(text: str) -> str:
    """Check that ``text`` is a month written ``YYYY-MM`` and return it normalised.

    Surrounding spaces are dropped (pasted from a spreadsheet); nothing else is guessed, so
    ``"2025-3"`` and ``"03/2025"`` are refused rather than silently read one way or another.

    >>> parse_month(" 2025-03 ")
    '2025-03'
    """
    found = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if (
        found is None
        or not 1 <= int(found.group(2)) <= 12
        or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR
    ):
        raise CalendarError(f"month must be written YYYY-MM, e.g. 2025-03; got '{text}'")
    return found.group(0)


def _split(month: str) -> tuple[int, int]:
    """Year and month number of a valid month (validated here so every helper refuses typos)."""
    year, number = parse_month(month).split("-")
    return int(year), int(number)


def _from_index(index: int, *, what: str) -> str:
    """Month string for ``year * 12 + (month - 1)``, refused if it leaves the ledger's years."""
    year, zero_based = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarError(
            f"{what} falls outside the years {FIRST_YEAR}-{LAST_YEAR} the ledger handles"
        )
    return f"{year:04d}-{zero_based + 1:02d}"


def month_of(d: date) -> str:
    """The month a date falls in: ``date(2025, 3, 24)`` -> ``"2025-03"``.

    Not range-checked: a date is already valid, and refusing here would turn a harmless question
    ("was 1999-12-31 covered?") into an error; the month helpers below check when they are used.
    """
    return f"{d.year:04d}-{d.month:02d}"


@lru_cache(maxsize=4096)
def month_start(month: str) -> date:
    """First day of the month: ``"2025-03"`` -> 1 March 2025. (Cached, as its dates are
    immutable: every row of a bulk import asks a programme for its period's first day.)"""
    year, number = _split(month)
    return date(year, number, 1)


@lru_cache(maxsize=4096)
def month_end(month: str) -> date:
    """Last day of the month: ``"2024-02"`` -> 29 February 2024 (leap years included).
    (Cached, as :func:`month_start`.)"""
    year, number = _split(month)
    return date(year, number, _stdlib_calendar.monthrange(year, number)[1])


def add_months(month: str, n: int) -> str:
    """The month ``n`` months later, earlier if ``n`` is negative.

    ``add_months("2025-12", 1) == "2026-01"``; a result outside 2000-2100 is refused.
    """
    year, number = _split(month)
    return _from_index(year * 12 + (number - 1) + n, what=f"{month} plus {n} month(s)")


def months_between(a: str, b: str) -> int:
    """``b - a`` in months: ``months_between("2025-03", "2025-12") == 9`` (negative if b < a)."""
    year_a, number_a = _split(a)
    year_b, number_b = _split(b)
    return (year_b * 12 + number_b) - (year_a * 12 + number_a)


def month_range(first: str, count: int) -> list[str]:
    """``count`` consecutive months from ``first``: March-December 2025 is ``("2025-03", 10)``."""
    return list(_month_range(first, count))


@lru_cache(maxsize=1024)
def _month_range(first: str, count: int) -> tuple[str, ...]:
    # Cached: every row of a bulk import asks a programme for its period (its months).
    if count < 0:
        raise CalendarError(f"a run of months cannot be negative; got {count}")
    start = parse_month(first)
    return tuple(add_months(start, n) for n in range(count))


def add_calendar_months(d: date, n: int) -> date:
    """The same day ``n`` months later, clamped to the end of a shorter month.

    31 January 2025 + 1 month is 28 February 2025 (29 February in a leap year). This is how
    "died within the first 3 months of membership" is measured from the enrolment date, and how
    the 5-year JKK claim expiry is counted (as 60 months).
    """
    target = add_months(month_of(d), n)
    return month_start(target).replace(day=min(d.day, month_end(target).day))


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    """Indonesian public holidays of one year, computed once per year (the library is slow).

    Only the "public" category: collective leave days (cuti bersama, the library's "government"
    category) are decreed each year for civil servants and are not public holidays, so they count
    as working days here. A deadline counted here can therefore fall a few days earlier than one
    that also skips collective leave.
    """
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an Indonesian public holiday."""
    return d.weekday() < 5 and d not in _public_holidays(d.year)


def add_working_days(d: date, n: int) -> date:
    """The ``n``-th working day after ``d`` (before it if ``n`` is negative; ``d`` itself if 0).

    ``d`` itself does not count, matching "within 40 working days of the death": the day of
    death is day 0 and the deadline is the 40th working day after it.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    current = d
    remaining = abs(n)
    while remaining > 0:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; 0 if ``end`` is not after it.

    The inverse of :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n))``
    is ``n`` for ``n >= 0``. An application filed on day ``end`` for a death on ``start`` is in
    time when this is at most 40.
    """
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def contribution_due_date(month: str) -> date:
    """The day a month's contributions are due: the 15th, or the next working day after it."""
    due = month_start(month).replace(day=CONTRIBUTION_DUE_DAY)
    while not is_working_day(due):
        due += timedelta(days=1)
    return due
