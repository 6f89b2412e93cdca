"""Reads from the projections over HTTP, with their position, on SQLite and PostgreSQL."""

from __future__ import annotations

from http_bodies import claimant, enrolment, programme
from http_client import Api

from projections.runner import Projector


def _scenario(api: Api) -> dict[str, str]:
    """One member paid March-July, an accident in July paid out, then the payment reversed."""
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    paid = api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-03-25",
        "months": ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07"],
        "member_ids": [member["id"]], "amount": 5 * 16_800}).json
    accident = api.post("/api/v1/incidents", "clerk", {
        "member_id": member["id"], "kind": "accident", "occurred_on": "2025-07-14",
        "place": "Jl. Daan Mogot", "work_related": True}).json
    own = {**claimant("self"), "nik": member["nik"], "heir_certificate": ""}
    claim = api.post("/api/v1/claims", "clerk", {
        "incident_id": accident["id"], "benefit": "jkk_total_disability", "claimant": own,
        "filed_on": "2025-08-01"}).json
    api.post(f"/api/v1/claims/{claim['id']}/approve", "approver", {"approved_on": "2025-08-04"})
    payout = api.post(f"/api/v1/claims/{claim['id']}/disbursements", "finance", {
        "reference": "TRF-1", "amount": 68_000_000, "paid_on": "2025-08-08"}).json
    api.post(f"/api/v1/contributions/{paid['id']}/reverse", "finance", {
        "reversed_on": "2025-09-01", "reason": "bounced"})
    return {"member": member["id"], "nik": member["nik"], "claim": claim["id"],
            "paid_at": str(payout["position"])}


def _catch_up(api: Api) -> int:
    projector = Projector(api.app.extensions["claims_ledger"])
    try:
        projector.catch_up()
        return projector.position()
    finally:
        projector.close()


def test_coverage_lists_members_and_answers_for_a_date_with_its_position(api: Api) -> None:
    ids = _scenario(api)
    position = _catch_up(api)
    listed = api.get("/api/v1/coverage", query_string={"program": "TNG-2025"})
    assert listed.status_code == 200
    assert listed.headers["X-Projection-Position"] == str(position)
    [member] = listed.json["items"]
    assert member["paid_months"] == [] and member["status"] == "active"
    now = api.post("/api/v1/coverage/lookup", "auditor", {"nik": ids["nik"], "on": "2025-07-14"})
    assert now.json["answer"]["covered"] is False
    then = api.post("/api/v1/coverage/lookup", "auditor", {
        "nik": ids["nik"], "on": "2025-07-14", "known_at": int(ids["paid_at"])}).json["answer"]
    assert then["covered"] is True and then["known_at"] == int(ids["paid_at"])


def test_claims_whose_answer_changed_since_payout_are_listed(api: Api) -> None:
    ids = _scenario(api)
    [changed] = api.get("/api/v1/coverage/changes").json["items"]
    assert changed["claim_id"] == ids["claim"]
    assert changed["covered_then"] is True and changed["covered_now"] is False


def test_balances_budget_and_stats_answer_from_the_projections(api: Api) -> None:
    _scenario(api)
    _catch_up(api)
    balances = api.get("/api/v1/balances", query_string={"program": "TNG-2025"}).json
    [claim] = balances["claims"]
    assert claim["approved"] == 68_000_000 == claim["disbursed"] and claim["outstanding"] == 0
    assert balances["totals"][0]["benefit"] == "jkk_total_disability"
    [budget] = api.get("/api/v1/budget", query_string={"program": "TNG-2025"}).json["budgets"]
    assert budget["paid"] == 84_000 == budget["reversed"] and budget["committed"] == 0
    assert budget["months"][0]["due"] == 16_800 and budget["months"][0]["paid"] == 0
    stats = api.get("/api/v1/stats").json
    assert sum(r["members"] for r in stats["members"]) == 1
    assert api.get("/api/v1/budget", query_string={"program": "NOPE"}).status_code == 404


