"""What a scholarship may still pay, school year by school year (for a finance officer's budget).

The projection assumes each child goes up one grade a year (*naik kelas*): a school year a year,
at its level until that level's years are used (TK-SD 8, SMP 3, SMA 3, university 5, counting the
years already claimed), then at the next level. It stops at the first school year starting on
or after the child's 23rd birthday or a recorded marriage or start of work, and when the last
level's years are used. A child starts from the level of its latest claimed year, else from the
level named when the scholarship was granted; a child not at school yet is assumed to start
TK-SD in the first school year starting after its 5th birthday (:data:`SCHOOL_ENTRY_AGE`). It is
therefore the most the programme may owe, not a promise: a child who stays down a grade, leaves
school or skips a year makes it smaller, and each year is still claimed with proof of enrolment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ledger.scholarship import ScholarshipEntitlement
from ledger.schooling import Child, SchoolLevel, SchoolYear, birthday

#: The age a child not at school yet is assumed to start kindergarten (TK) at, for projections.
SCHOOL_ENTRY_AGE = 5


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
    if level is None:
        school_year = max(school_year, SchoolYear.of(birthday(child.born_on, SCHOOL_ENTRY_AGE))
                          .next())
        level = SchoolLevel.TK_SD
    while school_year.starts_on < stops_on:
        if school_year in taken:  # claimed already: not owed later, but it uses its level
            level = taken[school_year].level
            used[level] += 1
            school_year = school_year.next()
            continue
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
    one grade a year)."""
    years = [year for child in entitlement.children
             for year in _projected_years(entitlement, child, from_year)]
    years.sort(key=lambda year: (year.school_year, year.child_nik))
    return ScholarshipOutlook(from_year, tuple(years))
