"""Re-adjudication drift from the read side: the decided claims whose amount would differ under
the rule set in force on a day, with both figures (docs/domain.md section 4), on SQLite and
PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import pytest
from heirs_story import owed_story
from projection_digest import digest

from ledger.application import Ledger
from ledger.benefits import CURRENT_RULES_VERSION, Benefit
from ledger.claim import Claim
from ledger.errors import NoRuleSetInForceError, ProjectionStoppedError
from ledger.incident import IncidentKind
from ledger.reimbursement import Receipt, TransportMode
from ledger.rule_sets import RULE_BOOK, TEST_RULE_SET, RuleBook, rule_book_with_test_set
from projections.findings.drift import DriftReport, drift_report
from projections.queries import Reader
from projections.runner import Projector
from scenario import APPROVER, CLERK, a_nik, covered_member, decided_claim, heir, member_self

V1 = CURRENT_RULES_VERSION
TEST_SET = TEST_RULE_SET.version
SWITCH = date(2026, 7, 1)  # the test set's first day


@pytest.fixture
def claims(ledger: Ledger) -> dict[str, str]:
    """TNG-2025 (wage band Rp1.000.000): a JKM death, a JKK death, three months of STMB, all
    decided under the current set; and a JKM death filed but not decided yet."""
    death, accident = IncidentKind.DEATH, IncidentKind.ACCIDENT
    return {
        "jkm": decided_claim(ledger, 11, death, date(2025, 8, 20), Benefit.JKM_DEATH,
                             work_related=False),
        "jkk": decided_claim(ledger, 12, death, date(2025, 8, 21), Benefit.JKK_DEATH,
                             work_related=True),
        "stmb": decided_claim(ledger, 13, accident, date(2025, 6, 2),
                              Benefit.JKK_TEMPORARY_INCAPACITY, work_related=True, months=3),
        "filed": decided_claim(ledger, 14, death, date(2025, 8, 22), Benefit.JKM_DEATH,
                               work_related=False, approve=False),
    }


@pytest.fixture
def projector(ledger: Ledger) -> Iterator[Projector]:
    found = Projector(ledger)
    yield found
    found.close()


def _report(projector: Projector, book: RuleBook, on: date,
            program: str | None = None) -> DriftReport:
    projector.catch_up()
    return drift_report(Reader(projector.connection, projector.live), book, on,
                        program=program)


def test_claims_decided_under_the_current_set_drift_under_the_test_set_with_both_figures(
        claims: dict[str, str], projector: Projector) -> None:
    report = _report(projector, rule_book_with_test_set(), SWITCH)
    assert (report.version, report.for_tests, report.decided) == (TEST_SET, True, 3)
    assert [(c.claim_id, c.benefit, c.decided_amount, c.decided_version, c.recomputed_amount,
             c.recomputed_version, c.difference) for c in report.claims] == [
        # JKM: lump sum Rp25.000.000 instead of Rp20.000.000
        (claims["jkm"], "jkm_death", 42_000_000, V1, 47_000_000, TEST_SET, 5_000_000),
        # JKK death at the Rp1.000.000 band: funeral Rp12.000.000 instead of Rp10.000.000
        (claims["jkk"], "jkk_death", 70_000_000, V1, 72_000_000, TEST_SET, 2_000_000),
    ]
    assert report.total_difference == 7_000_000 and report.not_recomputed == ()
    assert all(c.programme == "TNG-2025" and c.position > 0 for c in report.claims)


def test_three_months_of_stmb_would_not_change_and_an_undecided_claim_is_not_compared(
        claims: dict[str, str], projector: Projector) -> None:
    listed = {c.claim_id for c in _report(projector, rule_book_with_test_set(), SWITCH).claims}
    # STMB months 1-3 are 100% of the wage under both sets; the filed JKM has no decision yet
    assert claims["stmb"] not in listed and claims["filed"] not in listed


def test_the_day_before_the_test_set_starts_nothing_drifts(
        claims: dict[str, str], projector: Projector) -> None:
    report = _report(projector, rule_book_with_test_set(), date(2026, 6, 30))
    assert (report.version, report.for_tests, report.claims) == (V1, False, ())
    assert report.decided == 3


def test_under_the_real_book_the_claims_it_decided_do_not_drift(
        claims: dict[str, str], projector: Projector) -> None:
    report = _report(projector, RULE_BOOK, SWITCH)
    assert (report.version, report.claims, report.decided) == (V1, (), 3)


def test_a_day_before_the_first_rule_set_is_refused_in_words(
        claims: dict[str, str], projector: Projector) -> None:
    with pytest.raises(NoRuleSetInForceError, match=(
            r"no benefit rule set is in force on 2019-12-01: the first, "
            r"'PP82-2019/PP44-2015 v1' \(.*\), starts on 2019-12-02")):
        _report(projector, rule_book_with_test_set(), date(2019, 12, 1))


def test_a_programme_filter_leaves_out_the_claims_of_other_programmes(
        claims: dict[str, str], projector: Projector) -> None:
    assert _report(projector, rule_book_with_test_set(), SWITCH, "TNG-2026").decided == 0
    assert _report(projector, rule_book_with_test_set(), SWITCH, "TNG-2025").decided == 3


def test_a_revoked_approval_is_no_longer_a_decided_amount(
        ledger: Ledger, claims: dict[str, str], projector: Projector) -> None:
    ledger.revoke_approval(claims["jkm"], "surat keterangan ahli waris palsu", date(2025, 9, 5),
                           actor="approver.two")
    report = _report(projector, rule_book_with_test_set(), SWITCH)
    assert [c.claim_id for c in report.claims] == [claims["jkk"]] and report.decided == 2


DRIFT_COLUMNS = ("rule_version", "wage", "enrolled_on", "incapacity_months")


def test_a_store_projected_before_the_claims_kept_their_facts_rebuilds_them_exactly_once(
        ledger: Ledger, claims: dict[str, str], projector: Projector) -> None:
    before = _report(projector, rule_book_with_test_set(), SWITCH)
    tables = digest(projector.connection, projector.live)
    with projector.connection.transaction() as cursor:  # the claims table an older version built
        for column in DRIFT_COLUMNS:
            cursor.execute(f"ALTER TABLE {projector.live.table('claims')} DROP COLUMN {column}")
    again = Projector(ledger)  # adds the columns and starts the set again at position 0
    try:
        assert _report(again, rule_book_with_test_set(), SWITCH) == before
        assert digest(again.connection, again.live) == tables  # every row applied once
    finally:
        again.close()


@pytest.mark.parametrize(("facts", "words"), [
    ({"wage": 10**32}, "the wage band Rp100.000.000.000.000.000.000.000.000.000.000 is beyond "
                       "the ledger's bound of Rp"),
    ({"wage": 1_000_000, "incapacity_months": 2**40},
     "STMB months 1.099.511.627.776 is beyond the ledger's bound of 120"),
])
def test_a_restored_claim_with_facts_past_the_bounds_stops_the_projections_in_words(
        ledger: Ledger, projector: Projector, facts: dict[str, int], words: str) -> None:
    covered_member(ledger, seed=15)
    forged = Claim(  # recorded past the rules, as a log restored from elsewhere may hold it
        programme_id=str(ledger.programme("TNG-2025").id), programme_code="TNG-2025",
        benefit="jkk_temporary_incapacity", incident_id=None, enrolment_id=None,
        person_id=str(ledger.personal.subject_for(a_nik(15))), subject_nik=a_nik(15),
        claimant=heir().as_record(ledger.personal.subject_for(heir().nik)),
        filed_on=date(2025, 9, 1),
        entitlement=3_000_000, rule_version=V1, computation=[],
        facts={"occurred_on": date(2025, 6, 2), **facts}, actor="restored")
    ledger.save(forged)
    with pytest.raises(ProjectionStoppedError, match=words):
        projector.catch_up()


def test_the_jkk_schedule_s_claims_are_recomputed_from_their_month_and_receipts(
        ledger: Ledger, projector: Projector) -> None:
    """An accident of 14 July 2025 at the Rp1.000.000 band: STMB months 12 (100%) and 13 (50%),
    and transport by land of Rp7.000.000 paid up to the Rp5.000.000 ceiling; under the test set
    (60% after month 12, land up to Rp6.000.000) month 13 and the transport drift."""
    member = covered_member(ledger, seed=16)
    accident = str(ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14),
                                          "Jl. Daan Mogot", "hit by a truck", work_related=True,
                                          actor=CLERK).id)
    filed = [ledger.file_stmb_month(accident, month, member_self(member), date(2026, 7, 20),
                                    actor=CLERK) for month in (12, 13)]
    receipt = Receipt("AMB-1", date(2025, 7, 14), 7_000_000,
                      hashlib.sha256(b"AMB-1").hexdigest())
    filed.append(ledger.file_reimbursement(accident, Benefit.JKK_TRANSPORT,
                                           [(TransportMode.LAND, receipt)], member_self(member),
                                           date(2025, 7, 20), actor=CLERK))
    for claim in filed:
        ledger.approve_claim(claim.id, date(2026, 7, 21), actor=APPROVER)
    report = _report(projector, rule_book_with_test_set(), SWITCH)
    assert [(c.claim_id, c.benefit, c.decided_amount, c.recomputed_amount, c.difference)
            for c in report.claims] == [
        (str(filed[1].id), "jkk_stmb_month", 500_000, 600_000, 100_000),
        (str(filed[2].id), "jkk_transport", 5_000_000, 6_000_000, 1_000_000)]
    assert report.decided == 3 and report.not_recomputed == ()


def test_a_tk_sd_scholarship_year_drifts_to_the_test_set_s_rp2_000_000_and_sma_does_not(
        ledger: Ledger, projector: Projector) -> None:
    owed_story(ledger)  # Siti's TK-SD year Rp1.500.000 and Rizky's SMA year Rp3.000.000
    report = _report(projector, rule_book_with_test_set(), SWITCH, program="TNG-2025")
    years = [(c.benefit, c.decided_amount, c.recomputed_amount) for c in report.claims
             if c.benefit == "scholarship_year"]
    assert years == [("scholarship_year", 1_500_000, 2_000_000)]
    assert report.not_recomputed == ()
