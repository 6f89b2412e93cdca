"""Deadlines of claims and the interest a late JKM payout owes the heirs.

PP 82/2019 and Permenaker 5/2021 (docs/domain.md section 4), with the figures of the rule set that
decided the claim:

- **A JKK claim expires 5 years after the accident**: 60 calendar months from its day
  (:func:`ledger.calendar.add_calendar_months`, the 31st falling back to a shorter month's end).
  A claim filed on that day is in time; the day after is refused (as the ledger has always
  counted it).
- **JKM is due within 3 working days of a complete file**: the 3rd working day after the day the
  file was complete (that day is day 0), counting Monday to Friday minus Indonesian public
  holidays (:func:`ledger.calendar.add_working_days`).
- **A later payout owes the heirs 1% of the benefit for each day late**, counted in calendar days
  after the due day (the regulation says each day, not each working day) up to the day paid.
  Rounding: the interest is computed exactly (days x benefit x percent / 100) and rounded **up**
  to the whole rupiah, once, on the total: it is owed to the heirs by the one who paid late, so
  the fraction falls on the payer, never on the heirs. With the real figures it is exact:
  Rp42.000.000 one day late owes Rp420.000, ten days late Rp4.200.000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.benefits import BenefitRules
from ledger.calendar import add_calendar_months, add_working_days
from ledger.errors import ClaimExpiredError, InvalidInputError
from ledger.limits import require_rupiah
from ledger.money import rupiah


def jkk_claim_expires_on(rules: BenefitRules, accident_on: date) -> date:
    """The last day a JKK claim may be filed: 5 years (60 months) after the accident."""
    return add_calendar_months(accident_on, 12 * rules.jkk_claim_expiry_years)


def require_jkk_claim_in_time(rules: BenefitRules, *, accident_on: date, filed_on: date) -> None:
    """Refuse a JKK claim filed after it expired."""
    expiry = jkk_claim_expires_on(rules, accident_on)
    if filed_on > expiry:
        raise ClaimExpiredError(
            f"JKK claims expire {rules.jkk_claim_expiry_years} years after the accident "
            f"({accident_on.isoformat()}); this one expired on {expiry.isoformat()}",
            field="filed_on")


def jkm_due_on(rules: BenefitRules, file_complete_on: date) -> date:
    """The day a JKM benefit is due: the 3rd working day after its file was complete."""
    return add_working_days(file_complete_on, rules.jkm_due_working_days)


@dataclass(frozen=True)
class LateInterest:
    """What a late payout owes the heirs: days late after the due day, and the amount."""

    due_on: date
    paid_on: date
    days_late: int
    percent_per_day: int
    benefit: int
    amount: int

    def describe(self) -> str:
        """The line a dossier prints."""
        if not self.days_late:
            return f"paid on {self.paid_on.isoformat()}, in time (due {self.due_on.isoformat()})"
        return (f"paid {self.days_late} day(s) after it was due on {self.due_on.isoformat()}: "
                f"{self.days_late} x {self.percent_per_day}% of {rupiah(self.benefit)} = "
                f"{rupiah(self.amount)} owed to the heirs")


def late_interest(rules: BenefitRules, *, benefit: int, due_on: date,
                  paid_on: date) -> LateInterest:
    """The interest owed for paying ``benefit`` on ``paid_on`` when it was due on ``due_on``."""
    require_rupiah(benefit, "the benefit", field="benefit")
    if not isinstance(paid_on, date) or not isinstance(due_on, date):
        raise InvalidInputError("the due day and the day paid are dates", field="paid_on")
    days = max(0, (paid_on - due_on).days)
    percent = rules.jkm_late_interest_percent_per_day
    # Rounded up, once, on the exact total: the fraction falls on the late payer.
    amount = -(-days * benefit * percent // 100)
    return LateInterest(due_on, paid_on, days, percent, benefit, amount)


def jkm_late_interest(rules: BenefitRules, *, benefit: int, file_complete_on: date,
                      paid_on: date) -> LateInterest:
    """The interest a JKM payout owes: due 3 working days after the complete file."""
    return late_interest(rules, benefit=benefit, due_on=jkm_due_on(rules, file_complete_on),
                         paid_on=paid_on)
