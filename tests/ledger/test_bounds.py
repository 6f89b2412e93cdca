"""Every number the domain accepts has a stated upper bound (ledger/limits.py), refused past it
with a message a clerk understands, and nothing is recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit, rules
from ledger.calendar import add_calendar_months, add_months
from ledger.errors import InvalidInputError, ProgrammeNotFoundError
from ledger.incident import IncidentKind
from ledger.limits import (
    FIRST_FISCAL_YEAR,
    JKK_CLAIM_WINDOW_MONTHS,
    LAST_FISCAL_YEAR,
    MAX_GRACE_MONTHS,
    MAX_INCAPACITY_MONTHS,
    MAX_MEMBERS,
    MAX_PROGRAMME_MONTHS,
    MAX_RATE,
    MAX_RUPIAH,
    MAX_WAGE_BAND,
)
from ledger.programme import Rate
from ledger.reconciliation import StatementLine, record_run
from scenario import (
    APPROVER,
    CLERK,
    FINANCE,
    covered_member,
    grant_terms,
    heir,
    member_self,
    tangerang_terms,
)

TEN_TO_THE_32 = 10**32


def _head(ledger: Ledger) -> int:
    return int(ledger.recorder.max_notification_id() or 0)


def test_a_ceiling_of_ten_to_the_32_is_refused_and_nothing_is_recorded(ledger: Ledger) -> None:
    with pytest.raises(InvalidInputError,
                       match=r"the budget ceiling can be at most Rp1\.000\.000\.000\.000\.000"):
        ledger.open_programme(tangerang_terms(budget_ceiling=TEN_TO_THE_32), actor="admin")
    assert _head(ledger) == 0
    with pytest.raises(ProgrammeNotFoundError):
        ledger.programme("TNG-2025")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"budget_ceiling": MAX_RUPIAH + 1}, "budget_ceiling",
         r"the budget ceiling can be at most Rp1\.000\.000\.000\.000\.000"),
        ({"wage_band": MAX_WAGE_BAND + 1}, "wage_band",
         r"the wage band can be at most Rp1\.000\.000\.000"),
        ({"wage_band": 0}, "wage_band", r"wage band must be a whole number of rupiah, at least"),
        ({"months": MAX_PROGRAMME_MONTHS + 1, "first_month": "2025-01"}, "months",
         r"the programme's months must be between 1 and 60; got 61"),
        ({"grace_months": MAX_GRACE_MONTHS + 1}, "grace_months",
         r"the grace months must be between 0 and 24; got 25"),
        ({"planned_members": MAX_MEMBERS + 1}, "planned_members",
         r"the planned members must be between 0 and 300\.000\.000"),
        ({"fiscal_year": 10**6, "first_month": "2025-03"}, "fiscal_year",
         r"the fiscal year must be between 2002 and 2088"),
        ({"rates": (Rate("JKK", date(2025, 1, 1), MAX_RATE + 1),
                    Rate("JKM", date(2025, 1, 1), 6_800))}, "rates",
         r"a contribution rate can be at most Rp10\.000\.000"),
    ],
)
def test_programme_terms_past_their_bounds_are_refused_naming_the_bound(
    ledger: Ledger, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message) as refused:
        ledger.open_programme(tangerang_terms(**overrides), actor="admin")
    assert refused.value.field == field
    assert _head(ledger) == 0


def test_a_fiscal_year_is_bounded_so_every_date_of_its_programme_fits_the_calendar(
    ledger: Ledger,
) -> None:
    # a programme of the last fiscal year, first month December, 60 months, 24 months' grace:
    # a JKK claim on an accident in its last covered month can still be filed at its expiry
    last = date(LAST_FISCAL_YEAR + 12, 11, 30)
    assert add_calendar_months(last, -JKK_CLAIM_WINDOW_MONTHS) >= date(
        LAST_FISCAL_YEAR + 4 + 2, 11, 1)
    assert 12 * rules().jkk_claim_expiry_years <= JKK_CLAIM_WINDOW_MONTHS
    assert add_months(f"{FIRST_FISCAL_YEAR}-01", -MAX_GRACE_MONTHS) == "2000-01"
    with pytest.raises(InvalidInputError, match="between 2002 and 2088"):
        ledger.open_programme(tangerang_terms(fiscal_year=2100, first_month="2100-01"),
                              actor="admin")


def test_programme_terms_at_their_bounds_are_accepted(ledger: Ledger) -> None:
    programme = ledger.open_programme(tangerang_terms(
        budget_ceiling=MAX_RUPIAH, wage_band=MAX_WAGE_BAND, months=MAX_PROGRAMME_MONTHS,
        first_month="2025-01", grace_months=MAX_GRACE_MONTHS, planned_members=MAX_MEMBERS,
        rates=(Rate("JKK", date(2025, 1, 1), MAX_RATE), Rate("JKM", date(2025, 1, 1), MAX_RATE)),
    ), actor="admin")
    assert programme.budget_ceiling == MAX_RUPIAH


def test_a_budget_revision_and_a_rate_past_their_bounds_are_refused(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    before = _head(ledger)
    with pytest.raises(InvalidInputError, match=r"can be at most Rp1\.000\.000\.000\.000\.000"):
        ledger.revise_budget("TNG-2025", TEN_TO_THE_32, "DPA-P", "APBD-P", actor="admin")
    with pytest.raises(InvalidInputError, match=r"can be at most Rp10\.000\.000"):
        ledger.set_rate("TNG-2025", Rate("JKK", date(2025, 6, 1), TEN_TO_THE_32), actor="admin")
    assert _head(ledger) == before
    assert ledger.programme("TNG-2025").budget_ceiling == 999_936_000


def test_a_payment_order_past_the_bound_is_refused_before_any_arithmetic(
    ledger: Ledger,
) -> None:
    member = covered_member(ledger, months=())
    before = _head(ledger)
    with pytest.raises(InvalidInputError,
                       match=r"the amount of a payment order can be at most Rp1\.000"):
        ledger.pay_contribution("TNG-2025", "SP2D/HUGE", date(2025, 4, 1), ["2025-03"],
                                [member.id], TEN_TO_THE_32, actor=FINANCE)
    assert _head(ledger) == before


def test_months_of_incapacity_past_the_bound_are_refused_whatever_the_benefit(
    ledger: Ledger,
) -> None:
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 5, 2),
                                      "Pasar Anyar", "jatuh", True, actor=CLERK)
    before = _head(ledger)
    for benefit in (Benefit.JKK_TEMPORARY_INCAPACITY, Benefit.JKK_TOTAL_DISABILITY):
        with pytest.raises(InvalidInputError,
                           match=r"the months of incapacity must be between 1 and 120"):
            ledger.file_claim(incident.id, benefit, member_self(member), date(2025, 5, 10),
                              actor=CLERK, incapacity_months=MAX_INCAPACITY_MONTHS + 1)
    assert _head(ledger) == before
    claim = ledger.file_claim(incident.id, Benefit.JKK_TEMPORARY_INCAPACITY,
                              member_self(member), date(2025, 5, 10), actor=CLERK,
                              incapacity_months=MAX_INCAPACITY_MONTHS)
    # 12 months at 100% and 108 at 50% of the Rp1.000.000 band
    assert claim.entitlement == 12 * 1_000_000 + 108 * 500_000


def test_a_payout_past_the_bound_is_refused_as_such(ledger: Ledger) -> None:
    ledger.open_programme(grant_terms(), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 6, 2),
                                      "Periuk", "sakit", False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 6, 9),
                              actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 6, 10), actor=APPROVER)
    before = _head(ledger)
    with pytest.raises(InvalidInputError, match=r"a payout can be at most Rp1\.000"):
        ledger.disburse(claim.id, "TRF/HUGE", TEN_TO_THE_32, date(2025, 6, 11), actor=FINANCE)
    assert _head(ledger) == before


def test_a_statement_line_past_the_bound_is_refused_and_no_run_is_recorded(
    ledger: Ledger,
) -> None:
    line = StatementLine(3, "SP2D/1", date(2025, 4, 10), TEN_TO_THE_32)
    with pytest.raises(InvalidInputError, match=r"line 3 of the statement can be at most"):
        record_run(ledger, source="bank", digest="0" * 64, program=None, month=None,
                   statement_name="rekening.xlsx", lines=[line], items=[],
                   run_on=date(2025, 4, 30), actor="finance")
    assert _head(ledger) == 0
