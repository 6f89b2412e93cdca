"""The console after an erasure, on both stores: the worker's page and the claim's page show
"[dihapus]" for the erased fields and every figure as before; no NIK, name or account."""

from __future__ import annotations

from datetime import date

from console_client import Browserless

from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, covered_member, heir, tangerang_terms

BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/014"


def test_the_worker_and_claim_pages_show_dihapus_and_keep_the_figures(
    console: Browserless,
) -> None:
    ledger = console.ledger
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                      "died", work_related=False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 13), FINANCE)
    ledger.erase_person(member.nik, BASIS, "asked in writing", actor="admin.ayu")
    ledger.erase_person(heir().nik, BASIS, "asked in writing", actor="admin.ayu")
    projector = Projector(ledger)
    try:
        projector.catch_up()
    finally:
        projector.close()
    console.sign_in("auditor")
    pages = {path: console.get(path) for path in (
        f"/workers/member/{member.id}", f"/claims/{claim.id}", "/claims")}
    for path, page in pages.items():
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        for secret in (member.nik, member.name, heir().nik, heir().name,
                       heir().account_number[-4:] + "<"):
            assert secret not in html, (path, secret)
    assert "[dihapus]" in pages[f"/workers/member/{member.id}"].get_data(as_text=True)
    claim_page = pages[f"/claims/{claim.id}"].get_data(as_text=True)
    assert "[dihapus]" in claim_page and "42.000.000" in claim_page
