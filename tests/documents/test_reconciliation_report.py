"""The reconciliation report as a finance officer prints it, on SQLite and PostgreSQL: the
discrepancy table stays inside the page and payment order numbers stay whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result
from pdf_text import beyond_right_margin, lines_of, squeezed, text_of
from roster_rows import open_programmes, people, run, write

from api.cli import cli
from ledger.application import Ledger
from seed.generate import STATEMENT_HEADERS

#: The print stylesheet's right margin (documents/templates/print.css).
SIDE_MARGIN_MM = 15
ORDERS = [("SP2D/005/BPKAD/2025", date(2025, 5, 10), "2025-05"),
          ("SP2D-KAB/SUSULAN/06", date(2025, 6, 10), "2025-06")]
REASON = ("Selisih Rp16.800 adalah iuran satu peserta yang meninggal; dikoreksi pada tagihan "
          "Juni menurut surat BPJS nomor B/1234/062025 yang diterima bagian keuangan")


def _invoke(ledger: Ledger, *args: str) -> Result:
    done = CliRunner().invoke(cli, list(args), env={"LEDGER_DATABASE_URL": ledger.settings.url},
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done


def test_a_resolved_discrepancy_with_a_long_reason_leaves_sp2d_numbers_whole_inside_the_page(
    ledger: Ledger, tmp_path: Path,
) -> None:
    open_programmes(ledger)
    run(ledger, write(tmp_path / "roster.csv", people(80, 3)))
    members = ledger.enrolment_ids("TNG-2025")
    for sp2d, paid_on, month in ORDERS:
        ledger.pay_contribution("TNG-2025", sp2d, paid_on, [month], members, 3 * 16_800,
                                "finance.rina")
    statement = write(tmp_path / "rekening.csv", [
        ["SP2D/005/BPKAD/2025", "2025-05-10", "33600", "Iuran BPU"],
        ["SP2D-KAB/SUSULAN/06", "2025-06-10", "50400", "Iuran BPU"],
        ["TRF/UNKNOWN/0001", "2025-06-30", "1680000", "Transfer tanpa catatan"],
    ], STATEMENT_HEADERS)
    done = _invoke(ledger, "import", "statement", str(statement), "--source", "bank",
                   "--program", "TNG-2025")
    run_id = next(line.split(":")[1].strip() for line in done.output.splitlines()
                  if line.startswith("reconciliation run:"))
    _invoke(ledger, "reconcile", "resolve", run_id, "1", "--reason", REASON)
    _invoke(ledger, "report", "reconciliation", "-o", str(tmp_path / "rekonsiliasi.pdf"))

    content = (tmp_path / "rekonsiliasi.pdf").read_bytes()
    assert squeezed(REASON) in squeezed(text_of(content))
    assert beyond_right_margin(content, SIDE_MARGIN_MM) == []
    lines = "\n".join(lines_of(content))
    for reference in ("SP2D/005/BPKAD/2025", "TRF/UNKNOWN/0001"):
        assert reference in lines, reference
