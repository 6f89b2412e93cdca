"""Erasure over HTTP (``POST /api/v1/people/erase``) and from the command line: admin only, the
NIK in the body and never echoed in full, refusals with every reason, on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cli_run import run_cli
from http_client import Api

from api.app import create_app
from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from ledger.reads import log_head
from scenario import APPROVER, CLERK, covered_member, heir, tangerang_terms
from storage.settings import StoreSettings

ROUTE = "/api/v1/people/erase"
BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/014"
REASON = "the member's heirs asked for it"


def _ledger(api: Api) -> Ledger:
    ledger: Ledger = api.app.extensions["claims_ledger"]
    return ledger


def _member_with_open_claim(ledger: Ledger) -> str:
    """A member who died and whose JKM claim is filed, not decided (kept 10 years too)."""
    ledger.open_programme(tangerang_terms(), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2),
                                      "Periuk", "died", work_related=False, actor=CLERK)
    ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), actor=CLERK)
    return member.nik


@pytest.mark.parametrize("role", ["clerk", "approver", "finance", "auditor"])
def test_only_an_admin_may_erase_over_http(api: Api, role: str) -> None:
    nik = _member_with_open_claim(_ledger(api))
    answer = api.post(ROUTE, role, {"nik": nik, "basis": BASIS, "reason": REASON})
    assert answer.status_code == 403
    assert nik not in answer.get_data(as_text=True)


def test_a_refusal_over_http_is_409_with_every_reason_and_no_full_nik(api: Api) -> None:
    ledger = _ledger(api)
    nik = _member_with_open_claim(ledger)
    before = log_head(ledger)
    answer = api.post(ROUTE, "admin", {"nik": nik, "basis": BASIS, "reason": REASON})
    assert answer.status_code == 409
    problem = answer.get_json()
    assert problem["rule"] == "erasure-refused"
    assert [reason["rule"] for reason in problem["reasons"]] == [
        "erasure-open-claim", "erasure-retention-period"]
    assert "filed and not decided" in problem["reasons"][0]["detail"]
    assert nik not in answer.get_data(as_text=True)
    assert log_head(ledger) == before


def test_a_basis_holding_a_nik_is_422_and_the_nik_is_not_echoed(api: Api) -> None:
    nik = _member_with_open_claim(_ledger(api))
    answer = api.post(ROUTE, "admin", {"nik": nik, "basis": f"request of {nik}",
                                       "reason": REASON})
    assert answer.status_code == 422
    assert answer.get_json()["rule"] == "invalid-input"
    assert nik not in answer.get_data(as_text=True)


def test_the_nik_is_never_taken_from_the_url(api: Api) -> None:
    answer = api.post(f"{ROUTE}?nik=3671084803900001", "admin",
                      {"basis": BASIS, "reason": REASON})
    assert answer.status_code == 400  # a query on this route is refused, the body's nik needed
    assert "3671084803900001" not in answer.get_data(as_text=True)


def _token(settings: StoreSettings, role: str) -> str:
    app = create_app(settings)
    ledger = app.extensions["claims_ledger"]
    try:
        return str(ledger.issue_token(f"{role}.cli", role, actor="test")[0])
    finally:
        ledger.close()


def _with_open_claim(settings: StoreSettings) -> str:
    app = create_app(settings)
    ledger = app.extensions["claims_ledger"]
    try:
        return _member_with_open_claim(ledger)
    finally:
        ledger.close()


def test_the_command_refuses_a_token_that_is_not_an_admins(store_settings: StoreSettings,
                                                           tmp_path: Path) -> None:
    nik = _with_open_claim(store_settings)
    clerk = _token(store_settings, "clerk")
    done = run_cli("erase", "--nik", nik, "--basis", BASIS, "--reason", REASON, "--token", clerk,
                   url=store_settings.url, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "only an admin may erase a person's data (nothing was done)" in done.stderr
    assert nik not in done.stdout + done.stderr


def test_the_command_refuses_an_unknown_token(store_settings: StoreSettings,
                                              tmp_path: Path) -> None:
    nik = _with_open_claim(store_settings)
    done = run_cli("erase", "--nik", nik, "--basis", BASIS, "--reason", REASON,
                   "--token", "not-a-token", url=store_settings.url, cwd=tmp_path)
    assert done.returncode == 2
    assert "this token is not known to the ledger" in done.stderr


def test_the_command_names_every_reason_the_data_is_still_needed(store_settings: StoreSettings,
                                                                 tmp_path: Path) -> None:
    nik = _with_open_claim(store_settings)
    admin = _token(store_settings, "admin")
    done = run_cli("erase", "--nik", nik, "--basis", BASIS, "--reason", REASON, "--token", admin,
                   url=store_settings.url, cwd=tmp_path, extra_env={"LEDGER_LOG_FORMAT": "json"})
    assert done.returncode == 2, done.stderr
    assert "the person's data is still needed, nothing was erased:" in done.stderr
    assert '"token":"(hidden)"' in done.stderr and admin not in done.stderr  # its log line
    assert "[erasure-open-claim]" in done.stderr and "[erasure-retention-period]" in done.stderr
    assert nik not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_an_approver_does_not_erase_either(api: Api) -> None:
    nik = _member_with_open_claim(_ledger(api))
    assert api.post(ROUTE, "approver", {"nik": nik, "basis": BASIS,
                                        "reason": REASON}).status_code == 403
    assert APPROVER  # the four-eyes roles are no admin


def test_an_erasure_over_http_answers_its_report_and_twice_is_409(api: Api) -> None:
    ledger = _ledger(api)
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2),
                                      "Periuk", "died", work_related=False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 13), actor="finance.rina")
    answer = api.post(ROUTE, "admin", {"nik": member.nik, "basis": BASIS, "reason": REASON})
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    assert report["person_id"] == member.person_id and report["data_key_destroyed"]
    assert report["nik"] == member.nik[:4] + "********" + member.nik[-4:]
    assert report["unreadable_events"]["Enrolment.Enrolled"] == 1
    assert member.nik not in answer.get_data(as_text=True)
    read = api.get(f"/api/v1/members/{member.id}", "clerk")
    assert read.status_code == 200, read.get_json()
    shown = read.get_json()
    assert (shown["nik"], shown["name"], shown["sex"], shown["birth_date"]) == (
        "[dihapus]", "[dihapus]", None, None)
    assert shown["decile"] == member.decile
    history = api.get(f"/api/v1/history?claim={claim.id}", "auditor")
    assert history.status_code == 200 and member.nik not in history.get_data(as_text=True)
    again = api.post(ROUTE, "admin", {"person_id": report["person_id"], "basis": BASIS,
                                      "reason": REASON})
    assert again.status_code == 409 and again.get_json()["rule"] == "already-erased"
    assert "already erased on" in again.get_json()["detail"]
    by_nik = api.post(ROUTE, "admin", {"nik": member.nik, "basis": BASIS, "reason": REASON})
    assert by_nik.status_code == 404
    both = api.post(ROUTE, "admin", {"nik": member.nik, "person_id": report["person_id"],
                                     "basis": BASIS, "reason": REASON})
    assert both.status_code == 422
