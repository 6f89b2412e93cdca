"""Scholarships granted with a death claim, each school year claimed and decided as a claim, on
both stores, with the figures of docs/domain.md section 4."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import CURRENT_RULES_VERSION, Benefit
from ledger.claim import ClaimStatus
from ledger.errors import (
    ChildNoLongerEligibleError,
    ClaimStateError,
    DuplicateDeathBenefitError,
    FourEyesError,
    ScholarshipChildLimitError,
    ScholarshipNotGrantedError,
    ScholarshipYearClaimedError,
    SchoolLevelOrderError,
)
from ledger.incident import IncidentKind
from ledger.rule_sets import RULE_BOOK, TEST_RULE_SET, rule_book_with_test_set
from ledger.scholarship_grant import Scholarship
from ledger.schooling import Child, SchoolLevel, SchoolYear
from scenario import APPROVER, CLERK, FINANCE, a_nik, covered_in_2026, covered_member, heir
from storage.log_index import open_ledger
from storage.settings import StoreSettings

DIED_ON = date(2025, 9, 2)
RULES = RULE_BOOK.version(CURRENT_RULES_VERSION)
PROOF = hashlib.sha256(b"surat keterangan aktif sekolah").hexdigest()


def _child(name: str, born: date, serial: int, level: SchoolLevel | None) -> Child:
    return Child(name, a_nik(serial, female=serial % 2 == 0, born=born), born, level)


SITI = _child("Siti Aminah", date(2016, 5, 10), 40, SchoolLevel.TK_SD)
RIZKY = _child("Rizky Pratama", date(2009, 8, 1), 41, SchoolLevel.SMA)
DEWI = _child("Dewi Lestari", date(2012, 2, 3), 42, SchoolLevel.SMP)


def _approved_death(ledger: Ledger, work_related: bool, on: date = DIED_ON) -> str:
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, on, "Periuk", "died",
                                      work_related=work_related, actor=CLERK)
    benefit = Benefit.JKK_DEATH if work_related else Benefit.JKM_DEATH
    claim = ledger.file_claim(incident.id, benefit, heir(), date(2025, 9, 10), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    return str(claim.id)


def _granted(ledger: Ledger, *children: Child) -> Scholarship:
    return ledger.grant_scholarship(_approved_death(ledger, True), children or (SITI, RIZKY),
                                    date(2025, 9, 15), actor=CLERK)


def _year(ledger: Ledger, scholarship: Scholarship, child: Child, level: SchoolLevel,
          start: int, filed_on: date = date(2025, 9, 20)) -> str:
    claim = ledger.file_scholarship_year(
        scholarship.id, child.nik, level, SchoolYear(start), "SKAS/421/SDN-3/2025", PROOF,
        heir(), filed_on, actor=CLERK)
    return str(claim.id)


def test_a_work_accident_death_grants_two_children_up_to_174_million(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    entitlement = ledger.scholarship(scholarship.id).entitlement(RULES)
    assert [c.name for c in entitlement.children] == ["Siti Aminah", "Rizky Pratama"]
    assert entitlement.ceiling == 174_000_000
    assert entitlement.remaining_for(SITI.nik) == 87_000_000
    assert scholarship.rule_version == CURRENT_RULES_VERSION


def test_a_school_year_is_claimed_with_its_proof_and_approved_by_another_officer(
    ledger: Ledger,
) -> None:
    scholarship = _granted(ledger)
    claim = ledger.claim(_year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025))
    assert (claim.benefit, claim.entitlement) == (Benefit.SCHOLARSHIP_YEAR, 1_500_000)
    assert claim.rule_version == CURRENT_RULES_VERSION
    assert (claim.facts["proof_sha256"], claim.facts["school_year"]) == (PROOF, "2025/2026")
    with pytest.raises(FourEyesError):
        ledger.approve_claim(claim.id, date(2025, 9, 22), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 22), actor=APPROVER)
    paid = ledger.disburse(claim.id, "TRF/BEASISWA/1", 1_500_000, date(2025, 9, 25),
                           actor=FINANCE)
    assert (paid.status, paid.outstanding) == (ClaimStatus.APPROVED, 0)
    left = ledger.scholarship(scholarship.id).entitlement(RULES)
    assert (left.claimed, left.remaining_for(SITI.nik)) == (1_500_000, 85_500_000)


def test_a_school_year_claimed_twice_is_refused(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    _year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025)
    with pytest.raises(ScholarshipYearClaimedError, match="2025/2026 is already claimed"):
        _year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025)


def test_a_rejected_school_year_may_be_claimed_again(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    first = _year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025)
    ledger.reject_claim(first, "incomplete_file", "no school stamp", date(2025, 9, 22),
                        actor=APPROVER)
    again = ledger.claim(_year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025,
                               date(2025, 9, 23)))
    assert again.entitlement == 1_500_000


def test_a_school_year_whose_approval_is_revoked_may_be_claimed_again(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    first = _year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025)
    ledger.approve_claim(first, date(2025, 9, 22), actor=APPROVER)
    ledger.revoke_approval(first, "surat keterangan sekolah palsu (LHP Inspektorat)",
                           date(2025, 10, 1), actor=APPROVER)
    assert ledger.scholarship(scholarship.id).entitlement(RULES).claimed == 0
    again = ledger.claim(_year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2025,
                               date(2025, 10, 2)))
    assert again.facts["year_at_level"] == 1


def test_a_third_child_is_refused(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    with pytest.raises(ScholarshipChildLimitError, match="at most 2 children"):
        ledger.add_scholarship_child(scholarship.id, DEWI, actor=CLERK)


def test_a_second_child_may_be_named_later(ledger: Ledger) -> None:
    scholarship = _granted(ledger, SITI)
    ledger.add_scholarship_child(scholarship.id, DEWI, actor=CLERK)
    entitlement = ledger.scholarship(scholarship.id).entitlement(RULES)
    assert entitlement.remaining == 174_000_000


def test_a_level_out_of_order_is_refused(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    _year(ledger, scholarship, RIZKY, SchoolLevel.SMA, 2025)
    with pytest.raises(SchoolLevelOrderError, match="does not go back a level"):
        _year(ledger, scholarship, RIZKY, SchoolLevel.SMP, 2026)


def test_a_child_who_turned_23_before_the_school_year_is_refused(ledger: Ledger) -> None:
    older = _child("Andi Saputra", date(2003, 7, 1), 43, SchoolLevel.UNIVERSITY)
    scholarship = _granted(ledger, older)
    assert ledger.claim(_year(ledger, scholarship, older, SchoolLevel.UNIVERSITY, 2025)
                        ).entitlement == 12_000_000
    with pytest.raises(ChildNoLongerEligibleError, match="turned 23 on 2026-07-01"):
        _year(ledger, scholarship, older, SchoolLevel.UNIVERSITY, 2026)


def test_a_child_who_married_gets_no_later_school_year(ledger: Ledger) -> None:
    scholarship = _granted(ledger)
    ledger.record_child_stopped(scholarship.id, RIZKY.nik, "married", date(2026, 3, 1),
                                actor=CLERK)
    with pytest.raises(ChildNoLongerEligibleError, match="married on 2026-03-01"):
        _year(ledger, scholarship, RIZKY, SchoolLevel.SMA, 2026)


def test_a_jkm_death_gives_a_scholarship_after_three_years_of_membership_and_not_a_day_less(
    ledger: Ledger,
) -> None:
    death = _approved_death(ledger, False)
    with pytest.raises(ScholarshipNotGrantedError, match="at least 3 years of membership"):
        ledger.grant_scholarship(death, (SITI,), date(2025, 9, 15), actor=CLERK,
                                 membership_began_on=date(2022, 9, 3))
    granted = ledger.grant_scholarship(death, (SITI,), date(2025, 9, 15), actor=CLERK,
                                       membership_began_on=date(2022, 9, 2))
    assert (granted.cover, granted.membership_began_on) == ("JKM", date(2022, 9, 2))


def test_a_jkm_death_in_the_first_year_of_membership_gives_no_scholarship(
    ledger: Ledger,
) -> None:
    with pytest.raises(ScholarshipNotGrantedError, match="membership began on 2025-03-24"):
        ledger.grant_scholarship(_approved_death(ledger, False), (SITI,), date(2025, 9, 15),
                                 actor=CLERK)


def test_a_death_claim_not_yet_approved_grants_nothing_and_a_death_grants_once(
    ledger: Ledger,
) -> None:
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, DIED_ON, "Periuk", "died",
                                      work_related=True, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKK_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    with pytest.raises(ClaimStateError, match="approved death claim"):
        ledger.grant_scholarship(claim.id, (SITI,), date(2025, 9, 15), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    ledger.grant_scholarship(claim.id, (SITI,), date(2025, 9, 15), actor=CLERK)
    with pytest.raises(DuplicateDeathBenefitError, match="already granted"):
        ledger.grant_scholarship(claim.id, (RIZKY,), date(2025, 9, 16), actor=CLERK)


def test_a_death_on_1_july_2026_gives_the_school_years_of_the_set_in_force_that_day(
    store_settings: StoreSettings,
) -> None:
    ledger = open_ledger(store_settings, rule_book=rule_book_with_test_set())
    try:
        member = covered_in_2026(ledger)
        death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2026, 7, 1),
                                       "Periuk", "fell from a scaffold", work_related=True,
                                       actor=CLERK)
        claim = ledger.file_claim(death.id, Benefit.JKK_DEATH, heir(), date(2026, 7, 6),
                                  actor=CLERK)
        ledger.approve_claim(claim.id, date(2026, 7, 7), actor=APPROVER)
        scholarship = ledger.grant_scholarship(claim.id, (SITI,), date(2026, 7, 8), actor=CLERK)
        year = ledger.claim(_year(ledger, scholarship, SITI, SchoolLevel.TK_SD, 2026,
                                  date(2026, 7, 9)))
        assert (scholarship.rule_version, year.rule_version) == (TEST_RULE_SET.version,) * 2
        assert year.entitlement == 2_000_000
    finally:
        ledger.close()
