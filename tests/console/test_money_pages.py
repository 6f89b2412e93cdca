"""Claims, the approval queue and reconciliation in the console: every page for every role
(allowed, or refused with a sentence), CSRF on each form, four eyes, two approvers racing, and
no heir's NIK or account number in any page's HTML."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from console_client import Browserless

from api.auth import READERS
from api.console.money_words import KIND_WORDS, MONEY_WORDS
from api.console.reconciliation import ageing
from documents.reconciliation import KIND_LABELS
from ledger.benefits import Benefit
from ledger.claim import REJECTION_REASONS
from ledger.reconciliation import KINDS
from projections.views import Discrepancy, ReconciliationRun
from scenario import clean_year, heir

READERS_PAGES = ("/claims", "/reconciliation", "/reconciliation/report.pdf")
HEIR_NIK = heir(nik_serial=88).nik
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.fixture
def filed(console: Browserless) -> Iterator[tuple[Browserless, str]]:
    """A clean small year, and one more claim, filed by the clerk who signs in as clerk.one."""
    year = clean_year(console.ledger)
    incident = year.death(year.members[1], date(2025, 10, 2))
    claim = console.ledger.file_claim(incident, Benefit.JKM_DEATH, heir(nik_serial=88),
                                      date(2025, 10, 6), actor="clerk.one")
    yield console, str(claim.id)


def _version(console: Browserless, claim_id: str) -> str:
    return str(console.ledger.claim(claim_id).version)


@pytest.mark.parametrize("role", READERS)  # every role that signs in
def test_every_role_opens_the_claims_and_reconciliation_pages(
        filed: tuple[Browserless, str], role: str) -> None:
    console, claim_id = filed
    console.sign_in(role)
    for path in (*READERS_PAGES, f"/claims/{claim_id}"):
        assert console.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [r for r in READERS if r != "approver"])
def test_the_approval_queue_refuses_every_role_but_approvers_with_a_sentence(
        filed: tuple[Browserless, str], role: str) -> None:
    console, claim_id = filed
    console.sign_in(role)
    page = console.get("/approvals")
    assert page.status_code == 403
    assert "hanya untuk pejabat penyetuju, sama seperti di API" in page.get_data(as_text=True)
    decided = console.post_form(f"/approvals/{claim_id}/approve",
                                {"expected_version": _version(console, claim_id)})
    assert decided.status_code == 403
    assert console.ledger.claim(claim_id).status.value == "filed"


@pytest.mark.parametrize("role", [r for r in READERS if r != "finance"])
def test_only_finance_may_upload_a_statement_or_resolve_a_discrepancy(
        filed: tuple[Browserless, str], role: str) -> None:
    console, _ = filed
    console.sign_in(role)
    page = console.get("/reconciliation").get_data(as_text=True)
    assert 'name="statement"' not in page
    refused = console.post_form("/reconciliation/upload", {"source": "bank"},
                                from_page="/reconciliation")
    assert refused.status_code == 403
    assert "hanya untuk petugas keuangan" in refused.get_data(as_text=True)


def test_the_claims_list_filters_by_status_and_benefit_and_shows_the_api_figures(
        filed: tuple[Browserless, str]) -> None:
    console, claim_id = filed
    console.sign_in("auditor")
    filed_only = console.get("/claims?status=filed").get_data(as_text=True)
    assert claim_id[:8] in filed_only
    assert "1 klaim ditampilkan" in filed_only
    approved = console.get("/claims?status=approved&benefit=jkm_death").get_data(as_text=True)
    assert claim_id[:8] not in approved
    assert "1 klaim ditampilkan" in approved
    assert console.get("/claims?status=lost").status_code == 400
    entitlement = console.ledger.claim(claim_id).entitlement
    assert f"Rp{entitlement:,}".replace(",", ".") in filed_only


def test_a_claims_page_shows_its_rule_version_computation_and_history_masked(
        filed: tuple[Browserless, str]) -> None:
    console, claim_id = filed
    console.sign_in("auditor")
    claim = console.ledger.claim(claim_id)
    page = console.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert claim.rule_version in page
    assert "Perhitungan" in page and "Riwayat klaim" in page
    assert "****" + claim.claimant["account_number"][-4:] in page
    assert HEIR_NIK not in page and claim.subject_nik not in page
    assert claim.claimant["account_number"].replace(" ", "") not in page.replace(" ", "")
    assert not SIXTEEN_DIGITS.search(page)
    console.client.set_cookie("ledger_console_lang", "en")
    english = console.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "Rule version" in english and "Computation" in english


def test_an_approver_approves_a_claim_another_filed_through_htmx(
        filed: tuple[Browserless, str]) -> None:
    console, claim_id = filed
    console.sign_in("approver")
    queue = console.get("/approvals").get_data(as_text=True)
    assert f'id="claim-{claim_id}"' in queue
    assert not SIXTEEN_DIGITS.search(queue)
    token = console.csrf("/approvals")
    answer = console.client.post(
        f"/approvals/{claim_id}/approve", data={"expected_version": _version(console, claim_id)},
        headers={"HX-Request": "true", "X-CSRFToken": token})
    assert answer.status_code == 200
    assert "Disetujui oleh approver.one" in answer.get_data(as_text=True)
    assert console.ledger.claim(claim_id).approved_by == "approver.one"


def test_the_filer_sees_why_they_cannot_decide_and_a_decision_sent_anyway_is_refused(
        filed: tuple[Browserless, str]) -> None:
    console, claim_id = filed
    # The officer who filed as clerk.one also holds an approver's token of that name.
    secret, _ = console.ledger.issue_token("clerk.one", "approver", actor="test")
    console.sign_in(secret=secret)
    queue = console.get("/approvals").get_data(as_text=True)
    assert "Anda (clerk.one) mengajukan klaim ini, jadi Anda tidak dapat memutuskannya" in queue
    refused = console.post_form(f"/approvals/{claim_id}/approve",
                                {"expected_version": _version(console, claim_id)},
                                from_page="/approvals")
    assert refused.status_code == 403
    assert "aturan empat mata" in refused.get_data(as_text=True)
    assert console.ledger.claim(claim_id).status.value == "filed"


def test_two_approvers_at_once_give_one_approval_and_one_clear_message(
        filed: tuple[Browserless, str]) -> None:
    console, claim_id = filed
    other = console.new_client()
    console.sign_in("approver")
    console.sign_in("approver2", client=other)
    read = _version(console, claim_id)  # both opened the queue at this version
    first_token, second_token = console.csrf("/approvals"), console.csrf("/approvals", other)
    first = console.client.post(f"/approvals/{claim_id}/approve",
                                data={"expected_version": read, "csrf_token": first_token})
    second = other.post(f"/approvals/{claim_id}/reject",
                        data={"expected_version": read, "reason": "duplicate",
                              "csrf_token": second_token})
    assert first.status_code == 303
    assert second.status_code == 409
    assert ("sudah diputuskan atau diubah oleh orang lain sejak Anda membuka halaman ini "
            "(sekarang: disetujui). Keputusan Anda tidak dicatat") in second.get_data(as_text=True)
    claim = console.ledger.claim(claim_id)
    assert claim.status.value == "approved" and claim.approved_by == "approver.one"


def test_each_form_without_its_csrf_token_is_refused_and_changes_nothing(
        filed: tuple[Browserless, str], tmp_path: Path) -> None:
    console, claim_id = filed
    version = _version(console, claim_id)
    console.sign_in("approver")
    for path, data in ((f"/approvals/{claim_id}/approve", {"expected_version": version}),
                       (f"/approvals/{claim_id}/reject",
                        {"expected_version": version, "reason": "duplicate"})):
        refused = console.post_form(path, data, with_token=False)
        assert refused.status_code == 400
        assert "Formulir ini tidak dapat diterima" in refused.get_data(as_text=True)
    assert console.ledger.claim(claim_id).status.value == "filed"
    finance = console.new_client()
    console.sign_in("finance", client=finance)
    statement = tmp_path / "bank.csv"
    statement.write_text("reference,date,amount\nTRF/1,2025-08-25,1\n")
    with statement.open("rb") as sent:
        refused = finance.post("/reconciliation/upload", data={
            "source": "bank", "statement": (sent, "bank.csv")})
    assert refused.status_code == 400
    assert console.post_form("/reconciliation/00000000-0000-0000-0000-000000000000/1/resolve",
                             {"reason": "x"}, client=finance, with_token=False
                             ).status_code == 400
    assert "Belum ada rekonsiliasi" in console.get("/reconciliation", finance).get_data(
        as_text=True)


def test_finance_uploads_a_statement_sees_ageing_and_resolves_a_discrepancy(
        filed: tuple[Browserless, str], tmp_path: Path) -> None:
    console, _ = filed
    console.sign_in("finance")
    statement = tmp_path / "bank.csv"
    # The paid death grant's transfer at another amount, and a line the ledger never recorded.
    statement.write_text("reference,date,amount\nTRF/1,2025-08-25,1000\nTRF/9,2025-08-26,5\n")
    token = console.csrf("/reconciliation")
    with statement.open("rb") as sent:
        answer = console.client.post("/reconciliation/upload", data={
            "source": "bpjs", "csrf_token": token, "statement": (sent, "bank.csv")})
    assert answer.status_code == 303
    page = console.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Rekonsiliasi dicatat: 0 baris cocok, 4 selisih." in page
    assert "Jumlah berbeda" in page and "Tidak ada di buku besar" in page
    # Found today: all four open discrepancies are in the youngest bucket.
    assert re.search(r'<td class="num">4 · Rp[0-9.]+</td><td class="num">0 · Rp0</td>', page)
    run_id = re.search(r'id="run-([0-9a-f-]{36})"', page)
    assert run_id
    resolved = console.client.post(
        f"/reconciliation/{run_id.group(1)}/2/resolve", data={"reason": "bank fee, booked"},
        headers={"HX-Request": "true", "X-CSRFToken": console.csrf("/reconciliation")})
    assert resolved.status_code == 200
    assert "Diselesaikan oleh finance.one: bank fee, booked" in resolved.get_data(as_text=True)
    again = console.client.post(
        f"/reconciliation/{run_id.group(1)}/2/resolve", data={
            "reason": "twice", "csrf_token": console.csrf("/reconciliation")})
    assert again.status_code == 409
    pdf = console.get("/reconciliation/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def _run(run_on: str, *statuses: str) -> ReconciliationRun:
    items = tuple(Discrepancy(f"d{n}", "r", n, "missing_in_ledger", "X", 1000, None, None, None,
                              n, "", status, None, None, None, n)
                  for n, status in enumerate(statuses, start=1))
    return ReconciliationRun("r", "bank", None, None, "s.csv", "0" * 64, 1, 0, 0, len(items),
                             statuses.count("open"), run_on, "finance.one", None, 1, items)


def test_open_discrepancies_age_into_the_four_buckets_from_their_runs_day() -> None:
    on = date(2025, 9, 30)
    runs = [_run("2025-09-29", "open", "resolved"), _run("2025-09-28", "open"),
            _run("2025-09-23", "open"), _run("2025-09-22", "open"), _run("2025-08-31", "open"),
            _run("2025-08-30", "open", "open")]
    found = {bucket.key: (bucket.count, bucket.amount) for bucket in ageing(runs, on)}
    assert found == {"age_0_1": (1, 1000), "age_2_7": (2, 2000), "age_8_30": (2, 2000),
                     "age_over_30": (2, 2000)}


def test_the_money_pages_words_exist_in_both_languages() -> None:
    assert MONEY_WORDS["id"].keys() == MONEY_WORDS["en"].keys()
    assert set(KIND_WORDS["en"]) == set(KINDS) == set(KIND_LABELS)
    assert all(f"reason_{code}" in MONEY_WORDS["en"] for code in REJECTION_REASONS)


def test_without_a_read_replica_a_decision_keeps_no_position_and_pages_read_the_primary(
        filed: tuple[Browserless, str]) -> None:
    console, claim_id = filed
    console.sign_in("approver")
    decided = console.post_form(f"/approvals/{claim_id}/approve",
                                {"expected_version": _version(console, claim_id)},
                                from_page="/approvals")
    assert decided.status_code == 303
    queue = console.get("/approvals")
    assert f'id="claim-{claim_id}"' not in queue.get_data(as_text=True)
    assert queue.headers["X-Served-By"] == "primary"  # as the API's reads say it
    assert "data-served-by" not in queue.get_data(as_text=True)
    row = console.app.extensions["claims_ledger_console"].store().find(
        hashlib.sha256(str(console.session_cookie()).encode("ascii")).hexdigest())
    assert row is not None and "written_position" not in row.data
