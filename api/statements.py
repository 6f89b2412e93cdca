"""Reconciling an uploaded or imported statement: one path for ``claims-ledger import statement``
and the console's upload form, so a statement gives the same run whichever way it arrives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from intake.statement import read_statement
from ledger.application import Ledger
from ledger.reconciliation import Reconciliation, record_run
from projections.reconciliation import ReconciliationReader


def reconcile_statement(ledger: Ledger, reader: ReconciliationReader, file: Path, *,
                        source: str, program: str | None, month: str | None,
                        statement_name: str, run_on: date,
                        actor: str) -> tuple[Reconciliation, bool]:
    """Read the statement, match it with the recorded money in scope (``reader``: projections
    caught up) and record the run: (the run, True), or (the run recorded before, False) for a
    statement already reconciled in the same scope. Refuses in the ledger's words (a line that
    cannot be read, an unknown programme) before anything is recorded."""
    lines, digest = read_statement(file)
    if program:
        ledger.programme(program)
    items = reader.ledger_items(source, program, month)
    return record_run(ledger, source=source, digest=digest,
                      program=program.upper() if program else None, month=month,
                      statement_name=statement_name, lines=lines, items=items, run_on=run_on,
                      actor=actor)
