"""Every route through Flask's test client, on SQLite and PostgreSQL: happy paths first."""

from __future__ import annotations

import re
from typing import Any

from http_bodies import claimant, enrolment, grant_programme, programme
from http_client import Api


def _open(api: Api) -> dict[str, Any]:
    response = api.post("/api/v1/programs", "admin", programme())
    assert response.status_code == 201, response.json
    return dict(response.json)


def _member(api: Api, seed: int = 7) -> dict[str, Any]:
    response = api.post("/api/v1/members", "clerk", enrolment(seed))
    assert response.status_code == 201, response.json
    return dict(response.json)


def _pay(api: Api, member_ids: list[str], months: list[str], sp2d: str = "SP2D/1") -> Any:
    return api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": sp2d, "paid_on": "2025-03-25", "months": months,
        "member_ids": member_ids, "amount": 16_800 * len(months) * len(member_ids)})


def _dead_member_claim(api: Api, seed: int = 7) -> dict[str, Any]:
    member = _member(api, seed)
    assert _pay(api, [member["id"]], ["2025-09"], sp2d=f"SP2D/{seed}").status_code == 201
    death = api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": "death", "occurred_on": "2025-09-02",
        "place": "RSUD Kota Tangerang", "work_related": False})
    assert death.status_code == 201, death.json
    claim = api.post("/api/v1/claims", "clerk", {
        "incident_id": death.json["id"], "benefit": "jkm_death", "claimant": claimant(),
        "filed_on": "2025-09-10"})
    assert claim.status_code == 201, claim.json
    return dict(claim.json)


def test_opening_a_programme_returns_it_with_version_etag_and_position(api: Api) -> None:
    response = api.post("/api/v1/programs", "admin", programme())
    assert response.status_code == 201
    body = response.json
    assert body["budget_ceiling"] == 999_936_000 and body["remaining"] == 999_936_000
    assert body["version"] == 1 and response.headers["ETag"] == '"1"'
    assert body["position"] >= 1
    assert response.headers["X-Ledger-Position"] == str(body["position"])
    assert response.headers["Location"] == "/api/v1/programs/TNG-2025"
    listed = api.get("/api/v1/programs").json
    assert [p["code"] for p in listed["items"]] == ["TNG-2025"]
    assert api.get("/api/v1/programs/TNG-2025").json["funder_region"] == "36.71"


def test_budget_revisions_rates_and_closing_are_recorded(api: Api) -> None:
    _open(api)
    revised = api.post("/api/v1/programs/TNG-2025/budget-revisions", "admin", {
        "ceiling": 1_200_000_000, "dpa_reference": "DPPA-2025", "reason": "APBD-P"})
    assert revised.status_code == 200 and revised.json["budget_ceiling"] == 1_200_000_000
    rated = api.post("/api/v1/programs/TNG-2025/rates", "admin", {
        "cover": "JKM", "valid_from": "2025-07-01", "amount": 7_000})
    assert rated.status_code == 200 and len(rated.json["rates"]) == 3
    closed = api.post("/api/v1/programs/TNG-2025/close", "admin", {
        "closed_on": "2025-12-31", "reason": "year ended"})
    assert closed.status_code == 200 and closed.json["closed_on"] == "2025-12-31"
    assert closed.json["version"] == 4


def test_a_member_is_enrolled_read_listed_given_a_kpj_and_ended(api: Api) -> None:
    _open(api)
    member = _member(api)
    assert member["status"] == "active" and member["wage_band"] == 1_000_000
    assert api.get(f"/api/v1/members/{member['id']}").json["nik"] == member["nik"]
    listed = api.get("/api/v1/members", query_string={"program": "TNG-2025",
                                                      "status": "active"}).json
    assert [m["id"] for m in listed["items"]] == [member["id"]]
    kpj = api.post(f"/api/v1/members/{member['id']}/kpj", "clerk", {"kpj": "25012345678"})
    assert kpj.status_code == 200 and kpj.json["kpj"] == "25012345678"
    ended = api.post(f"/api/v1/members/{member['id']}/end", "clerk", {
        "ended_on": "2025-06-30", "reason": "moved", "note": "to Bogor"})
    assert ended.json["status"] == "ended"
    assert api.get("/api/v1/members", query_string={"status": "active"}).json["items"] == []


