"""Re-adjudication drift: what a decided claim would be worth under another rule set.

When the rules change mid-programme, an auditor asks which decided claims would differ under the
rule set in force today, and by how much. A claim's amount is recomputed from the facts it
recorded (the wage band, the enrolment and incident days, the months of incapacity, the school
level; for the JKK schedule the STMB month, the disability table's row, the receipts) under the
other set; the claim itself is never changed: a claim is decided under the set
in force on its incident's day, and drift only shows what a change of rules moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from ledger.benefits import Benefit, BenefitRules, Entitlement
from ledger.errors import InvalidInputError
from ledger.money import rupiah
from ledger.reimbursement import Receipt, TransportMode, home_care, medical_care, transport
from ledger.schooling import SchoolLevel, SchoolYear
from ledger.work_accident import partial_disability, stmb_month_amount


@dataclass(frozen=True)
class DecidedClaim:
    """A decided JKK, JKM or city-grant claim: what it recorded (see the claim's ``facts``)."""

    claim_id: str
    benefit: Benefit
    amount: int
    rule_version: str
    wage: int | None = None
    enrolled_on: date | None = None
    occurred_on: date | None = None
    incapacity_months: int | None = None
    #: The JKK schedule's facts: an STMB month; a partial disability's table row and share of
    #: function lost; a reimbursement's receipts (with transport's mode), those the earlier
    #: claims of its case held for the same costs (a ceiling counts them all), and the first
    #: day of home care.
    stmb_month: int | None = None
    disability_row: str | None = None
    function_lost_percent: int | None = None
    receipts: tuple[tuple[TransportMode | None, Receipt], ...] | None = None
    earlier_receipts: tuple[tuple[TransportMode | None, Receipt], ...] = ()
    started_on: date | None = None


@dataclass(frozen=True)
class DecidedScholarshipYear:
    """A decided school year of a scholarship."""

    claim_id: str
    level: SchoolLevel
    school_year: SchoolYear
    amount: int
    rule_version: str


_T = TypeVar("_T")


def _recorded(value: _T | None, what: str, claim_id: str) -> _T:
    if value is None:
        raise InvalidInputError(f"claim {claim_id} recorded no {what}: it cannot be recomputed",
                                field=what.replace(" ", "_"))
    return value


def _costs(rules: BenefitRules, benefit: Benefit, started_on: date | None,
           receipts: Sequence[tuple[TransportMode | None, Receipt]]) -> int:
    """What a case's receipts of one kind are paid under ``rules`` (0 for none)."""
    if not receipts:
        return 0
    if benefit is Benefit.JKK_MEDICAL_CARE:
        return medical_care(rules, [receipt for _, receipt in receipts]).amount
    if benefit is Benefit.JKK_TRANSPORT:
        return transport(rules, [(mode, receipt) for mode, receipt in receipts
                                 if mode is not None]).amount
    return home_care(rules, started_on=started_on or receipts[0][1].issued_on,
                     receipts=[receipt for _, receipt in receipts]).amount


def _on_case(claim: DecidedClaim, rules: BenefitRules) -> int:
    """A JKK schedule claim's amount under ``rules``: its STMB month; its table row x 80 x
    wage; or what its receipts add to those the case's earlier claims held, up to the
    ceiling of ``rules``."""
    benefit, claim_id = claim.benefit, claim.claim_id
    if benefit is Benefit.JKK_STMB_MONTH:
        return stmb_month_amount(rules, wage=_recorded(claim.wage, "wage", claim_id),
                                 month=_recorded(claim.stmb_month, "STMB month", claim_id))
    if benefit is Benefit.JKK_PARTIAL_DISABILITY:
        return partial_disability(
            rules, wage=_recorded(claim.wage, "wage", claim_id),
            loss=_recorded(claim.disability_row, "disability row", claim_id),
            function_lost_percent=claim.function_lost_percent or 100).amount
    receipts = _recorded(claim.receipts, "receipts", claim_id)
    earlier = claim.earlier_receipts
    return (_costs(rules, benefit, claim.started_on, (*earlier, *receipts))
            - _costs(rules, benefit, claim.started_on, earlier))


def recompute(claim: DecidedClaim, rules: BenefitRules) -> Entitlement:
    """The claim's amount under ``rules``, from the facts it recorded."""
    benefit = claim.benefit
    if benefit.on_case:
        return Entitlement(benefit, _on_case(claim, rules), rules.version, ())
    if benefit is Benefit.CITY_DEATH_GRANT:
        return rules.city_death_grant()
    if benefit is Benefit.JKM_DEATH:
        return rules.jkm_death(
            enrolled_on=_recorded(claim.enrolled_on, "enrolment date", claim.claim_id),
            died_on=_recorded(claim.occurred_on, "incident date", claim.claim_id))
    wage = _recorded(claim.wage, "wage", claim.claim_id)
    if benefit is Benefit.JKK_DEATH:
        return rules.jkk_death(wage=wage)
    if benefit is Benefit.JKK_TOTAL_DISABILITY:
        return rules.jkk_total_disability(wage=wage)
    return rules.jkk_temporary_incapacity(
        wage=wage, months=_recorded(claim.incapacity_months, "incapacity months", claim.claim_id))


@dataclass(frozen=True)
class Drift:
    """A decided claim's amount beside what another rule set gives for the same facts."""

    claim_id: str
    decided_amount: int
    decided_version: str
    recomputed_amount: int
    recomputed_version: str

    @property
    def difference(self) -> int:
        """Recomputed minus decided: positive when the other set pays more."""
        return self.recomputed_amount - self.decided_amount

    @property
    def differs(self) -> bool:
        """Whether the other set gives another amount."""
        return self.difference != 0

    def describe(self) -> str:
        """Both figures in words."""
        if not self.differs:
            return (f"{rupiah(self.decided_amount)} under '{self.decided_version}', the same "
                    f"under '{self.recomputed_version}'")
        way = "more" if self.difference > 0 else "less"
        return (f"decided {rupiah(self.decided_amount)} under '{self.decided_version}'; "
                f"{rupiah(self.recomputed_amount)} under '{self.recomputed_version}', "
                f"{rupiah(abs(self.difference))} {way}")


def drift(claim: DecidedClaim | DecidedScholarshipYear, under: BenefitRules) -> Drift:
    """How the claim's decided amount compares with its amount under the rule set ``under``."""
    if isinstance(claim, DecidedScholarshipYear):
        recomputed = under.scholarship.level(claim.level).amount_per_year
    else:
        recomputed = recompute(claim, under).amount
    return Drift(claim.claim_id, claim.amount, claim.rule_version, recomputed, under.version)


def drifted(claims: Iterable[DecidedClaim | DecidedScholarshipYear],
            under: BenefitRules) -> list[Drift]:
    """The claims whose amount would differ under ``under``, with both figures."""
    return [found for found in (drift(claim, under) for claim in claims) if found.differs]
