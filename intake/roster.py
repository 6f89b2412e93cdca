"""Spreadsheets handed over by the social agency and finance: CSV or XLSX, read row by row.

A sheet is refused as a whole (before anything is recorded) when it cannot be read at all: an
unknown format, a file that is not what its extension says, text that is not UTF-8, or a missing
column the import cannot do without. Columns are recognised by their Indonesian names as the
agency writes them (``NIK``, ``No KK``, ``Nama``, ``Tanggal Lahir``, ...) or their English /
snake_case equivalents, in any order and case; columns nobody asked for are carried along
untouched (they come back in the error file).

openpyxl is imported only when an XLSX file is read or written: the domain package stays free of
third-party imports everywhere else.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import InvalidInputError

FORMATS = ("csv", "xlsx")


class UnreadableFileError(InvalidInputError):
    """The file cannot be read as a sheet of rows at all: nothing of it was recorded."""

    rule = "unreadable-file"


def normalise_header(text: str) -> str:
    """``"Tanggal Lahir "`` -> ``"tanggal_lahir"``: case, spaces and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


#: Roster columns: field -> accepted header names (normalised).
MEMBER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "nik": ("nik", "no_nik", "nomor_nik", "national_id"),
    "kk": ("no_kk", "kk", "nomor_kk", "no_kartu_keluarga", "family_card", "family_card_number"),
    "name": ("nama", "nama_lengkap", "name", "full_name"),
    "birth_date": ("tanggal_lahir", "tgl_lahir", "birth_date", "date_of_birth"),
    "sex": ("jenis_kelamin", "jk", "sex", "gender"),
    "address": ("alamat", "address"),
    "district": ("kecamatan", "kode_kecamatan", "district", "district_code"),
    "village": ("kelurahan", "kode_kelurahan", "desa", "kelurahan_desa", "village",
                "village_code"),
    "occupation": ("pekerjaan", "occupation", "job"),
    "decile": ("desil", "decile"),
    "register": ("sumber_data", "register", "welfare_register"),
    "register_snapshot": ("tanggal_data", "register_snapshot", "snapshot_date"),
    "branch": ("kantor_cabang", "cabang", "branch"),
    "enrolled_on": ("tanggal_daftar", "tanggal_pendaftaran", "enrolled_on", "enrolment_date"),
}
MEMBER_REQUIRED = ("nik", "kk", "name", "district", "village", "occupation", "decile")

#: Payment-order columns.
PAYMENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "sp2d": ("sp2d", "no_sp2d", "nomor_sp2d", "payment_order"),
    "paid_on": ("tanggal", "tanggal_sp2d", "tanggal_bayar", "paid_on", "date"),
    "amount": ("jumlah", "nilai", "nominal", "amount"),
    "months": ("bulan", "bulan_iuran", "months", "month"),
    "program": ("program", "kode_program", "programme", "program_code"),
    "members": ("peserta", "nik_peserta", "members", "member_niks"),
}
PAYMENT_REQUIRED = ("sp2d", "paid_on", "amount", "months")

#: Statement columns (BPJS billing statement or bank statement).
STATEMENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "reference": ("referensi", "no_referensi", "reference", "ref", "sp2d", "no_sp2d"),
    "date": ("tanggal", "tanggal_transaksi", "date", "value_date"),
    "amount": ("jumlah", "nilai", "nominal", "amount"),
    "description": ("keterangan", "uraian", "description", "narrative"),
}
STATEMENT_REQUIRED = ("reference", "date", "amount")

LABELS_ID = {"nik": "NIK", "kk": "No KK", "name": "Nama", "district": "Kecamatan",
             "village": "Kelurahan", "occupation": "Pekerjaan", "decile": "Desil",
             "sp2d": "No SP2D", "paid_on": "Tanggal", "amount": "Jumlah", "months": "Bulan",
             "reference": "Referensi", "date": "Tanggal"}


@dataclass(frozen=True)
class SheetRow:
    """One data row: its row number in the sheet (the header is row 1) and its cells."""

    number: int
    cells: tuple[str, ...]


