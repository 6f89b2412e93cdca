"""The API's contract: the role is checked before the body, the OpenAPI document declares what
is served (problem details, parameter rules, the NIK's pattern), 405 says what is allowed,
and a position the projections have not reached is told as such."""

from __future__ import annotations

import re
from typing import Any

from http_bodies import enrolment, programme
from http_client import Api

from api.auth import roles_of
from ledger.token import ROLES

PROBLEM = "application/problem+json"
WRITES = ("post", "put", "patch", "delete")
SAMPLE_PATH_VALUES = {"uuid": "8f2b2c4e-0000-4000-8000-000000000000", "integer": "1"}


def _document(api: Api) -> dict[str, Any]:
    document: dict[str, Any] = api.client.get("/api/v1/openapi.json").json
    return document


def _write_operations(api: Api) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """(concrete path, method, roles the app allows) for every write in the document."""
    views = {}
    for rule in api.app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        views[path] = api.app.view_functions[rule.endpoint]
    found = []
    for path, item in _document(api)["paths"].items():
        for method, operation in item.items():
            if method not in WRITES:
                continue
            concrete = path
            for parameter in item.get("parameters", []) + operation.get("parameters", []):
                if parameter["in"] == "path":
                    schema = parameter["schema"]
                    value = SAMPLE_PATH_VALUES.get(schema.get("format") or schema.get("type"),
                                                   "TNG-2025")
                    concrete = concrete.replace("{" + parameter["name"] + "}", value)
            found.append((concrete, method, roles_of(views[path], method.upper())))
    return found


def test_every_write_route_refuses_a_role_that_may_not_write_it_before_reading_the_body(
    api: Api,
) -> None:
    writes = _write_operations(api)
    assert len(writes) >= 20
    checked = 0
    for path, method, allowed in writes:
        assert allowed, f"{method.upper()} {path} declares no roles"
        for role in (r for r in ROLES if r not in allowed):
            response = api.client.open(path, method=method.upper(), json={},
                                       headers=api.auth(role))
            assert response.status_code == 403, (
                f"{role} {method.upper()} {path}: {response.status_code} {response.json}")
            assert response.content_type == PROBLEM
            assert f"role '{role}' may not do this" in response.json["detail"]
            checked += 1
    assert checked >= 70


def test_a_clerk_sending_an_empty_programme_is_told_403_not_which_fields_are_missing(
    api: Api,
) -> None:
    empty = api.post("/api/v1/programs", "clerk", {})
    valid = api.post("/api/v1/programs", "clerk", programme())
    assert empty.status_code == valid.status_code == 403
    assert "errors" not in empty.json


def test_every_write_route_asks_for_a_token_before_reading_the_body(api: Api) -> None:
    for path, method, _ in _write_operations(api):
        response = api.client.open(path, method=method.upper(), json={})
        assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_kept_idempotent_answer_is_not_replayed_to_a_role_that_may_not_write(
    api: Api,
) -> None:
    key = {"Idempotency-Key": "enrol-once"}
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    assert api.post("/api/v1/members", "clerk", enrolment(), **key).status_code == 201
    ledger = api.app.extensions["claims_ledger"]
    ledger.revoke_token(ledger.find_token("clerk.one").id, "left", actor="admin.one")
    replay = api.post("/api/v1/members", "clerk", enrolment(), **key)
    assert replay.status_code == 401 and replay.json["rule"] == "token-revoked"
    assert "Idempotent-Replayed" not in replay.headers


def test_every_error_response_in_the_document_is_problem_details_as_served(api: Api) -> None:
    document = _document(api)
    components = document["components"]["responses"]
    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", *WRITES):
                continue
            operations += 1
            errors = {code: response for code, response in operation["responses"].items()
                      if code == "default" or int(code) >= 400}
            assert "default" in errors and ("401" in errors or "security" not in operation), \
                f"{method} {path}"
            for code, response in errors.items():
                resolved = components[response["$ref"].rsplit("/", 1)[-1]] \
                    if "$ref" in response else response
                assert list(resolved["content"]) == [PROBLEM], f"{method} {path} {code}"
                assert resolved["content"][PROBLEM]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}
    assert operations >= 50
    # And what is served for an error is that media type.
    served = api.client.get("/api/v1/programs")
    assert served.status_code == 401 and served.content_type == PROBLEM


