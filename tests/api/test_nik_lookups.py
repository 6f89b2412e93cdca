"""Every question asked by NIK takes the NIK in a POST body, never in a URL; the old GET forms
are answered 400 naming the POST route, record nothing, and no request log line carries the NIK.
On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from http_bodies import enrolment, programme
from http_client import Api

from ledger.identity import mask_nik
from ledger.reads import log_head
from projections.runner import Projector

PROBLEM = "application/problem+json"
LOOKUPS = ("/api/v1/members/lookup", "/api/v1/members/history", "/api/v1/coverage/lookup",
           "/api/v1/history/lookup")
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _paid_member(api: Api) -> dict[str, Any]:
    """One member of TNG-2025 enrolled on 24 March 2025, with March to July paid (5 months at
    Rp16.800, the JKK Rp10.000 and JKM Rp6.800 of docs/domain.md); another member beside it."""
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment(7)).json
    other = api.post("/api/v1/members", "clerk", enrolment(8)).json
    paid = api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-03-25",
        "months": ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07"],
        "member_ids": [member["id"]], "amount": 5 * 16_800})
    assert paid.status_code == 201, paid.json
    _catch_up(api)
    return {"member": member, "other": other, "enrolled_at": member["position"],
            "paid_at": paid.json["position"]}


def _catch_up(api: Api) -> None:
    projector = Projector(api.app.extensions["claims_ledger"])  # the worker's job on PostgreSQL
    try:
        projector.catch_up()
    finally:
        projector.close()


def _head(api: Api) -> int:
    return log_head(api.app.extensions["claims_ledger"])


def test_a_niks_enrolments_are_looked_up_with_the_nik_in_the_body(api: Api) -> None:
    made = _paid_member(api)
    member, head = made["member"], _head(api)
    found = api.post("/api/v1/members/lookup", "auditor", {"nik": f" {member['nik']} "})
    assert found.status_code == 200, found.json
    [item] = found.json["items"]
    assert item["id"] == member["id"] and item["nik"] == member["nik"]  # the record, whole
    assert item["kk"] == member["kk"] and found.json["next"] is None
    other = api.post("/api/v1/members/lookup", "clerk", {"nik": made["other"]["nik"],
                                                         "status": "ended"})
    assert other.status_code == 200 and other.json["items"] == []
    assert _head(api) == head  # a read: nothing recorded


def test_a_niks_history_is_looked_up_with_the_nik_in_the_body_and_answered_masked(
    api: Api,
) -> None:
    member = _paid_member(api)["member"]
    head = _head(api)
    found = api.post("/api/v1/members/history", "auditor", {"nik": member["nik"]})
    assert found.status_code == 200, found.json
    assert found.json["nik"] == mask_nik(member["nik"]) != member["nik"]
    types = [e["type"] for e in found.json["events"]]
    assert types[0] == "Person.Registered" and "Enrolment.Enrolled" in types
    unknown = api.post("/api/v1/members/history", "auditor", {"nik": "3671085203900001"})
    assert unknown.status_code == 200 and unknown.json["events"] == []
    assert unknown.json["nik"] == "3671********0001"
    short = api.post("/api/v1/members/history", "auditor", {"nik": "12345"})
    assert short.status_code == 422 and "3671085203900001" in short.json["errors"]["nik"][0]
    assert _head(api) == head


def test_whether_a_nik_was_covered_on_a_date_is_asked_with_the_nik_in_the_body(
    api: Api,
) -> None:
    made = _paid_member(api)
    member, head = made["member"], _head(api)
    now = api.post("/api/v1/coverage/lookup", "auditor",
                   {"nik": member["nik"], "on": "2025-07-14"})
    assert now.status_code == 200, now.json
    answer = now.json["answer"]
    assert answer["covered"] is True and answer["paid_month"] == "2025-07"
    assert answer["nik"] == mask_nik(member["nik"]) and answer["enrolment_id"] == member["id"]
    before_payment = api.post("/api/v1/coverage/lookup", "auditor", {
        "nik": member["nik"], "on": "2025-07-14", "known_at": made["enrolled_at"]}).json["answer"]
    assert before_payment["covered"] is False and before_payment["known_at"] == \
        made["enrolled_at"]
    rows = api.post("/api/v1/coverage/lookup", "finance", {"nik": member["nik"]}).json
    [row] = rows["items"]
    assert rows["answer"] is None and row["enrolment_id"] == member["id"]
    assert row["paid_months"] == ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07"]
    undated = api.post("/api/v1/coverage/lookup", "auditor", {"nik": member["nik"],
                                                              "known_at": 3})
    assert undated.status_code == 422 and "known_at" in undated.json["errors"]
    assert _head(api) == head


def test_a_niks_history_with_its_proofs_is_asked_with_the_nik_in_the_body(api: Api) -> None:
    made = _paid_member(api)
    member, head = made["member"], _head(api)
    found = api.post("/api/v1/history/lookup", "auditor", {"nik": member["nik"]})
    assert found.status_code == 200, found.json
    first = found.json["events"][0]
    assert first["type"] == "Person.Registered" and first["data"]["nik"] == member["nik"]
    assert "inclusion" in first
    [state] = found.json["state"]
    assert state["id"] == member["id"] and state["nik"] == member["nik"]
    at_enrolment = api.post("/api/v1/history/lookup", "auditor", {
        "nik": member["nik"], "position": made["enrolled_at"]}).json
    assert at_enrolment["cut_off"] == made["enrolled_at"]
    nothing_yet = api.post("/api/v1/history/lookup", "auditor", {
        "nik": member["nik"], "as_of": "2020-01-01"}).json
    assert nothing_yet["events"] == [] and nothing_yet["cut_off"] == 0
    two = api.post("/api/v1/history/lookup", "auditor", {"nik": member["nik"],
                                                        "claim": member["id"]})
    assert two.status_code == 422 and "claim" in two.json["errors"]
    assert _head(api) == head


OLD_FORMS = [
    ("/api/v1/members?nik={nik}", "POST /api/v1/members/lookup"),
    ("/api/v1/members?program=TNG-2025&nik={nik}", "POST /api/v1/members/lookup"),
    ("/api/v1/members/by-nik/{nik}/history", "POST /api/v1/members/history"),
    ("/api/v1/members/by-nik/12345/history", "POST /api/v1/members/history"),
    ("/api/v1/coverage?nik={nik}", "POST /api/v1/coverage/lookup"),
    ("/api/v1/coverage?nik={nik}&on=2025-07-14", "POST /api/v1/coverage/lookup"),
    ("/api/v1/history?nik={nik}", "POST /api/v1/history/lookup"),
    ("/api/v1/history?nik={nik}&as_of=2025-09-01", "POST /api/v1/history/lookup"),
    ("/api/v1/history?NIK={nik}", "POST /api/v1/history/lookup"),
    ("/api/v1/claims?nik={nik}", "POST /api/v1/members/lookup, POST /api/v1/members/history"),
]


@pytest.mark.parametrize(("old", "route"), OLD_FORMS)
def test_an_old_get_with_a_nik_in_its_url_is_400_naming_the_post_route_and_records_nothing(
    api: Api, old: str, route: str,
) -> None:
    member = _paid_member(api)["member"]
    head = _head(api)
    path = old.format(nik=member["nik"])
    refused = api.get(path, "auditor")
    assert refused.status_code == 400 and refused.content_type == PROBLEM
    assert refused.json["rule"] == "nik-in-url"
    assert refused.json["detail"].startswith("A NIK is never taken in a URL")
    assert route in refused.json["detail"]
    assert member["nik"] not in refused.get_data(as_text=True)  # not even the path, echoed
    anonymous = api.client.get(path)
    assert anonymous.status_code == 401  # the token first, as on every route
    assert _head(api) == head


class _Raw(logging.Handler):
    """The request log's records as made, before the mask rewrites them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {getattr(record, 'fields', '')}")


