"""Benefit types and the versioned rule set that computes every entitlement.

Amounts are never typed in: a claim names its benefit type and the facts the rule needs (wage
band, enrolment and death dates, months of incapacity) and the rule set computes the amount. The
figures are PP 44/2015 and PP 82/2019 as summarised in docs/domain.md section 4. A change of law
is a new :class:`BenefitRules` version registered in :data:`RULE_SETS`; claims record the version
that computed them, so an old claim can always be recomputed as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from enum import StrEnum

from ledger.calendar import add_calendar_months
from ledger.disability_table import PP82_2019_TABLE, DisabilityTable
from ledger.errors import BenefitNotApplicableError, ClaimExpiredError, InvalidInputError
from ledger.limits import MAX_INCAPACITY_MONTHS, require_count
from ledger.schooling import ScholarshipRules


class Cover(StrEnum):
    """What a funder's programme pays for."""

    JKK = "JKK"  # work-accident insurance, paid by BPJS
    JKM = "JKM"  # death benefit, paid by BPJS
    CITY_GRANT = "CITY_GRANT"  # the city's own flat death grant (santunan kematian), from BTT


class Benefit(StrEnum):
    """A benefit a claim can ask for."""

    JKM_DEATH = "jkm_death"
    JKK_DEATH = "jkk_death"
    JKK_TOTAL_DISABILITY = "jkk_total_disability"
    JKK_TEMPORARY_INCAPACITY = "jkk_temporary_incapacity"  # STMB
    # The JKK schedule, claimed on the accident's case (ledger.work_accident_case): one month
    # of STMB, a partial permanent disability, and costs paid back against receipts.
    JKK_STMB_MONTH = "jkk_stmb_month"
    JKK_PARTIAL_DISABILITY = "jkk_partial_disability"
    JKK_MEDICAL_CARE = "jkk_medical_care"
    JKK_TRANSPORT = "jkk_transport"
    JKK_HOME_CARE = "jkk_home_care"
    CITY_DEATH_GRANT = "city_death_grant"
    # One school year of a scholarship, claimed on the scholarship (ledger.scholarship_grant).
    SCHOLARSHIP_YEAR = "scholarship_year"

    @property
    def cover(self) -> Cover:
        """The cover (and so the payer) a benefit belongs to."""
        if self is Benefit.JKM_DEATH:
            return Cover.JKM
        if self is Benefit.CITY_DEATH_GRANT:
            return Cover.CITY_GRANT
        return Cover.JKK

    @property
    def on_case(self) -> bool:
        """Whether it is claimed on the accident's case (the JKK schedule), not as one claim."""
        return self in SCHEDULE_BENEFITS

    @property
    def is_death_benefit(self) -> bool:
        return self in (Benefit.JKM_DEATH, Benefit.JKK_DEATH, Benefit.CITY_DEATH_GRANT)

    @property
    def payer(self) -> str:
        """Who pays it: BPJS Ketenagakerjaan for JKK/JKM, the city for its own grant."""
        return "CITY" if self is Benefit.CITY_DEATH_GRANT else "BPJS"


#: The JKK schedule's benefits: each claimed on the accident's case with its own route.
SCHEDULE_BENEFITS = frozenset({
    Benefit.JKK_STMB_MONTH, Benefit.JKK_PARTIAL_DISABILITY, Benefit.JKK_MEDICAL_CARE,
    Benefit.JKK_TRANSPORT, Benefit.JKK_HOME_CARE})


def parse_benefit(text: str) -> Benefit:
    """A benefit from its code, with a clear error listing the codes that exist."""
    try:
        return Benefit(text.strip().lower())
    except ValueError:
        known = ", ".join(b.value for b in Benefit)
        raise InvalidInputError(
            f"unknown benefit '{text}'; use one of: {known}", field="benefit"
        ) from None


@dataclass(frozen=True)
class Line:
    """One line of a computation: what it is and how much."""

    label: str
    amount: int


@dataclass(frozen=True)
class Entitlement:
    """An amount the rule set computed, with its parts and the rule version."""

    benefit: Benefit
    amount: int
    rule_version: str
    lines: tuple[Line, ...]

    def as_record(self) -> list[dict[str, object]]:
        """The computation as stored in the claim's event."""
        return [{"label": line.label, "amount": line.amount} for line in self.lines]


@dataclass(frozen=True)
class Computation:
    """An amount a rule computed (a schedule, a reimbursement), its lines and the rule version:
    the benefits not yet claimable as a :class:`Benefit` of their own."""

    amount: int
    lines: tuple[Line, ...]
    rule_version: str


