"""Health, readiness and metrics over HTTP, and the JSON logs a whole scenario leaves behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from http_bodies import claimant, enrolment, programme
from psycopg import sql

from api.app import create_app
from api.health import MAX_LAG_KEY
from ledger.application import Ledger
from projections.db import Namespace
from projections.runner import Projector
from storage.settings import StoreSettings


@pytest.fixture
def service(store_settings: StoreSettings) -> Iterator[tuple[Flask, FlaskClient, dict[str, str]]]:
    app = create_app(store_settings)
    ledger: Ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0]
              for role in ("admin", "clerk", "approver", "finance", "auditor")}
    yield app, app.test_client(), tokens
    ledger.close()


def _as(tokens: dict[str, str], role: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}", **headers}


def _json_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def test_healthz_answers_without_a_token(service: Any) -> None:
    _, client, _ = service
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_the_projections_have_caught_up(service: Any) -> None:
    app, client, tokens = service
    ledger: Ledger = app.extensions["claims_ledger"]
    assert client.post("/api/v1/programs", json=programme(),
                       headers=_as(tokens, "admin")).status_code == 201
    projector = Projector(ledger)
    try:
        projector.catch_up()  # what 'project --follow' does on PostgreSQL
    finally:
        projector.close()
    answer = client.get("/readyz")
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["lag_events"] == 0 and body["head"] == body["position"] > 0
    assert set(body["projections"]) >= {"coverage", "balances", "budget", "journal"}


@pytest.mark.postgres
def test_readyz_is_503_with_a_reason_while_the_projections_lag(
        postgres_settings: StoreSettings) -> None:
    app = create_app(postgres_settings)
    ledger: Ledger = app.extensions["claims_ledger"]
    try:
        Projector(ledger).close()  # tables built, nothing applied
        ledger.issue_token("clerk.one", "clerk", actor="test")
        app.config[MAX_LAG_KEY] = 0.0  # no worker runs here: any unapplied event is too old
        answer = app.test_client().get("/readyz")
        body = answer.get_json()
        assert answer.status_code == 503, body
        assert body["status"] == "not ready" and body["lag_events"] >= 1
        assert "behind the log" in body["reason"] and "project --follow" in body["reason"]
    finally:
        ledger.close()


@pytest.mark.postgres
def test_readyz_says_when_the_projections_were_never_built(
        postgres_settings: StoreSettings) -> None:
    app = create_app(postgres_settings)
    ledger: Ledger = app.extensions["claims_ledger"]
    try:
        schema = Namespace(postgres_settings).schema
        with psycopg.connect(postgres_settings.url.split("?")[0], autocommit=True) as raw:
            raw.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        assert "have not been built yet" in answer.get_json()["reason"]
    finally:
        ledger.close()


def _samples(text: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


def test_metrics_say_events_recorded_and_each_projection_position_and_lag(service: Any) -> None:
    app, client, tokens = service
    ledger: Ledger = app.extensions["claims_ledger"]
    assert client.post("/api/v1/programs", json=programme(),
                       headers=_as(tokens, "admin")).status_code == 201
    Projector(ledger).close()  # the projection tables exist (the worker makes them at start)
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    text = answer.get_data(as_text=True)
    assert "# TYPE claims_ledger_events_recorded_total counter" in text
    samples = _samples(text)
    head = int(ledger.recorder.max_notification_id() or 0)
    assert samples["claims_ledger_up"] == 1
    assert samples["claims_ledger_events_recorded_total"] == head == 6  # 5 tokens, 1 programme
    assert samples["claims_ledger_log_head_position"] == head
    coverage = samples['claims_ledger_projection_position{projection="coverage"}']
    lag = samples['claims_ledger_projection_lag_events{projection="coverage"}']
    assert coverage + lag == head
    if ledger.settings.is_postgres:  # no worker ran: nothing applied yet
        assert (coverage, lag) == (0, head)
        assert samples["claims_ledger_projection_lag_seconds"] > 0
    else:  # embedded: the API keeps its projections itself
        assert (coverage, lag) == (head, 0)
        assert samples["claims_ledger_projection_lag_seconds"] == 0


def test_a_request_is_logged_as_json_with_its_request_id_and_actor(
        service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, client, tokens = service
    capsys.readouterr()
    answer = client.get("/api/v1/programs", headers=_as(tokens, "auditor",
                                                        **{"X-Request-Id": "trace-42"}))
    assert answer.headers["X-Request-Id"] == "trace-42"
    made = client.get("/api/v1/programs", headers={"X-Request-Id": "bad id; DROP <script>"})
    # A made id is a hyphenated UUID: never a run of digits the mask would hide in the log.
    assert made.status_code == 401 and str(uuid.UUID(made.headers["X-Request-Id"])) == \
        made.headers["X-Request-Id"]
    lines = [r for r in _json_lines(capsys.readouterr().err) if r.get("event") == "request"]
    assert {r["request_id"] for r in lines} == {"trace-42", made.headers["X-Request-Id"]}
    [first] = [r for r in lines if r["request_id"] == "trace-42"]
    assert first["method"] == "GET" and first["path"] == "/api/v1/programs"
    assert first["status"] == 200 and first["actor"] == "auditor.one"
    assert first["role"] == "auditor" and first["duration_ms"] >= 0


def test_a_whole_scenario_over_http_logs_no_unmasked_nik_and_no_name(
        service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, client, tokens = service
    capsys.readouterr()
    member_body = enrolment(21)
    nik, name = member_body["nik"], member_body["name"]
    assert client.post("/api/v1/programs", json=programme(),
                       headers=_as(tokens, "admin")).status_code == 201
    member = client.post("/api/v1/members", json=member_body, headers=_as(tokens, "clerk"))
    assert member.status_code == 201, member.get_json()
    member_id = member.get_json()["id"]
    twice = client.post("/api/v1/members", json=member_body, headers=_as(tokens, "clerk"))
    assert twice.status_code == 409 and nik[-4:] in twice.get_json()["detail"]
    paid = client.post("/api/v1/contributions", headers=_as(tokens, "finance"), json={
        "program": "TNG-2025", "sp2d": "SP2D/21", "paid_on": "2025-09-10",
        "months": ["2025-09", "2025-10"], "member_ids": [member_id], "amount": 2 * 16_800})
    assert paid.status_code == 201, paid.get_json()
    death = client.post("/api/v1/incidents", headers=_as(tokens, "clerk"), json={
        "member_id": member_id, "kind": "death", "occurred_on": "2025-09-20",
        "place": "Kecamatan Periuk", "work_related": False})
    assert death.status_code == 201, death.get_json()
    claim = client.post("/api/v1/claims", headers=_as(tokens, "clerk"), json={
        "incident_id": death.get_json()["id"], "benefit": "jkm_death",
        "claimant": claimant(), "filed_on": "2025-10-01"})
    assert claim.status_code == 201, claim.get_json()
    for path, body in (("/api/v1/members/history", {"nik": nik}),
                       ("/api/v1/coverage/lookup", {"nik": nik}),
                       ("/api/v1/coverage/lookup", {"nik": nik, "on": "2025-09-20"}),
                       ("/api/v1/history/lookup", {"nik": nik})):
        asked = client.post(path, json=body, headers=_as(tokens, "auditor"))
        assert asked.status_code == 200, path
    # A client still sending the NIK in the path is refused, and the path logged masked.
    old = client.get(f"/api/v1/members/by-nik/{nik}/history", headers=_as(tokens, "auditor"))
    assert old.status_code == 400 and "POST /api/v1/members/history" in old.get_json()["detail"]

    logged = capsys.readouterr().err
    requests = [r for r in _json_lines(logged) if r.get("event") == "request"]
    assert len(requests) >= 9
    assert f"/api/v1/members/by-nik/{nik[:4]}********{nik[-4:]}/history" in {
        r["path"] for r in requests}  # the NIK was there to leak, and was masked
    assert nik not in logged and claimant()["nik"] not in logged
    assert name not in logged and claimant()["name"] not in logged


def test_cli_commands_asked_for_json_logs_are_logged_as_json_with_the_nik_masked(
        sqlite_settings: StoreSettings, tmp_path: Path) -> None:
    nik = enrolment(21)["nik"]
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    prefix = [command] if command else [sys.executable, "-m", "api"]
    done = subprocess.run([*prefix, "history", "--nik", nik], capture_output=True, text=True,
                          env={**os.environ, "LEDGER_DATABASE_URL": sqlite_settings.url,
                               "LEDGER_LOG_FORMAT": "json"},
                          timeout=120, check=False)
    [line] = [r for r in _json_lines(done.stderr) if r.get("event") == "command"]
    assert line["command"] == "history" and line["exit_code"] == done.returncode
    assert line["params"]["nik"] == f"{nik[:4]}********{nik[-4:]}"
    assert nik not in done.stderr