@pytest.fixture
def raw_requests() -> Iterator[_Raw]:
    found = _Raw()
    requests_log = logging.getLogger("claims_ledger.requests")
    requests_log.addHandler(found)
    try:
        yield found
    finally:
        requests_log.removeHandler(found)


def test_no_request_log_line_of_a_lookup_carries_the_nik_nor_one_of_an_old_form(
    api: Api, raw_requests: _Raw, capsys: pytest.CaptureFixture[str],
) -> None:
    member = _paid_member(api)["member"]
    nik = member["nik"]
    capsys.readouterr()
    raw_requests.lines.clear()
    for route in LOOKUPS:
        assert api.post(route, "auditor", {"nik": nik}).status_code == 200, route
    # Made without the NIK at all: the mask had nothing to hide.
    assert len(raw_requests.lines) == len(LOOKUPS)
    for line, route in zip(raw_requests.lines, LOOKUPS, strict=True):
        assert f"POST {route} 200" in line and not SIXTEEN_DIGITS.search(line)
        assert mask_nik(nik) not in line
    for old, _ in OLD_FORMS:
        assert api.get(old.format(nik=nik), "auditor").status_code == 400
    written = capsys.readouterr().err
    requests = [line for line in written.splitlines() if '"event":"request"' in line]
    assert len(requests) == len(LOOKUPS) + len(OLD_FORMS)
    assert nik not in written and not SIXTEEN_DIGITS.search(written)
    # The by-nik path held the NIK: the mask (the second line of defence) hid it.
    assert f"/api/v1/members/by-nik/{mask_nik(nik)}/history" in written


def test_a_lookup_ignores_an_idempotency_key_and_keeps_no_answer(api: Api) -> None:
    made = _paid_member(api)
    key = {"Idempotency-Key": "lookup-1"}
    first = api.post("/api/v1/coverage/lookup", "auditor", {"nik": made["member"]["nik"]}, **key)
    again = api.post("/api/v1/coverage/lookup", "auditor", {"nik": made["other"]["nik"]}, **key)
    assert first.status_code == again.status_code == 200  # not 409: the key was not kept
    assert "Idempotent-Replayed" not in again.headers
    assert again.json["items"][0]["enrolment_id"] == made["other"]["id"]


def test_the_openapi_document_lists_the_lookups_and_takes_a_nik_in_no_url(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json
    paths = document["paths"]
    for route in LOOKUPS:
        operation = paths[route]["post"]
        assert set(paths[route]) == {"post"}, route
        assert operation["x-lookup"] is True
        assert "records nothing, needs no Idempotency-Key" in operation["description"]
        assert "409" not in operation["responses"] and "403" not in operation["responses"]
        assert "422" in operation["responses"] and "401" in operation["responses"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        name = body["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
        assert "nik" in schema["required"], route
        assert schema["properties"]["nik"]["pattern"] == r"^\s*\d{16}\s*$"
    assert not [p for p in paths if "nik" in p.lower()]
    for path, item in paths.items():
        parameters = list(item.get("parameters", []))
        for operation in item.values():
            if isinstance(operation, dict):
                parameters += operation.get("parameters", [])
        assert "nik" not in [p["name"] for p in parameters], path
    for path in ("/api/v1/members", "/api/v1/coverage", "/api/v1/history"):
        assert paths[path]["get"]["responses"]["400"] == {
            "$ref": "#/components/responses/BAD_REQUEST"}