@dataclass(frozen=True)
class BenefitRules:
    """One version of the benefit figures. Every field is reference data, not code.

    A rule set is in force from ``valid_from`` to ``valid_until`` (both days included; ``None``:
    until a later set closes it) and names the regulation it comes from; ``for_tests`` marks a
    fixture that only tests and the demo use (:mod:`ledger.rule_sets`).
    """

    version: str
    _: KW_ONLY
    regulation: str
    valid_from: date
    valid_until: date | None = None
    for_tests: bool = False
    jkm_lump_sum: int = 20_000_000
    jkm_periodic_months: int = 24
    jkm_periodic_amount: int = 500_000
    jkm_funeral: int = 10_000_000
    # Death in the first months of membership pays only the funeral part (the article is not
    # found, so the figure is configurable: docs/domain.md section 4 says so).
    jkm_early_death_months: int = 3
    jkm_early_death_amount: int = 10_000_000
    jkk_death_wage_multiple: int = 48
    jkk_death_minimum: int = 20_000_000
    jkk_death_periodic: int = 12_000_000
    jkk_funeral: int = 10_000_000
    # 70% x 80 x wage = 56 x wage, plus a flat amount.
    jkk_total_disability_wage_multiple: int = 56
    jkk_total_disability_extra: int = 12_000_000
    stmb_full_pay_months: int = 12
    stmb_later_percent: int = 50
    jkk_claim_expiry_years: int = 5
    city_grant_amount: int = 3_000_000
    city_grant_window_working_days: int = 40
    # Contributions of a BPU member (docs/domain.md section 3): JKK 1% of the wage band, JKM flat.
    jkk_contribution_per_mille: int = 10
    jkm_contribution: int = 6_800
    # Partial permanent disability: the table's percentage x 80 x wage (ledger.work_accident).
    jkk_partial_disability_wage_multiple: int = 80
    disability_table: DisabilityTable = PP82_2019_TABLE
    # Reimbursements (ledger.reimbursement): transport by land, sea and air; home care.
    transport_land_ceiling: int = 5_000_000
    transport_sea_ceiling: int = 2_000_000
    transport_air_ceiling: int = 10_000_000
    home_care_months: int = 12
    home_care_ceiling: int = 20_000_000
    # JKM is due within 3 working days of a complete file; each day late owes the heirs 1% of
    # the benefit (ledger.deadlines).
    jkm_due_working_days: int = 3
    jkm_late_interest_percent_per_day: int = 1
    scholarship: ScholarshipRules = field(default_factory=ScholarshipRules)
    city_grant_excluded_causes: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"suicide", "death_penalty", "serious_crime", "drug_abuse", "natural_disaster"}
        )
    )

    def jkm_death(self, *, enrolled_on: date, died_on: date) -> Entitlement:
        """JKM: Rp42,000,000, or only Rp10,000,000 when death comes in the first months."""
        early_until = add_calendar_months(enrolled_on, self.jkm_early_death_months)
        if died_on < early_until:
            lines: tuple[Line, ...] = (
                Line(
                    f"death within the first {self.jkm_early_death_months} months of membership",
                    self.jkm_early_death_amount,
                ),
            )
        else:
            lines = (
                Line("lump sum", self.jkm_lump_sum),
                Line(
                    f"periodic benefit {self.jkm_periodic_months} x {self.jkm_periodic_amount}",
                    self.jkm_periodic_months * self.jkm_periodic_amount,
                ),
                Line("funeral", self.jkm_funeral),
            )
        return self._entitlement(Benefit.JKM_DEATH, lines)

    def jkk_death(self, *, wage: int) -> Entitlement:
        """JKK death: max(48 x wage, Rp20,000,000) + Rp12,000,000 + Rp10,000,000 funeral."""
        lines = (
            Line(
                f"lump sum max({self.jkk_death_wage_multiple} x wage, {self.jkk_death_minimum})",
                max(self.jkk_death_wage_multiple * wage, self.jkk_death_minimum),
            ),
            Line("periodic benefit", self.jkk_death_periodic),
            Line("funeral", self.jkk_funeral),
        )
        return self._entitlement(Benefit.JKK_DEATH, lines)

    def jkk_total_disability(self, *, wage: int) -> Entitlement:
        """Total permanent disability: 56 x wage + Rp12,000,000."""
        lines = (
            Line(
                f"{self.jkk_total_disability_wage_multiple} x wage",
                self.jkk_total_disability_wage_multiple * wage,
            ),
            Line("periodic benefit", self.jkk_total_disability_extra),
        )
        return self._entitlement(Benefit.JKK_TOTAL_DISABILITY, lines)

    def jkk_temporary_incapacity(self, *, wage: int, months: int) -> Entitlement:
        """STMB: 100% of wage a month for the first 12 months, 50% after."""
        if months < 1:
            raise InvalidInputError(
                "months of incapacity must be a whole number of at least 1",
                field="incapacity_months",
            )
        require_count(months, "the months of incapacity", field="incapacity_months",
                      minimum=1, maximum=MAX_INCAPACITY_MONTHS)
        full = min(months, self.stmb_full_pay_months)
        later = months - full
        lines = [Line(f"{full} month(s) at 100% of wage", full * wage)]
        if later:
            lines.append(
                Line(
                    f"{later} month(s) at {self.stmb_later_percent}% of wage",
                    later * wage * self.stmb_later_percent // 100,
                )
            )
        return self._entitlement(Benefit.JKK_TEMPORARY_INCAPACITY, tuple(lines))

    def official_rate(self, covers: Iterable[str], wage_band: int) -> int:
        """The contribution per member per month the regulation sets for these covers."""
        chosen = set(covers)
        jkk = wage_band * self.jkk_contribution_per_mille // 1000 if Cover.JKK in chosen else 0
        return jkk + (self.jkm_contribution if Cover.JKM in chosen else 0)

    def city_death_grant(self) -> Entitlement:
        """The city's flat death grant."""
        return self._entitlement(
            Benefit.CITY_DEATH_GRANT, (Line("city death grant", self.city_grant_amount),)
        )

    def _entitlement(self, benefit: Benefit, lines: tuple[Line, ...]) -> Entitlement:
        return Entitlement(benefit, sum(line.amount for line in lines), self.version, lines)


