"""The API's contract: the token and role are checked before the body is read."""

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
