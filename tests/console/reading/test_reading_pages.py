"""The reading pages over the demo's year: every role opens them, they show the demo's own
figures (the same as the API's), no page holds a whole NIK, a worker is found by a NIK typed
into a form and never by one in a URL, time travel cuts the timeline, the journal's proof is
the ledger's, and a document downloads as the report route makes it."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from console_client import Browserless

from api.auth import READERS
from documents.formatting import rupiah
from ledger.identity import mask_nik
from ledger.journal.verify_proof import check_inclusion

#: Sixteen digits standing alone: a NIK (a run inside a hexadecimal hash, as the journal page
#: shows them, is not one; the hashes change with every token issued, so they are left out).
WHOLE_NIK = re.compile(r"(?<![0-9a-fA-F])[0-9]{16}(?![0-9a-fA-F])")
#: Ten digits or more standing alone: an account number (outside the journal's hashes).
ACCOUNT = re.compile(r"(?<![0-9a-fA-F])[0-9]{10,}(?![0-9a-fA-F])")
PAGES = ("/programmes", "/programmes/TNG-2025", "/programmes/KABTNG-2025", "/findings",
         "/findings?rule=death-within-90-days", "/findings?rule=paid-after-death-or-move",
         "/journal", "/journal?position=5", "/documents", "/workers")


def text_of(html: str) -> str:
    """A page's words, as a reader sees them (tags and the chart's SVG left out)."""
    body = re.sub(r"<svg.*?</svg>|<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def api(demo: Browserless, path: str) -> Any:
    response = demo.client.get(path, headers={"Authorization":
                                              f"Bearer {demo.tokens['auditor']}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def a_member_of(demo: Browserless, rule: str) -> tuple[str, str]:
    """The enrolment id and NIK of a member a finding of ``rule`` names."""
    found = api(demo, f"/api/v1/findings?rule={rule}")["items"][0]
    enrolment = demo.ledger.enrolment(found["members"][0])
    return str(enrolment.id), enrolment.nik


@pytest.mark.parametrize("role", READERS)  # every role that signs in
def test_every_role_opens_every_reading_page(demo: Browserless, role: str) -> None:
    client = demo.new_client()
    demo.sign_in(role, client=client)
    for path in PAGES:
        response = demo.get(path, client)
        assert response.status_code == 200, (role, path, response.status_code)


def test_a_signed_out_visitor_is_sent_to_sign_in_from_a_record_page(demo: Browserless) -> None:
    response = demo.get("/workers/record", demo.new_client())
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/sign-in")


def test_the_programme_page_shows_the_city_budget_used_in_full_as_the_report_does(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    page = text_of(demo.get("/programmes/TNG-2025").get_data(as_text=True))
    assert "Pagu anggaran Rp999.936.000" in page
    assert "Realisasi (iuran dan santunan) Rp999.936.000" in page
    assert "Peserta terdaftar 5.952" in page
    assert "Maret 2025 5.952 Rp99.993.600 Rp99.993.600 SP2D/003/BPKAD/2025" in page
    html = demo.get("/programmes/TNG-2025").get_data(as_text=True)
    assert html.count("<svg") == 1 and "<rect" in html  # the documents' own chart


def test_the_programme_page_says_the_jkm_paid_on_a_revoked_approval_was_overpaid(
        demo: Browserless) -> None:
    client = demo.new_client()
    demo.sign_in("auditor", client=client)
    page = text_of(demo.get("/programmes/TNG-2025", client).get_data(as_text=True))
    assert "Lebih bayar Rp42.000.000" in page and "-Rp" not in page
    demo.post_form("/language", {"lang": "en", "next": "/"}, client=client)
    page = text_of(demo.get("/programmes/TNG-2025", client).get_data(as_text=True))
    assert "Overpaid Rp42.000.000" in page and "-Rp" not in page


def test_the_programme_list_gives_each_programme_the_api_s_ceiling_and_realisation(
        demo: Browserless) -> None:
    demo.sign_in("finance")
    page = text_of(demo.get("/programmes").get_data(as_text=True))
    assert ("TNG-2025 Perlindungan Jaminan Sosial Pekerja Rentan 2025 (Program 100 Hari) "
            "Pemerintah Kota Tangerang Rp999.936.000 Rp999.936.000 5.952") in page
    for programme in api(demo, "/api/v1/programs?limit=100")["items"]:
        row = page.split(f"{programme['code']} {programme['name']}", 1)[1]
        assert (f"{rupiah(programme['budget_ceiling'])} {rupiah(programme['committed'])}" in
                " ".join(row.split()[:40])), programme["code"]


def test_the_programme_list_honours_the_funder_filter(demo: Browserless) -> None:
    demo.sign_in("auditor")
    page = text_of(demo.get("/programmes?funder=36.03").get_data(as_text=True))
    table = page.split("Posisi data:")[1]
    assert "KABTNG-2025" in table and "TNG-2025" not in table.replace("KABTNG-2025", "")


def test_the_findings_page_counts_each_red_flag_as_the_api_does(demo: Browserless) -> None:
    demo.sign_in("auditor")
    listed = api(demo, "/api/v1/findings?limit=500")
    page = text_of(demo.get("/findings").get_data(as_text=True))
    assert f"{listed['total']} temuan pada posisi data" in page
    assert listed["total"] == 18
    rows = page.split("Rupiah terdampak", 1)[1]
    for rule in listed["summary"]:
        at_stake = sum(i["amount"] or 0 for i in listed["items"] if i["rule"] == rule["rule"])
        shown = f"Rp{at_stake:,}".replace(",", ".") if at_stake else "-"
        assert f"{rule['title_id']} " in rows
        after = rows.split(rule["title_id"], 1)[1].split()
        assert after[1:3] == [str(rule["cases"]), shown] or after[2:4] == [
            str(rule["cases"]), shown], (rule["rule"], after[:5])


def test_a_finding_links_to_its_worker_programme_and_proofs_by_id_never_by_nik(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    enrolment_id, nik = a_member_of(demo, "death-within-90-days")
    html = demo.get("/findings?rule=death-within-90-days").get_data(as_text=True)
    assert f'href="/workers/member/{enrolment_id}"' in html
    assert 'href="/journal?position=' in html and 'href="/programmes/TNG-2025"' in html
    assert nik not in html
    record = demo.get(f"/workers/member/{enrolment_id}").get_data(as_text=True)
    assert mask_nik(nik) in record and nik not in record
    assert "Enrolment.Enrolled" in record and "Claim.Filed" in record


def test_a_worker_is_found_by_a_nik_typed_and_posted_never_put_in_the_address(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    _, nik = a_member_of(demo, "death-within-90-days")
    posted = demo.post_form("/workers", {"nik": nik}, from_page="/workers")
    assert posted.status_code == 303 and posted.headers["Location"] == "/workers/record"
    record = demo.get("/workers/record").get_data(as_text=True)
    assert nik not in record and mask_nik(nik) in record
    assert "peristiwa tentang pekerja ini" in text_of(record)
    positions = [int(p) for p in re.findall(r'href="/journal\?position=(\d+)"', record)]
    assert positions == sorted(positions) and len(positions) >= 3


def test_a_workers_pages_log_the_person_and_enrolment_ids_they_show_never_the_nik(
        demo: Browserless, tmp_path: Path) -> None:
    from api.breach_report import build
    from api.logs import ROOT, JsonFormatter, MaskingFilter
    from ledger.clock import WIB

    demo.sign_in("auditor")
    enrolment_id, nik = a_member_of(demo, "death-within-90-days")
    handler = logging.FileHandler(tmp_path / "console.log", encoding="utf-8")
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger(ROOT).addHandler(handler)
    try:
        demo.post_form("/workers", {"nik": nik}, from_page="/workers")
        demo.get("/workers/record")
        demo.get(f"/workers/member/{enrolment_id}")
    finally:
        logging.getLogger(ROOT).removeHandler(handler)
        handler.close()
    written = (tmp_path / "console.log").read_text(encoding="utf-8")
    assert nik not in written
    lines = {(line["method"], line["path"]): line for line in map(json.loads, written.splitlines())
             if line.get("event") == "request"}
    person = str(demo.ledger.personal.subject_of(nik))  # the NIK's person, by the index
    assert lines[("POST", "/workers")]["subjects"] == [{"person": person}]
    assert {"person": person, "enrolment": enrolment_id} in \
        lines[("GET", "/workers/record")]["subjects"]
    assert lines[("GET", f"/workers/member/{enrolment_id}")]["subjects"] == [
        {"person": person}, {"person": person, "enrolment": enrolment_id}]
    assert lines[("GET", "/workers/record")]["actor"] == "auditor.demo"
    # The breach report counts each page once for the person, however many entries name them.
    report = build([tmp_path / "console.log"], datetime(2000, 1, 1, tzinfo=WIB), subject=person)
    assert {(a.method, a.route): a.count for a in report.subjects[person].accesses.values()} == {
        ("POST", "/workers"): 1, ("GET", "/workers/record"): 1,
        ("GET", "/workers/member/{id}"): 1}


def test_a_nik_that_is_not_sixteen_digits_is_refused_in_a_sentence(demo: Browserless) -> None:
    demo.sign_in("clerk")
    response = demo.post_form("/workers", {"nik": "3671"}, from_page="/workers")
    assert response.status_code == 400
    assert "NIK harus 16 angka" in text_of(response.get_data(as_text=True))


def test_as_recorded_at_a_position_hides_what_was_recorded_later(demo: Browserless) -> None:
    demo.sign_in("auditor")
    enrolment_id, _ = a_member_of(demo, "death-within-90-days")
    whole = demo.get(f"/workers/member/{enrolment_id}").get_data(as_text=True)
    positions = [int(p) for p in re.findall(r'href="/journal\?position=(\d+)"', whole)]
    cut = positions[1]
    earlier = demo.get(f"/workers/member/{enrolment_id}?as_recorded={cut}"
                       ).get_data(as_text=True)
    shown = [int(p) for p in re.findall(r'href="/journal\?position=(\d+)"', earlier)]
    assert shown == [p for p in positions if p <= cut]
    words = text_of(earlier)
    assert f"sampai posisi log {cut:,}".replace(",", ".") in words
    assert "Seperti tercatat pada" in words and "Tanggungan pada tanggal" in words


def test_covered_on_a_day_is_answered_in_a_sentence_now_and_as_recorded_earlier(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    enrolment_id, _ = a_member_of(demo, "death-within-90-days")
    now = text_of(demo.get(f"/workers/member/{enrolment_id}?covered_on=2025-04-15"
                           ).get_data(as_text=True))
    assert f"Pada 15 April 2025, pendaftaran {enrolment_id[:8]}" in now
    assert "catatan saat ini" in now
    before = text_of(demo.get(f"/workers/member/{enrolment_id}?covered_on=2025-04-15"
                              "&as_recorded=2025-03-01").get_data(as_text=True))
    assert "tidak tertanggung" in before


def test_the_journal_page_gives_the_ledger_s_own_proof_against_the_signed_checkpoint(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    html = demo.get("/journal?position=5").get_data(as_text=True)
    data = re.search(r'<script type="application/json" id="proof-data">(.*?)</script>', html,
                     flags=re.S)
    assert data is not None
    proof = json.loads(data.group(1))
    key = re.search(r'id="trusted-key" value="([^"]+)"', html)
    assert key is not None
    assert check_inclusion(proof, unescape(key.group(1))).ok
    assert '/assets/console/proof.js' in html


def test_a_position_outside_the_checkpoint_is_said_in_a_sentence(demo: Browserless) -> None:
    demo.sign_in("auditor")
    page = text_of(demo.get("/journal?position=999999999").get_data(as_text=True))
    assert "belum termasuk checkpoint bertanda tangan" in page
    bad = demo.get("/journal?position=abc")
    assert bad.status_code == 400


def test_an_audit_report_downloads_at_a_cut_off_as_the_report_route_makes_it(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    console = demo.get("/documents/audit?program=KABTNG-2025&position=20000&lang=id"
                       "&ticket=abcdef0123456789")
    assert console.status_code == 200 and console.mimetype == "application/pdf"
    assert console.headers["X-Cut-Off-Position"] == "20000"
    assert "ledger_download=abcdef0123456789" in console.headers["Set-Cookie"]
    route = demo.client.get("/api/v1/reports/audit?program=KABTNG-2025&position=20000",
                            headers={"Authorization": f"Bearer {demo.tokens['auditor']}"})
    assert route.headers["X-Content-SHA256"] == console.headers["X-Content-SHA256"]


def test_the_documents_page_offers_each_claim_and_ceremony_by_id(demo: Browserless) -> None:
    demo.sign_in("approver")
    html = demo.get("/documents").get_data(as_text=True)
    claim = re.search(r'<select id="doc-claim" name="id">\s*<option value="([0-9a-f-]{36})"',
                      html)
    assert claim is not None
    chosen = demo.get(f"/documents/claims?id={claim.group(1)}&lang=en")
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == f"/documents/claims/{claim.group(1)}?lang=en"
    assert "<progress" in html


def test_no_reading_page_of_the_demo_holds_a_whole_nik_or_account(demo: Browserless) -> None:
    demo.sign_in("admin")
    enrolment_id, nik = a_member_of(demo, "paid-after-death-or-move")
    demo.post_form("/workers", {"nik": nik}, from_page="/workers")
    pages = [*PAGES, "/workers/record", f"/workers/member/{enrolment_id}",
             *(f"/findings?rule={rule}" for rule in
               {i["rule"] for i in api(demo, "/api/v1/findings?limit=500")["items"]})]
    for path in pages:
        html = demo.get(path).get_data(as_text=True)
        assert not WHOLE_NIK.search(html), (path, WHOLE_NIK.findall(html)[:3])
        if not path.startswith("/journal"):
            assert not ACCOUNT.search(text_of(html)), (path, ACCOUNT.findall(html)[:3])


def test_the_reading_pages_have_every_word_in_both_languages() -> None:
    from api.console.reading_words import READING_WORDS

    assert set(READING_WORDS["id"]) == set(READING_WORDS["en"])
