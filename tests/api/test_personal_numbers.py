"""No personal number (NIK, KK, KPJ card, bank account) in an API answer that does not need it
whole: every read route of the API is asked on a scenario with enrolments, a KPJ card, claims by
the member and by heirs with their accounts, a city grant for a deceased who was never enrolled
and a ceremony; only the routes on the README's list answer them whole. On SQLite and
PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

import pytest
from http_bodies import claimant, enrolment, grant_programme, programme
from http_client import Api

from ledger.identity import mask_nik
from ledger.journal.checkpoint import new_private_key
from projections.journal import Journal
from projections.runner import Projector
from scenario import a_nik

#: The routes whose answers may carry a personal number whole, and why (README, "Personal
#: numbers in answers"): the record one acts on read by its id, the enrolments of a lookup by
#: the NIK the client sent, and the events as recorded (inclusion proofs are over their bytes).
WHOLE = {
    "GET /api/v1/members/<uuid:member_id>",
    "POST /api/v1/members/lookup",
    "GET /api/v1/claims/<uuid:claim_id>",
    "GET /api/v1/events",
    "POST /api/v1/members/history",
    "GET /api/v1/history",
    "POST /api/v1/history/lookup",
    "GET /api/v1/scholarships/<uuid:scholarship_id>",  # the grant one acts on, by its id
}
#: Read routes that answer no JSON record: the API's own documents, and the PDFs (their masking
#: is the documents' own, tested with them).
NOT_SCANNED = {
    "GET /api/v1/docs", "GET /api/v1/docs/assets/<path:filename>", "GET /api/v1/redoc",
    "GET /api/v1/redoc/redoc.standalone.js", "GET /api/v1/openapi.json",
    "GET /api/v1/reports/audit", "GET /api/v1/reports/claims/<uuid:claim_id>",
    "GET /api/v1/reports/handovers/<uuid:handover_id>",
    # The audit board's feed: the events as recorded, each with its inclusion proof, for the
    # audit-feed role only; it rests on a co-signed checkpoint (tests/api/test_audit_feed_routes).
    "GET /api/v1/audit-feed", "GET /api/v1/audit-feed/<program>/<period>",
}
#: The POST routes that only read (``api/lookups.py``).
LOOKUPS = {"/api/v1/members/lookup", "/api/v1/members/history", "/api/v1/coverage/lookup",
           "/api/v1/history/lookup"}
#: Sixteen digits standing alone: a NIK or a KK (a run inside a hex hash is not one).
SIXTEEN_DIGITS = re.compile(r"(?<![0-9a-fA-F])\d{16}(?![0-9a-fA-F])")
KPJ = "25012345678"
OWN_ACCOUNT = "0098765432"
GRANT_ACCOUNT = "7001234567"


def _ok(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.json
    return dict(answer.json)


def _scenario(api: Api) -> dict[str, Any]:
    """TNG-2025 (JKK Rp10.000 + JKM Rp6.800 a month) with two members paid March-September,
    the first with its KPJ card: an accident at work in July (total disability, Rp68.000.000 at
    the Rp1.000.000 wage band, paid to the member's own account), the second dead on 2 September
    (JKM Rp42.000.000 paid to the spouse, an heir with her own NIK and account); the city's
    death grant (Rp3.000.000) for a deceased never enrolled, to a child's account; a ceremony
    showing the two paid claims."""
    _ok(api.post("/api/v1/programs", "admin", programme()))
    _ok(api.post("/api/v1/programs", "admin", grant_programme()))
    first = _ok(api.post("/api/v1/members", "clerk", enrolment(7)))
    second = _ok(api.post("/api/v1/members", "clerk", enrolment(8)))
    _ok(api.post(f"/api/v1/members/{first['id']}/kpj", "clerk", {"kpj": KPJ}), 200)
    months = ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"]
    paid = _ok(api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-03-25", "months": months,
        "member_ids": [first["id"], second["id"]], "amount": 2 * 16_800 * len(months)}))
    accident = _ok(api.post("/api/v1/incidents", "clerk", {
        "member_id": first["id"], "kind": "accident", "occurred_on": "2025-07-14",
        "place": "Jl. Daan Mogot", "work_related": True}))
    own = {**claimant("self"), "nik": first["nik"], "heir_certificate": "",
           "account_number": OWN_ACCOUNT, "account_name": first["name"]}
    jkk = _ok(api.post("/api/v1/claims", "clerk", {
        "incident_id": accident["id"], "benefit": "jkk_total_disability", "claimant": own,
        "filed_on": "2025-08-01"}))
    death = _ok(api.post("/api/v1/incidents", "clerk", {
        "member_id": second["id"], "kind": "death", "occurred_on": "2025-09-02",
        "place": "RSUD Kota Tangerang", "work_related": False}))
    spouse = claimant("spouse")
    jkm = _ok(api.post("/api/v1/claims", "clerk", {
        "incident_id": death["id"], "benefit": "jkm_death", "claimant": spouse,
        "filed_on": "2025-09-10"}))
    deceased = enrolment(11)
    child = {**claimant("child"), "account_number": GRANT_ACCOUNT}
    grant = _ok(api.post("/api/v1/claims", "clerk", {
        "benefit": "city_death_grant", "program": "TNG-SANTUNAN-2025",
        "deceased": {key: deceased[key] for key in ("nik", "name", "kk", "region", "district",
                                                    "decile", "register",
                                                    "register_snapshot")},
        "died_on": "2025-02-03", "cause": "illness", "claimant": child,
        "filed_on": "2025-02-10"}))
    for claim, amount, reference in ((jkk, 68_000_000, "TRF-1"), (jkm, 42_000_000, "TRF-2"),
                                     (grant, 3_000_000, "TRF-3")):
        _ok(api.post(f"/api/v1/claims/{claim['id']}/approve", "approver",
                     {"approved_on": "2025-09-11"}), 200)
        _ok(api.post(f"/api/v1/claims/{claim['id']}/disbursements", "finance", {
            "reference": reference, "amount": amount, "paid_on": "2025-09-12"}))
    ceremony = _ok(api.post("/api/v1/handovers", "clerk", {
        "held_on": "2025-10-03", "venue": "GOR Nambo Jaya", "region": "36.71",
        "district": "36.71.08", "occasion": "Safari Pembangunan",
        "officials": [{"name": "Dessy Sriningsih", "role": "Kepala Cabang Cimone"}],
        "claim_ids": [jkk["id"], jkm["id"]]}))
    scholar = {"name": "Putri Lestari", "nik": a_nik(43, female=True, born=date(2012, 2, 3)),
               "born_on": "2012-02-03", "level": "smp"}
    scholarship = _ok(api.post("/api/v1/scholarships", "clerk", {
        "death_claim_id": jkm["id"], "granted_on": "2025-09-15",
        "membership_began_on": "2021-01-04", "children": [scholar]}))
    _ok(api.post(f"/api/v1/incidents/{accident['id']}/reimbursements", "clerk", {
        "benefit": "jkk_medical_care", "claimant": own, "filed_on": "2025-07-25",
        "receipts": [{"reference": "RS-1", "issued_on": "2025-07-15", "amount": 1_250_000,
                      "sha256": hashlib.sha256(b"kuitansi RSUD RS-1").hexdigest()}]}))
    projector = Projector(api.app.extensions["claims_ledger"])  # the worker's job on PostgreSQL
    try:
        projector.catch_up()
        signed = Journal(api.app.extensions["claims_ledger"], projector.connection,
                         projector.live).checkpoint(new_private_key())
    finally:
        projector.close()
    return {"journal_size": signed.size, "first": first, "second": second,
            "deceased": deceased, "jkk": jkk, "jkm": jkm, "grant": grant, "spouse": spouse,
            "child": child, "accident": accident, "death": death, "ceremony": ceremony,
            "contribution": paid, "scholarship": scholarship, "scholar": scholar,
            "token": api.get("/api/v1/tokens", "admin").json["items"][0]}


def _personal_numbers(made: dict[str, Any]) -> dict[str, str]:
    """Every personal number of the scenario, named."""
    return {
        "first member's NIK": made["first"]["nik"], "first member's KK": made["first"]["kk"],
        "second member's NIK": made["second"]["nik"], "second member's KK": made["second"]["kk"],
        "deceased's NIK": made["deceased"]["nik"], "deceased's KK": made["deceased"]["kk"],
        "heir's NIK": made["spouse"]["nik"], "KPJ card": KPJ,
        "scholar's NIK": made["scholar"]["nik"],
        "spouse's account": made["spouse"]["account_number"],
        "member's own account": OWN_ACCOUNT, "child's account": GRANT_ACCOUNT,
    }


def _urls(api: Api, made: dict[str, Any]) -> dict[str, tuple[str, str, Any]]:
    """Each read route of the API: (method, URL, body) asked on the scenario."""
    ids = {"member_id": made["first"]["id"], "claim_id": made["jkm"]["id"],
           "incident_id": made["death"]["id"], "handover_id": made["ceremony"]["id"],
           "contribution_id": made["contribution"]["id"], "token_id": made["token"]["id"],
           "scholarship_id": made["scholarship"]["id"], "program": "TNG-2025"}
    asked = {
        "GET /api/v1/members/<uuid:member_id>/coverage": "?on=2025-07-14",
        "GET /api/v1/history": f"?claim={made['jkm']['id']}",
        "GET /api/v1/journal/proofs/inclusion": "?position=3",
        "GET /api/v1/journal/proofs/consistency": f"?first=2&second={made['journal_size']}",
        "GET /api/v1/events": "?limit=500",
    }
    found: dict[str, tuple[str, str, Any]] = {}
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        methods = {"GET"} & set(rule.methods or ())
        if rule.rule in LOOKUPS:
            methods = {"POST"}
        for method in methods:
            name = f"{method} {rule.rule}"
            url = rule.rule
            for argument in rule.arguments:
                given = made["accident"]["id"] if rule.rule.endswith("/jkk-case") else \
                    ids.get(argument, "")
                url = re.sub(rf"<[^>]*{argument}>", given, url)
            found[name] = (method, url + asked.get(name, ""), {"nik": made["second"]["nik"]})
    return found


def _answers(api: Api, made: dict[str, Any]) -> dict[str, str]:
    answers = {}
    for name, (method, url, body) in _urls(api, made).items():
        if name in NOT_SCANNED:
            continue
        role = "admin" if "/tokens" in url else "auditor"
        answer = api.post(url, role, body) if method == "POST" else api.get(url, role)
        assert answer.status_code == 200, (name, answer.get_data(as_text=True)[:300])
        answers[name] = json.dumps(answer.json, ensure_ascii=False)
    return answers


def test_no_read_route_answers_a_personal_number_whole_unless_its_job_needs_it(
        api: Api) -> None:
    made = _scenario(api)
    answers = _answers(api, made)
    numbers = _personal_numbers(made)
    shown = {name: sorted({what for what, number in numbers.items() if number in text}
                          | {f"16 digits {m}" for m in SIXTEEN_DIGITS.findall(text)})
             for name, text in answers.items()}
    leaking = {name: found for name, found in shown.items() if found and name not in WHOLE}
    assert leaking == {}
    # The scan can fail: the routes allowed to answer whole do answer the numbers of the record.
    assert "member's own account" in shown["GET /api/v1/events"]
    assert "heir's NIK" in shown["GET /api/v1/claims/<uuid:claim_id>"]
    assert "first member's KK" in shown["GET /api/v1/members/<uuid:member_id>"]
    # and the lists of them answer each number masked, so the scan read them.
    assert mask_nik(made["deceased"]["nik"]) in answers["GET /api/v1/claims"]
    assert "****5432" in answers["GET /api/v1/balances"]


def test_the_routes_answering_whole_or_not_scanned_are_routes_of_the_api(api: Api) -> None:
    """The lists above name routes that exist (a renamed route would otherwise be scanned
    without its exemption, or left exempt under its old name); every other read route, new
    ones included, is scanned, since the scan asks the application for its routes."""
    made = {"journal_size": 0, "first": {"id": "x", "nik": "x"}, "second": {"nik": "x"},
            "jkm": {"id": "x"}, "death": {"id": "x"}, "ceremony": {"id": "x"},
            "contribution": {"id": "x"}, "token": {"id": "x"}, "scholarship": {"id": "x"},
            "accident": {"id": "x"}}
    routes = set(_urls(api, made))
    assert routes >= NOT_SCANNED | WHOLE
    scanned = routes - NOT_SCANNED
    assert {"GET /api/v1/balances", "GET /api/v1/findings", "POST /api/v1/coverage/lookup",
            "GET /api/v1/reconciliation", "GET /api/v1/tokens/<uuid:token_id>"} <= scanned
    assert len(scanned) >= 34, sorted(scanned)  # 30 GETs and the 4 lookups today


@pytest.fixture
def made(api: Api) -> dict[str, Any]:
    return _scenario(api)


def test_the_members_list_masks_nik_kk_and_kpj_and_one_enrolment_is_whole(
        api: Api, made: dict[str, Any]) -> None:
    first = made["first"]
    listed = api.get("/api/v1/members", query_string={"program": "TNG-2025"}).json["items"]
    row = next(item for item in listed if item["id"] == first["id"])
    assert row["nik"] == mask_nik(first["nik"]) == f"{first['nik'][:4]}********" \
                                                    f"{first['nik'][-4:]}"
    assert row["kk"] == mask_nik(first["kk"]) and row["kpj"] == "****5678"
    assert row["name"] == first["name"] and row["birth_date"] == first["birth_date"]
    one = api.get(f"/api/v1/members/{first['id']}").json
    assert (one["nik"], one["kk"], one["kpj"]) == (first["nik"], first["kk"], KPJ)
    looked_up = api.post("/api/v1/members/lookup", "clerk", {"nik": first["nik"]}).json
    assert looked_up["items"][0]["kk"] == first["kk"]  # the client sent the NIK: whole


def test_the_claims_list_masks_the_niks_and_the_account_and_one_claim_is_whole(
        api: Api, made: dict[str, Any]) -> None:
    listed = {c["id"]: c for c in api.get("/api/v1/claims").json["items"]}
    jkm, grant = listed[made["jkm"]["id"]], listed[made["grant"]["id"]]
    assert jkm["subject_nik"] == mask_nik(made["second"]["nik"])
    assert jkm["claimant"]["nik"] == mask_nik(made["spouse"]["nik"])
    assert jkm["claimant"]["account_number"] == "****5678"  # 0012345678
    assert jkm["claimant"]["bank"] == "Bank BJB" and jkm["claimant"]["name"] == "Neneng Hasanah"
    assert jkm["approved_amount"] == 42_000_000 and jkm["disbursed"] == 42_000_000
    assert grant["subject_nik"] == mask_nik(made["deceased"]["nik"])
    assert grant["claimant"]["account_number"] == "****4567"
    one = api.get(f"/api/v1/claims/{made['jkm']['id']}").json
    assert one["subject_nik"] == made["second"]["nik"]
    assert one["claimant"]["account_number"] == "0012345678"


def test_balances_mask_the_niks_the_kk_and_the_account_of_each_claim(
        api: Api, made: dict[str, Any]) -> None:
    rows = {r["claim_id"]: r for r in api.get("/api/v1/balances").json["claims"]}
    jkk, grant = rows[made["jkk"]["id"]], rows[made["grant"]["id"]]
    assert jkk["subject_nik"] == jkk["claimant_nik"] == mask_nik(made["first"]["nik"])
    assert jkk["account"] == "Bank BJB ****5432" and jkk["disbursed"] == 68_000_000
    assert grant["subject_kk"] == mask_nik(made["deceased"]["kk"])
    assert grant["account"] == "Bank BJB ****4567"


def test_coverage_rows_mask_the_nik_and_the_kpj_card(api: Api, made: dict[str, Any]) -> None:
    first = made["first"]
    rows = {r["enrolment_id"]: r for r in api.get("/api/v1/coverage").json["items"]}
    assert rows[first["id"]]["nik"] == mask_nik(first["nik"])
    assert rows[first["id"]]["kpj"] == "****5678"
    assert rows[made["second"]["id"]]["kpj"] is None
    asked = api.post("/api/v1/coverage/lookup", "auditor", {"nik": first["nik"]}).json
    assert [r["nik"] for r in asked["items"]] == [mask_nik(first["nik"])]


def test_incidents_and_ceremonies_name_the_member_by_a_masked_nik(
        api: Api, made: dict[str, Any]) -> None:
    second = made["second"]
    incident = api.get(f"/api/v1/incidents/{made['death']['id']}").json
    assert incident["nik"] == mask_nik(second["nik"]) and incident["member_id"] == second["id"]
    assert made["death"]["nik"] == mask_nik(second["nik"])  # the write's answer too
    listed = api.get("/api/v1/incidents").json["items"]
    assert {i["nik"] for i in listed} == {mask_nik(made["first"]["nik"]),
                                           mask_nik(second["nik"])}
    ceremony = api.get(f"/api/v1/handovers/{made['ceremony']['id']}").json
    assert [i["subject_nik"] for i in ceremony["items"]] == [
        mask_nik(made["first"]["nik"]), mask_nik(second["nik"])]
    assert [i["recipient"] for i in ceremony["items"]][1] == "Neneng Hasanah"


def test_the_openapi_document_says_which_fields_are_masked(api: Api) -> None:
    schemas = api.get("/api/v1/openapi.json").json["components"]["schemas"]
    listed_member = schemas["ListedMemberOut"]["properties"]
    assert "3671********0001" in listed_member["nik"]["description"]
    assert "****5678" in listed_member["kpj"]["description"]
    assert "3671********0001" in schemas["ListedClaimOut"]["properties"]["subject_nik"][
        "description"]
    assert "****5678" in schemas["ListedClaimOut"]["properties"]["claimant"]["description"]
    assert "masked" in schemas["CoverageMember"]["properties"]["nik"]["description"]
    assert "masked" in schemas["IncidentOut"]["properties"]["nik"]["description"]
    assert "masked" in schemas["ItemOut"]["properties"]["subject_nik"]["description"]
    assert "account" in schemas["BalancesOut"]["properties"]["claims"]["description"]
