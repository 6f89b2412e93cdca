"""Every kind of bad payment-order row gets its own rule's reason, in both columns of the error
file: an amount is explained as an amount, a missing SP2D as a missing SP2D, and the Indonesian
column is Indonesian."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from roster_rows import open_programmes, people, run, write

from api.cli import cli
from intake.reasons import GENERAL
from ledger.application import Ledger
from scenario import tangerang_terms

HEADERS = ("No SP2D", "Tanggal", "Jumlah", "Bulan", "Program", "Peserta")

#: (cells, rule, words of the Indonesian reason, words of the English reason)
BAD_ROWS: list[tuple[list[str], str, str, str]] = [
    (["SP2D/A/01", "2025-04-10", "-8551200", "2025-03", "TNG-2025", ""],
     "invalid-row", "Jumlah bukan angka rupiah bulat", "negative"),
    (["SP2D/A/02", "2025-04-10", "lima puluh", "2025-03", "TNG-2025", ""],
     "invalid-row", "Jumlah bukan angka rupiah bulat", "not a whole number of rupiah"),
    (["SP2D/A/03", "2025-04-10", "0", "2025-03", "TNG-2025", ""],
     "invalid-input", "Jumlah harus lebih dari nol", "above zero"),
    (["SP2D/A/04", "2025-04-10", "50000", "2025-03", "TNG-2025", ""],
     "contribution-amount-mismatch", "Jumlah bukan peserta x tarif x bulan", "Rp50.400"),
    (["", "2025-04-10", "50400", "2025-03", "TNG-2025", ""],
     "invalid-input", "Nomor SP2D kosong", "SP2D number"),
    (["SP2D/A/06", "2025-04-10", "50000", "2025-04", "TNG-2025", ""],
     "contribution-amount-mismatch", "Jumlah bukan peserta x tarif x bulan", "Rp50.400"),
    (["SP2D/A/06", "2025-04-10", "50400", "2025-04", "TNG-2025", ""],
     "invalid-row", "Nomor SP2D muncul dua kali", "appears again"),
    (["SP2D/A/08", "31/31/2025", "50400", "2025-05", "TNG-2025", ""],
     "invalid-row", "Tanggal SP2D tidak dapat dibaca", "is not a date"),
    (["SP2D/A/09", "", "50400", "2025-05", "TNG-2025", ""],
     "invalid-row", "Tanggal SP2D tidak dapat dibaca", "is not a date"),
    (["SP2D/A/10", "2025-04-10", "50400", "2025-3", "TNG-2025", ""],
     "invalid-row", "Bulan iuran tidak dapat dibaca", "cannot be read"),
    (["SP2D/A/11", "2025-04-10", "50400", "2025-05..2025-03", "TNG-2025", ""],
     "invalid-row", "Bulan iuran tidak dapat dibaca", "run backwards"),
    (["SP2D/A/12", "2025-04-10", "50400", "", "TNG-2025", ""],
     "invalid-input", "Bulan iuran tidak disebut", "month(s)"),
    (["SP2D/A/13", "2025-04-10", "50400", "2024-01", "TNG-2025", ""],
     "not-eligible", "Bulan iuran di luar masa program", "outside the coverage months"),
    (["SP2D/A/14", "2025-04-10", "50400", "2025-06", "", ""],
     "invalid-row", "Baris tidak menyebut program", "names no programme"),
    (["SP2D/A/15", "2025-04-10", "50400", "2025-06", "TNG-TIDAK-ADA", ""],
     "programme-not-found", "Program tidak ditemukan", "TNG-TIDAK-ADA"),
    (["SP2D/A/16", "2025-04-10", "16800", "2025-06", "TNG-TUTUP", ""],
     "programme-closed", "Program sudah ditutup", "closed"),
    (["SP2D/A/17", "2025-04-10", "16800", "2025-06", "TNG-2025", "3671011313900001"],
     "invalid-identity-number", "NIK di kolom Peserta tidak sah", "column Peserta"),
    (["SP2D/A/18", "2025-04-10", "16800", "2025-06", "TNG-2025", "3671085203900099"],
     "invalid-row", "bukan peserta aktif program ini", "not an active member"),
    (["SP2D/A/20", "2025-04-10", "16800", "2025-06", "TNG-KOSONG", ""],
     "invalid-row", "Program belum memiliki peserta aktif", "no active member"),
    (["SP2D/A/21", "2025-04-10", "168000", "2025-03..2025-12", "TNG-KECIL", ""],
     "budget-exceeded", "Melebihi pagu anggaran", "ceiling"),
    # Wrong twice: the cell the clerk can correct in the file is named first.
    (["SP2D/A/22", "2025-04-10", "-16800", "2025-06", "TNG-KOSONG", ""],
     "invalid-row", "Jumlah bukan angka rupiah bulat", "negative"),
]


def _programmes(ledger: Ledger, tmp_path: Path) -> list[list[str]]:
    open_programmes(ledger)
    members = people(71, 3)
    run(ledger, write(tmp_path / "roster.csv", members))
    ledger.open_programme(tangerang_terms(code="TNG-TUTUP"), actor="admin")
    ledger.close_programme("TNG-TUTUP", date(2025, 4, 1), "DPA dicabut", actor="admin")
    ledger.open_programme(tangerang_terms(code="TNG-KOSONG"), actor="admin")
    ledger.open_programme(tangerang_terms(code="TNG-KECIL", budget_ceiling=100_000),
                          actor="admin")
    small = people(72, 1)[0]
    from intake.importing import ImportOptions, import_roster, read_roster
    import_roster(ledger, "TNG-KECIL", read_roster(write(tmp_path / "kecil.csv", [small])),
                  "clerk", ImportOptions(enrolled_on=date(2025, 3, 24)), lambda _r: None)
    return members


def test_every_kind_of_bad_payment_row_is_explained_by_its_own_rule_in_both_columns(
        ledger: Ledger, tmp_path: Path) -> None:
    members = _programmes(ledger, tmp_path)
    twice = ["SP2D/A/19", "2025-04-10", "33600", "2025-06", "TNG-2025",
             f"{members[0][0]};{members[0][0]}"]
    rows = [cells for cells, *_ in BAD_ROWS] + [twice]
    sheet = write(tmp_path / "sp2d.csv", rows, HEADERS)
    head = ledger.recorder.max_notification_id()

    done = CliRunner().invoke(cli, ["import", "payments", str(sheet)],
                              env={"LEDGER_DATABASE_URL": ledger.settings.url},
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    with (tmp_path / "sp2d.errors.csv").open(newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][-4:] == ["Baris asal", "Aturan", "Alasan", "Reason"]
    by_row = {int(line[-4]): line[-3:] for line in lines[1:]}
    expected = {number: (rule, bahasa, english) for number, (_, rule, bahasa, english)
                in enumerate(BAD_ROWS, start=2)}
    expected[len(rows) + 1] = ("invalid-row", "disebut dua kali di kolom Peserta",
                               "named twice")
    assert set(by_row) == set(expected)
    for number, (rule, bahasa, english) in expected.items():
        got_rule, got_bahasa, got_english = by_row[number]
        assert (number, got_rule) == (number, rule)
        assert bahasa in got_bahasa, (number, got_bahasa)
        assert english in got_english, (number, got_english)
        assert GENERAL.split("'")[0] not in got_bahasa, (number, got_bahasa)
    assert ledger.recorder.max_notification_id() == head  # every row refused: nothing recorded
