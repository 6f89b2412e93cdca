"""The vocabulary of the scholarship: school levels, school years, the heirs' children, and the
figures a rule set gives each level (docs/domain.md section 4).

Indonesian school years (*tahun ajaran*) run from 1 July to 30 June and are written ``2025/2026``.
The levels the scholarship pays for come in the order a child goes through them: TK-SD
(kindergarten and primary), SMP, SMA, then university or vocational training. The rules that use
these live in :mod:`ledger.scholarship`.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ledger.calendar import FIRST_YEAR, LAST_YEAR
from ledger.errors import InvalidInputError

#: The month an Indonesian school year (tahun ajaran) begins in; it begins on the 1st.
SCHOOL_YEAR_FIRST_MONTH = 7


class SchoolLevel(StrEnum):
    """A level of schooling the scholarship pays for, in the order a child goes through them."""

    TK_SD = "tk_sd"  # kindergarten (TK) and primary school (SD)
    SMP = "smp"  # junior high
    SMA = "sma"  # senior high (SMA, SMK, MA)
    UNIVERSITY = "university"  # university or vocational training

    @property
    def label(self) -> str:
        """How a clerk names the level."""
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """0 for TK-SD up to 3 for university: a child's levels never go down."""
        return list(SchoolLevel).index(self)


_LABELS = {
    SchoolLevel.TK_SD: "TK-SD", SchoolLevel.SMP: "SMP", SchoolLevel.SMA: "SMA",
    SchoolLevel.UNIVERSITY: "university or vocational training",
}


def parse_school_level(text: str) -> SchoolLevel:
    """A level from its code, with the codes that exist when it is not one."""
    try:
        return SchoolLevel(text.strip().lower())
    except ValueError:
        known = ", ".join(level.value for level in SchoolLevel)
        raise InvalidInputError(f"unknown school level '{text}'; use one of: {known}",
                                field="level") from None


@dataclass(frozen=True, order=True)
class SchoolYear:
    """A school year, named by the calendar year it starts in: 2025 is 2025/2026."""

    start: int

    def __post_init__(self) -> None:
        if not isinstance(self.start, int) or not FIRST_YEAR <= self.start < LAST_YEAR:
            raise InvalidInputError(
                f"a school year must start between {FIRST_YEAR} and {LAST_YEAR - 1}; "
                f"got {self.start}", field="school_year")

    def __str__(self) -> str:
        return f"{self.start}/{self.start + 1}"

    @property
    def starts_on(self) -> date:
        """Its first day: 1 July of its first year."""
        return date(self.start, SCHOOL_YEAR_FIRST_MONTH, 1)

    @property
    def ends_on(self) -> date:
        """Its last day: 30 June of its second year."""
        return date(self.start + 1, SCHOOL_YEAR_FIRST_MONTH, 1) - timedelta(days=1)

    def next(self) -> SchoolYear:
        """The school year after this one."""
        return SchoolYear(self.start + 1)

    @staticmethod
    def of(day: date) -> SchoolYear:
        """The school year a day falls in."""
        return SchoolYear(day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1)


_SCHOOL_YEAR = re.compile(r"([0-9]{4})\s*/\s*([0-9]{4})")


def parse_school_year(text: str) -> SchoolYear:
    """``"2025/2026"`` -> the school year starting in July 2025; anything else is refused."""
    found = _SCHOOL_YEAR.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None or int(found.group(2)) != int(found.group(1)) + 1:
        raise InvalidInputError(
            f"a school year is written as two following years, e.g. 2025/2026; got '{text}'",
            field="school_year")
    return SchoolYear(int(found.group(1)))


@dataclass(frozen=True)
class LevelRule:
    """What one school year at a level pays, and how many years of it at most."""

    level: SchoolLevel
    amount_per_year: int
    max_years: int


@dataclass(frozen=True)
class ScholarshipRules:
    """The scholarship figures of a rule set (reference data; defaults are those of
    Permenaker 5/2021)."""

    paid_for_deaths_from: date = date(2021, 4, 1)
    max_children: int = 2
    age_limit: int = 23
    jkm_min_membership_years: int = 3
    levels: tuple[LevelRule, ...] = (
        LevelRule(SchoolLevel.TK_SD, 1_500_000, 8),
        LevelRule(SchoolLevel.SMP, 2_000_000, 3),
        LevelRule(SchoolLevel.SMA, 3_000_000, 3),
        LevelRule(SchoolLevel.UNIVERSITY, 12_000_000, 5),
    )

    def level(self, level: SchoolLevel) -> LevelRule:
        """The figures of one level."""
        return next(rule for rule in self.levels if rule.level is level)

    @property
    def per_child_ceiling(self) -> int:
        """Every year of every level: Rp87.000.000 with the figures of Permenaker 5/2021."""
        return sum(rule.amount_per_year * rule.max_years for rule in self.levels)


def birthday(born_on: date, age: int) -> date:
    """The day a person born on ``born_on`` turns ``age`` (29 February counts as 28 February in
    a year without it)."""
    year = born_on.year + age
    return date(year, born_on.month,
                min(born_on.day, _stdlib_calendar.monthrange(year, born_on.month)[1]))


_NIK = re.compile(r"[0-9]{16}")


@dataclass(frozen=True)
class Child:
    """A child named in a scholarship: who, born when, at which level when it was granted
    (``None``: not at school yet), and the day it married or started work, once recorded."""

    name: str
    nik: str
    born_on: date
    level: SchoolLevel | None = None
    married_on: date | None = None
    working_from: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInputError("a child's name is required", field="children.name")
        # The NIK's form only: the service checks it (and its birth date) against the register.
        if not isinstance(self.nik, str) or _NIK.fullmatch(self.nik) is None:
            raise InvalidInputError(f"the NIK of {self.name.strip()} must be 16 digits",
                                    field="children.nik")
        object.__setattr__(self, "name", self.name.strip())

    def stops_on(self, age_limit: int) -> tuple[date, str]:
        """The first day from which no school year may start, and why."""
        reasons = [(birthday(self.born_on, age_limit), f"turned {age_limit}")]
        if self.married_on is not None:
            reasons.append((self.married_on, "married"))
        if self.working_from is not None:
            reasons.append((self.working_from, "started work"))
        return min(reasons)
