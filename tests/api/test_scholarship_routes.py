"""/scholarships: granted by a clerk, each school year claimed with its proof and approved by
another officer at /claims, and the entitlement read per child and level, on both stores."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from http_client import Api

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from scenario import APPROVER, CLERK, a_nik, covered_member, heir

PROOF = hashlib.sha256(b"surat keterangan aktif sekolah SDN Periuk 3").hexdigest()
SITI = {"name": "Siti Aminah", "nik": a_nik(40, female=True, born=date(2016, 5, 10)),
        "born_on": "2016-05-10", "level": "tk_sd"}
RIZKY = {"name": "Rizky Pratama", "nik": a_nik(41, female=False, born=date(2009, 8, 1)),
         "born_on": "2009-08-01", "level": "sma"}
DEWI = {"name": "Dewi Lestari", "nik": a_nik(42, female=True, born=date(2012, 2, 3)),
        "born_on": "2012-02-03", "level": "smp"}


def _approved_jkk_death(api: Api) -> str:
    ledger: Ledger = api.app.extensions["claims_ledger"]
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                      "fell from a scaffold", work_related=True, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKK_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    return str(claim.id)


def _year(api: Api, scholarship: str, child: dict[str, str], level: str,
          school_year: str) -> Any:
    payee = heir()
    return api.post(f"/api/v1/scholarships/{scholarship}/years", "clerk", {
        "child_nik": child["nik"], "level": level, "school_year": school_year,
        "proof_reference": "SKAS/421/SDN-3/2025", "proof_sha256": PROOF,
        "filed_on": "2025-09-20",
        "claimant": {"nik": payee.nik, "name": payee.name, "relationship": "spouse",
                     "heir_certificate": payee.heir_certificate, "bank": payee.bank,
                     "account_number": payee.account_number,
                     "account_name": payee.account_name}})


def test_a_scholarship_year_is_filed_approved_by_another_officer_paid_and_read_as_remaining(
    api: Api,
) -> None:
    death = _approved_jkk_death(api)
    body = {"death_claim_id": death, "granted_on": "2025-09-15", "children": [SITI, RIZKY]}
    assert api.post("/api/v1/scholarships", "approver", body).status_code == 403
    granted = api.post("/api/v1/scholarships", "clerk", body)
    assert granted.status_code == 201, granted.json
    scholarship = granted.json["id"]
    assert (granted.json["cover"], len(granted.json["children"])) == ("JKK", 2)

    filed = _year(api, scholarship, SITI, "tk_sd", "2025/2026")
    assert filed.status_code == 201, filed.json
    claim = filed.json["id"]
    assert (filed.json["benefit"], filed.json["entitlement"]) == ("scholarship_year", 1_500_000)
    assert filed.json["rule_version"] == "PP82-2019/PP44-2015 v1"
    own = api.post(f"/api/v1/claims/{claim}/approve", "clerk2", {"approved_on": "2025-09-22"})
    assert own.status_code == 403  # a clerk does not approve at all
    assert api.post(f"/api/v1/claims/{claim}/approve", "approver",
                    {"approved_on": "2025-09-22"}).status_code == 200
    paid = api.post(f"/api/v1/claims/{claim}/disbursements", "finance",
                    {"reference": "TRF/BEASISWA/1", "amount": 1_500_000,
                     "paid_on": "2025-09-25"})
    assert paid.status_code == 201, paid.json

    read = api.get(f"/api/v1/scholarships/{scholarship}").json
    assert (read["ceiling_per_child"], read["paid"], read["remaining"]) == (
        87_000_000, 1_500_000, 172_500_000)
    siti = next(c for c in read["children"] if c["name"] == "Siti Aminah")
    tk_sd = next(level for level in siti["levels"] if level["level"] == "tk_sd")
    assert (tk_sd["years_claimed"], tk_sd["years_left"], tk_sd["paid"], tk_sd["remaining"]) == (
        1, 7, 1_500_000, 10_500_000)
    assert siti["remaining"] == 85_500_000
    assert [y["school_year"] for y in siti["years"]] == ["2025/2026"]
    listed = api.get("/api/v1/scholarships?program=TNG-2025").json["items"]
    assert [s["scholarship_id"] for s in listed] == [scholarship]


def test_a_year_twice_and_a_third_child_are_refused_in_plain_words(api: Api) -> None:
    granted = api.post("/api/v1/scholarships", "clerk", {
        "death_claim_id": _approved_jkk_death(api), "granted_on": "2025-09-15",
        "children": [SITI, RIZKY]}).json
    assert _year(api, granted["id"], RIZKY, "sma", "2025/2026").status_code == 201
    twice = _year(api, granted["id"], RIZKY, "sma", "2025/2026")
    assert (twice.status_code, twice.json["rule"]) == (422, "scholarship-year-already-claimed")
    assert "Rizky Pratama's school year 2025/2026 is already claimed" in twice.json["detail"]
    third = api.post(f"/api/v1/scholarships/{granted['id']}/children", "clerk", DEWI)
    assert third.status_code == 422
    assert "at most 2 children" in third.json["detail"]
