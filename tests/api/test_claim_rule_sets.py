"""The claim's API read shows the rule set in force on the incident's day, and a JKM claim's
due day and the interest of a late payout."""

from __future__ import annotations

from datetime import date

from http_client import Api

from ledger.application import Ledger
from ledger.benefits import CURRENT_RULES_VERSION, Benefit
from ledger.incident import IncidentKind
from ledger.rule_sets import TEST_RULE_SET
from scenario import CLERK, covered_in_2026, covered_member, heir


def _filed(api: Api, died_on: date, seed: int) -> str:
    ledger: Ledger = api.app.extensions["claims_ledger"]
    member = covered_in_2026(ledger, seed=seed)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, died_on, "Periuk", "sakit",
                                      work_related=False, actor=CLERK)
    claimant = heir(nik_serial=seed)
    answer = api.post("/api/v1/claims", "clerk", {
        "benefit": "jkm_death", "incident_id": str(incident.id), "filed_on": "2026-07-06",
        "claimant": {"nik": claimant.nik, "name": claimant.name, "relationship": "spouse",
                     "heir_certificate": claimant.heir_certificate, "bank": claimant.bank,
                     "account_number": claimant.account_number,
                     "account_name": claimant.account_name}})
    assert answer.status_code == 201, answer.json
    claim_id = answer.json["id"]
    approved = api.post(f"/api/v1/claims/{claim_id}/approve", "approver",
                        {"approved_on": "2026-07-07"})
    assert approved.status_code == 200, approved.json
    return str(claim_id)


def test_the_claim_read_shows_the_set_of_30_june_and_the_test_set_of_1_july_2026(
    test_rules_api: Api,
) -> None:
    june = test_rules_api.get(f"/api/v1/claims/{_filed(test_rules_api, date(2026, 6, 30), 11)}")
    july = test_rules_api.get(f"/api/v1/claims/{_filed(test_rules_api, date(2026, 7, 1), 12)}")
    assert june.json["rule_version"] == CURRENT_RULES_VERSION
    assert june.json["rule_set"]["valid_until"] == "2026-06-30"
    assert (june.json["approved_amount"], june.json["status"]) == (42_000_000, "approved")
    assert july.json["rule_version"] == TEST_RULE_SET.version
    assert july.json["rule_set"] == {
        "version": TEST_RULE_SET.version, "regulation": TEST_RULE_SET.regulation,
        "valid_from": "2026-07-01", "valid_until": None}
    assert july.json["approved_amount"] == 47_000_000


def test_the_claim_read_shows_the_due_day_and_the_interest_of_a_payout_ten_days_late(
    api: Api,
) -> None:
    ledger: Ledger = api.app.extensions["claims_ledger"]
    member = covered_member(ledger)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "sakit", work_related=False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    complete = api.post(f"/api/v1/claims/{claim.id}/file-complete", "clerk",
                        {"complete_on": "2025-09-15"})
    assert complete.status_code == 200, complete.json
    assert complete.json["due_on"] == "2025-09-18"
    assert api.post(f"/api/v1/claims/{claim.id}/approve", "approver",
                    {"approved_on": "2025-09-16"}).status_code == 200
    paid = api.post(f"/api/v1/claims/{claim.id}/disbursements", "finance",
                    {"reference": "TRF/JKM/1", "amount": 42_000_000, "paid_on": "2025-09-28"})
    assert paid.status_code == 201, paid.json
    read = api.get(f"/api/v1/claims/{claim.id}").json
    assert read["late_interest_owed"] == 4_200_000
    assert read["late_interest"] == [{
        "reference": "TRF/JKM/1", "due_on": "2025-09-18", "paid_on": "2025-09-28",
        "days_late": 10, "percent_per_day": 1, "paid": 42_000_000, "amount": 4_200_000}]
