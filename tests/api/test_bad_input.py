"""Bad input gets a clear problem-details answer and records nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from http_bodies import claimant, enrolment, programme
from http_client import Api

PROBLEM = "application/problem+json"


def _log_size(api: Api) -> int:
    ledger = api.app.extensions["claims_ledger"]
    return int(ledger.recorder.max_notification_id() or 0)


def _open(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body: dict[str, Any] = response.json
    assert body["status"] == status and body["detail"] and body["title"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nik": None}, "nik"),
        ({"nik": "12345"}, "nik"),
        ({"decile": "three"}, "decile"),
        ({"decile": 2.5}, "decile"),
        ({"enrolled_on": "24/03/2025"}, "enrolled_on"),
        ({"register": "BDT"}, "register"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_malformed_enrolments_are_422_with_the_field_named(
    api: Api, change: dict[str, Any], field: str
) -> None:
    _open(api)
    body = enrolment()
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    before = _log_size(api)
    problem = _problem(api.post("/api/v1/members", "clerk", body), 422)
    assert field in problem["errors"]
    assert _log_size(api) == before


def test_an_impossible_nik_is_refused_by_the_rule_with_its_name(api: Api) -> None:
    _open(api)
    problem = _problem(api.post("/api/v1/members", "clerk",
                                enrolment(nik="3671083102900001")), 422)
    assert problem["rule"] == "invalid-identity-number"
    assert "birth date that does not exist" in problem["detail"]
    assert problem["errors"] == {"nik": [problem["detail"]]}


@pytest.mark.parametrize("amount", [-16_800, 16_800.0, "16800", True])
def test_money_that_is_not_whole_positive_rupiah_is_refused(api: Api, amount: Any) -> None:
    _open(api)
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    problem = _problem(api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-03-25",
        "months": ["2025-03"], "member_ids": [member["id"]], "amount": amount}), 422)
    assert "amount" in problem["errors"]


def test_domain_refusals_name_their_rule(api: Api) -> None:
    _open(api)
    body = enrolment()
    assert api.post("/api/v1/members", "clerk", body).status_code == 201
    again = _problem(api.post("/api/v1/members", "clerk", body), 409)
    assert again["rule"] == "nik-already-covered"
    over = _problem(api.post("/api/v1/programs/TNG-2025/budget-revisions", "admin", {
        "ceiling": -1, "dpa_reference": "x", "reason": "y"}), 422)
    assert "ceiling" in over["errors"]


def test_not_covered_is_a_422_with_the_reason(api: Api) -> None:
    _open(api)
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    problem = _problem(api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": "accident", "occurred_on": "2025-04-01",
        "place": "Periuk", "work_related": True}), 422)
    assert problem["rule"] == "not-covered" and "no contribution was paid" in problem["detail"]


def test_the_budget_ceiling_is_a_422_named_budget_exceeded(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin",
                    programme(budget_ceiling=16_800)).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    problem = _problem(api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-03-25",
        "months": ["2025-03", "2025-04"], "member_ids": [member["id"]], "amount": 33_600}), 422)
    assert problem["rule"] == "budget-exceeded"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/programs/NOPE", "/api/v1/members/8f2b2c4e-0000-4000-8000-000000000000",
     "/api/v1/claims/8f2b2c4e-0000-4000-8000-000000000000",
     "/api/v1/incidents/8f2b2c4e-0000-4000-8000-000000000000",
     "/api/v1/handovers/8f2b2c4e-0000-4000-8000-000000000000",
     "/api/v1/contributions/8f2b2c4e-0000-4000-8000-000000000000",
     "/api/v1/members/not-a-uuid", "/api/v1/nothing-here"],
)
def test_unknown_ids_and_routes_are_404(api: Api, path: str) -> None:
    _problem(api.get(path), 404)


def test_no_token_is_401_and_a_wrong_role_is_403(api: Api) -> None:
    problem = _problem(api.client.post("/api/v1/programs", json=programme()), 401)
    assert "Authorization: Bearer" in problem["detail"]
    _problem(api.client.get("/api/v1/programs",
                            headers={"Authorization": "Bearer clt_forged"}), 401)
    forbidden = _problem(api.post("/api/v1/programs", "clerk", programme()), 403)
    assert "role 'clerk' may not do this" in forbidden["detail"]
    _problem(api.post("/api/v1/programs", "auditor", programme()), 403)


def test_malformed_json_is_400(api: Api) -> None:
    response = api.client.post("/api/v1/programs", data="{not json",
                               headers=api.auth("admin", **{"Content-Type": "application/json"}))
    assert _problem(response, 400)["rule"] == "malformed-json"


def test_a_replayed_idempotency_key_returns_the_first_answer_and_records_nothing(
    api: Api,
) -> None:
    _open(api)
    body = enrolment()
    first = api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "enrol-1"})
    size = _log_size(api)
    second = api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "enrol-1"})
    assert second.status_code == first.status_code == 201
    assert second.json == first.json
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _log_size(api) == size
    other = _problem(api.post("/api/v1/members", "clerk", enrolment(seed=8),
                              **{"Idempotency-Key": "enrol-1"}), 409)
    assert other["rule"] == "idempotency-key-reused"


def test_a_refusal_is_replayed_too(api: Api) -> None:
    _open(api)
    bad = enrolment(decile=9)
    first = api.post("/api/v1/members", "clerk", bad, **{"Idempotency-Key": "k"})
    second = api.post("/api/v1/members", "clerk", bad, **{"Idempotency-Key": "k"})
    assert first.status_code == second.status_code == 422
    assert first.json == second.json


def test_idempotency_keys_hold_across_processes(api: Api) -> None:
    from api.app import create_app

    _open(api)
    body = enrolment()
    first = api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "restart"})
    ledger = api.app.extensions["claims_ledger"]
    restarted = create_app(ledger.settings)
    try:
        again = restarted.test_client().post(
            "/api/v1/members", json=body, headers=api.auth("clerk", **{"Idempotency-Key":
                                                                       "restart"}))
        assert again.status_code == 201 and again.json == first.json
    finally:
        restarted.extensions["claims_ledger"].close()


def test_a_stale_if_match_is_412_and_changes_nothing(api: Api) -> None:
    _open(api)
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    path = f"/api/v1/members/{member['id']}/kpj"
    assert api.post(path, "clerk", {"kpj": "25012345678"}, **{"If-Match": '"1"'}).json[
        "version"] == 2
    stale = _problem(api.post(path, "clerk", {"kpj": "25099999999"}, **{"If-Match": '"1"'}),
                     412)
    assert stale["rule"] == "stale-version" and "version 2, not 1" in stale["detail"]
    assert api.get(f"/api/v1/members/{member['id']}").json["kpj"] == "25012345678"
    _problem(api.post(path, "clerk", {"kpj": "25012345678"}, **{"If-Match": "abc"}), 400)


def _filed_jkm_claim(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """A member paid for September who died on 2 September, and the heir's JKM claim."""
    _open(api)
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "S", "paid_on": "2025-03-25", "months": ["2025-09"],
        "member_ids": [member["id"]], "amount": 16_800})
    death = api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": "death", "occurred_on": "2025-09-02",
        "place": "Periuk", "work_related": False}).json
    claim = api.post("/api/v1/claims", "clerk", {
        "incident_id": death["id"], "benefit": "jkm_death", "claimant": claimant(),
        "filed_on": "2025-09-10"}).json
    return member, claim


def test_two_racing_approvals_give_one_200_and_never_two_approvals(api: Api) -> None:
    member, claim = _filed_jkm_claim(api)
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def approve(role: str) -> None:
        client = api.app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/claims/{claim['id']}/approve",
                               json={"approved_on": "2025-09-11"},
                               headers=api.auth(role, **{"If-Match": '"1"'}))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=approve, args=(r,)) for r in ("approver", "approver2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses)[0] == 200 and sorted(statuses)[1] in (409, 412)
    events = api.post("/api/v1/members/history", "auditor",
                      {"nik": member["nik"]}).json["events"]
    assert [e["type"] for e in events].count("Claim.Approved") == 1


def test_the_clerk_who_filed_cannot_approve_even_as_an_approver(api: Api) -> None:
    _, claim = _filed_jkm_claim(api)
    made = api.post("/api/v1/tokens", "admin", {"name": "clerk.one", "role": "approver"}).json
    response = api.client.post(f"/api/v1/claims/{claim['id']}/approve",
                               json={"approved_on": "2025-09-11"},
                               headers={"Authorization": f"Bearer {made['token']}"})
    assert _problem(response, 422)["rule"] == "four-eyes"
