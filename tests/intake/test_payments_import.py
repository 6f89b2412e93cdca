"""Payment orders from finance's sheet: recorded through the ledger, refusals explained, re-runs
skipped, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from roster_rows import enrolled_niks, open_programmes, people, run, write

from intake.payments_import import import_payments, read_payments
from ledger.application import Ledger

HEADERS = ("No SP2D", "Tanggal", "Jumlah", "Bulan", "Program", "Peserta")


def test_payment_orders_are_recorded_refused_with_the_ledgers_reason_and_skipped_on_rerun(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    rows = people(70, 3)
    run(ledger, write(tmp_path / "roster.csv", rows))
    assert len(enrolled_niks(ledger)) == 3
    sheet = write(tmp_path / "sp2d.csv", [
        ["SP2D/001/2025", "2025-04-10", "50400", "2025-03", "TNG-2025", ""],
        ["SP2D/002/2025", "10/04/2025", "Rp100.800", "2025-04..2025-05", "TNG-2025", ""],
        ["SP2D/003/2025", "2025-04-10", "16800", "2025-06", "TNG-2025", rows[0][0]],
        ["SP2D/004/2025", "2025-04-10", "50000", "2025-07", "TNG-2025", ""],
        ["SP2D/005/2025", "2025-04-10", "50400", "2024-01", "TNG-2025", ""],
        ["SP2D/001/2025", "2025-04-10", "50400", "2025-03", "TNG-2025", ""],
        ["SP2D/006/2025", "2025-04-10", "50400", "2025-08", "TNG-TIDAK-ADA", ""],
        ["SP2D/007/2025", "2025-04-10", "lima puluh", "2025-08", "TNG-2025", ""],
    ], HEADERS)

    summary, rejected = import_payments(ledger, read_payments(sheet), "finance.rina", None)
    assert (summary.recorded, summary.rejected) == (3, 5)
    assert summary.amount == 50_400 + 100_800 + 16_800
    assert {r.row: r.rule for r in rejected} == {
        5: "contribution-amount-mismatch", 6: "not-eligible", 7: "invalid-row",
        8: "programme-not-found", 9: "invalid-row"}
    assert "Rp50.400" in next(r for r in rejected if r.row == 5).reason_en
    named = ledger.contribution("TNG-2025", "SP2D/003/2025").enrolment_ids
    assert [ledger.enrolment(i).nik for i in named] == [rows[0][0]]

    head = ledger.recorder.max_notification_id()
    again, _ = import_payments(ledger, read_payments(sheet), "finance.rina", None)
    assert (again.recorded, again.already_recorded, again.rejected) == (0, 3, 5)
    assert ledger.recorder.max_notification_id() == head
