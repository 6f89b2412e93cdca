"""/incidents/{id}/...: the JKK schedule through the API on both stores. A clerk files STMB
months, a partial disability and receipts; another officer approves at /claims; the claim's
read shows its computation and what it stands on (month, table row, receipts)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from http_client import Api

from ledger.application import Ledger
from ledger.incident import IncidentKind
from scenario import CLERK, covered_member, member_self


def _accident(api: Api) -> tuple[str, dict[str, str]]:
    ledger: Ledger = api.app.extensions["claims_ledger"]
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14),
                                      "Jl. Daan Mogot", "hit by a truck", work_related=True,
                                      actor=CLERK)
    payee = member_self(member)
    return str(incident.id), {
        "nik": payee.nik, "name": payee.name, "relationship": "self", "bank": payee.bank,
        "account_number": payee.account_number, "account_name": payee.account_name}


def _month(api: Api, incident: str, claimant: dict[str, str], month: int,
           filed_on: str) -> Any:
    return api.post(f"/api/v1/incidents/{incident}/stmb-months", "clerk",
                    {"month": month, "claimant": claimant, "filed_on": filed_on})


def test_stmb_months_12_and_13_are_filed_approved_by_another_and_read_with_their_computation(
    api: Api,
) -> None:
    incident, claimant = _accident(api)
    body = {"month": 12, "claimant": claimant, "filed_on": "2026-06-20"}
    assert api.post(f"/api/v1/incidents/{incident}/stmb-months", "approver",
                    body).status_code == 403
    twelfth = _month(api, incident, claimant, 12, "2026-06-20")
    assert twelfth.status_code == 201, twelfth.json
    thirteenth = _month(api, incident, claimant, 13, "2026-07-20")
    assert (twelfth.json["benefit"], twelfth.json["entitlement"],
            thirteenth.json["entitlement"]) == ("jkk_stmb_month", 1_000_000, 500_000)
    claim = thirteenth.json["id"]
    assert api.post(f"/api/v1/claims/{claim}/approve", "approver",
                    {"approved_on": "2026-07-21"}).status_code == 200
    read = api.get(f"/api/v1/claims/{claim}").json
    assert read["status"] == "approved"
    assert read["computation"] == [{
        "label": "STMB month 13 (2026-07-14 to 2026-08-13) at 50% of wage", "amount": 500_000}]
    assert read["schedule"] == {"month": 13, "starts_on": "2026-07-14",
                                "ends_on": "2026-08-13", "percent": 50}
    twice = _month(api, incident, claimant, 13, "2026-07-22")
    assert twice.status_code == 422
    assert "month 13 of incapacity (2026-07-14 to 2026-08-13) is already claimed" in (
        twice.json["detail"])


def test_a_month_after_recovery_and_a_loss_not_in_the_table_are_refused_in_words(
    api: Api,
) -> None:
    incident, claimant = _accident(api)
    assert _month(api, incident, claimant, 1, "2025-07-20").status_code == 201
    ended = api.post(f"/api/v1/incidents/{incident}/incapacity-end", "clerk",
                     {"ended_by": "recovery", "ended_on": "2025-08-10"})
    assert ended.status_code == 201, ended.json
    assert (ended.json["ended_by"], ended.json["ended_on"]) == ("recovery", "2025-08-10")
    after = _month(api, incident, claimant, 2, "2025-08-20")
    assert after.status_code == 422
    assert after.json["detail"] == (
        "incapacity ended on 2025-08-10 (recovery); month 2 begins on 2025-08-14, after the "
        "end, and is not paid")
    thumb = api.post(f"/api/v1/incidents/{incident}/partial-disabilities", "clerk",
                     {"loss": "thumb", "claimant": claimant, "filed_on": "2025-09-01"})
    assert thumb.status_code == 422
    assert "'thumb' is not a loss in the disability table" in thumb.json["detail"]
    eye = api.post(f"/api/v1/incidents/{incident}/partial-disabilities", "clerk",
                   {"loss": "eye_one", "claimant": claimant, "filed_on": "2025-09-01"})
    assert eye.status_code == 201, eye.json
    assert eye.json["entitlement"] == 28_000_000
    assert eye.json["schedule"]["disability_row"] == "eye_one"
    case = api.get(f"/api/v1/incidents/{incident}/jkk-case").json
    assert sorted(case["months"].values()) == [1]
    assert list(case["losses"].values()) == ["eye_one"]


def test_transport_over_its_ceiling_is_paid_up_to_it_and_the_receipts_hash_is_shown(
    api: Api,
) -> None:
    incident, claimant = _accident(api)
    digest = hashlib.sha256(b"kuitansi ambulans laut KM-1").hexdigest()
    filed = api.post(f"/api/v1/incidents/{incident}/reimbursements", "clerk", {
        "benefit": "jkk_transport", "claimant": claimant, "filed_on": "2025-07-25",
        "receipts": [{"reference": "KM-1", "issued_on": "2025-07-15", "amount": 2_400_000,
                      "sha256": digest, "mode": "sea"}]})
    assert filed.status_code == 201, filed.json
    assert filed.json["entitlement"] == 2_000_000
    assert filed.json["computation"] == [{
        "label": "transport by sea: billed Rp2.400.000, paid up to the ceiling of Rp2.000.000",
        "amount": 2_000_000}]
    assert filed.json["schedule"]["receipts"] == [{
        "reference": "KM-1", "issued_on": "2025-07-15", "amount": 2_400_000, "sha256": digest,
        "mode": "sea"}]
    bad = api.post(f"/api/v1/incidents/{incident}/reimbursements", "clerk", {
        "benefit": "jkk_medical_care", "claimant": claimant, "filed_on": "2025-07-25",
        "receipts": [{"reference": "RS-1", "issued_on": "2025-07-15", "amount": 1_000,
                      "sha256": "not-a-hash"}]})
    assert bad.status_code == 422
