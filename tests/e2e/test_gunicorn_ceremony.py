"""The real service: db init and tokens from the CLI, gunicorn on loopback, PostgreSQL behind it.

Records the ceremony of 3 February 2026 at GOR Nambo Jaya through HTTP only.
"""

from __future__ import annotations

import pytest
from http_bodies import claimant, enrolment, programme

from bench.server import Client, cli, gunicorn


@pytest.mark.postgres
def test_gunicorn_on_postgres_records_the_nambo_jaya_ceremony(postgres_database: str) -> None:
    url = f"{postgres_database}?schema=gunicorn_ceremony"
    cli(url, "db", "init")
    tokens = {role: cli(url, "token", "create", "--role", role, "--name", f"{role}.http")
              for role in ("admin", "clerk", "approver", "finance", "auditor")}
    with gunicorn(url, workers=2) as base:
        http = {role: Client(base, token) for role, token in tokens.items()}
        status, _ = http["admin"].call("POST", "/api/v1/programs", programme())
        assert status == 201
        claims = []
        for seed, work_related in ((21, False), (22, False), (23, True), (24, False)):
            status, member = http["clerk"].call("POST", "/api/v1/members", enrolment(seed))
            assert status == 201, member
            status, paid = http["finance"].call("POST", "/api/v1/contributions", {
                "program": "TNG-2025", "sp2d": f"SP2D/{seed}", "paid_on": "2025-09-10",
                "months": ["2025-09", "2025-10", "2025-11", "2025-12"],
                "member_ids": [member["id"]], "amount": 4 * 16_800},
                headers={"Idempotency-Key": f"pay-{seed}"})
            assert status == 201, paid
            status, death = http["clerk"].call("POST", "/api/v1/incidents", {
                "member_id": member["id"], "kind": "death", "occurred_on": "2025-11-20",
                "place": "Kecamatan Periuk", "work_related": work_related})
            assert status == 201, death
            status, claim = http["clerk"].call("POST", "/api/v1/claims", {
                "incident_id": death["id"],
                "benefit": "jkk_death" if work_related else "jkm_death",
                "claimant": claimant(), "filed_on": "2025-12-01"})
            assert status == 201, claim
            status, approved = http["approver"].call(
                "POST", f"/api/v1/claims/{claim['id']}/approve", {"approved_on": "2025-12-10"},
                headers={"If-Match": f'"{claim["version"]}"'})
            assert status == 200, approved
            claims.append(approved)
        for claim in claims[:3]:
            status, _ = http["finance"].call(
                "POST", f"/api/v1/claims/{claim['id']}/disbursements",
                {"reference": f"TRF/{claim['id'][:8]}", "amount": claim["approved_amount"],
                 "paid_on": "2026-01-15"})
            assert status == 201
        status, ceremony = http["clerk"].call("POST", "/api/v1/handovers", {
            "held_on": "2026-02-03", "venue": "GOR Nambo Jaya, Kecamatan Periuk",
            "region": "36.71", "district": "36.71.08",
            "occasion": "Safari Pembangunan Kota Tangerang",
            "officials": [{"name": "Dessy Sriningsih",
                           "role": "Kepala Kantor Cabang BPJS Ketenagakerjaan Cimone"}],
            "claim_ids": [c["id"] for c in claims]})
        assert status == 201, ceremony
        assert len(ceremony["items"]) == 4 and ceremony["unpaid"] == 1
        assert sorted(i["amount"] for i in ceremony["items"]) == [
            42_000_000, 42_000_000, 42_000_000, 70_000_000]
        status, read_back = http["auditor"].call("GET", f"/api/v1/handovers/{ceremony['id']}")
        assert status == 200 and read_back["venue"].startswith("GOR Nambo Jaya")
        status, refused = http["auditor"].call("POST", "/api/v1/handovers", {})
        assert status == 403 and refused["status"] == 403
