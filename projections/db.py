"""Where the projections live and how SQL is spoken to them, on SQLite and PostgreSQL alike.

Projection tables sit in the ledger's own database: on PostgreSQL in a schema of their own
(``projections``, or ``<schema>_projections`` beside a ledger kept in schema ``<schema>``), on
SQLite as tables named ``proj_*``. A rebuild writes into a second namespace (``..._rebuild``)
and swaps it in only when complete.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from storage.settings import StoreSettings
from storage.store import postgres_connect_args


@dataclass(frozen=True)
class Namespace:
    """A set of projection tables: live, or a rebuild in progress."""

    settings: StoreSettings
    rebuild: bool = False
    #: A snapshot: the projections as the log stood at this position (audit reports).
    at: int | None = None
    #: Tells apart two snapshots of the same position taken at once (two reports in parallel).
    tag: str = ""
    #: A snapshot of what had taken effect by this day ("covered on"): events whose business
    #: date is later are left out of the read models (never out of the journal).
    effective_by: date | None = None

    @property
    def postgres(self) -> bool:
        return self.settings.is_postgres

    @property
    def prefix(self) -> str:
        """What tells this namespace's SQLite tables and indexes from the live ones."""
        if self.at is not None:
            return f"at{self.at}{self.tag}_"
        return "rebuild_" if self.rebuild else ""

    @property
    def schema(self) -> str:
        base = self.settings.env.get("POSTGRES_SCHEMA")
        name = f"{base}_projections" if base else "projections"
        if self.at is not None:
            return f"{name}_at_{self.at}{self.tag}"
        return f"{name}_rebuild" if self.rebuild else name

    def table(self, name: str) -> str:
        """The physical name of a logical projection table."""
        if self.postgres:
            return f'"{self.schema}"."{name}"'
        return f"{self.prefix}proj_{name}"

    def sql(self, statement: str) -> str:
        """Placeholders are written ``?``; PostgreSQL wants ``%s``. Tables as ``{name}``."""
        names = _TABLE_NAMES
        text = statement.format(**{n: self.table(n) for n in names})
        return text.replace("?", "%s") if self.postgres else text


_TABLE_NAMES = (
    "tracking", "members", "paid", "contributions", "claims", "programmes", "rates",
    "payouts", "revisions", "handovers", "journal_leaves", "journal_frontier", "incidents",
    "handover_items", "reconciliation_runs", "reconciliation_discrepancies", "followers",
    "scholarships", "scholarship_children", "scholarship_years", "jkk_cases",
    "person_months", "programme_months",
)


class Connection:
    """One connection to the projection tables; threads sharing it take turns."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self._snapshots = 0
        self.postgres = settings.is_postgres
        self.raw: Any
        if self.postgres:
            import psycopg
            from psycopg.rows import dict_row

            self.raw = psycopg.connect(**postgres_connect_args(settings), row_factory=dict_row)
        else:
            self.raw = sqlite3.connect(settings.env["SQLITE_DBNAME"], timeout=30,
                                       isolation_level=None, check_same_thread=False)
            self.raw.row_factory = sqlite3.Row
            self.raw.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        with self.lock:
            self.raw.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One transaction; on SQLite taken for writing at once (BEGIN IMMEDIATE)."""
        with self.lock:
            yield from self._transaction()

    def _transaction(self) -> Iterator[Any]:
        if self.postgres:
            with self.raw.transaction():
                yield self.raw.cursor()
        else:
            cursor = self.raw.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            else:
                cursor.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the tables, even while the projector commits.

        Re-entrant: a snapshot taken inside another (a report reading findings) is the same one.
        """
        with self.lock:
            if self._snapshots:
                self._snapshots += 1
                try:
                    yield
                finally:
                    self._snapshots -= 1
                return
            self._snapshots = 1
            try:
                yield from self._snapshot()
            finally:
                self._snapshots = 0

    def _snapshot(self) -> Iterator[None]:
        if self.postgres:
            with self.raw.transaction():
                self.raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield
            return
        self.raw.execute("BEGIN")  # WAL: the first read fixes what the others see
        try:
            yield
        finally:
            self.raw.execute("COMMIT")

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read, as dicts, outside any write transaction."""
        with self.lock:
            return self._query(statement, params)

    def tuples(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read as plain tuples: for reads of millions of rows, no dict per row."""
        with self.lock:
            if self.postgres:
                from psycopg.rows import tuple_row

                with self.raw.transaction():
                    return list(self.raw.cursor(row_factory=tuple_row).execute(
                        statement, params).fetchall())
            cursor = self.raw.cursor()
            cursor.row_factory = None  # sqlite3's own tuples: no Row object made per row
            try:
                return list(cursor.execute(statement, params).fetchall())
            finally:
                cursor.close()

    def _query(self, statement: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        if self.postgres:
            with self.raw.transaction():
                rows = self.raw.execute(statement, params).fetchall()
            return [dict(r) for r in rows]
        return [dict(r) for r in self.raw.execute(statement, params).fetchall()]


#: After this many events applied to a namespace's tables by one process, PostgreSQL is asked
#: to ``ANALYZE`` them: the audit's and the budget's reads of a few rows (the persons paid
#: twice, the members who died or moved, a claim's paid months) are planned as index reads
#: only once the planner knows how many rows the tables hold; without statistics (a bulk
#: import projected, a rebuild, a server whose autovacuum has not come by) it reads every
#: paid member-month instead (4 s at 200,000 members, against 2 ms).
ANALYZE_AFTER = 10_000
_APPLIED: dict[tuple[Any, ...], int] = {}
_APPLIED_LOCK = threading.Lock()


def analyzed(connection: Connection, namespace: Namespace, applied: int) -> int:
    """Count ``applied`` events against the namespace; past :data:`ANALYZE_AFTER`, analyze
    its tables (PostgreSQL; SQLite plans from its indexes). Returns ``applied``."""
    if not namespace.postgres or applied <= 0:
        return applied
    env = namespace.settings.env
    key = (env.get("POSTGRES_HOST"), env.get("POSTGRES_PORT"), env.get("POSTGRES_DBNAME"),
           namespace.schema)
    with _APPLIED_LOCK:
        total = _APPLIED.get(key, 0) + applied
        _APPLIED[key] = 0 if total >= ANALYZE_AFTER else total
    if total >= ANALYZE_AFTER:
        with connection.transaction() as cursor:
            for name in _TABLE_NAMES:
                cursor.execute(f"ANALYZE {namespace.table(name)}")
    return applied
