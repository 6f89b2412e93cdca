"""The scholarship (*beasiswa*) of the heirs' children: who is granted it, what a school year pays.

PP 82/2019 and Permenaker 5/2021 (docs/domain.md section 4): a death gives at most two children of
the deceased a scholarship, per child and school year Rp1.500.000 at TK-SD (kindergarten and
primary, at most 8 years), Rp2.000.000 at SMP (3), Rp3.000.000 at SMA (3) and Rp12.000.000 at
university or vocational training (5): at most Rp87.000.000 a child, Rp174.000.000 for two.

Decisions this module makes, each where the regulation leaves a choice:

- **Who.** A JKK death (work accident) with no minimum period; a JKM death when membership had
  lasted at least 3 years ("paling singkat 3 tahun"): the 3 years are complete on the same
  calendar day 36 months after membership began (``add_calendar_months``, as the 3-month JKM rule
  counts), and a death on that very day qualifies. The regulation counts the contribution
  period (*masa iur*); the caller gives the day it began (the enrolment's first covered day).
  Deaths before the scholarship part of the rule set began (1 April 2021) are refused.
- **When a child stops.** A school year is refused when it starts on or after the child's 23rd
  birthday, or on or after the day the child married or started work; a year that began before
  stays payable. School years (*tahun ajaran*) run from 1 July to 30 June.
- **Which years.** From the school year running on the day of death; one claim per child and
  school year; a level's years are used in order and a child does not go back a level (SMA
  then SMP is refused), though a year may repeat a level (a child who stays down a grade) within
  the level's limit, and a child may start at any level (a teenager starts at SMA).

Amounts are the rule set's figures (:class:`ledger.schooling.ScholarshipRules`, part of
:class:`ledger.benefits.BenefitRules`), so a change of figures is a new dated rule set.
Projections of what may still be owed live in :mod:`ledger.scholarship_outlook`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ledger.benefits import BenefitRules
from ledger.calendar import add_calendar_months
from ledger.errors import (
    ChildNoLongerEligibleError,
    InvalidInputError,
    NotFoundError,
    ScholarshipChildLimitError,
    ScholarshipChildUnknownError,
    ScholarshipNotGrantedError,
    ScholarshipYearClaimedError,
    SchoolLevelOrderError,
    SchoolLevelYearsUsedError,
)
from ledger.money import rupiah
from ledger.schooling import Child, ScholarshipRules, SchoolLevel, SchoolYear


@dataclass(frozen=True)
class ScholarshipYear:
    """One school year of one child, at a level, and what it pays (a claimed year)."""

    child_nik: str
    child_name: str
    school_year: SchoolYear
    level: SchoolLevel
    year_at_level: int  # 1 for the first year claimed at this level
    amount: int
    rule_version: str

    def describe(self) -> str:
        """The line a dossier prints: which year of which level, and the amount."""
        return (f"{self.child_name}, {self.school_year}: {self.level.label} year "
                f"{self.year_at_level}, {rupiah(self.amount)}")


def grant_scholarship(rule_set: BenefitRules, *, work_accident: bool, membership_began_on: date,
                      died_on: date, children: Sequence[Child] = ()) -> ScholarshipEntitlement:
    """The scholarship a death gives the deceased's children, or a refusal saying why not.

    ``work_accident``: a JKK death (no minimum period); otherwise a JKM death, which needs
    3 years of membership. ``rule_set`` is the one in force on the day of death.
    """
    figures = rule_set.scholarship
    if not rule_set.valid_from <= died_on <= (rule_set.valid_until or died_on):
        raise ScholarshipNotGrantedError(
            f"the rule set '{rule_set.version}' is not in force on the day of death "
            f"({died_on.isoformat()}): use the rule set in force on that day", field="died_on")
    if died_on < figures.paid_for_deaths_from:
        raise ScholarshipNotGrantedError(
            "no scholarship: it is paid for deaths from "
            f"{figures.paid_for_deaths_from.isoformat()} (Permenaker 5/2021); this death was on "
            f"{died_on.isoformat()}", field="died_on")
    if died_on < membership_began_on:
        raise InvalidInputError("the death cannot come before membership began",
                                field="died_on")
    if not work_accident:
        years = figures.jkm_min_membership_years
        complete_on = add_calendar_months(membership_began_on, 12 * years)
        if died_on < complete_on:
            raise ScholarshipNotGrantedError(
                f"no scholarship: a death not caused by work (JKM) gives one after at least "
                f"{years} years of membership; membership began on "
                f"{membership_began_on.isoformat()}, so {years} years were complete on "
                f"{complete_on.isoformat()}, after the death on {died_on.isoformat()} "
                "(a death at work gives it with no minimum period)", field="died_on")
    entitlement = ScholarshipEntitlement(rule_version=rule_set.version, rules=figures,
                                         died_on=died_on)
    for child in children:
        entitlement = entitlement.add_child(child)
    return entitlement


@dataclass(frozen=True)
class ScholarshipEntitlement:
    """The scholarship of one death: its children, the school years claimed, what remains.

    A value: every change returns a new entitlement, and a refusal changes nothing. The school
    years in ``years`` are the ones claimed and not withdrawn (a rejected claim is withdrawn).
    """

    rule_version: str
    rules: ScholarshipRules
    died_on: date
    children: tuple[Child, ...] = ()
    years: tuple[ScholarshipYear, ...] = field(default=())

    # -- the children --------------------------------------------------------------------------

    def add_child(self, child: Child) -> ScholarshipEntitlement:
        """Name a child (at most two; a child already 23 on the day of death is refused)."""
        if any(known.nik == child.nik for known in self.children):
            raise ScholarshipChildLimitError(f"{child.name} is already named in this scholarship",
                                             field="children")
        if len(self.children) >= self.rules.max_children:
            named = " and ".join(known.name for known in self.children)
            raise ScholarshipChildLimitError(
                f"the scholarship is paid for at most {self.rules.max_children} children of the "
                f"deceased; {named} are already named, so {child.name} cannot be added",
                field="children")
        stops_on, why = child.stops_on(self.rules.age_limit)
        if stops_on <= self.died_on:
            raise ChildNoLongerEligibleError(
                f"{child.name} {why} on {stops_on.isoformat()}, before the death on "
                f"{self.died_on.isoformat()}: no scholarship for this child", field="children")
        return replace(self, children=(*self.children, child))

    def child(self, nik: str) -> Child:
        """A child named in the scholarship, by NIK."""
        for known in self.children:
            if known.nik == nik:
                return known
        raise ScholarshipChildUnknownError(
            "the child is not named in this scholarship (its NIK matches none of the "
            f"{len(self.children)} named)", field="child")

    def child_married(self, nik: str, on: date) -> ScholarshipEntitlement:
        """Record a child's marriage: no school year starting on or after ``on`` is paid."""
        return self._with_child(replace(self.child(nik), married_on=on))

    def child_started_work(self, nik: str, on: date) -> ScholarshipEntitlement:
        """Record that a child started work: no school year starting on or after ``on``."""
        return self._with_child(replace(self.child(nik), working_from=on))

    def _with_child(self, changed: Child) -> ScholarshipEntitlement:
        return replace(self, children=tuple(changed if c.nik == changed.nik else c
                                            for c in self.children))

    # -- the school years ----------------------------------------------------------------------

    def claim_year(self, child_nik: str, level: SchoolLevel,
                   school_year: SchoolYear) -> ScholarshipYear:
        """What one school year of a child at a level pays, or why it is refused."""
        child = self.child(child_nik)
        taken = self.years_of(child_nik)
        if any(year.school_year == school_year for year in taken):
            raise ScholarshipYearClaimedError(
                f"{child.name}'s school year {school_year} is already claimed",
                field="school_year")
        if school_year.ends_on < self.died_on:
            raise ChildNoLongerEligibleError(
                f"the school year {school_year} ended before the death on "
                f"{self.died_on.isoformat()}: the scholarship pays from the school year "
                f"{SchoolYear.of(self.died_on)}", field="school_year")
        stops_on, why = child.stops_on(self.rules.age_limit)
        if school_year.starts_on >= stops_on:
            raise ChildNoLongerEligibleError(
                f"{child.name} {why} on {stops_on.isoformat()}; the school year {school_year} "
                f"starts on {school_year.starts_on.isoformat()}, after that: no scholarship",
                field="school_year")
        for year in taken:
            earlier_but_higher = year.school_year < school_year and year.level.rank > level.rank
            later_but_lower = year.school_year > school_year and year.level.rank < level.rank
            if earlier_but_higher or later_but_lower:
                raise SchoolLevelOrderError(
                    f"{level.label} in {school_year} is out of order: {child.name} is recorded "
                    f"at {year.level.label} in {year.school_year}, and a child does not go back "
                    "a level", field="level")
        rule = self.rules.level(level)
        used = sum(1 for year in taken if year.level is level)
        if used >= rule.max_years:
            raise SchoolLevelYearsUsedError(
                f"{child.name} has used all {rule.max_years} years the scholarship pays at "
                f"{level.label}", field="level")
        return ScholarshipYear(child.nik, child.name, school_year, level, used + 1,
                               rule.amount_per_year, self.rule_version)

    def record(self, year: ScholarshipYear) -> ScholarshipEntitlement:
        """The entitlement with a claimed year (checked again, so a stale year is refused)."""
        checked = self.claim_year(year.child_nik, year.level, year.school_year)
        if checked != year:
            raise ScholarshipYearClaimedError(
                f"{year.describe()} no longer matches what this scholarship allows "
                f"({checked.describe()})", field="school_year")
        return replace(self, years=tuple(sorted(
            (*self.years, year), key=lambda y: (y.child_nik, y.school_year))))

    def withdraw(self, child_nik: str, school_year: SchoolYear) -> ScholarshipEntitlement:
        """The entitlement without a claimed year (its claim was rejected)."""
        self.child(child_nik)
        kept = tuple(y for y in self.years
                     if not (y.child_nik == child_nik and y.school_year == school_year))
        if len(kept) == len(self.years):
            raise NotFoundError(f"no claim for the school year {school_year} of this child",
                                field="school_year")
        return replace(self, years=kept)

    # -- what has been claimed, what remains ---------------------------------------------------

    def years_of(self, child_nik: str) -> tuple[ScholarshipYear, ...]:
        """A child's claimed years, in school-year order."""
        return tuple(y for y in self.years if y.child_nik == child_nik)

    def years_left(self, child_nik: str, level: SchoolLevel) -> int:
        """How many more years the level allows this child."""
        used = sum(1 for y in self.years_of(child_nik) if y.level is level)
        return self.rules.level(level).max_years - used

    def claimed_for(self, child_nik: str) -> int:
        """What the child's claimed years pay."""
        return sum(y.amount for y in self.years_of(child_nik))

    def remaining_for(self, child_nik: str) -> int:
        """The most the limits still allow for this child (age, marriage and work aside)."""
        self.child(child_nik)
        return sum(self.years_left(child_nik, rule.level) * rule.amount_per_year
                   for rule in self.rules.levels)

    @property
    def ceiling(self) -> int:
        """The most the scholarship can pay: two children x Rp87.000.000 = Rp174.000.000."""
        return self.rules.max_children * self.rules.per_child_ceiling

    @property
    def claimed(self) -> int:
        """What every claimed year pays."""
        return sum(y.amount for y in self.years)

    @property
    def remaining(self) -> int:
        """The most the limits still allow for the children named (age, marriage and work
        aside: :mod:`ledger.scholarship_outlook` counts those)."""
        return sum(self.remaining_for(child.nik) for child in self.children)

    def balances(self) -> tuple[LevelBalance, ...]:
        """Per child and level: years claimed and left, amounts claimed and remaining."""
        rows = []
        for child in self.children:
            for rule in self.rules.levels:
                used = rule.max_years - self.years_left(child.nik, rule.level)
                rows.append(LevelBalance(
                    child.nik, child.name, rule.level, used, rule.max_years - used,
                    used * rule.amount_per_year, (rule.max_years - used) * rule.amount_per_year))
        return tuple(rows)


@dataclass(frozen=True)
class LevelBalance:
    """One child's account at one level."""

    child_nik: str
    child_name: str
    level: SchoolLevel
    years_claimed: int
    years_left: int
    claimed: int
    remaining: int
