"""/api/v1/reports: the documents over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

from http_client import Api
from pdf_text import text_of

from scenario import clean_year, projected


def test_the_report_routes_answer_pdfs_with_their_cut_off_and_hash(api: Api) -> None:
    ledger = api.app.extensions["claims_ledger"]
    clean_year(ledger)
    seen = projected(ledger)
    answer = api.get("/api/v1/reports/audit", query_string={"program": "TNG-2025"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "application/pdf"
    assert answer.headers["X-Cut-Off-Position"] == str(seen["position"])
    assert answer.headers["X-Content-SHA256"] == hashlib.sha256(answer.data).hexdigest()
    assert "Laporan Audit Program" in text_of(answer.data)
    again = api.get("/api/v1/reports/audit", query_string={
        "program": "TNG-2025", "position": seen["position"]})
    assert again.data == answer.data
    claim_id = seen["claims"][0]["claim_id"]
    dossier = api.get(f"/api/v1/reports/claims/{claim_id}", query_string={"lang": "en"})
    assert dossier.status_code == 200 and "Claim Dossier" in text_of(dossier.data)
    minutes = api.get(f"/api/v1/reports/handovers/{seen['handovers'][0]['handover_id']}")
    assert minutes.status_code == 200 and "BERITA ACARA" in text_of(minutes.data)


def test_the_report_routes_refuse_bad_requests_with_problem_details(api: Api) -> None:
    clean_year(api.app.extensions["claims_ledger"])
    projected(api.app.extensions["claims_ledger"])  # on PostgreSQL the worker's job
    for query, status, words in (
        ({"program": "NOPE-1"}, 404, "NOPE-1"),
        ({"program": "TNG-2025", "position": 10**9}, 422, "not in the log"),
        ({"program": "TNG-2025", "lang": "fr"}, 422, "lang"),
        ({}, 422, "program"),
    ):
        answer = api.get("/api/v1/reports/audit", query_string=query)
        assert answer.status_code == status, (query, answer.get_json())
        assert answer.mimetype == "application/problem+json"
        assert words in answer.get_data(as_text=True)
    assert api.get("/api/v1/reports/claims/5f0c3a56-0000-4000-8000-000000000000"
                   ).status_code == 404
    assert api.client.get("/api/v1/reports/audit?program=TNG-2025").status_code == 401




def test_the_audit_report_covered_on_a_day_counts_only_the_payments_paid_by_then(
    api: Api,
) -> None:
    clean_year(api.app.extensions["claims_ledger"])  # SP2D/1 and SP2D/2 paid on 25 March 2025
    projected(api.app.extensions["claims_ledger"])
    texts = {}
    for day in ("2025-03-24", "2025-03-25"):
        answer = api.get("/api/v1/reports/audit", query_string={
            "program": "TNG-2025", "covered_on": day, "lang": "en"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        texts[day] = " ".join(text_of(answer.data).split())
    before, on = texts["2025-03-24"], texts["2025-03-25"]
    assert "covered on 24 March 2025" in before and "covered on 25 March 2025" in on
    assert "SP2D/1" not in before and "SP2D/2" not in before
    assert "SP2D/1" in on and "SP2D/2" in on
    refused = api.get("/api/v1/reports/audit", query_string={
        "program": "TNG-2025", "covered_on": "2025-03-25", "as_of": "2025-03-25"})
    assert refused.status_code == 422 and "not both" in refused.get_data(as_text=True)


def test_the_audit_report_as_of_today_says_it_is_as_the_ledger_knew_it(api: Api) -> None:
    from datetime import UTC, datetime, timedelta

    from documents.formatting import date_en

    clean_year(api.app.extensions["claims_ledger"])
    projected(api.app.extensions["claims_ledger"])  # the cut-off is the live projections' own
    today = (datetime.now(UTC) + timedelta(hours=7)).date()  # WIB
    answer = api.get("/api/v1/reports/audit", query_string={
        "program": "TNG-2025", "as_of": today.isoformat(), "lang": "en"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    text = " ".join(text_of(answer.data).split())
    assert f"as the ledger knew it on {date_en(today)}" in text
    assert "covered on" not in text