def test_positions_and_lag_are_reported(api: Api) -> None:
    _scenario(api)
    _catch_up(api)
    answer = api.get("/api/v1/projections").json
    assert answer["lag"] == 0 and set(answer["projections"].values()) == {answer["head"]}


def test_min_position_beyond_the_projections_is_503_with_their_position(api: Api) -> None:
    _scenario(api)
    _catch_up(api)
    api.app.config["PROJECTION_WAIT_SECONDS"] = 0.2
    response = api.get("/api/v1/coverage", query_string={"min_position": 10**9})
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert int(response.headers["X-Projection-Position"]) > 0


def test_min_position_reached_reads_your_writes(api: Api) -> None:
    ids = _scenario(api)
    _catch_up(api)
    written = api.post(f"/api/v1/members/{ids['member']}/kpj", "clerk",
                       {"kpj": "25012345678"}).json
    if api.app.extensions["claims_ledger"].settings.is_postgres:
        _catch_up(api)  # the worker's job on PostgreSQL
    read = api.get("/api/v1/coverage", query_string={"min_position": written["position"]})
    assert read.status_code == 200 and read.json["items"][0]["kpj"] == "****5678"  # masked


def test_history_as_recorded_at_a_position_and_on_a_day(api: Api) -> None:
    ids = _scenario(api)
    everything = api.post("/api/v1/history/lookup", "auditor", {"nik": ids["nik"]}).json
    types = [e["type"] for e in everything["events"]]
    assert types[0] == "Person.Registered" and "Claim.Disbursed" in types
    until_payout = api.get("/api/v1/history", query_string={
        "claim": ids["claim"], "position": ids["paid_at"]}).json
    assert [e["type"] for e in until_payout["events"]][-1] == "Claim.Disbursed"
    [claim_then] = [s for s in until_payout["state"] if s["id"] == ids["claim"]]
    assert claim_then["disbursed"] == 68_000_000 and claim_then["status"] == "approved"
    at_filing = api.get("/api/v1/history", query_string={
        "claim": ids["claim"], "position": int(ids["paid_at"]) - 2}).json
    assert [s["status"] for s in at_filing["state"] if s["id"] == ids["claim"]] == ["filed"]
    before = api.get("/api/v1/history", query_string={"program": "TNG-2025",
                                                      "as_of": "2020-01-01"}).json
    assert before["events"] == [] and before["cut_off"] == 0
    assert api.get("/api/v1/history").status_code == 422


def test_history_says_which_time_it_cuts_at_and_when_the_ledger_knew_nothing_yet(
    api: Api,
) -> None:
    ids = _scenario(api)
    everything = api.post("/api/v1/history/lookup", "auditor", {"nik": ids["nik"]}).json
    first = everything["first_recorded_on"]  # the scenario is recorded now, on the real clock
    assert everything["time"] == "recorded"
    on_that_day = api.post("/api/v1/history/lookup", "auditor",
                           {"nik": ids["nik"], "as_of": first}).json
    assert on_that_day["known"].startswith(f"as the ledger knew it on {first}: everything "
                                           "recorded by the end of that day (WIB)")
    before = api.get("/api/v1/history", query_string={"program": "TNG-2025",
                                                      "as_of": "2020-01-01"}).json
    assert before["known"] == (
        "nothing was recorded by the end of 2020-01-01 (WIB), so the ledger knew nothing yet "
        f"as of that day: its first event was recorded on {first}")
    effective = api.get("/api/v1/history", query_string={"program": "TNG-2025",
                                                         "covered_on": first}).json
    assert effective["time"] == "effective"
    assert effective["known"].startswith(f"as covered on {first}: what had taken effect")
    assert api.get("/api/v1/history", query_string={
        "program": "TNG-2025", "covered_on": first, "as_of": first}).status_code == 422
