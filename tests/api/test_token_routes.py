"""Admins issue, list and revoke tokens over HTTP; a refused token is told why (401)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from http_client import Api

PROBLEM = "application/problem+json"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_an_admin_issues_a_token_with_an_expiry_lists_it_and_revokes_it(api: Api) -> None:
    made = api.post("/api/v1/tokens", "admin",
                    {"name": "bpjs.cimone", "role": "clerk", "expires_in_days": 30})
    assert made.status_code == 201, made.json
    issued = made.json
    assert issued["token"].startswith("clt_") and issued["status"] == "active"
    life = datetime.fromisoformat(issued["expires_at"]) - datetime.fromisoformat(
        issued["issued_at"])
    assert abs(life - timedelta(days=30)) < timedelta(seconds=1)
    assert api.client.get("/api/v1/programs", headers=_bearer(issued["token"])).status_code \
        == 200

    listed = api.get("/api/v1/tokens", "admin").json["items"]
    [row] = [t for t in listed if t["id"] == issued["id"]]
    assert row["name"] == "bpjs.cimone" and row["issued_by"] == "admin.one"
    assert "token" not in row and "hashed" not in row
    assert issued["token"] not in str(listed)

    revoked = api.post(f"/api/v1/tokens/{issued['id']}/revoke", "admin",
                       {"reason": "laptop stolen"})
    assert revoked.status_code == 200, revoked.json
    assert revoked.json["status"] == "revoked" and revoked.json["revoked_by"] == "admin.one"
    refused = api.client.get("/api/v1/programs", headers=_bearer(issued["token"]))
    assert refused.status_code == 401 and refused.json["rule"] == "token-revoked"
    again = api.post(f"/api/v1/tokens/{issued['id']}/revoke", "admin", {"reason": "again"})
    assert again.status_code == 409 and again.json["rule"] == "token-already-revoked"
    only_revoked = api.client.get("/api/v1/tokens", query_string={"status": "revoked"},
                                  headers=api.auth("admin")).json["items"]
    assert [t["id"] for t in only_revoked] == [issued["id"]]


def test_a_token_valid_through_a_day_expires_at_the_midnight_after_it_in_wib(
    api: Api,
) -> None:
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    made = api.post("/api/v1/tokens", "admin",
                    {"name": "auditor.bpk", "role": "auditor", "expires_on": day.isoformat()})
    assert made.status_code == 201
    expires = datetime.fromisoformat(made.json["expires_at"])
    assert expires.astimezone(UTC).hour == 17 and expires.date() == day  # 00:00 WIB next day


def test_token_routes_refuse_bad_expiries_and_other_roles_and_record_nothing(api: Api) -> None:
    ledger = api.app.extensions["claims_ledger"]
    before = ledger.recorder.max_notification_id()
    bodies: list[dict[str, Any]] = [
        {"name": "x", "role": "clerk", "expires_in_days": 0},
        {"name": "x", "role": "clerk", "expires_in_days": 731},
        {"name": "x", "role": "clerk", "expires_on": "2020-01-01"},
        {"name": "x", "role": "clerk", "expires_in_days": 5, "expires_on": "2030-01-01"},
    ]
    for body in bodies:
        response = api.post("/api/v1/tokens", "admin", body)
        assert response.status_code == 422 and response.content_type == PROBLEM, body
    for role in ("clerk", "approver", "finance", "auditor"):
        assert api.get("/api/v1/tokens", role).status_code == 403
        assert api.post("/api/v1/tokens", role, {"name": "x", "role": "admin"}).status_code \
            == 403
    assert ledger.recorder.max_notification_id() == before


def test_a_401_says_whether_the_token_is_unknown_expired_or_revoked(api: Api) -> None:
    ledger = api.app.extensions["claims_ledger"]
    now = datetime.now(UTC)
    expiring, _ = ledger.issue_token("short.lived", "clerk", actor="test",
                                     expires_at=now + timedelta(seconds=1))
    unknown = api.client.get("/api/v1/programs", headers=_bearer("clt_never-issued"))
    assert unknown.status_code == 401 and unknown.content_type == PROBLEM
    assert unknown.json["rule"] == "token-unknown"
    assert "not known to the ledger" in unknown.json["detail"]
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]

    revoked = ledger.find_token("auditor.one")
    ledger.revoke_token(revoked.id, "moved to another office", actor="admin.one")
    told = api.client.get("/api/v1/programs", headers=api.auth("auditor")).json
    assert told["rule"] == "token-revoked" and "was revoked at" in told["detail"]

    while datetime.now(UTC) <= now + timedelta(seconds=1):  # until the expiry has passed
        time.sleep(0.1)
    expired = api.client.get("/api/v1/programs", headers=_bearer(expiring))
    assert expired.status_code == 401 and expired.json["rule"] == "token-expired"
    assert "expired at" in expired.json["detail"] and "WIB" in expired.json["detail"]
    assert "expired" in expired.headers["WWW-Authenticate"]


def test_the_event_log_shows_a_tokens_hash_shortened_only(api: Api) -> None:
    _, token = api.app.extensions["claims_ledger"].issue_token(
        "bpjs.batuceper", "clerk", actor="test")
    events = api.get("/api/v1/events", query_string={"limit": 500}).json["items"]
    [issued] = [e for e in events if e["aggregate_id"] == str(token.id)]
    assert issued["data"]["hashed"] == token.hashed[:8] + "..."
    assert token.hashed not in str(events)
