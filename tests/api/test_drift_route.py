"""GET /findings/drift: the decided claims whose amount would differ under the rule set in force
on a day, over HTTP on SQLite and PostgreSQL, with the ledger opened on the test set's book
(LEDGER_RULE_BOOK=with-test-set)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from http_bodies import claimant, enrolment, programme
from http_client import Api

from ledger.benefits import CURRENT_RULES_VERSION
from ledger.rule_sets import TEST_RULE_SET
from ledger.token import FEED_ROLE, ROLES
from projections.runner import Projector

DRIFT = "/api/v1/findings/drift"
TEST_SET = TEST_RULE_SET.version


@pytest.fixture(autouse=True)
def with_test_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app of each test is opened after this: its ledger knows the test set."""
    monkeypatch.setenv("LEDGER_RULE_BOOK", "with-test-set")


def _decided(api: Api, seed: int, kind: str, on: str, benefit: str, *, work_related: bool,
             months: int | None = None) -> str:
    """A TNG-2025 member (wage band Rp1.000.000) paid March-December 2025, an incident on
    ``on`` and a claim filed and approved over HTTP."""
    if api.get("/api/v1/programs/TNG-2025").status_code == 404:
        assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment(seed)).json
    assert api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": f"SP2D/{seed}", "paid_on": "2025-03-25",
        "months": [f"2025-{m:02d}" for m in range(3, 13)], "member_ids": [member["id"]],
        "amount": 10 * 16_800}).status_code == 201
    incident = api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": kind, "occurred_on": on, "place": "Periuk",
        "work_related": work_related}).json
    body: dict[str, Any] = {"incident_id": incident["id"], "benefit": benefit,
                            "claimant": claimant(), "filed_on": "2025-09-01"}
    if months is not None:
        body["incapacity_months"] = months
        body["claimant"] = claimant("self") | {"nik": member["nik"]}
    claim = api.post("/api/v1/claims", "clerk", body)
    assert claim.status_code == 201, claim.json
    assert api.post(f"/api/v1/claims/{claim.json['id']}/approve", "approver",
                    {"approved_on": "2025-09-02"}).status_code == 200
    return str(claim.json["id"])


@pytest.fixture
def claims(api: Api) -> dict[str, str]:
    recorded = {
        "jkm": _decided(api, 21, "death", "2025-08-20", "jkm_death", work_related=False),
        "stmb": _decided(api, 22, "accident", "2025-06-02", "jkk_temporary_incapacity",
                         work_related=True, months=3),
    }
    projector = Projector(api.app.extensions["claims_ledger"])  # no worker here (PostgreSQL)
    try:
        projector.catch_up()
    finally:
        projector.close()
    return recorded


def test_a_jkm_claim_decided_under_the_current_set_is_listed_with_both_figures(
        api: Api, claims: dict[str, str]) -> None:
    answer = api.get(DRIFT, query_string={"on": "2026-07-01"})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["on"], body["rule_version"], body["for_tests"]) == ("2026-07-01", TEST_SET,
                                                                     True)
    assert (body["decided"], body["total"], body["total_difference"]) == (2, 1, 5_000_000)
    [item] = body["items"]
    assert item | {"position": 0} == {
        "claim_id": claims["jkm"], "programme": "TNG-2025", "benefit": "jkm_death",
        "decided_amount": 42_000_000, "decided_version": CURRENT_RULES_VERSION,
        "recomputed_amount": 47_000_000, "recomputed_version": TEST_SET,
        "difference": 5_000_000, "position": 0}
    assert 0 < item["position"] <= body["position"]
    assert body["not_recomputed"] == [] and body["next"] is None
    assert re.search(r"\d{16}", json.dumps(body)) is None  # a claim id, never a NIK


def test_three_months_of_stmb_that_would_not_change_are_not_listed(
        api: Api, claims: dict[str, str]) -> None:
    body = api.get(DRIFT, query_string={"on": "2026-07-01"}).json
    assert claims["stmb"] not in [item["claim_id"] for item in body["items"]]


def test_the_day_before_the_test_set_nothing_drifts(api: Api, claims: dict[str, str]) -> None:
    body = api.get(DRIFT, query_string={"on": "2026-06-30"}).json
    assert (body["rule_version"], body["for_tests"], body["items"]) == (
        CURRENT_RULES_VERSION, False, [])


def test_without_a_day_the_rule_set_in_force_today_is_used(
        api: Api, claims: dict[str, str]) -> None:
    from datetime import datetime

    from ledger.clock import WIB
    from ledger.rule_sets import rule_book_with_test_set

    body = api.get(DRIFT).json
    today = datetime.now(WIB).date()
    assert body["on"] == today.isoformat()
    assert body["rule_version"] == rule_book_with_test_set().in_force(today).version


@pytest.mark.parametrize(("on", "words"), [
    ("2026-13-01", "write the day as YYYY-MM-DD, e.g. 2026-07-01"),
    ("1 Juli 2026", "write the day as YYYY-MM-DD, e.g. 2026-07-01"),
])
def test_a_malformed_day_is_refused_in_words(api: Api, on: str, words: str) -> None:
    answer = api.get(DRIFT, query_string={"on": on})
    assert answer.status_code == 422
    assert answer.json["errors"]["on"] == [words]


def test_a_day_before_any_rule_set_is_refused_naming_the_first_one(api: Api) -> None:
    answer = api.get(DRIFT, query_string={"on": "2019-12-01"})
    assert answer.status_code == 422 and answer.json["rule"] == "no-rule-set-in-force"
    assert answer.json["detail"].startswith(
        "no benefit rule set is in force on 2019-12-01: the first, 'PP82-2019/PP44-2015 v1'")
    assert answer.json["detail"].endswith("starts on 2019-12-02")


def test_every_role_may_read_drift_as_findings_and_no_token_is_refused_as_there(
        api: Api) -> None:
    for role in ROLES:
        allowed = 403 if role == FEED_ROLE else 200  # the audit board's feed reads only the feed
        assert api.get(DRIFT, role).status_code == api.get("/api/v1/findings", role).status_code \
            == allowed, role
    for path in (DRIFT, "/api/v1/findings"):
        answer = api.client.get(path)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith(
            "Bearer")
        wrong = api.client.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert wrong.status_code == 401


def test_the_openapi_document_describes_the_drift_route_and_its_answer(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/findings/drift"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"on", "program", "offset", "limit"}
    schema = document["components"]["schemas"]["DriftedClaimOut"]
    assert set(schema["required"]) == {
        "claim_id", "programme", "benefit", "decided_amount", "decided_version",
        "recomputed_amount", "recomputed_version", "difference", "position"}
