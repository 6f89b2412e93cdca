"""The breach report of UU 27/2022: real requests through the API, their request lines written
to a log file as the service writes them, then ``claims-ledger pdp report`` run as a process
over that file: who read whose data, how often, in which window; never a NIK."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_run import run_cli
from http_bodies import claimant, enrolment, programme
from http_client import Api

from api.logs import ROOT, JsonFormatter, MaskingFilter
from documents.formatting import date_id
from ledger.clock import WIB
from scenario import projected

NOBODY = "3671031407900002"  # a valid NIK no one enrolled in the story


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The application's log lines also written to a file, as a service's would be kept."""
    path = tmp_path / "api.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger(ROOT).addHandler(handler)
    yield path
    logging.getLogger(ROOT).removeHandler(handler)
    handler.close()


def _ok(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.get_json()
    found: dict[str, Any] = answer.get_json()
    return found


def _story(api: Api) -> dict[str, Any]:
    """TNG-2025 (JKK Rp10.000 + JKM Rp6.800 a month) with two workers enrolled by a clerk and
    paid March-July by finance; the first one's accident at work in July reported; an
    auditor reads the first's enrolment twice, looks the first up by NIK and reads the
    accident; the clerk reads the second's coverage on a day."""
    _ok(api.post("/api/v1/programs", "admin", programme()))
    first = _ok(api.post("/api/v1/members", "clerk", enrolment(7)))
    second = _ok(api.post("/api/v1/members", "clerk", enrolment(8)))
    months = ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07"]
    _ok(api.post("/api/v1/contributions", "finance", {
        "program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-03-25", "months": months,
        "member_ids": [first["id"], second["id"]], "amount": 2 * 16_800 * len(months)}))
    accident = _ok(api.post("/api/v1/incidents", "clerk", {
        "member_id": first["id"], "kind": "accident", "occurred_on": "2025-07-14",
        "place": "Jl. Daan Mogot", "work_related": True}))
    _ok(api.get(f"/api/v1/members/{first['id']}"), 200)
    _ok(api.get(f"/api/v1/members/{first['id']}"), 200)
    _ok(api.post("/api/v1/members/lookup", "auditor", {"nik": first["nik"]}), 200)
    _ok(api.get(f"/api/v1/incidents/{accident['id']}"), 200)
    _ok(api.get(f"/api/v1/members/{second['id']}/coverage", "clerk",
                query_string={"on": "2025-04-01"}), 200)
    return {"first": first, "second": second, "accident": accident}


def _report(log: Path, *args: str) -> dict[str, Any]:
    done = run_cli("pdp", "report", "--log", str(log), "--json", *args, url=None,
                   cwd=log.parent)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _person(api: Api, nik: str) -> str:
    """The person (data subject) of a NIK, from the ledger's keyed index."""
    return str(api.app.extensions["claims_ledger"].personal.subject_of(nik))


def _since() -> str:
    """Yesterday (WIB): the story's requests are inside even if midnight passed meanwhile."""
    return (datetime.now(WIB).date() - timedelta(days=1)).isoformat()


def _accesses(report: dict[str, Any], subject: str) -> dict[tuple[str, str, str], int]:
    [found] = [s for s in report["subjects"] if s["id"] == subject]
    return {(a["actor"], a["method"], a["route"]): a["count"] for a in found["accesses"]}


def test_the_report_says_who_read_and_wrote_each_workers_data_and_never_names_a_nik(
        api: Api, log_file: Path) -> None:
    made = _story(api)
    first, second = made["first"], made["second"]
    written = log_file.read_text(encoding="utf-8")
    for worker in (first, second):
        assert worker["nik"] not in written
        assert worker["kk"] not in written
    with log_file.open("a", encoding="utf-8") as log:  # gunicorn's own lines, not JSON
        log.write("[2025-03-24 14:05:00 +0700] [12] [INFO] Booting worker with pid: 12\n")

    # A lookup of a NIK no one enrolled names nobody: the index holds no subject for it (a
    # read makes none), and the NIK itself is never logged.
    _ok(api.post("/api/v1/members/lookup", "auditor", {"nik": NOBODY}), 200)

    report = _report(log_file, "--since", _since())

    one, two = _person(api, first["nik"]), _person(api, second["nik"])
    assert api.app.extensions["claims_ledger"].personal.subject_of(NOBODY) is None
    assert NOBODY not in log_file.read_text(encoding="utf-8") + json.dumps(report)
    assert _accesses(report, one) == {
        ("clerk.one", "POST", "/api/v1/members"): 1,
        ("clerk.one", "POST", "/api/v1/incidents"): 1,
        ("auditor.one", "GET", "/api/v1/members/{id}"): 2,
        ("auditor.one", "POST", "/api/v1/members/lookup"): 1,
        ("auditor.one", "GET", "/api/v1/incidents/{id}"): 1,
    }
    # The coverage route logs the enrolment id only; the enrolling line tied it to the person.
    assert _accesses(report, two) == {
        ("clerk.one", "POST", "/api/v1/members"): 1,
        ("clerk.one", "GET", "/api/v1/members/{id}/coverage"): 1,
    }
    [mine] = [s for s in report["subjects"] if s["id"] == one]
    assert {first["id"], made["accident"]["id"]} <= set(mine["also"])
    roles = {a["actor"]: a["role"] for s in report["subjects"] for a in s["accesses"]}
    assert roles == {"clerk.one": "clerk", "auditor.one": "auditor"}
    # Eleven requests, the programme's, the contribution's and the unknown NIK's touching
    # nobody; gunicorn's line.
    assert (report["lines"], report["lines_skipped"], report["requests_with_subjects"]) == \
        (12, 1, 8)
    printed = json.dumps(report)
    assert first["nik"] not in printed and second["nik"] not in printed


def test_the_report_narrows_to_one_person_by_id_or_by_a_typed_nik_without_printing_it(
        api: Api, log_file: Path) -> None:
    made = _story(api)
    first = made["first"]
    one = _person(api, first["nik"])

    by_id = _report(log_file, "--since", _since(), "--subject", one)
    assert [s["id"] for s in by_id["subjects"]] == [one]
    store = api.app.extensions["claims_ledger"].settings.url  # the NIK goes through its index
    done = run_cli("pdp", "report", "--log", str(log_file), "--since", _since(),
                   "--nik", first["nik"], url=store, cwd=log_file.parent)
    assert done.returncode == 0, done.stderr
    assert f"person {one}" in done.stdout
    assert _person(api, made["second"]["nik"]) not in done.stdout
    assert "auditor.one (auditor): GET /api/v1/members/{id}, 2 times" in done.stdout
    assert "WIB" in done.stdout
    assert first["nik"] not in done.stdout + done.stderr
    # An enrolment id narrows to its person too.
    by_enrolment = _report(log_file, "--since", _since(), "--subject", first["id"])
    assert [s["id"] for s in by_enrolment["subjects"]] == [one]


def test_requests_outside_the_window_are_not_in_the_report(api: Api, log_file: Path) -> None:
    _story(api)
    today = datetime.now(WIB).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    yesterday = (today - timedelta(days=1)).isoformat()

    assert _report(log_file, "--since", tomorrow)["subjects"] == []
    assert _report(log_file, "--since", yesterday, "--until", yesterday)["subjects"] == []
    inside = _report(log_file, "--since", yesterday, "--until", today.isoformat())
    assert inside["requests_with_subjects"] == 8
    assert inside["until"] == f"{tomorrow}T00:00:00+07:00"
    said = run_cli("pdp", "report", "--log", str(log_file), "--since", yesterday, "--until",
                   today.isoformat(), url=None, cwd=log_file.parent)
    assert said.stdout.startswith(
        f"Personal data read or written from {date_id(today - timedelta(days=1))} 00:00 WIB "
        f"to the end of {date_id(today)}: 2 subjects (2 people by id) in 8 requests; ")


def test_an_heirs_data_on_a_claim_is_reported_under_the_heir_and_lookups_name_the_person(
        api: Api, log_file: Path) -> None:
    made = _story(api)
    second = made["second"]
    death = _ok(api.post("/api/v1/incidents", "clerk", {
        "member_id": second["id"], "kind": "death", "occurred_on": "2025-06-02",
        "place": "RSUD Kota Tangerang", "work_related": False}))
    spouse = claimant("spouse")
    jkm = _ok(api.post("/api/v1/claims", "clerk", {
        "incident_id": death["id"], "benefit": "jkm_death", "claimant": spouse,
        "filed_on": "2025-06-10"}))
    _ok(api.get(f"/api/v1/claims/{jkm['id']}", "approver"), 200)
    _ok(api.post("/api/v1/history/lookup", "auditor", {"nik": second["nik"]}), 200)
    _ok(api.post("/api/v1/coverage/lookup", "auditor",
                 {"nik": second["nik"], "on": "2025-05-01"}), 200)
    assert spouse["nik"] not in log_file.read_text(encoding="utf-8")

    report = _report(log_file, "--since", _since())

    heir = _person(api, spouse["nik"])
    # The worker's history holds the claim, so the heir's NIK and account were read with it.
    assert _accesses(report, heir) == {
        ("clerk.one", "POST", "/api/v1/claims"): 1,
        ("approver.one", "GET", "/api/v1/claims/{id}"): 1,
        ("auditor.one", "POST", "/api/v1/history/lookup"): 1,
    }
    worker = _accesses(report, _person(api, second["nik"]))
    assert worker[("approver.one", "GET", "/api/v1/claims/{id}")] == 1
    assert worker[("auditor.one", "POST", "/api/v1/history/lookup")] == 1
    assert worker[("auditor.one", "POST", "/api/v1/coverage/lookup")] == 1
    assert worker[("clerk.one", "POST", "/api/v1/incidents")] == 1
    # The claim's id is the worker's record: the heir is named on it, it is not theirs.
    assert _report(log_file, "--since", _since(), "--subject", jkm["id"])["subjects"][0]["id"] \
        == _person(api, second["nik"])


def test_a_document_naming_a_whole_programme_is_logged_and_reported_as_a_count_not_ids(
        api: Api, log_file: Path) -> None:
    _story(api)
    projected(api.app.extensions["claims_ledger"])  # on PostgreSQL the worker's job
    audit = api.get("/api/v1/reports/audit", query_string={"program": "TNG-2025"})
    assert audit.status_code == 200, audit.get_data(as_text=True)
    roster = [line for line in map(json.loads, log_file.read_text().splitlines())
              if line.get("path") == "/api/v1/reports/audit"]
    assert [line["subjects"] for line in roster] == [[
        {"what": "audit report (roster and claims)", "programme": "TNG-2025", "count": 2}]]

    done = run_cli("pdp", "report", "--log", str(log_file), "--since", _since(), url=None,
                   cwd=log_file.parent)
    assert done.returncode == 0, done.stderr
    assert ("many people: audit report (roster and claims), programme TNG-2025, 2 listed\n"
            "  auditor.one (auditor): GET /api/v1/reports/audit, once, ") in done.stdout


def test_a_bad_date_a_missing_log_and_an_unreadable_file_are_said_in_plain_words(
        tmp_path: Path) -> None:
    bad_date = run_cli("pdp", "report", "--since", "24-03-2025", "--log", "api.log",
                       url=None, cwd=tmp_path)
    assert bad_date.returncode == 1
    assert "'24-03-2025' is not a date: write it as YYYY-MM-DD" in bad_date.stderr
    no_log = run_cli("pdp", "report", "--since", "2025-03-24", url=None, cwd=tmp_path)
    assert no_log.returncode == 2
    assert "say which log files to read with --log FILE" in no_log.stderr
    missing = run_cli("pdp", "report", "--since", "2025-03-24", "--log", "gone.log",
                      url=None, cwd=tmp_path)
    assert missing.returncode == 1
    assert "cannot read the log file gone.log: No such file or directory" in missing.stderr
    bad_nik = run_cli("pdp", "report", "--since", "2025-03-24", "--log", "gone.log",
                      "--nik", "36710314079000", url=None, cwd=tmp_path)
    assert bad_nik.returncode == 2
    assert "--nik is not a valid NIK" in bad_nik.stderr
    assert "36710314079000" not in bad_nik.stderr