def test_a_nik_on_a_bpjs_exclusion_list_cannot_enrol(api: Api) -> None:
    _open(api)
    body = enrolment()
    excluded = api.post("/api/v1/members/exclusions", "clerk", {
        "nik": body["nik"], "list_reference": "BPJS-CIMONE-2025-03"})
    assert excluded.status_code == 200
    refused = api.post("/api/v1/members", "clerk", body)
    assert refused.status_code == 422 and refused.json["rule"] == "excluded-by-bpjs"


def test_contributions_are_paid_listed_and_reversed(api: Api) -> None:
    _open(api)
    member = _member(api)
    paid = _pay(api, [member["id"]], ["2025-03", "2025-04"])
    assert paid.status_code == 201 and paid.json["amount"] == 33_600
    assert paid.json["members"] == 1 and paid.json["rate"] == 16_800
    listed = api.get("/api/v1/contributions", query_string={"month": "2025-04"}).json
    assert [c["sp2d"] for c in listed["items"]] == ["SP2D/1"]
    reversed_ = api.post(f"/api/v1/contributions/{paid.json['id']}/reverse", "finance", {
        "reversed_on": "2025-04-02", "reason": "wrong roster"})
    assert reversed_.status_code == 200 and reversed_.json["reversed_on"] == "2025-04-02"
    assert api.get("/api/v1/programs/TNG-2025").json["committed"] == 0


def test_a_claim_goes_from_filing_to_payout_and_reversal(api: Api) -> None:
    _open(api)
    claim = _dead_member_claim(api)
    assert claim["entitlement"] == 42_000_000 and claim["status"] == "filed"
    assert claim["filed_by"] == "clerk.one"
    approved = api.post(f"/api/v1/claims/{claim['id']}/approve", "approver",
                        {"approved_on": "2025-09-11"})
    assert approved.status_code == 200 and approved.json["approved_by"] == "approver.one"
    paid = api.post(f"/api/v1/claims/{claim['id']}/disbursements", "finance", {
        "reference": "TRF-1", "amount": 42_000_000, "paid_on": "2025-09-12"})
    assert paid.status_code == 201 and paid.json["outstanding"] == 0
    back = api.post(f"/api/v1/claims/{claim['id']}/disbursements/TRF-1/reverse", "finance", {
        "reason": "account closed", "reversed_on": "2025-09-15"})
    assert back.status_code == 200 and back.json["outstanding"] == 42_000_000
    listed = api.get("/api/v1/claims", query_string={"status": "approved"}).json
    assert [c["id"] for c in listed["items"]] == [claim["id"]]
    incident = api.get(f"/api/v1/incidents/{claim['incident_id']}").json
    assert incident["kind"] == "death"
    assert api.get("/api/v1/incidents", query_string={"kind": "death"}).json["items"]


def test_a_claim_is_rejected_with_a_reason_code(api: Api) -> None:
    _open(api)
    claim = _dead_member_claim(api)
    rejected = api.post(f"/api/v1/claims/{claim['id']}/reject", "approver", {
        "reason": "incomplete_file", "note": "no death certificate",
        "rejected_on": "2025-09-12"})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"


