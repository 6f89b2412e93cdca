"""Audit findings: each red flag of docs/domain.md section 7 found in a hand-made case, none in a
clean year. Every test runs on SQLite and on PostgreSQL (the ``ledger`` fixture)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from documents.finding_text import record, statement
from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.calendar import month_range
from ledger.claim import Claimant, Deceased
from ledger.enrolment import EndReason, Enrolment
from ledger.errors import FourEyesError, InvalidInputError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from projections.findings import RULES, Finding, findings, summary
from projections.queries import Reader
from projections.runner import Projector
from scenario import (
    APPROVER,
    CLERK,
    FINANCE,
    OCCUPATIONS,
    RATE,
    TEAM,
    a_nik,
    clean_year,
    factory,
    grant_terms,
    heir,
    tangerang_terms,
)
from seed.synthetic import WorkerFactory


def found(ledger: Ledger, rule: str | None = None) -> list[Finding]:
    projector = Projector(ledger)
    try:
        projector.catch_up()
        return findings(Reader(projector.connection, projector.live), rule=rule)
    finally:
        projector.close()


def test_a_clean_year_has_no_findings(ledger: Ledger) -> None:
    clean_year(ledger)
    assert found(ledger) == []


def test_every_rule_is_listed_in_the_summary_with_its_red_flag_number(ledger: Ledger) -> None:
    clean_year(ledger)
    rows = summary(found(ledger))
    assert sorted({row["flag"] for row in rows}) == list(range(1, 11))
    assert all(row["cases"] == 0 for row in rows) and len(rows) == len(RULES)


# -- 1 -------------------------------------------------------------------------------------------

def test_contributions_for_months_after_a_recorded_death_are_found(ledger: Ledger) -> None:
    year = clean_year(ledger)
    dead = year.members[0]
    year.pay("SP2D/STALE", ["2025-09", "2025-10"], [dead])
    [finding] = found(ledger, "paid-after-death-or-move")
    assert finding.members == (str(dead.id),) and finding.severity == "high"
    assert finding.amount == 2 * RATE == 33_600
    assert finding.facts["months"] == ["2025-09", "2025-10"]
    assert "died on 2025-08-20" in statement(finding) and "SP2D/STALE" in statement(finding)
    # the proof: the coverage end, the death, and the stale payment
    assert len(finding.positions) == 3


def test_a_move_recorded_after_the_payment_still_shows_the_payment(ledger: Ledger) -> None:
    year = clean_year(ledger)
    mover = year.members[1]
    ledger.end_coverage(mover.id, date(2025, 10, 5), EndReason.MOVED, "pindah ke Kab. Bogor",
                        actor=CLERK)
    [finding] = found(ledger, "paid-after-death-or-move")
    assert finding.facts == {"nik": finding.facts["nik"], "event": "moved", "on": "2025-10-05",
                             "months": ["2025-11", "2025-12"], "sp2d": ["SP2D/2"]}
    assert "moved away on 2025-10-05" in statement(finding)


# -- 2 -------------------------------------------------------------------------------------------

def test_members_never_matched_or_refused_by_the_register_are_found(ledger: Ledger) -> None:
    year = clean_year(ledger)
    late, refused = (ledger.enrol("TNG-2025", w, actor=CLERK)
                     for w in factory(seed=8).workers(2, date(2025, 4, 1)))
    ledger.record_identity_check("TNG-2025", "Dukcapil 470/201/2025", date(2025, 4, 20), [],
                                 {str(refused.id): "NIK tidak ditemukan"}, actor=CLERK)
    cases = found(ledger, "identity-not-matched")
    assert [c.members for c in cases] == [(str(late.id),), (str(refused.id),)]
    assert "never sent" in statement(cases[0])
    assert "not matched by the population register: NIK tidak ditemukan" in statement(cases[1])
    assert year.members and all(c.severity == "medium" for c in cases)


def test_a_later_match_clears_a_member_the_register_first_refused(ledger: Ledger) -> None:
    year = clean_year(ledger)
    member = year.members[1]
    ledger.record_identity_check("TNG-2025", "Dukcapil 2", date(2025, 5, 1), [],
                                 {str(member.id): "nama tidak sesuai"}, actor=CLERK)
    assert len(found(ledger, "identity-not-matched")) == 1
    ledger.record_identity_check("TNG-2025", "Dukcapil 3", date(2025, 6, 1), [member.id], {},
                                 actor=CLERK)
    assert found(ledger, "identity-not-matched") == []


def test_an_identity_check_naming_a_stranger_is_refused(ledger: Ledger) -> None:
    clean_year(ledger)
    with pytest.raises(Exception, match="not enrolled in programme TNG-2025"):
        ledger.record_identity_check("TNG-2025", "Dukcapil 9", date(2025, 5, 1),
                                     ["00000000-0000-0000-0000-000000000001"], {}, actor=CLERK)
    with pytest.raises(InvalidInputError, match="reason"):
        ledger.record_identity_check("TNG-2025", "Dukcapil 9", date(2025, 5, 1), [],
                                     {"00000000-0000-0000-0000-000000000001": " "}, actor=CLERK)


# -- 3 -------------------------------------------------------------------------------------------

def test_a_nik_paid_by_the_city_and_the_regency_for_the_same_month_is_found(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    mover = year.members[2]
    ledger.end_coverage(mover.id, date(2025, 6, 10), EndReason.MOVED, "pindah", actor=CLERK)
    ledger.open_programme(tangerang_terms(
        code="KABTNG-2025", funder_region="36.03", funder_name="Pemerintah Kabupaten Tangerang",
        budget_ceiling=RATE * 7, planned_members=1), actor="admin")
    regency = WorkerFactory(9, "36.03", OCCUPATIONS, (1, 4), ("Cimone",))
    again = ledger.enrol("KABTNG-2025", replace(
        regency.worker(date(2025, 6, 16)), nik=mover.nik, kk=mover.kk, name=mover.name),
        actor=CLERK)
    year.pay("SP2D-KAB/06", month_range("2025-06", 7), [again], code="KABTNG-2025")
    [finding] = found(ledger, "paid-twice-in-a-month")
    assert finding.programmes == ("KABTNG-2025", "TNG-2025")
    assert finding.facts["months"] == month_range("2025-06", 7)
    assert finding.amount == 7 * RATE
    assert set(finding.members) == {str(mover.id), str(again.id)}
    # the city kept paying after the move: red flag 1 as well
    assert [f.members for f in found(ledger, "paid-after-death-or-move")] == [(str(mover.id),)]


def test_two_payment_orders_of_one_programme_for_the_same_member_month_are_found(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    year.pay("SP2D/DOUBLE", ["2025-04"], year.members[1:2])
    [finding] = found(ledger, "paid-twice-in-a-month")
    assert finding.programmes == ("TNG-2025",) and finding.facts["months"] == ["2025-04"]
    assert finding.facts["sp2d"] == ["SP2D/1", "SP2D/DOUBLE"] and finding.amount == RATE


# -- 4 -------------------------------------------------------------------------------------------

def test_a_death_within_90_days_of_enrolment_is_found_with_its_rp10m_claim(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    early = year.death(year.members[1], date(2025, 6, 2))
    claim = year.paid_claim(early, filed_on=date(2025, 6, 9), reference="TRF/2")
    [finding] = found(ledger, "death-within-90-days")
    assert finding.claims == (claim,) and finding.amount == 10_000_000
    assert finding.facts["days"] == 70
    assert "enrolled on 2025-03-24 and died 70 days later" in statement(finding)


# -- 5 -------------------------------------------------------------------------------------------

def test_a_claim_whose_paid_month_was_reversed_afterwards_is_found(ledger: Ledger) -> None:
    year = clean_year(ledger)
    late = ledger.enrol("TNG-2025", factory(seed=8).worker(date(2025, 5, 1)), actor=CLERK)
    ledger.record_identity_check("TNG-2025", "Dukcapil 5", date(2025, 5, 2), [late.id], {},
                                 actor=CLERK)
    year.pay("SP2D/SUSULAN", ["2025-05"], [late])
    accident = ledger.report_incident(late.id, IncidentKind.ACCIDENT, date(2025, 5, 20),
                                      "Pasar Anyar", "fell", True, actor=CLERK)
    claim = ledger.file_claim(accident.id, Benefit.JKK_TEMPORARY_INCAPACITY,
                              Claimant(late.nik, late.name, "self", "", "Bank BJB", "0011223344",
                                       late.name), date(2025, 6, 1), actor=CLERK,
                              incapacity_months=1)
    ledger.approve_claim(claim.id, date(2025, 6, 2), actor=APPROVER)
    ledger.disburse(claim.id, "TRF/STMB", 1_000_000, date(2025, 6, 3), actor=FINANCE)
    assert found(ledger, "incident-outside-paid-coverage") == []
    ledger.reverse_contribution("TNG-2025", "SP2D/SUSULAN", date(2025, 6, 20),
                                "dana dikembalikan bank", actor=FINANCE)
    [finding] = found(ledger, "incident-outside-paid-coverage")
    assert finding.claims == (str(claim.id),) and finding.amount == 1_000_000
    assert "2025-05, which is not paid" in statement(finding)
    assert year.members


# -- 6 -------------------------------------------------------------------------------------------

def _grant_for(ledger: Ledger, member: Enrolment, died_on: date, claimant: Claimant,
               filed_on: date) -> str:
    deceased = Deceased(member.nik, member.name, member.kk, member.region, member.district,
                        member.decile, "DTKS", date(2025, 1, 15))
    claim = ledger.file_grant_claim("TNG-SANTUNAN-2025", deceased, died_on, "illness",
                                    claimant, filed_on, actor=CLERK)
    ledger.approve_claim(claim.id, filed_on, actor=APPROVER)
    ledger.disburse(claim.id, f"BTT/{str(claim.id)[:6]}", 3_000_000, filed_on, actor=FINANCE)
    return str(claim.id)


def test_the_city_grant_and_jkm_for_the_same_death_are_found_for_review(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    ledger.open_programme(grant_terms(), actor="admin")
    grant = _grant_for(ledger, year.members[0], date(2025, 8, 20), heir(), date(2025, 8, 28))
    [finding] = found(ledger, "two-benefits-for-one-death")
    assert finding.severity == "review" and grant in finding.claims and len(finding.claims) == 2
    assert finding.facts["benefits"] == ["jkm_death", "city_death_grant"]
    assert finding.amount == 42_000_000 + 3_000_000


# -- 7 -------------------------------------------------------------------------------------------

def test_heirs_of_three_families_paid_into_one_account_are_found_two_are_not(
    ledger: Ledger,
) -> None:
    clean_year(ledger)
    ledger.open_programme(grant_terms(), actor="admin")
    people = WorkerFactory(31, "36.71", OCCUPATIONS, (1, 4), ("Cimone",), serial_base=500)
    broker = replace(heir(), bank="Bank BRI", account_number="3300112233",
                     account_name="Rahmat")
    claims = []
    for serial, died_on in enumerate((date(2025, 9, 1), date(2025, 9, 3), date(2025, 9, 8))):
        dead = people.worker(died_on)
        deceased = Deceased(dead.nik, dead.name, dead.kk, dead.region, dead.district,
                            dead.decile, "DTKS", date(2025, 1, 15))
        who = replace(broker, nik=a_nik(600 + serial, born=date(1980, 1, 2)))
        claim = ledger.file_grant_claim("TNG-SANTUNAN-2025", deceased, died_on, "illness", who,
                                        date(2025, 9, 15), actor=CLERK)
        ledger.approve_claim(claim.id, date(2025, 9, 16), actor=APPROVER)
        ledger.disburse(claim.id, f"BTT/{serial}", 3_000_000, date(2025, 9, 17),
                        actor=FINANCE)
        claims.append(str(claim.id))
        if serial == 1:
            assert found(ledger, "shared-payee-account") == []
    [finding] = found(ledger, "shared-payee-account")
    assert finding.claims == tuple(claims) and finding.amount == 9_000_000
    assert finding.facts == {"account": "Bank BRI ****2233", "families": 3}
    assert "3300112233" not in statement(finding)
    assert "3300112233" not in finding.id and "3300112233" not in str(record(finding))
    assert finding.id == found(ledger, "shared-payee-account")[0].id  # stable: a permalink


# -- 8 -------------------------------------------------------------------------------------------

def test_a_claim_handed_over_before_its_payout_is_found_and_stays_found_once_paid(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    death = year.death(year.members[1], date(2025, 9, 20))
    claim = ledger.file_claim(death, Benefit.JKM_DEATH, heir(nik_serial=78),
                              date(2025, 9, 25), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 26), actor=APPROVER)
    ledger.record_handover(
        CeremonyDetails(held_on=date(2025, 10, 1), venue="Pendopo Kecamatan Periuk",
                        region="36.71", district="36.71.08", occasion="Penyerahan santunan",
                        officials=(Official("Camat Periuk", "Kecamatan Periuk"),)),
        [claim.id], actor=CLERK)
    [unpaid] = found(ledger, "handover-without-payout")
    assert unpaid.severity == "high" and "Rp42.000.000 of it is still unpaid" in statement(unpaid)
    ledger.disburse(claim.id, "TRF/LATE", 42_000_000, date(2025, 10, 8), actor=FINANCE)
    [later] = found(ledger, "handover-without-payout")
    assert later.severity == "medium" and "it was paid on 2025-10-08" in statement(later)
    assert len(later.positions) > len(unpaid.positions)


# -- 9 -------------------------------------------------------------------------------------------

def test_a_budget_built_on_rp17000_instead_of_rp16800_is_found(ledger: Ledger) -> None:
    clean_year(ledger, budget_ceiling=TEAM * 17_000 * 10)
    [finding] = found(ledger, "budget-not-headcount-rate-months")
    assert finding.amount == TEAM * 200 * 10 == 6_000
    assert finding.facts["official_rate"] == 16_800 and finding.facts["expected"] == 504_000
    assert "works out at Rp17.000 a member a month" in statement(finding)


def test_a_budget_for_fewer_months_than_the_cohort_needs_is_found(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(budget_ceiling=5_952 * RATE * 4), actor="admin")
    [finding] = found(ledger, "budget-not-headcount-rate-months")
    assert finding.amount == -5_952 * RATE * 6
    assert "5.952 members x Rp16.800 x 10 months is Rp999.936.000" in statement(finding)


def test_a_ceiling_revised_below_what_was_paid_is_found(ledger: Ledger) -> None:
    # The ledger refuses such a revision; a log restored from an older system may hold one.
    year = clean_year(ledger)
    programme = ledger.programme("TNG-2025")
    programme._budget_revised(100_000, "DPA-P 2025", "APBD-P", "admin.legacy")
    ledger.save(programme)
    [finding] = found(ledger, "paid-beyond-ceiling")
    committed = RATE * (6 * TEAM + 4 * 2)
    assert finding.amount == committed - 100_000 and year.members


# -- 10 ------------------------------------------------------------------------------------------

def test_a_payout_left_standing_after_its_approval_was_revoked_is_found(ledger: Ledger) -> None:
    year = clean_year(ledger)
    [claim] = [c for c in found_claims(ledger)]
    ledger.revoke_approval(claim, "surat keterangan ahli waris palsu", date(2025, 11, 3),
                           actor="inspektorat.andi")
    [finding] = found(ledger, "payout-above-approval")
    assert finding.amount == 42_000_000 and "revoked after payment" in statement(finding)
    assert year.members
    # revoked: no longer approved, so the ceremony that showed it is a finding too
    assert [f.severity for f in found(ledger, "handover-without-payout")] == ["high"]


def found_claims(ledger: Ledger) -> list[str]:
    projector = Projector(ledger)
    try:
        projector.catch_up()
        return [c["claim_id"] for c in Reader(projector.connection, projector.live).claims()]
    finally:
        projector.close()


def test_an_officer_approving_their_own_claim_needs_a_reason_and_is_found(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    death = year.death(year.members[1], date(2025, 9, 20))
    claim = ledger.file_claim(death, Benefit.JKM_DEATH, heir(nik_serial=79), date(2025, 9, 25),
                              actor="kasi.linjamsos")
    with pytest.raises(FourEyesError):
        ledger.approve_claim(claim.id, date(2025, 9, 26), actor="kasi.linjamsos")
    with pytest.raises(InvalidInputError, match="at least 20 characters"):
        ledger.approve_claim(claim.id, date(2025, 9, 26), actor="kasi.linjamsos",
                             sole_approver_reason="cuti")
    with pytest.raises(InvalidInputError, match="only for the officer who filed"):
        ledger.approve_claim(claim.id, date(2025, 9, 26), actor=APPROVER,
                             sole_approver_reason="satu-satunya pejabat yang bertugas")
    assert found(ledger, "approved-by-filer") == []
    ledger.approve_claim(claim.id, date(2025, 9, 26), actor="kasi.linjamsos",
                         sole_approver_reason="satu-satunya pejabat yang bertugas saat cuti")
    [finding] = found(ledger, "approved-by-filer")
    assert finding.claims == (str(claim.id),) and finding.amount == 42_000_000
    assert "reason given: satu-satunya pejabat" in statement(finding)


def test_findings_filter_by_programme_rule_and_severity(ledger: Ledger) -> None:
    year = clean_year(ledger, budget_ceiling=TEAM * 17_000 * 10)
    year.pay("SP2D/STALE", ["2025-09"], [year.members[0]])
    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        assert {f.rule for f in findings(reader)} == {"paid-after-death-or-move",
                                                      "budget-not-headcount-rate-months"}
        assert [f.rule for f in findings(reader, severity="high")] == [
            "paid-after-death-or-move"]
        assert findings(reader, program="JAKBAR-2025") == []
    finally:
        projector.close()