def test_a_wrong_method_is_405_with_the_methods_allowed(api: Api) -> None:
    response = api.client.delete("/api/v1/programs", headers=api.auth("admin"))
    assert response.status_code == 405 and response.content_type == PROBLEM
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    approve = api.client.get(f"/api/v1/claims/{SAMPLE_PATH_VALUES['uuid']}/approve",
                             headers=api.auth("approver"))
    assert approve.status_code == 405 and "POST" in approve.headers["Allow"]
    assert "GET" not in approve.headers["Allow"].split(", ")


def test_a_position_beyond_the_log_is_told_as_not_reached_with_retry_after(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    response = api.get("/api/v1/coverage", query_string={"min_position": 10**9})
    assert response.status_code == 503 and response.content_type == PROBLEM
    problem = response.json
    assert problem["rule"] == "projections-behind"
    assert problem["title"] == "The projections have not reached that position yet"
    assert "database" not in problem["title"].lower()
    reached = int(response.headers["X-Projection-Position"])
    assert f"have not reached position {10**9} yet: they are at position {reached}" \
        in problem["detail"]
    assert "the log itself ends at position" in problem["detail"]
    assert int(response.headers["Retry-After"]) >= 1


def test_the_projection_reads_declare_their_503_with_retry_after(api: Api) -> None:
    document = _document(api)
    service = document["components"]["responses"]["SERVICE_UNAVAILABLE"]
    assert "Retry-After" in service["headers"]
    for path in ("/api/v1/coverage", "/api/v1/balances", "/api/v1/findings"):
        responses = document["paths"][path]["get"]["responses"]
        assert responses["503"] == {"$ref": "#/components/responses/SERVICE_UNAVAILABLE"}


def test_coverage_known_at_without_a_date_is_422_naming_it(api: Api) -> None:
    dated = api.post("/api/v1/coverage/lookup", "auditor",
                     {"nik": "3671085203900001", "known_at": 3})
    assert dated.status_code == 422 and "known_at" in dated.json["errors"]
    body = _document(api)["components"]["schemas"]["CoverageLookupIn"]["properties"]
    assert "was that NIK covered on this date?" in body["on"]["description"]
    assert "needs on" in body["known_at"]["description"]


def test_history_takes_exactly_one_subject_and_one_cut_off(api: Api) -> None:
    none = api.get("/api/v1/history")
    assert none.status_code == 422 and "exactly one of" in none.json["detail"]
    assert "a NIK's history: POST /api/v1/history/lookup" in none.json["detail"]
    two = api.get("/api/v1/history", query_string={
        "program": "TNG-2025", "claim": SAMPLE_PATH_VALUES["uuid"]})
    assert two.status_code == 422 and "got claim, program" in two.json["detail"]
    both = api.get("/api/v1/history", query_string={
        "program": "TNG-2025", "position": 1, "as_of": "2025-03-24"})
    assert both.status_code == 422 and "not both" in both.json["detail"]
    parameters = _document(api)["paths"]["/api/v1/history"]["get"]["parameters"]
    for parameter in parameters:
        if parameter["name"] in ("claim", "program", "handover"):
            assert "exactly one of claim, program or handover" in parameter["description"]


def test_a_nik_in_the_body_states_its_pattern_and_a_malformed_nik_is_422(api: Api) -> None:
    body = _document(api)["components"]["schemas"]["HistoryIn"]
    pattern = body["properties"]["nik"]["pattern"]
    assert "nik" in body["required"]
    assert re.fullmatch(pattern, body["properties"]["nik"]["example"])
    short = api.post("/api/v1/members/history", "auditor", {"nik": "12345"})
    assert short.status_code == 422 and short.content_type == PROBLEM
    assert short.json["errors"] == {"nik": ["must look like 3671085203900001"]}
    no_such_day = api.post("/api/v1/members/history", "auditor", {"nik": "3671083102900001"})
    assert no_such_day.status_code == 422 and "birth date" in no_such_day.json["detail"]
    unknown = api.post("/api/v1/members/history", "auditor", {"nik": "3671085203900001"})
    assert unknown.status_code == 200 and unknown.json["events"] == []
