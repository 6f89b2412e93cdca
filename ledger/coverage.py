"""The coverage rule (docs/domain.md section 6): was this member covered on this day?

Covered on day D means: enrolled on or before D, not ended before D, and the month of D paid for
this member, or D inside the grace after the last paid month (arrears may still be settled for
``grace_months`` months after the paid period ends; the programme holds that number, as the
length is unconfirmed reference data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ledger.calendar import add_months, month_of
from ledger.contribution import Contribution
from ledger.enrolment import Enrolment
from ledger.programme import Programme


@dataclass(frozen=True)
class CoverageAnswer:
    """The answer and, in words, why."""

    covered: bool
    reason: str
    paid_month: str | None = None


def coverage_on(
    enrolment: Enrolment,
    programme: Programme,
    day: date,
    load_contribution: Callable[[str], Contribution],
) -> CoverageAnswer:
    """Decide coverage of one enrolment on one day from its programme's payments."""
    if day < enrolment.enrolled_on:
        return CoverageAnswer(
            False, f"the member was enrolled only on {enrolment.enrolled_on.isoformat()}"
        )
    if enrolment.ended_on is not None and day > enrolment.ended_on:
        return CoverageAnswer(
            False,
            f"the coverage ended on {enrolment.ended_on.isoformat()} ({enrolment.end_reason})",
        )
    month = month_of(day)
    first_month = month_of(enrolment.enrolled_on)
    for back in range(programme.grace_months + 1):
        candidate = add_months(month, -back)
        if candidate < first_month:
            break
        if _paid_for(enrolment, programme, candidate, load_contribution):
            if back == 0:
                return CoverageAnswer(True, f"{month} is paid", candidate)
            return CoverageAnswer(
                True,
                f"{month} is not paid, but it is within {programme.grace_months} months' grace "
                f"after the last paid month {candidate}",
                candidate,
            )
    return CoverageAnswer(
        False,
        f"no contribution was paid for {month} nor in the {programme.grace_months} months "
        "before it",
    )


def _paid_for(
    enrolment: Enrolment,
    programme: Programme,
    month: str,
    load_contribution: Callable[[str], Contribution],
) -> bool:
    member = str(enrolment.id)
    for contribution_id in programme.month_contributions.get(month, ()):
        if programme.contributions.get(contribution_id, 0) == 0:
            continue  # reversed
        if load_contribution(contribution_id).pays_for(member, month):
            return True
    return False
