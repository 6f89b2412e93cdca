"""Files from people meet the ledger's bounds too: a payment order or a statement line past the
largest amount the ledger holds is refused in words, through the command line a clerk uses, and
nothing is recorded."""

from __future__ import annotations

from pathlib import Path

from cli_run import run_cli
from roster_rows import open_programmes, write

from storage.log_index import open_ledger
from storage.settings import StoreSettings

PAYMENT_HEADERS = ("No SP2D", "Tanggal", "Jumlah", "Bulan", "Program", "Peserta")
STATEMENT_HEADERS = ("Referensi", "Tanggal", "Jumlah", "Keterangan")
TEN_TO_THE_32 = "1" + "0" * 32


def _head(settings: StoreSettings) -> int:
    ledger = open_ledger(settings)
    try:
        return int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()


def test_payment_orders_past_the_largest_amount_are_refused_rows_and_nothing_is_recorded(
    store_settings: StoreSettings, tmp_path: Path,
) -> None:
    ledger = open_ledger(store_settings)
    try:
        open_programmes(ledger)
    finally:
        ledger.close()
    before = _head(store_settings)
    sheet = write(tmp_path / "sp2d.csv", [
        ["SP2D/001/2025", "2025-04-10", TEN_TO_THE_32, "2025-03", "TNG-2025", ""],
        # thousands of digits: more than int() reads, still a plain refusal
        ["SP2D/002/2025", "2025-04-10", "9" * 5000, "2025-03", "TNG-2025", ""],
    ], PAYMENT_HEADERS)
    done = run_cli("import", "payments", str(sheet), url=store_settings.url, cwd=tmp_path)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count("is more than the ledger holds: an amount can be at most "
                             "Rp1.000.000.000.000.000") == 2, done.stdout
    assert _head(store_settings) == before


def test_a_statement_line_past_the_largest_amount_refuses_the_file(
    sqlite_settings: StoreSettings, tmp_path: Path,
) -> None:
    before = _head(sqlite_settings)
    sheet = write(tmp_path / "rekening.csv", [
        ["SP2D/001/2025", "2025-04-10", "50400", "iuran"],
        ["SP2D/002/2025", "2025-04-11", TEN_TO_THE_32, "iuran"],
    ], STATEMENT_HEADERS)
    done = run_cli("import", "statement", str(sheet), "--source", "bank",
                   url=sqlite_settings.url, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "line 3 of 'rekening.csv'" in done.stderr
    assert "at most Rp1.000.000.000.000.000" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert _head(sqlite_settings) == before
