"""Bulk enrolment from a roster, on SQLite and PostgreSQL: every bad row found and explained,
good rows enrolled batch by batch, re-runs harmless, a spoiled batch left out whole."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from roster_rows import (
    ENROLLED_ON,
    KOTA_TANGERANG,
    OCCUPATIONS,
    enrolled_niks,
    every_kind_of_bad_row,
    open_programmes,
    people,
    run,
    write,
)

from intake.importing import read_roster
from intake.roster import UnreadableFileError
from ledger.application import Ledger
from seed.synthetic import WorkerFactory
from storage.log_index import open_ledger


def test_a_roster_with_one_row_of_every_kind_of_error_enrols_only_the_good_rows(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    rows, expected = every_kind_of_bad_row(ledger)
    summary, rejected = run(ledger, write(tmp_path / "roster.csv", rows))

    assert {r.row: r.rule for r in rejected} == expected
    assert all(r.reason_en and r.reason_id for r in rejected)
    assert summary.enrolled == 4 and summary.rejected == len(expected)
    assert enrolled_niks(ledger) == {row[0] for row in rows[:4]}
    duplicate = next(r for r in rejected if r.rule == "duplicate-in-file")
    assert "row 2" in duplicate.reason_en and "baris 2" in duplicate.reason_id
    region = next(r for r in rejected if r.row == 2 + 4 + 4)
    assert "36.74" in region.reason_en and "wilayah" in region.reason_id


def test_the_same_file_imported_twice_enrols_nothing_the_second_time(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    path = write(tmp_path / "roster.csv", people(30, 7))
    first, _ = run(ledger, path, batch_size=3)
    head = ledger.recorder.max_notification_id()
    second, rejected = run(ledger, path, batch_size=3)

    assert (first.enrolled, first.already_enrolled) == (7, 0)
    assert (second.enrolled, second.already_enrolled, second.rejected) == (0, 7, 0)
    assert rejected == [] and ledger.recorder.max_notification_id() == head


def test_a_batch_spoiled_by_a_concurrent_enrolment_is_saved_without_that_row_which_is_reported(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    rows = people(40, 9)
    path = write(tmp_path / "roster.csv", rows)
    rival = open_ledger(ledger.settings)
    other = WorkerFactory(2, KOTA_TANGERANG, OCCUPATIONS, (1, 4), ("Cimone",)).worker(ENROLLED_ON)
    calls: list[list[str]] = []

    def meanwhile(niks: list[str]) -> None:
        calls.append(niks)
        if len(calls) == 2:  # between the check and the save of the second batch
            from dataclasses import replace

            rival.enrol("TNG-LAIN", replace(other, nik=niks[1], kk=rows[4][1]), actor="other")

    try:
        summary, rejected = run(ledger, path, batch_size=3, before_save=meanwhile)
    finally:
        rival.close()

    assert summary.failed_batches == 0 and summary.enrolled == 8
    assert [(r.row, r.nik, r.rule) for r in rejected] == [(6, rows[4][0], "nik-already-covered")]
    assert "TNG-LAIN" in rejected[0].reason_en
    assert enrolled_niks(ledger) == {row[0] for row in rows} - {rows[4][0]}
    assert enrolled_niks(ledger, "TNG-LAIN") == {rows[4][0]}

    again, rejected_again = run(ledger, path, batch_size=3)
    assert (again.enrolled, again.already_enrolled) == (0, 8)
    assert [r.rule for r in rejected_again] == ["nik-already-covered"]


def test_a_row_enrolled_in_the_same_programme_by_a_concurrent_upload_counts_as_already_enrolled(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    rows = people(41, 9)
    rival = open_ledger(ledger.settings)
    taken: list[str] = []

    def meanwhile(niks: list[str]) -> None:
        if not taken:  # the other upload enrols one row of this batch first
            taken.append(niks[2])
            run(rival, write(tmp_path / "other.csv", [rows[2]]))

    try:
        summary, rejected = run(ledger, write(tmp_path / "roster.csv", rows), batch_size=3,
                                before_save=meanwhile)
    finally:
        rival.close()

    assert (summary.enrolled, summary.already_enrolled, summary.failed_batches) == (8, 1, 0)
    assert rejected == []
    enrolments = [ledger.enrolment(i).nik for i in ledger.enrolment_ids("TNG-2025")]
    assert sorted(enrolments) == sorted(row[0] for row in rows)  # each row once


def test_xlsx_and_csv_of_the_same_roster_give_the_same_result(
        store_settings: Any, tmp_path: Path) -> None:
    outcomes = []
    for fmt in ("csv", "xlsx"):
        ledger = open_ledger(_fresh(store_settings, tmp_path, fmt))
        try:
            open_programmes(ledger)
            rows, _ = every_kind_of_bad_row(ledger)
            summary, rejected = run(ledger, write(tmp_path / f"roster.{fmt}", rows))
            outcomes.append((summary.as_record() | {"position": None},
                             [(r.row, r.rule, r.reason_en) for r in rejected],
                             sorted(enrolled_niks(ledger))))
        finally:
            ledger.close()
    assert outcomes[0] == outcomes[1]


def _fresh(settings: Any, tmp_path: Path, name: str) -> Any:
    """A second, empty store of the same kind (SQLite file or PostgreSQL schema)."""
    from storage.settings import settings_from_url
    from storage.store import init_store

    if settings.is_postgres:
        import uuid

        fresh = settings_from_url(
            f"{settings.url.split('?')[0]}?schema=x{uuid.uuid4().hex[:10]}")
    else:
        fresh = settings_from_url(f"sqlite:///{tmp_path / (name + '.sqlite')}")
    init_store(fresh)
    return fresh


def test_indonesian_and_english_headers_in_any_order_are_recognised(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    rows = people(50, 2)
    english = ("occupation", "decile", "name", "nik", "family_card", "district", "village")
    order = [8, 9, 2, 0, 1, 6, 7]
    path = write(tmp_path / "english.csv", [[r[i] for i in order] for r in rows], english)
    summary, rejected = run(ledger, path)
    assert rejected == [] and summary.enrolled == 2


def test_a_file_without_a_nik_column_is_refused_before_anything_is_recorded(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    path = tmp_path / "roster.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["Nama", "Desil"], ["Budi", "2"]])
    head = ledger.recorder.max_notification_id()
    with pytest.raises(UnreadableFileError, match="no column NIK"):
        run(ledger, path)
    assert ledger.recorder.max_notification_id() == head


def test_a_spreadsheet_saved_under_the_wrong_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_text("NIK,Nama\n1,2\n")
    with pytest.raises(UnreadableFileError, match="cannot be opened as an Excel workbook"):
        read_roster(path)
    with pytest.raises(UnreadableFileError, match="not a CSV or XLSX"):
        read_roster(tmp_path / "roster.pdf")
