"""The JKK schedule: temporary incapacity (STMB) month by month, and partial permanent disability.

PP 44/2015 as amended by PP 82/2019 (docs/domain.md section 4), with the figures of the rule set
in force on the day of the accident (:class:`ledger.benefits.BenefitRules`):

- **STMB** pays, for each month of incapacity counted from the accident, 100% of the wage band
  for months 1 to 12 and 50% from month 13, until the member recovers, is found permanently
  disabled or dies. Month ``n`` runs from the accident's day ``n - 1`` calendar months later (the
  31st falling back to a shorter month's end, as :func:`ledger.calendar.add_calendar_months`
  does) to the day before month ``n + 1`` starts. The ledger pays STMB by whole months, as the
  claims record months: a month is owed once it has begun while the member could not work, so
  the month in which the member recovers is paid in full (no proration by day). A month's
  amount is rounded down to the whole rupiah (only a wage band with an odd last rupiah has a
  fraction at 50%; the bands are whole thousands).
- **Partial permanent disability** pays the table's percentage x 80 x wage
  (:mod:`ledger.disability_table`); a loss of function rather than of the part pays that amount
  times the share of function lost, as a doctor assesses it (100% for the loss of the part).
  The amount is rounded down to the whole rupiah. Several losses from one accident are several
  computations; the ledger does not cap their sum (the rule for several losses was not sourced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ledger.benefits import BenefitRules, Computation, Line
from ledger.calendar import add_calendar_months
from ledger.errors import InvalidInputError
from ledger.limits import MAX_INCAPACITY_MONTHS, MAX_WAGE_BAND, require_count, require_rupiah


class IncapacityEnd(StrEnum):
    """What ends the months of STMB."""

    RECOVERY = "recovery"
    PERMANENT_DISABILITY = "permanent_disability"
    DEATH = "death"


@dataclass(frozen=True)
class StmbMonth:
    """One month of temporary incapacity: its number from the accident, its days, its pay."""

    number: int
    starts_on: date
    ends_on: date
    percent: int
    amount: int


@dataclass(frozen=True)
class StmbSchedule:
    """The months owed from the accident up to a day or to the event that ended them."""

    accident_on: date
    months: tuple[StmbMonth, ...]
    ended_by: IncapacityEnd | None
    ended_on: date | None
    rule_version: str

    @property
    def total(self) -> int:
        """What every month owed pays."""
        return sum(month.amount for month in self.months)

    @property
    def is_open(self) -> bool:
        """Whether incapacity still runs (no recovery, disability or death recorded)."""
        return self.ended_by is None

    def computation(self) -> Computation:
        """The schedule as lines: the months at 100%, then the months at the later rate."""
        lines = []
        for percent in sorted({month.percent for month in self.months}, reverse=True):
            at = [month for month in self.months if month.percent == percent]
            lines.append(Line(f"{len(at)} month(s) at {percent}% of wage (months "
                              f"{at[0].number}-{at[-1].number})", sum(m.amount for m in at)))
        return Computation(self.total, tuple(lines), self.rule_version)


def _wage(wage: int) -> int:
    return require_rupiah(wage, "the wage band", field="wage", minimum=1, maximum=MAX_WAGE_BAND)


def stmb_month_amount(rules: BenefitRules, *, wage: int, month: int) -> int:
    """Month ``month``'s STMB (1 = the month of the accident): the wage, or 50% from month 13."""
    require_count(month, "the month of incapacity", field="month", minimum=1,
                  maximum=MAX_INCAPACITY_MONTHS)
    if month <= rules.stmb_full_pay_months:
        return _wage(wage)
    return _wage(wage) * rules.stmb_later_percent // 100


def stmb_month(rules: BenefitRules, *, wage: int, accident_on: date, month: int) -> StmbMonth:
    """Month ``month`` of incapacity after an accident: its days and its pay."""
    amount = stmb_month_amount(rules, wage=wage, month=month)
    percent = 100 if month <= rules.stmb_full_pay_months else rules.stmb_later_percent
    starts_on = add_calendar_months(accident_on, month - 1)
    ends_on = add_calendar_months(accident_on, month) - timedelta(days=1)
    return StmbMonth(month, starts_on, ends_on, percent, amount)


def stmb_schedule(rules: BenefitRules, *, wage: int, accident_on: date, through: date,
                  ended_by: IncapacityEnd | None = None,
                  ended_on: date | None = None) -> StmbSchedule:
    """The STMB months owed from the accident: those begun on or before ``through`` (the day
    the schedule is read) while incapacity lasted, that is before ``ended_on`` when recovery,
    permanent disability or death ended it."""
    if (ended_by is None) != (ended_on is None):
        raise InvalidInputError("say both what ended the incapacity and when, or neither",
                                field="ended_on")
    if through < accident_on:
        raise InvalidInputError("a schedule cannot be read before the accident", field="through")
    if ended_on is not None and ended_on < accident_on:
        raise InvalidInputError(
            f"incapacity cannot end ({ended_on.isoformat()}) before the accident "
            f"({accident_on.isoformat()})", field="ended_on")
    # The last day the member could not work: the day before the end, or the day read.
    last_day = through if ended_on is None else min(through, ended_on - timedelta(days=1))
    months: list[StmbMonth] = []
    number = 1
    while last_day >= accident_on and add_calendar_months(accident_on, number - 1) <= last_day:
        if number > MAX_INCAPACITY_MONTHS:
            raise InvalidInputError(
                f"a schedule of incapacity runs at most {MAX_INCAPACITY_MONTHS} months; record "
                "the recovery, permanent disability or death that ended it", field="through")
        months.append(stmb_month(rules, wage=wage, accident_on=accident_on, month=number))
        number += 1
    return StmbSchedule(accident_on, tuple(months), ended_by, ended_on, rules.version)


def partial_disability(rules: BenefitRules, *, wage: int, loss: str,
                       function_lost_percent: int = 100) -> Computation:
    """Partial permanent disability: the table's percentage for ``loss`` x 80 x wage, times the
    share of function lost (100 for the loss of the part itself)."""
    row = rules.disability_table.row(loss)
    require_count(function_lost_percent, "the share of function lost (percent)",
                  field="function_lost_percent", minimum=1, maximum=100)
    multiple = rules.jkk_partial_disability_wage_multiple
    amount = row.percent * function_lost_percent * multiple * _wage(wage) // 10_000
    share = "" if function_lost_percent == 100 else f" x {function_lost_percent}% of function"
    label = f"{row.label_en}: {row.percent}%{share} x {multiple} x wage"
    return Computation(amount, (Line(label, amount),), rules.version)
