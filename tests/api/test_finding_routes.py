"""/findings, /programs/{code}/identity-checks, claim revocation and the sole-approver reason,
and the auditors' /history with inclusion proofs: over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from http_bodies import claimant, enrolment, programme
from http_client import Api

from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.merkle import verify_inclusion
from ledger.journal.verify_proof import check_inclusion
from projections.journal import Journal
from projections.runner import Projector


def _findings(api: Api, **query: Any) -> Any:
    """GET /findings once the projections have applied every write so far (no worker here)."""
    _catch_up(api)
    return api.get("/api/v1/findings", query_string=query)


def _catch_up(api: Api) -> None:
    projector = Projector(api.app.extensions["claims_ledger"])
    try:
        projector.catch_up()
    finally:
        projector.close()


def _death_paid(api: Api, seed: int = 7) -> dict[str, Any]:
    """A member paid March-December who died in August; JKM filed, approved and paid."""
    if api.get("/api/v1/programs/TNG-2025").status_code == 404:
        assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment(seed)).json
    months = [f"2025-{m:02d}" for m in range(3, 13)]
    assert api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": f"SP2D/{seed}", "paid_on": "2025-03-25",
        "months": months, "member_ids": [member["id"]], "amount": 10 * 16_800},
    ).status_code == 201
    death = api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": "death", "occurred_on": "2025-08-20",
        "place": "Periuk", "work_related": False}).json
    claim = api.post("/api/v1/claims", "clerk", {
        "incident_id": death["id"], "benefit": "jkm_death", "claimant": claimant(),
        "filed_on": "2025-08-25"}).json
    assert api.post(f"/api/v1/claims/{claim['id']}/approve", "approver",
                    {"approved_on": "2025-08-26"}).status_code == 200
    assert api.post(f"/api/v1/claims/{claim['id']}/disbursements", "finance", {
        "reference": f"TRF/{seed}", "amount": 42_000_000, "paid_on": "2025-08-28",
    }).status_code == 201
    return {"member": member, "claim": claim}


def test_findings_list_each_case_with_its_rule_positions_and_a_count_per_rule(
    api: Api,
) -> None:
    case = _death_paid(api)
    answer = _findings(api)
    assert answer.status_code == 200 and "X-Projection-Position" in answer.headers
    body = answer.json
    # paid for September-December after the August death; never sent to the register
    assert [item["rule"] for item in body["items"]] == ["paid-after-death-or-move",
                                                        "identity-not-matched"]
    stale, unmatched = body["items"]
    assert stale["flag"] == 1 and stale["severity"] == "high"
    assert stale["members"] == [case["member"]["id"]] and stale["amount"] == 4 * 16_800
    assert stale["title_id"].startswith("Iuran dibayar setelah")
    assert all(p <= body["position"] for p in stale["positions"])
    assert unmatched["flag"] == 2 and case["member"]["nik"] not in str(unmatched)
    counts = {row["rule"]: row["cases"] for row in body["summary"]}
    assert counts["paid-after-death-or-move"] == 1 and counts["approved-by-filer"] == 0
    assert body["total"] == 2 and body["next"] is None


def test_a_register_match_recorded_over_http_clears_its_finding(api: Api) -> None:
    case = _death_paid(api)
    member_id = case["member"]["id"]
    recorded = api.post("/api/v1/programs/TNG-2025/identity-checks", "clerk", {
        "reference": "Dukcapil 470/118/2025", "checked_on": "2025-04-02",
        "matched": [member_id]})
    assert recorded.status_code == 201 and recorded.json["matched"] == 1
    assert _findings(api, **{"rule": "identity-not-matched"}).json["items"] == []
    again = api.post("/api/v1/programs/TNG-2025/identity-checks", "clerk", {
        "reference": "Dukcapil 470/118/2025", "checked_on": "2025-04-02",
        "matched": [member_id]})
    assert again.status_code == 422 and again.json["rule"] == "duplicate-identity-check"
    stranger = api.post("/api/v1/programs/TNG-2025/identity-checks", "clerk", {
        "reference": "Dukcapil X", "checked_on": "2025-04-02",
        "unmatched": {"00000000-0000-0000-0000-000000000001": "tidak ditemukan"}})
    assert stranger.status_code == 422
    assert "not enrolled in programme TNG-2025" in stranger.json["detail"]
    assert api.post("/api/v1/programs/TNG-2025/identity-checks", "finance", {
        "reference": "Dukcapil Y", "checked_on": "2025-04-02", "matched": [member_id],
    }).status_code == 403


def test_findings_filter_page_and_refuse_an_unknown_rule(api: Api) -> None:
    _death_paid(api)
    first = _findings(api, **{"limit": 1}).json
    assert len(first["items"]) == 1 and first["next"] == 1 and first["total"] == 2
    rest = _findings(api, **{"limit": 1, "offset": 1}).json
    assert rest["items"][0]["rule"] == "identity-not-matched" and rest["next"] is None
    assert _findings(api, **{"severity": "high"}).json["total"] == 1
    assert _findings(api, **{"program": "KABTNG-2025"}).json["total"] == 0
    wrong = _findings(api, **{"rule": "made-up"})
    assert wrong.status_code == 422 and "rule" in wrong.json["errors"]


def test_an_approval_revoked_after_payout_shows_the_money_to_recover(api: Api) -> None:
    claim = _death_paid(api)["claim"]
    path = f"/api/v1/claims/{claim['id']}/revoke"
    body = {"reason": "surat keterangan ahli waris palsu", "revoked_on": "2025-11-03"}
    assert api.post(path, "clerk", body).status_code == 403
    assert api.post(path, "approver", {**body, "reason": ""}).status_code == 422
    revoked = api.post(path, "approver2", body)
    assert revoked.status_code == 200
    assert revoked.json["status"] == "revoked" and revoked.json["outstanding"] == -42_000_000
    assert api.post(path, "approver2", body).json["rule"] == "claim-state"
    [finding] = _findings(api, **{"rule": "payout-above-approval"}).json["items"]
    assert finding["claims"] == [claim["id"]] and finding["amount"] == 42_000_000


def test_one_officer_in_both_roles_approves_alone_only_with_a_reason(api: Api) -> None:
    ledger = api.app.extensions["claims_ledger"]
    api.tokens["kasi.clerk"] = ledger.issue_token("kasi.jamsos", "clerk", actor="test")[0]
    api.tokens["kasi.approver"] = ledger.issue_token("kasi.jamsos", "approver", actor="test")[0]
    case = _death_paid(api)
    member = api.post("/api/v1/members", "clerk", enrolment(seed=9)).json
    api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/9", "paid_on": "2025-03-25",
        "months": ["2025-09"], "member_ids": [member["id"]], "amount": 16_800})
    death = api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": "death", "occurred_on": "2025-09-10",
        "place": "Periuk", "work_related": False}).json
    claim = api.post("/api/v1/claims", "kasi.clerk", {
        "incident_id": death["id"], "benefit": "jkm_death", "claimant": claimant(),
        "filed_on": "2025-09-15"}).json
    path = f"/api/v1/claims/{claim['id']}/approve"
    alone = api.post(path, "kasi.approver", {"approved_on": "2025-09-16"})
    assert alone.status_code == 422 and alone.json["rule"] == "four-eyes"
    approved = api.post(path, "kasi.approver", {
        "approved_on": "2025-09-16",
        "sole_approver_reason": "satu-satunya pejabat yang bertugas saat cuti bersama"})
    assert approved.status_code == 200
    assert approved.json["sole_approver_reason"].startswith("satu-satunya")
    [finding] = _findings(api, **{"rule": "approved-by-filer"}).json["items"]
    assert finding["claims"] == [claim["id"]] and case["claim"]["id"] not in finding["claims"]


def test_history_of_a_ceremony_gives_each_event_an_inclusion_proof_that_checks(
    api: Api,
) -> None:
    case = _death_paid(api)
    ceremony = api.post("/api/v1/handovers", "clerk", {
        "held_on": "2025-09-03", "venue": "GOR Nambo Jaya", "region": "36.71",
        "district": "36.71.08", "occasion": "Safari Pembangunan",
        "officials": [{"name": "Dessy Sriningsih", "role": "Kepala Kantor Cabang"}],
        "claim_ids": [case["claim"]["id"]]}).json
    key = new_private_key()
    ledger = api.app.extensions["claims_ledger"]
    projector = Projector(ledger)
    try:
        projector.catch_up()
        Journal(ledger, projector.connection, projector.live).checkpoint(key)
    finally:
        projector.close()
    api.post(f"/api/v1/claims/{case['claim']['id']}/revoke", "approver2",
             {"reason": "ahli waris palsu", "revoked_on": "2025-11-03"})
    _catch_up(api)
    history = api.get("/api/v1/history", query_string={"handover": ceremony["id"]}).json
    types = [e["type"] for e in history["events"]]
    assert types == ["Claim.Filed", "Claim.Approved", "Claim.Disbursed", "Handover.Held",
                     "Claim.ApprovalRevoked"]
    signed = [e["inclusion"] for e in history["events"][:-1]]
    assert all(check_inclusion(p, public_key_text(private_key(key))).ok for p in signed)
    head = history["events"][-1]["inclusion"]  # after the checkpoint: in the unsigned head
    assert head["checkpoint"] is None
    assert verify_inclusion(head["leaf_index"], head["tree_size"],
                            bytes.fromhex(head["leaf_hash"]),
                            [bytes.fromhex(h) for h in head["proof"]], bytes.fromhex(head["root"]))
    assert api.get("/api/v1/history", query_string={
        "handover": "00000000-0000-0000-0000-000000000001"}).status_code == 404
