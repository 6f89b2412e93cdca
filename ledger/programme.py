"""A funder's programme: who it covers, what it pays for, at what rate, within what budget.

The programme is also the one place where money against its budget is counted, so that the
ceiling holds atomically: every contribution (and every city-grant payout) books its amount on
the programme in the same transaction as its own event, and two payments racing for the last
rupiah of the ceiling cannot both be recorded (the second meets a version conflict).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.benefits import Cover, rules
from ledger.calendar import CalendarError, month_end, month_range, month_start, parse_month
from ledger.errors import (
    BudgetExceededError,
    InvalidInputError,
    NotEligibleError,
    ProgrammeClosedError,
)
from ledger.limits import (
    DEFAULT_RETENTION_YEARS,
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    MAX_GRACE_MONTHS,
    MAX_MEMBERS,
    MAX_PROGRAMME_MONTHS,
    MAX_RATE,
    MAX_RETENTION_YEARS,
    MAX_WAGE_BAND,
    require_count,
    require_rupiah,
)
from ledger.money import rupiah
from ledger.names import require_visible

PROGRAMME_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:programme")
FUNDING_SOURCES = ("APBD", "BTT", "APBN")
CONTRIBUTION_COVERS = (Cover.JKK.value, Cover.JKM.value)


def programme_id(code: str) -> UUID:
    """Programme ids follow from their codes, so a code can be opened once only."""
    return uuid5(PROGRAMME_NAMESPACE, code.strip().upper())


@dataclass(frozen=True)
class Rate:
    """A contribution rate per member per month for one programme (JKK or JKM), from a date."""

    cover: str
    valid_from: date
    amount: int

    def as_record(self) -> dict[str, Any]:
        return {"cover": self.cover, "valid_from": self.valid_from, "amount": self.amount}


@dataclass(frozen=True)
class ProgrammeTerms:
    """Everything a programme is opened with. ``validate()`` says what is wrong, in words.

    The defaults, as the command line, the API and the README state them: ``rates`` empty means
    the official rates (:func:`official_rates`); ``wage_band`` Rp1.000.000; ``branches`` empty
    means any branch; ``deciles`` 1-4; ``occupations`` empty means no restriction (any
    occupation is enrolled); 3 ``grace_months``; no ``planned_members`` (the budget line is then
    not checked against headcount x rate x months); ``opened_on`` 1 January of the fiscal year;
    ``retention_years`` 10 (how long a person's data is kept after their coverage ends).
    """

    code: str
    name: str
    funder_name: str
    funder_region: str
    funding_source: str
    fiscal_year: int
    covers: tuple[str, ...]
    budget_ceiling: int
    dpa_reference: str
    first_month: str
    months: int
    rates: tuple[Rate, ...] = ()
    wage_band: int = 1_000_000
    branches: tuple[str, ...] = ()
    deciles: tuple[int, int] = (1, 4)
    occupations: tuple[str, ...] = ()
    grace_months: int = 3
    planned_members: int | None = None
    opened_on: date | None = None
    retention_years: int = DEFAULT_RETENTION_YEARS
    extra: dict[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """Refuse terms no programme can have."""
        if not self.code.strip():
            raise InvalidInputError("the programme needs a code", field="code")
        require_visible(self.name, "the programme's name", "name")
        require_visible(self.funder_name, "the funder's name", "funder_name")
        if self.funding_source not in FUNDING_SOURCES:
            raise InvalidInputError(
                f"funding source must be one of {', '.join(FUNDING_SOURCES)}; "
                f"got '{self.funding_source}'",
                field="funding_source",
            )
        unknown = [c for c in self.covers if c not in {p.value for p in Cover}]
        if not self.covers or unknown:
            raise InvalidInputError(
                "a programme covers JKK, JKM and/or CITY_GRANT"
                + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
                field="covers",
            )
        require_count(self.fiscal_year, "the fiscal year", field="fiscal_year",
                      minimum=FIRST_FISCAL_YEAR, maximum=LAST_FISCAL_YEAR)
        require_rupiah(self.budget_ceiling, "the budget ceiling", field="budget_ceiling")
        require_rupiah(self.wage_band, "the wage band", field="wage_band", minimum=1,
                       maximum=MAX_WAGE_BAND)
        if _is_whole(self.months) and self.months < 1:
            raise InvalidInputError("a programme runs for at least one month", field="months")
        require_count(self.months, "the programme's months", field="months", minimum=1,
                      maximum=MAX_PROGRAMME_MONTHS)
        if self.planned_members is not None:
            require_count(self.planned_members, "the planned members", field="planned_members",
                          minimum=0, maximum=MAX_MEMBERS)
        if month_start(self.first_month).year != self.fiscal_year:
            raise InvalidInputError(
                f"the first month {self.first_month} is not in fiscal year {self.fiscal_year}",
                field="first_month",
            )
        low, high = self.deciles
        if not 1 <= low <= high <= 10:
            raise InvalidInputError(
                "eligible deciles must be a range within 1 to 10", field="deciles"
            )
        if _is_whole(self.grace_months) and self.grace_months < 0:
            raise InvalidInputError("grace months cannot be negative", field="grace_months")
        require_count(self.grace_months, "the grace months", field="grace_months", minimum=0,
                      maximum=MAX_GRACE_MONTHS)
        require_count(self.retention_years, "the retention period in years",
                      field="retention_years", minimum=1, maximum=MAX_RETENTION_YEARS)
        for rate in self.rates:
            require_rupiah(rate.amount, "a contribution rate", field="rates", maximum=MAX_RATE)
            if rate.cover not in CONTRIBUTION_COVERS:
                raise InvalidInputError(
                    f"contribution rates exist for JKK and JKM only; got '{rate.cover}'",
                    field="rates",
                )
        for cover in self.covers:
            if cover in CONTRIBUTION_COVERS and not any(r.cover == cover for r in self.rates):
                raise InvalidInputError(
                    f"the programme covers {cover} but has no contribution rate for it",
                    field="rates",
                )


def official_rates(terms: ProgrammeTerms) -> tuple[Rate, ...]:
    """The rates the regulation sets for a BPU member, for each contribution cover of the
    terms, in force from the first day of the programme's first month: JKK 1% of the wage band
    (Rp10.000 at the Rp1.000.000 band), JKM Rp6.800 (``ledger.benefits``). Terms whose wage
    band or first month cannot be right get none here: ``validate`` then says what is wrong."""
    band = terms.wage_band
    if not isinstance(band, int) or isinstance(band, bool) or band < 0:
        return ()
    try:
        first = month_start(terms.first_month)
    except CalendarError:
        return ()
    official = rules()
    return tuple(Rate(cover, first, official.official_rate([cover], band))
                 for cover in CONTRIBUTION_COVERS if cover in terms.covers)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Programme(LedgerAggregate):
    """A programme of one funder for one fiscal year."""

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return programme_id(code)

    @classmethod
    def open(cls, terms: ProgrammeTerms, actor: str) -> Programme:
        """A funder's programme opened on its terms, checked; terms without rates get the
        official ones (:func:`official_rates`). A retention period other than the default is
        recorded beside the opening (the ``Opened`` event's fields stay as published)."""
        if not terms.rates:
            terms = replace(terms, rates=official_rates(terms))
        terms.validate()
        programme = cls(
            code=terms.code.strip().upper(), name=terms.name, funder_name=terms.funder_name,
            funder_region=terms.funder_region, funding_source=terms.funding_source,
            fiscal_year=terms.fiscal_year, covers=list(terms.covers),
            rates=[rate.as_record() for rate in terms.rates], wage_band=terms.wage_band,
            budget_ceiling=terms.budget_ceiling, dpa_reference=terms.dpa_reference,
            branches=list(terms.branches), deciles=list(terms.deciles),
            occupations=list(terms.occupations), first_month=parse_month(terms.first_month),
            months=terms.months, grace_months=terms.grace_months,
            planned_members=terms.planned_members,
            opened_on=terms.opened_on or date(terms.fiscal_year, 1, 1), actor=actor)
        if terms.retention_years != DEFAULT_RETENTION_YEARS:
            programme._retention_set(terms.retention_years, actor)
        return programme

    @event("Opened")
    def __init__(
        self,
        code: str,
        name: str,
        funder_name: str,
        funder_region: str,
        funding_source: str,
        fiscal_year: int,
        covers: list[str],
        rates: list[dict[str, Any]],
        wage_band: int,
        budget_ceiling: int,
        dpa_reference: str,
        branches: list[str],
        deciles: list[int],
        occupations: list[str],
        first_month: str,
        months: int,
        grace_months: int,
        planned_members: int | None,
        opened_on: date,
        actor: str,
    ) -> None:
        self.code = code
        self.name = name
        self.funder_name = funder_name
        self.funder_region = funder_region
        self.funding_source = funding_source
        self.fiscal_year = fiscal_year
        self.covers = list(covers)
        self.rates = [
            Rate(r["cover"], r["valid_from"], r["amount"]) for r in rates
        ]
        self.wage_band = wage_band
        self.budget_ceiling = budget_ceiling
        self.dpa_reference = dpa_reference
        self.branches = list(branches)
        self.deciles = (deciles[0], deciles[1])
        self.occupations = list(occupations)
        self.first_month = first_month
        self.months = months
        self.grace_months = grace_months
        self.planned_members = planned_members
        self.opened_on = opened_on
        self.opened_by = actor
        self.closed_on: date | None = None
        #: Years a person's data is kept after their coverage ends (ledger.erasure).
        self.retention_years = DEFAULT_RETENTION_YEARS
        # contribution id -> amount still counted (0 once reversed)
        self.contributions: dict[str, int] = {}
        self.month_contributions: dict[str, list[str]] = {}
        self.payouts: dict[str, int] = {}

    # -- reading ----------------------------------------------------------------------------------

    @property
    def coverage_months(self) -> list[str]:
        return month_range(self.first_month, self.months)

    @property
    def period_start(self) -> date:
        return month_start(self.first_month)

    @property
    def period_end(self) -> date:
        return month_end(self.coverage_months[-1])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def pays_contributions(self) -> bool:
        return any(c in CONTRIBUTION_COVERS for c in self.covers)

    @property
    def committed(self) -> int:
        """Money counted against the ceiling: contributions and city payouts, net of reversals."""
        return sum(self.contributions.values()) + sum(self.payouts.values())

    @property
    def remaining(self) -> int:
        return self.budget_ceiling - self.committed

    def covers_benefit(self, cover: str) -> bool:
        return cover in self.covers

    def rate_for(self, month: str) -> int:
        """Rupiah per member for one month: the rates in force on the month's first day."""
        day = month_start(month)
        total = 0
        for cover in (c for c in self.covers if c in CONTRIBUTION_COVERS):
            in_force = [r for r in self.rates if r.cover == cover and r.valid_from <= day]
            if not in_force:
                raise NotEligibleError(
                    f"programme {self.code} has no {cover} rate in force in {month}",
                    field="months",
                )
            total += max(in_force, key=lambda r: r.valid_from).amount
        return total

    def require_open(self) -> None:
        if not self.is_open:
            raise ProgrammeClosedError(
                f"programme {self.code} was closed on {self.closed_on}; nothing more can be "
                "recorded on it"
            )

    def require_budget_for(self, amount: int) -> None:
        if amount > self.remaining:
            raise BudgetExceededError(
                f"this would bring programme {self.code} to {rupiah(self.committed + amount)} "
                f"against a ceiling of {rupiah(self.budget_ceiling)} (DPA {self.dpa_reference}); "
                f"only {rupiah(self.remaining)} is left"
            )

    # -- changing ---------------------------------------------------------------------------------

    def revise_budget(self, ceiling: int, dpa_reference: str, reason: str, actor: str) -> None:
        """A budget revision (APBD-P): a new ceiling that still holds what is already paid."""
        self.require_open()
        require_rupiah(ceiling, "the budget ceiling", field="ceiling")
        if not reason.strip():
            raise InvalidInputError("a budget revision needs a reason", field="reason")
        if ceiling < self.committed:
            raise BudgetExceededError(
                f"the new ceiling {rupiah(ceiling)} is below the {rupiah(self.committed)} "
                f"already paid from programme {self.code}"
            )
        self._budget_revised(ceiling, dpa_reference, reason, actor)

    @event("BudgetRevised")
    def _budget_revised(self, ceiling: int, dpa_reference: str, reason: str, actor: str) -> None:
        self.budget_ceiling = ceiling
        self.dpa_reference = dpa_reference

    def set_rate(self, rate: Rate, actor: str) -> None:
        """A new dated contribution rate (reference data changes, old months keep theirs)."""
        self.require_open()
        if rate.cover not in self.covers or rate.cover not in CONTRIBUTION_COVERS:
            raise InvalidInputError(
                f"programme {self.code} pays no {rate.cover} contributions", field="cover"
            )
        require_rupiah(rate.amount, "a contribution rate", field="amount", maximum=MAX_RATE)
        self._rate_set(rate.as_record(), actor)

    @event("RetentionSet")
    def _retention_set(self, retention_years: int, actor: str) -> None:
        self.retention_years = retention_years

    @event("RateSet")
    def _rate_set(self, rate: dict[str, Any], actor: str) -> None:
        self.rates.append(Rate(rate["cover"], rate["valid_from"], rate["amount"]))

    @event("ContributionBooked")
    def contribution_booked(self, contribution_id: str, months: list[str], amount: int) -> None:
        self.contributions[contribution_id] = amount
        for month in months:
            self.month_contributions.setdefault(month, []).append(contribution_id)

    @event("ContributionUnbooked")
    def contribution_unbooked(self, contribution_id: str) -> None:
        self.contributions[contribution_id] = 0

    @event("PayoutBooked")
    def payout_booked(self, claim_id: str, reference: str, amount: int) -> None:
        key = f"{claim_id}/{reference}"
        self.payouts[key] = amount

    @event("PayoutUnbooked")
    def payout_unbooked(self, claim_id: str, reference: str) -> None:
        self.payouts[f"{claim_id}/{reference}"] = 0

    def close(self, closed_on: date, reason: str, actor: str) -> None:
        self.require_open()
        if not reason.strip():
            raise InvalidInputError("closing a programme needs a reason", field="reason")
        self._closed(closed_on, reason, actor)

    @event("Closed")
    def _closed(self, closed_on: date, reason: str, actor: str) -> None:
        self.closed_on = closed_on
