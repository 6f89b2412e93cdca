"""Statement reconciliation on SQLite and PostgreSQL: one planted case of every discrepancy is
found (and nothing else), recorded as events, shown by the projection, the route and the PDF."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from http_client import Api
from pypdf import PdfReader
from roster_rows import open_programmes, people, run, write

from api.cli import cli
from ledger.application import Ledger
from ledger.reconciliation import KINDS, Reconciliation, load_run
from projections.runner import Projector
from seed.generate import STATEMENT_HEADERS

PAID = [("SP2D/101/2025", date(2025, 4, 10), "2025-03"), ("SP2D/102/2025", date(2025, 5, 9),
        "2025-04"), ("SP2D/103/2025", date(2025, 6, 10), "2025-05"),
        ("SP2D/104/2025", date(2025, 7, 10), "2025-06"), ("SP2D/105/2025", date(2025, 8, 11),
        "2025-07")]


def _recorded_payments(ledger: Ledger, tmp_path: Path) -> list[str]:
    open_programmes(ledger)
    run(ledger, write(tmp_path / "roster.csv", people(80, 3)))
    members = ledger.enrolment_ids("TNG-2025")
    for sp2d, paid_on, month in PAID:
        ledger.pay_contribution("TNG-2025", sp2d, paid_on, [month], members, 3 * 16_800,
                                "finance.rina")
    return members


def _statement(tmp_path: Path) -> Path:
    """The bank's view: 101 as recorded, 102 with another amount, 103 twice, 104 dated a
    month late, 105 missing, and a transfer the ledger never recorded."""
    return write(tmp_path / "rekening.csv", [
        ["SP2D/101/2025", "2025-04-10", "50400", "Iuran BPU"],
        ["SP2D/102/2025", "2025-05-09", "33600", "Iuran BPU"],
        ["SP2D/103/2025", "2025-06-10", "50400", "Iuran BPU"],
        ["SP2D/103/2025", "2025-06-10", "50400", "Iuran BPU"],
        ["SP2D/104/2025", "2025-08-15", "50400", "Iuran BPU"],
        ["TRF/999/2025", "2025-06-30", "1680000", "Transfer tanpa catatan"],
    ], STATEMENT_HEADERS)


def _project(ledger: Ledger) -> None:
    projector = Projector(ledger)
    try:
        projector.catch_up()
    finally:
        projector.close()


def _run_id(output: str) -> str:
    return next(line.split(":")[1].strip() for line in output.splitlines()
                if line.startswith("reconciliation run:"))


def _invoke(args: list[str], url: str) -> object:
    return CliRunner().invoke(cli, args, env={"LEDGER_DATABASE_URL": url},
                              catch_exceptions=False)


def test_a_statement_with_one_planted_case_of_every_discrepancy_finds_exactly_those(
        ledger: Ledger, tmp_path: Path) -> None:
    _recorded_payments(ledger, tmp_path)
    statement = _statement(tmp_path)
    done = _invoke(["import", "statement", str(statement), "--source", "bank", "--program",
                    "TNG-2025"], ledger.settings.url)
    assert done.exit_code == 0, done.output
    run_id = _run_id(done.output)
    recorded = load_run(ledger, run_id)
    assert isinstance(recorded, Reconciliation) and recorded.matched == 2
    found = {(d["kind"], d["reference"]) for d in recorded.discrepancies.values()}
    assert found == {("amount_differs", "SP2D/102/2025"), ("duplicated", "SP2D/103/2025"),
                     ("date_differs", "SP2D/104/2025"),
                     ("missing_in_statement", "SP2D/105/2025"),
                     ("missing_in_ledger", "TRF/999/2025")}

    head = ledger.recorder.max_notification_id()
    again = _invoke(["import", "statement", str(statement), "--source", "bank", "--program",
                     "TNG-2025"], ledger.settings.url)
    assert "already reconciled" in again.output
    assert ledger.recorder.max_notification_id() == head


def test_a_generated_statement_plants_each_discrepancy_once_and_says_exactly_what_is_found(
        ledger: Ledger, tmp_path: Path) -> None:
    _recorded_payments(ledger, tmp_path)
    out = tmp_path / "tagihan.xlsx"
    done = _invoke(["generate", "statement", "--source", "bpjs", "--program", "TNG-2025", "-o",
                    str(out), "--seed", "4"], ledger.settings.url)
    assert done.exit_code == 0, done.output
    said = re.search(r"planted: ([^)]*)\)", " ".join(done.output.split()))
    assert said, done.output
    planted = {k: int(n) for k, n in (p.rsplit(" ", 1) for p in said.group(1).split(", "))}
    done = _invoke(["import", "statement", str(out), "--source", "bpjs"], ledger.settings.url)
    assert done.exit_code == 0, done.output
    run_id = _run_id(done.output)
    found = Counter(d["kind"] for d in load_run(ledger, run_id).discrepancies.values())
    assert dict(found) == planted == dict.fromkeys(KINDS, 1)


def test_discrepancies_are_listed_resolved_and_reported_in_indonesian(api: Api,
                                                                     tmp_path: Path) -> None:
    ledger = api.app.extensions["claims_ledger"]
    _recorded_payments(ledger, tmp_path)
    url = ledger.settings.url
    done = _invoke(["import", "statement", str(_statement(tmp_path)), "--source", "bank"], url)
    assert done.exit_code == 0, done.output

    _project(ledger)  # what the projection worker does beside PostgreSQL
    listed = api.get("/api/v1/reconciliation?status=open")
    assert listed.status_code == 200, listed.get_json()
    (only,) = listed.get_json()["runs"]
    assert (only["matched"], only["discrepancies"], only["open"]) == (2, 5, 5)
    number = next(d["number"] for d in only["items"] if d["kind"] == "amount_differs")

    path = f"/api/v1/reconciliation/{only['run_id']}/discrepancies/{number}/resolve"
    assert api.post(path, "clerk", {"reason": "x"}).status_code == 403
    answer = api.post(path, "finance", {"reason": "SP2D dikoreksi, selisih disetor kembali"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["open"] == 4
    assert api.post(path, "finance", {"reason": "again"}).status_code == 422
    other = next(d["number"] for d in only["items"] if d["kind"] == "duplicated")
    cli_done = _invoke(["reconcile", "resolve", only["run_id"], str(other), "--reason",
                        "baris ganda dari bank"], url)
    assert cli_done.exit_code == 0, cli_done.output
    _project(ledger)
    resolved = api.get("/api/v1/reconciliation?status=resolved").get_json()["runs"][0]["items"]
    assert {d["number"] for d in resolved} == {number, other}

    pdf_path = tmp_path / "rekonsiliasi.pdf"
    done = _invoke(["report", "reconciliation", "--run", only["run_id"], "-o", str(pdf_path)],
                   url)
    assert done.exit_code == 0, done.output
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        pdf_path.read_bytes())).pages)
    assert "Laporan Rekonsiliasi" in text and "Jumlah berbeda" in text
    assert "Rp33.600" in text and "Rp50.400" in text and "Selesai" in text
    assert "Belum selesai" in text
