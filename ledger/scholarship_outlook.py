"""What a scholarship may still pay, school year by school year (for a finance officer's budget).

The projection assumes each child goes up one grade a year (*naik kelas*). The ledger knows a
child's level, not its grade, so the grade is read from the child's age on the first day of the
school year: kindergarten from 5, and the levels' spans (TK-SD 8 years, SMP 3, SMA 3) put SMP at
13, SMA at 16 and university at 19 (:data:`ENTRY_AGES`). A child is projected at the higher of
its own level (the level of its latest claimed year, else the one named when the scholarship
was granted) and the level its age has reached, never back a level; when a level's years are
used (counting the years already claimed) it moves to the next. It stops at the first school
year starting on or after its 23rd birthday or a recorded marriage or start of work, and when
the university years are used; a child not at school yet starts at 5.

It is an estimate of what the programme may owe, not a promise: each year is still claimed with
proof of enrolment, and a child who stays down a grade, leaves school or skips a year is paid less.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ledger.scholarship import ScholarshipEntitlement
from ledger.schooling import Child, SchoolLevel, SchoolYear

#: The age a child is assumed to start each level at, for projections only (module docstring).
ENTRY_AGES = {SchoolLevel.TK_SD: 5, SchoolLevel.SMP: 13, SchoolLevel.SMA: 16,
              SchoolLevel.UNIVERSITY: 19}


@dataclass(frozen=True)
class ProjectedYear:
    """A school year a child may still be paid for, at the level assumed."""

    child_nik: str
    child_name: str
    school_year: SchoolYear
    level: SchoolLevel
    amount: int


@dataclass(frozen=True)
class ScholarshipOutlook:
    """Every school year still payable from a school year on, child by child."""

    from_year: SchoolYear
    years: tuple[ProjectedYear, ...]

    @property
    def total(self) -> int:
        """The most still payable."""
        return sum(year.amount for year in self.years)

    def by_school_year(self) -> tuple[tuple[SchoolYear, int], ...]:
        """Amounts per school year, in order (what a budget line needs)."""
        totals: dict[SchoolYear, int] = {}
        for year in self.years:
            totals[year.school_year] = totals.get(year.school_year, 0) + year.amount
        return tuple(sorted(totals.items()))


def _age_on(born_on: date, day: date) -> int:
    return day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))


def _level_for_age(age: int) -> SchoolLevel | None:
    reached = [level for level, entry in ENTRY_AGES.items() if age >= entry]
    return max(reached, key=lambda level: level.rank) if reached else None


def _projected_years(entitlement: ScholarshipEntitlement, child: Child,
                     from_year: SchoolYear) -> Iterator[ProjectedYear]:
    rules = entitlement.rules
    taken = {year.school_year: year for year in entitlement.years_of(child.nik)}
    used = {level: 0 for level in SchoolLevel}
    level: SchoolLevel | None = child.level
    for year in sorted(taken.values(), key=lambda y: y.school_year):
        if year.school_year < from_year:
            used[year.level] += 1
            level = year.level
    stops_on, _ = child.stops_on(rules.age_limit)
    school_year = max(from_year, SchoolYear.of(entitlement.died_on))
    while school_year.starts_on < stops_on:
        if school_year in taken:  # claimed already: not owed later, but it uses its level
            level = taken[school_year].level
            used[level] += 1
            school_year = school_year.next()
            continue
        by_age = _level_for_age(_age_on(child.born_on, school_year.starts_on))
        reached = [known for known in (level, by_age) if known is not None]
        if not reached:  # not at school yet
            school_year = school_year.next()
            continue
        level = max(reached, key=lambda known: known.rank)
        while used[level] >= rules.level(level).max_years:
            if level is SchoolLevel.UNIVERSITY:
                return
            level = list(SchoolLevel)[level.rank + 1]
        used[level] += 1
        yield ProjectedYear(child.nik, child.name, school_year, level,
                            rules.level(level).amount_per_year)
        school_year = school_year.next()


def outlook(entitlement: ScholarshipEntitlement, from_year: SchoolYear) -> ScholarshipOutlook:
    """The school years the scholarship may still pay from ``from_year`` on (module docstring:
    one grade a year, the grade read from the child's age)."""
    years = [year for child in entitlement.children
             for year in _projected_years(entitlement, child, from_year)]
    years.sort(key=lambda year: (year.school_year, year.child_nik))
    return ScholarshipOutlook(from_year, tuple(years))