@dataclass
class Sheet:
    """A readable sheet: its headers, which column holds which field, and its rows."""

    path: Path
    format: str
    headers: list[str]
    columns: dict[str, int]
    rows: Iterator[SheetRow]
    total: int | None = None

    def value(self, row: SheetRow, field: str) -> str:
        index = self.columns.get(field)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index].strip()


def sheet_format(path: Path) -> str:
    """``csv`` or ``xlsx`` from the file name, or a clear refusal."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UnreadableFileError(
            f"'{path.name}' is not a CSV or XLSX file (the name ends in '.{suffix}'); save the "
            "sheet as .csv or .xlsx", field="file")
    return suffix


def read_sheet(path: Path, columns: Mapping[str, tuple[str, ...]],
               required: Sequence[str]) -> Sheet:
    """Open a sheet and check its header; the rows are read lazily (large rosters)."""
    fmt = sheet_format(path)
    if not path.is_file():
        raise UnreadableFileError(f"there is no file '{path}'", field="file")
    raw_rows, total = _csv_rows(path) if fmt == "csv" else _xlsx_rows(path)
    try:
        header = next(raw_rows)
    except StopIteration:
        raise UnreadableFileError(f"'{path.name}' is empty: it has no header row",
                                  field="file") from None
    headers = [str(h).strip() for h in header]
    found = _map_columns(headers, columns)
    missing = [f for f in required if f not in found]
    if missing:
        names = ", ".join(LABELS_ID.get(f, f) for f in missing)
        raise UnreadableFileError(
            f"'{path.name}' has no column {names} (its columns are: "
            f"{', '.join(h for h in headers if h) or 'none'}); nothing was recorded",
            field="file")
    numbered = (SheetRow(number, cells) for number, cells in enumerate(raw_rows, start=2)
                if any(cells))
    return Sheet(path, fmt, headers, found, numbered,
                 total - 1 if total is not None else None)


def _map_columns(headers: list[str], columns: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    by_name = {normalise_header(h): i for i, h in reversed(list(enumerate(headers)))}
    found: dict[str, int] = {}
    for field, names in columns.items():
        for name in names:
            if name in by_name:
                found[field] = by_name[name]
                break
    return found


def _csv_rows(path: Path) -> tuple[Iterator[tuple[str, ...]], int]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(
            f"'{path.name}' is not a UTF-8 text file; save it as 'CSV UTF-8' (or as .xlsx)",
            field="file") from None
    if "\x00" in text[:4096]:
        raise UnreadableFileError(
            f"'{path.name}' holds binary data, not comma-separated text; is it a spreadsheet "
            "saved with the wrong extension?", field="file")
    sample = text[:8192]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return (tuple(cells) for cells in reader), text.count("\n")


def _xlsx_rows(path: Path) -> tuple[Iterator[tuple[str, ...]], int | None]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise UnreadableFileError(
            f"'{path.name}' cannot be opened as an Excel workbook ({error.__class__.__name__})",
            field="file") from None
    sheet = book.worksheets[0]
    total = sheet.max_row

    def rows() -> Iterator[tuple[str, ...]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                yield tuple(_cell_text(v) for v in values)
        finally:
            book.close()

    return rows(), total


def _cell_text(value: Any) -> str:
    """Spreadsheet cells as the text a clerk typed (dates as ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):
        return str(value.date().isoformat())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class SheetWriter:
    """Writes rows to a CSV or XLSX file (the error file, the generators' output)."""

    def __init__(self, path: Path, headers: Sequence[str]) -> None:
        self.path = path
        self.format = sheet_format(path)
        self._book: Any = None
        if self.format == "csv":
            self._file = path.open("w", newline="", encoding="utf-8")
            self._csv = csv.writer(self._file)
            self._csv.writerow(headers)
        else:
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet()
            self._sheet.append(list(headers))

    def write(self, cells: Sequence[Any]) -> None:
        if self.format == "csv":
            self._csv.writerow(cells)
        else:
            self._sheet.append(list(cells))

    def close(self) -> None:
        if self.format == "csv":
            self._file.close()
        else:
            self._book.save(self.path)

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
