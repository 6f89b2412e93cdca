"""A statement file (BPJS billing or bank) read into lines for reconciliation."""

from __future__ import annotations

import hashlib
from pathlib import Path

from intake.importing import RowError, _date
from intake.payments_import import _amount
from intake.roster import STATEMENT_COLUMNS, STATEMENT_REQUIRED, UnreadableFileError, read_sheet
from ledger.errors import LedgerError
from ledger.reconciliation import StatementLine


def read_statement(path: Path) -> tuple[list[StatementLine], str]:
    """Every line of the statement and the file's SHA-256; a line that cannot be read refuses
    the whole file (a statement is reconciled whole or not at all)."""
    sheet = read_sheet(Path(path), STATEMENT_COLUMNS, STATEMENT_REQUIRED)
    lines: list[StatementLine] = []
    for row in sheet.rows:
        try:
            reference = sheet.value(row, "reference")
            if not reference:
                raise RowError("the line has no reference", field="reference")
            lines.append(StatementLine(
                row.number, reference, _date(sheet.value(row, "date"), "date", "date"),
                _amount(sheet.value(row, "amount")), sheet.value(row, "description")))
        except LedgerError as error:
            raise UnreadableFileError(f"line {row.number} of '{Path(path).name}': {error}; "
                                      "nothing was recorded", field="file") from None
    return lines, hashlib.sha256(Path(path).read_bytes()).hexdigest()
