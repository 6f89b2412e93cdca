"""The STMB months still open in what a programme owes (issue 17, item 5): a work accident case
whose temporary incapacity has no recorded end owes its next month, at 100% of the wage band up
to month 12 and 50% from month 13 (docs/domain.md section 4, the rule set of the accident's
day); an ended case and one whose only month was rejected owe none. On SQLite and PostgreSQL,
and on a store projected before the claims recorded their month (one rebuild)."""

from __future__ import annotations

from datetime import date

from heirs_story import STMB_ACCIDENT, stmb_story
from projection_digest import digest

from ledger.application import Ledger
from projections.obligations import ObligationsReader
from projections.runner import Projector


def _owed(ledger: Ledger, on: date) -> dict[str, object]:
    projector = Projector(ledger)
    try:
        found = ObligationsReader(projector.connection, projector.live).obligations(
            "TNG-2025", on)
    finally:
        projector.close()
    assert found is not None
    return found


def test_a_case_with_twelve_months_claimed_and_no_end_owes_month_13_at_half_the_wage(
    ledger: Ledger,
) -> None:
    stmb_story(ledger)
    owed = _owed(ledger, date(2026, 7, 20))
    cases = owed["stmb_cases"]
    assert isinstance(cases, list) and len(cases) == 1  # the recovered and the rejected: none
    case = cases[0]
    assert (case["accident_on"], case["months_claimed"], case["last_month"]) == (
        STMB_ACCIDENT.isoformat(), 12, 12)
    # Month 13 runs from 14 July 2026 at 50% of the Rp1.000.000 band.
    assert (case["next_month"], case["next_starts_on"], case["next_percent"],
            case["next_amount"], case["begun"]) == (13, "2026-07-14", 50, 500_000, True)
    assert case["rule_version"] == "PP82-2019/PP44-2015 v1"
    assert owed["stmb_total"] == 500_000
    # Eleven months claimed, unapproved, are owed as unpaid claims only once approved.
    assert owed["unpaid_total"] == 0 and owed["paid"] == 1_000_000


def test_a_month_not_yet_begun_is_owed_next_but_says_it_has_not_begun(ledger: Ledger) -> None:
    stmb_story(ledger)
    case = _owed(ledger, date(2026, 7, 1))["stmb_cases"][0]  # type: ignore[index]
    assert (case["next_month"], case["begun"]) == (13, False)


def test_a_store_projected_before_the_claims_recorded_their_month_gains_it_by_one_rebuild(
    ledger: Ledger,
) -> None:
    stmb_story(ledger)
    before = _owed(ledger, date(2026, 7, 20))
    projector = Projector(ledger)
    try:
        tables = digest(projector.connection, projector.live)
        with projector.connection.transaction() as cursor:  # as an older version built them
            cursor.execute(f"ALTER TABLE {projector.live.table('claims')} DROP COLUMN stmb_month")
            cursor.execute(f"DELETE FROM {projector.live.table('jkk_cases')}")
    finally:
        projector.close()
    again = Projector(ledger)  # adds the column and starts the balances again at position 0
    try:
        again.catch_up()
        assert digest(again.connection, again.live) == tables  # every row applied once
    finally:
        again.close()
    assert _owed(ledger, date(2026, 7, 20)) == before
