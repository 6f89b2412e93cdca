"""In a real browser: an approver (the finance office's second pair of eyes) approves a claim a
clerk filed while a second approver, looking at the same queue, is refused in words; a finance
officer uploads a bank statement and resolves a discrepancy."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from console_browser import sign_in
from console_client import LiveConsole
from playwright.sync_api import Browser, Page, expect

from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from scenario import heir

pytestmark = pytest.mark.browser


def _sign_in(page: Page, live: LiveConsole, secret: str, path: str) -> None:
    sign_in(page, live, secret, start=path, landing=path)


def _serious(page: Page) -> list[str]:
    """The serious or critical accessibility violations axe finds on the page."""
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def _filed_claim(live: LiveConsole) -> str:
    """A death claim a clerk files on the second member of the small year (the first died)."""
    ledger = live.ledger
    second = ledger.enrolment_ids("TNG-2025")[1]
    incident = ledger.report_incident(second, IncidentKind.DEATH, date(2025, 10, 2), "Periuk",
                                      "sakit", False, actor="clerk.one")
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(nik_serial=88),
                              date(2025, 10, 6), actor="clerk.one")
    return str(claim.id)


def test_an_approver_approves_a_clerks_claim_while_a_second_approvers_attempt_is_refused(
        page: Page, browser: Browser, live_console: LiveConsole, shots: Path) -> None:
    claim_id = _filed_claim(live_console)
    second_secret, _ = live_console.ledger.issue_token("approver.two", "approver", actor="test")
    _sign_in(page, live_console, live_console.tokens["approver"], "/approvals")
    other_context = browser.new_context()
    other = other_context.new_page()
    try:
        _sign_in(other, live_console, second_secret, "/approvals")
        mine = page.locator(f"#claim-{claim_id}")
        theirs = other.locator(f"#claim-{claim_id}")
        expect(mine).to_contain_text("clerk.one")
        expect(theirs.get_by_role("button", name=re.compile(r"^Setujui Rp"))).to_be_visible()
        assert _serious(page) == []

        mine.get_by_role("button", name=re.compile(r"^Setujui Rp")).click()
        expect(page.locator(f"#claim-{claim_id}")).to_contain_text("Disetujui oleh approver.one")

        theirs.get_by_role("button", name=re.compile(r"^Setujui Rp")).click()
        expect(other.locator("#console-alert")).to_contain_text(
            "sudah diputuskan atau diubah oleh orang lain")
        expect(other.locator("#console-alert")).to_contain_text("Keputusan Anda tidak dicatat")
        page.screenshot(path=shots / "1-approved.png", full_page=True)
        other.screenshot(path=shots / "2-second-approver-refused.png", full_page=True)
        page.get_by_role("link", name=re.compile(r"^Klaim [0-9a-f]{8}$")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Klaim {claim_id[:8]}")
        expect(page.get_by_text("PP82-2019/PP44-2015 v1")).to_be_visible()
        assert _serious(page) == []
        page.goto(f"{live_console.url}/claims?status=approved")
        expect(page.get_by_text("2 klaim ditampilkan")).to_be_visible()
        assert _serious(page) == []
        page.screenshot(path=shots / "4-claims-approved.png", full_page=True)
    finally:
        other_context.close()
    claim = live_console.ledger.claim(claim_id)
    assert claim.status.value == "approved" and claim.approved_by == "approver.one"


def test_a_finance_officer_uploads_a_statement_and_resolves_a_discrepancy(
        page: Page, live_console: LiveConsole, shots: Path, tmp_path: Path) -> None:
    statement = tmp_path / "rekening-koran-agustus.csv"
    # The death grant's transfer at another amount, and a line the ledger never recorded.
    statement.write_text("reference,date,amount\nTRF/1,2025-08-25,1000\nTRF/9,2025-08-26,5\n")
    _sign_in(page, live_console, live_console.tokens["finance"], "/reconciliation")
    page.get_by_label("Berkas laporan").set_input_files(statement)
    page.get_by_label("Tagihan BPJS Ketenagakerjaan").check()
    page.get_by_role("button", name="Cocokkan dan catat").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Rekonsiliasi dicatat: 0 baris cocok, 4 selisih.")
    expect(page.locator("#ageing")).to_contain_text("lebih dari 30 hari")
    row = page.locator("tr", has_text="Tidak ada di buku besar").first
    row.get_by_label("Alasan penyelesaian").fill("Salah ketik referensi di bank, dikoreksi")
    row.get_by_role("button", name="Selesaikan").click()
    expect(page.locator("tr", has_text="Tidak ada di buku besar").first).to_contain_text(
        "Diselesaikan oleh finance.one: Salah ketik referensi di bank, dikoreksi")
    page.screenshot(path=shots / "3-discrepancy-resolved.png", full_page=True)
    assert _serious(page) == []
