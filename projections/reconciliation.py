"""Reconciliation runs and their discrepancies as read-model tables, and the recorded money a
statement is matched against.

The tables are part of the projection set (:mod:`projections.schema`): built by the same
projector, in the same batches, rebuilt and swapped with the others. Importing this module
registers its handlers with :data:`projections.handlers.HANDLERS`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.reconciliation import LedgerItem
from projections.db import Connection, Namespace
from projections.handlers import HANDLERS, PRIMARY_KEYS, Change, Insert, Operation

TABLES = (
    """CREATE TABLE IF NOT EXISTS {reconciliation_runs} (
        run_id TEXT PRIMARY KEY, source TEXT, programme TEXT, month TEXT, statement TEXT,
        statement_sha256 TEXT, lines INTEGER, ledger_items INTEGER, matched INTEGER,
        discrepancies INTEGER NOT NULL DEFAULT 0, open INTEGER NOT NULL DEFAULT 0,
        run_on TEXT, actor TEXT, recorded_at TEXT, position BIGINT)""",
    """CREATE TABLE IF NOT EXISTS {reconciliation_discrepancies} (
        discrepancy_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, number INTEGER NOT NULL,
        kind TEXT, reference TEXT, statement_amount BIGINT, ledger_amount BIGINT,
        statement_date TEXT, ledger_date TEXT, line INTEGER, detail TEXT, status TEXT,
        resolved_reason TEXT, resolved_by TEXT, resolved_at TEXT, position BIGINT)""",
    "CREATE INDEX IF NOT EXISTS {index}recon_run ON {reconciliation_discrepancies} (run_id)",
)
TABLE_NAMES = ("reconciliation_runs", "reconciliation_discrepancies")


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def run_recorded(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [Insert("reconciliation_runs", key, {
        "run_id": key, "source": e.source, "programme": e.programme_code, "month": e.month,
        "statement": e.statement_name, "statement_sha256": e.statement_sha256,
        "lines": e.lines, "ledger_items": e.ledger_items, "matched": e.matched,
        "discrepancies": 0, "open": 0, "run_on": _d(e.run_on), "actor": e.actor,
        "recorded_at": e.timestamp.isoformat(), "position": position})]


def discrepancy_found(e: Any, position: int) -> list[Operation]:
    run = str(e.originator_id)
    return [
        Insert("reconciliation_discrepancies", f"{run}/{e.number}", {
            "discrepancy_id": f"{run}/{e.number}", "run_id": run, "number": e.number,
            "kind": e.kind, "reference": e.reference, "statement_amount": e.statement_amount,
            "ledger_amount": e.ledger_amount, "statement_date": _d(e.statement_date),
            "ledger_date": _d(e.ledger_date), "line": e.line, "detail": e.detail,
            "status": "open", "resolved_reason": None, "resolved_by": None,
            "resolved_at": None, "position": position}),
        Change("reconciliation_runs", run, add={"discrepancies": 1, "open": 1}),
    ]


def discrepancy_resolved(e: Any, position: int) -> list[Operation]:
    run = str(e.originator_id)
    return [
        Change("reconciliation_discrepancies", f"{run}/{e.number}", {
            "status": "resolved", "resolved_reason": e.reason, "resolved_by": e.actor,
            "resolved_at": e.timestamp.isoformat()}),
        Change("reconciliation_runs", run, add={"open": -1}),
    ]


HANDLERS.update({
    "Reconciliation.RunRecorded": run_recorded,
    "Reconciliation.DiscrepancyFound": discrepancy_found,
    "Reconciliation.DiscrepancyResolved": discrepancy_resolved,
})
PRIMARY_KEYS.update({"reconciliation_runs": "run_id",
                     "reconciliation_discrepancies": "discrepancy_id"})


class ReconciliationReader:
    """Runs, discrepancies, and the recorded money a statement is matched against."""

    def __init__(self, connection: Connection, namespace: Namespace) -> None:
        self.connection = connection
        self.ns = namespace

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.connection.query(self.ns.sql(sql), params)

    def runs(self, run_id: str | None = None, program: str | None = None,
             status: str | None = None) -> list[dict[str, Any]]:
        """Runs (newest first) with their discrepancies; ``status`` open/resolved filters the
        discrepancies shown."""
        where, params = ["1 = 1"], []
        if run_id:
            where.append("run_id = ?")
            params.append(run_id)
        if program:
            where.append("programme = ?")
            params.append(program.upper())
        runs = self._rows("SELECT * FROM {reconciliation_runs} WHERE " + " AND ".join(where)
                          + " ORDER BY position DESC", tuple(params))
        for run in runs:
            query = "SELECT * FROM {reconciliation_discrepancies} WHERE run_id = ?"
            args: tuple[Any, ...] = (run["run_id"],)
            if status:
                query += " AND status = ?"
                args += (status,)
            run["items"] = self._rows(query + " ORDER BY number", args)
        return runs

    def ledger_items(self, source: str, program: str | None,
                     month: str | None) -> list[LedgerItem]:
        """Unreversed contributions, and payouts by the statement's payer (BPJS pays JKK/JKM
        benefits, the city's bank account pays its death grant), in the scope asked."""
        items: list[LedgerItem] = []
        where, params = ["reversed_on IS NULL"], []
        if program:
            where.append("programme = ?")
            params.append(program.upper())
        if month:
            where.append("paid_on LIKE ?")
            params.append(f"{month}%")
        for row in self._rows("SELECT sp2d, paid_on, amount FROM {contributions} WHERE "
                              + " AND ".join(where) + " ORDER BY paid_on, sp2d", tuple(params)):
            items.append(LedgerItem(row["sp2d"], date.fromisoformat(row["paid_on"]),
                                    int(row["amount"]), "contribution"))
        payer = "BPJS" if source == "bpjs" else "CITY"
        where, params = ["p.reversed = 0", "c.payer = ?"], [payer]
        if program:
            where.append("c.programme = ?")
            params.append(program.upper())
        if month:
            where.append("p.paid_on LIKE ?")
            params.append(f"{month}%")
        for row in self._rows(
                "SELECT p.reference, p.paid_on, p.amount FROM {payouts} p JOIN {claims} c"
                " ON c.claim_id = p.claim_id WHERE " + " AND ".join(where)
                + " ORDER BY p.paid_on, p.reference", tuple(params)):
            items.append(LedgerItem(row["reference"], date.fromisoformat(row["paid_on"]),
                                    int(row["amount"]), "payout"))
        return items