def test_the_city_grant_is_filed_through_the_same_route(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin", grant_programme()).status_code == 201
    deceased = enrolment(seed=11)
    response = api.post("/api/v1/claims", "clerk", {
        "benefit": "city_death_grant", "program": "TNG-SANTUNAN-2025",
        "deceased": {key: deceased[key] for key in ("nik", "name", "kk", "region", "district",
                                                    "decile", "register",
                                                    "register_snapshot")},
        "died_on": "2025-02-03", "cause": "illness", "claimant": claimant("child"),
        "filed_on": "2025-02-10"})
    assert response.status_code == 201, response.json
    assert response.json["entitlement"] == 3_000_000 and response.json["payer"] == "CITY"


def test_a_ceremony_is_recorded_with_its_unpaid_claims_marked(api: Api) -> None:
    _open(api)
    claim = _dead_member_claim(api)
    api.post(f"/api/v1/claims/{claim['id']}/approve", "approver", {"approved_on": "2025-09-11"})
    held = api.post("/api/v1/handovers", "clerk", {
        "held_on": "2026-02-03", "venue": "GOR Nambo Jaya", "region": "36.71",
        "district": "36.71.08", "occasion": "Safari Pembangunan",
        "officials": [{"name": "Dessy Sriningsih", "role": "Kepala Cabang Cimone"}],
        "claim_ids": [claim["id"]]})
    assert held.status_code == 201, held.json
    assert held.json["unpaid"] == 1 and held.json["items"][0]["paid"] is False
    assert api.get(f"/api/v1/handovers/{held.json['id']}").json["venue"] == "GOR Nambo Jaya"
    assert len(api.get("/api/v1/handovers").json["items"]) == 1


def test_the_event_log_pages_by_position_and_names_the_actor(api: Api) -> None:
    _open(api)
    _member(api)
    first = api.get("/api/v1/events", query_string={"limit": 2}).json
    assert len(first["items"]) == 2 and first["next"] == first["items"][-1]["position"]
    rest = api.get("/api/v1/events", query_string={"after": first["next"]}).json
    types = [e["type"] for e in first["items"] + rest["items"]]
    assert "Programme.Opened" in types and "Enrolment.Enrolled" in types
    enrolled = next(e for e in rest["items"] if e["type"] == "Enrolment.Enrolled")
    assert enrolled["actor"] == "clerk.one" and enrolled["data"]["enrolled_on"] == "2025-03-24"


def test_a_niks_history_lists_every_event_about_it_in_order(api: Api) -> None:
    _open(api)
    claim = _dead_member_claim(api)
    history = api.post("/api/v1/members/history", "auditor", {"nik": claim["subject_nik"]}).json
    types = [e["type"] for e in history["events"]]
    assert types[0] == "Person.Registered"
    for expected in ("Enrolment.Enrolled", "Incident.Reported", "Person.DeathRecorded",
                     "Enrolment.CoverageEnded", "Claim.Filed"):
        assert expected in types
    positions = [e["position"] for e in history["events"]]
    assert positions == sorted(positions)


def test_an_admin_issues_tokens_through_the_api(api: Api) -> None:
    made = api.post("/api/v1/tokens", "admin", {"name": "bpjs.cimone", "role": "clerk"})
    assert made.status_code == 201 and made.json["token"].startswith("clt_")
    response = api.client.get("/api/v1/programs",
                              headers={"Authorization": f"Bearer {made.json['token']}"})
    assert response.status_code == 200


def test_the_openapi_document_validates_and_lists_every_route(api: Api) -> None:
    from openapi_spec_validator import validate

    document = api.client.get("/api/v1/openapi.json").json
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {path: set(operations) for path, operations in document["paths"].items()}
    served = 0
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        assert path in documented, f"{rule.rule} is missing from the OpenAPI document"
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        assert methods <= documented[path], f"{rule.rule} {methods} not all documented"
        served += 1
    assert served >= 20


def test_a_members_coverage_on_a_date_is_answered_with_the_reason(api: Api) -> None:
    _open(api)
    member = _member(api)
    _pay(api, [member["id"]], ["2025-03", "2025-04"])
    inside = api.get(f"/api/v1/members/{member['id']}/coverage",
                     query_string={"on": "2025-07-31"}).json
    assert inside["covered"] and inside["paid_month"] == "2025-04" and "grace" in inside["reason"]
    outside = api.get(f"/api/v1/members/{member['id']}/coverage",
                      query_string={"on": "2025-08-01"}).json
    assert not outside["covered"]