#: Every rule set the ledger has used, by version. Claims name the version that computed them.
RULE_SETS: dict[str, BenefitRules] = {
    rules.version: rules for rules in (
        # Claims in the log carry this version: it keeps its figures. Dated from PP 82/2019's
        # promulgation (2 December 2019); its scholarship part from 1 April 2021 (Permenaker
        # 5/2021). A later set closes it with valid_until (ledger.rule_sets says how).
        BenefitRules(version="PP82-2019/PP44-2015 v1",
                     regulation="PP 44/2015 jo. PP 82/2019; Permenaker 5/2021",
                     valid_from=date(2019, 12, 2)),
    )
}
CURRENT_RULES_VERSION = "PP82-2019/PP44-2015 v1"


def rules(version: str = CURRENT_RULES_VERSION) -> BenefitRules:
    """The rule set of a version (the current one by default)."""
    try:
        return RULE_SETS[version]
    except KeyError:
        raise InvalidInputError(f"unknown benefit rule version '{version}'") from None


@dataclass(frozen=True)
class IncidentFacts:
    """What an incident claim's benefit depends on: the incident and the member's enrolment."""

    death: bool
    work_related: bool
    occurred_on: date
    enrolled_on: date
    wage: int


def entitlement(benefit: Benefit, facts: IncidentFacts, filed_on: date,
                incapacity_months: int | None = None,
                rule_set: BenefitRules | None = None) -> Entitlement:
    """The amount a claim for ``benefit`` on an incident is entitled to, or the named error
    that says why the benefit does not apply: JKM for a death not caused by work, JKK for a
    work accident or occupational disease within its expiry (death, total disability, or
    temporary incapacity for a number of months)."""
    rule_set = rule_set or rules()
    if benefit is Benefit.SCHOLARSHIP_YEAR:
        raise BenefitNotApplicableError(
            "a school year of the scholarship is claimed on its scholarship (with the proof of "
            "enrolment), not on an incident", field="benefit")
    if benefit.on_case:
        raise BenefitNotApplicableError(
            f"{benefit.value} is claimed on the accident's JKK case (its own route, with its "
            "month, table row or receipts), not as a claim on the incident", field="benefit")
    death = facts.death
    if benefit is Benefit.JKM_DEATH:
        if not death or facts.work_related:
            raise BenefitNotApplicableError(
                "JKM pays for a death not caused by work; "
                + ("this death was work-related: claim jkk_death instead" if death
                   else "this incident is not a death"), field="benefit")
        return rule_set.jkm_death(enrolled_on=facts.enrolled_on, died_on=facts.occurred_on)
    require_jkk_in_time(benefit, facts, filed_on, rule_set)
    if benefit is Benefit.JKK_DEATH:
        if not death:
            raise BenefitNotApplicableError("jkk_death needs a death incident", field="benefit")
        return rule_set.jkk_death(wage=facts.wage)
    if death:
        raise BenefitNotApplicableError(
            f"{benefit.value} is for a living member; for a death claim jkk_death",
            field="benefit")
    if benefit is Benefit.JKK_TOTAL_DISABILITY:
        return rule_set.jkk_total_disability(wage=facts.wage)
    if benefit is Benefit.JKK_TEMPORARY_INCAPACITY:
        if incapacity_months is None:
            raise InvalidInputError("temporary incapacity needs the months of incapacity",
                                    field="incapacity_months")
        return rule_set.jkk_temporary_incapacity(wage=facts.wage, months=incapacity_months)
    raise BenefitNotApplicableError(
        f"{benefit.value} is not claimed on an incident", field="benefit")


def require_jkk_in_time(benefit: Benefit, facts: IncidentFacts, filed_on: date,
                        rule_set: BenefitRules) -> None:
    """A JKK benefit is for a work accident or occupational disease, claimed within the rule
    set's years after it (refused from the day after the expiry)."""
    if not facts.work_related:
        raise BenefitNotApplicableError(
            f"{benefit.value} pays for work accidents and occupational diseases only; "
            "this incident is not work-related", field="benefit")
    expiry = add_calendar_months(facts.occurred_on, 12 * rule_set.jkk_claim_expiry_years)
    if filed_on > expiry:
        raise ClaimExpiredError(
            f"JKK claims expire {rule_set.jkk_claim_expiry_years} years after the accident "
            f"({facts.occurred_on.isoformat()}); this one expired on {expiry.isoformat()}")
