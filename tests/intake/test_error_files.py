"""Error files through rounds of correction: an error file imported again is recognised, its rows
keep their row numbers in the roster the agency sent, no column is added twice; and no command
replaces an existing file without --force."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook  # type: ignore[import-untyped]
from roster_rows import every_kind_of_bad_row, open_programmes, people, run, write

from api.cli import cli
from ledger.application import Ledger
from seed.generate import ROSTER_HEADERS

ERROR_COLUMNS = ["Baris asal", "Aturan", "Alasan", "Reason"]


def _invoke(ledger: Ledger, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"LEDGER_DATABASE_URL": ledger.settings.url},
                              catch_exceptions=False)


def _import(ledger: Ledger, path: Path, *extra: str) -> Any:
    return _invoke(ledger, "import", "members", str(path), "--program", "TNG-2025",
                   "--enrolled-on", "2025-03-24", "--register", "DTKS", "--register-date",
                   "2025-02-01", *extra)


def _read(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = [["" if v is None else str(v) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return rows
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_error_file_imported_again_keeps_the_original_row_numbers_and_its_columns_once(
        ledger: Ledger, tmp_path: Path, suffix: str) -> None:
    open_programmes(ledger)
    rows, expected = every_kind_of_bad_row(ledger)
    roster = write(tmp_path / f"roster{suffix}", rows)
    assert _import(ledger, roster).exit_code == 0
    first = _read(tmp_path / f"roster.errors{suffix}")
    assert first[0] == [*ROSTER_HEADERS, *ERROR_COLUMNS]
    assert {int(line[-4]): line[-3] for line in first[1:]} == expected

    # The clerk corrects the empty name, leaves the rest, saves it under a name of their own.
    fixed_rows = [line[:] for line in first[1:]]
    empty_name = next(line for line in fixed_rows if line[-3] == "invalid-input")
    empty_name[2] = "Budi Santoso"
    fixed = tmp_path / f"roster.errors.fixed{suffix}"
    write(fixed, fixed_rows, tuple(first[0]))
    done = _import(ledger, fixed)
    assert done.exit_code == 0, done.output
    second = _read(tmp_path / f"roster.errors.fixed.errors{suffix}")
    assert second[0] == [*ROSTER_HEADERS, *ERROR_COLUMNS]  # the added columns once, not twice
    still = {row: rule for row, rule in expected.items() if rule != "invalid-input"}
    # duplicate-in-file: its first row was enrolled in round one, so now it is "already
    # enrolled"; every other row is refused again and keeps its row in the original roster.
    still = {row: rule for row, rule in still.items() if rule != "duplicate-in-file"}
    assert {int(line[-4]): line[-3] for line in second[1:]} == still

    # A third round of the same file: still one set of columns, still the original rows.
    third_path = tmp_path / f"round3{suffix}"
    write(third_path, second[1:], tuple(second[0]))
    assert _import(ledger, third_path).exit_code == 0
    third = _read(tmp_path / f"round3.errors{suffix}")
    assert third[0] == second[0] and third[1:] == second[1:]


def test_a_row_added_to_an_error_file_gets_its_row_in_that_file(ledger: Ledger,
                                                                tmp_path: Path) -> None:
    open_programmes(ledger)
    good, bad = people(74, 2)
    bad[9] = "empat"
    headers = (*ROSTER_HEADERS, "Baris asal", "Aturan", "Alasan", "Reason")
    errors = write(tmp_path / "roster.errors.csv",
                   [[*bad, "41", "invalid-row", "Desil bukan angka", "decile ..."],
                    [*good[:9], "sepuluh", "", "", "", ""]], headers)
    assert _import(ledger, errors).exit_code == 0
    lines = _read(tmp_path / "roster.errors.errors.csv")
    assert [line[-4] for line in lines[1:]] == ["41", "3"]


def test_re_running_an_import_never_replaces_an_error_file_being_corrected(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    members = people(75, 2)
    run(ledger, write(tmp_path / "roster.csv", members))
    sheet = write(tmp_path / "sp2d.csv", [["SP2D/1", "2025-04-10", "-8551200", "2025-03",
                                           "TNG-2025"]],
                  ("No SP2D", "Tanggal", "Jumlah", "Bulan", "Program"))
    assert _invoke(ledger, "import", "payments", str(sheet)).exit_code == 0
    errors = tmp_path / "sp2d.errors.csv"
    errors.write_text(errors.read_text().replace("-8551200", "33600"))  # being corrected
    corrected = errors.read_bytes()
    head = ledger.recorder.max_notification_id()

    again = _invoke(ledger, "import", "payments", str(sheet))
    assert again.exit_code == 2
    assert "sp2d.errors.csv already exists" in again.output and "--force" in again.output
    assert errors.read_bytes() == corrected
    assert ledger.recorder.max_notification_id() == head  # refused before anything was done

    forced = _invoke(ledger, "import", "payments", str(sheet), "--force")
    assert forced.exit_code == 0 and errors.read_bytes() != corrected

    roster = write(tmp_path / "more.csv", [[*members[0][:9], "empat"]])
    assert _import(ledger, roster).exit_code == 0
    refused = _import(ledger, roster)
    assert refused.exit_code == 2 and "more.errors.csv already exists" in refused.output
    same = _import(ledger, roster, "--errors", str(roster))
    assert same.exit_code == 2 and "is the file being read" in same.output


def test_generated_files_and_exports_are_not_replaced_without_force(ledger: Ledger,
                                                                   tmp_path: Path) -> None:
    open_programmes(ledger)
    out = tmp_path / "generated.csv"
    args = ["generate", "roster", "--members", "5", "--region", "36.71", "-o", str(out)]
    assert _invoke(ledger, *args).exit_code == 0
    kept = out.read_bytes()
    refused = _invoke(ledger, *args, "--seed", "2")
    assert refused.exit_code == 2 and "already exists" in refused.output
    assert out.read_bytes() == kept
    assert _invoke(ledger, *args, "--seed", "2", "--force").exit_code == 0
    assert out.read_bytes() != kept

    exported = tmp_path / "ledger.jsonl"
    exported.write_text("an older export\n")
    refused = _invoke(ledger, "export", "-o", str(exported))
    assert refused.exit_code == 2 and exported.read_text() == "an older export\n"
    assert _invoke(ledger, "export", "-o", str(exported), "--force").exit_code == 0


def test_a_file_into_a_folder_that_does_not_exist_is_refused_and_no_folder_is_made(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    missing = tmp_path / "nonexistent" / "dir"
    for args in (["report", "audit", "--program", "TNG-2025", "-o", str(missing / "x.pdf")],
                 ["report", "reconciliation", "-o", str(missing / "x.pdf")],
                 ["generate", "roster", "--members", "5", "--region", "36.71", "-o",
                  str(missing / "r.csv")],
                 ["export", "-o", str(missing / "x.jsonl")]):
        done = _invoke(ledger, *args)
        assert done.exit_code == 2, (args, done.output)
        assert "does not exist" in done.output and "Traceback" not in done.output
    assert not (tmp_path / "nonexistent").exists()
