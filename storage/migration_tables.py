"""The two tables a migration leaves in the new store, and how they are read back.

``ledger_migrations`` holds the migration's record (one row: a store is migrated once) with the
signed statement linking the old log's head to the new log's; ``ledger_checkpoints_before_
migration`` the old log's checkpoints, signed (``witness`` empty) and co-signed, kept as history
and never mixed with the new log's own checkpoints (``ledger_checkpoints``), which ``verify``
checks against the log. ``db init`` makes both (empty); the migration makes them too, for a
store initialised by an earlier release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.application import Ledger
from ledger.errors import RuleViolationError
from storage.log_index import datastore_of, settings_of
from storage.settings import StoreSettings
from storage.store import qualified

MIGRATIONS_TABLE = "ledger_migrations"
HISTORY_TABLE = "ledger_checkpoints_before_migration"


class MigrationRefusedError(RuleViolationError):
    """``claims-ledger migrate`` may not run: the target was migrated already or holds records,
    the old store is not one of an earlier release, not whole, or not readable with the cipher
    key given. The message says which; nothing is changed."""

    rule = "migration-refused"


def migration_statements(settings: StoreSettings) -> list[str]:
    """The two tables, if they are not there yet."""
    return [
        f"CREATE TABLE IF NOT EXISTS {qualified(settings, MIGRATIONS_TABLE)} ("
        "ran_at TEXT NOT NULL, source TEXT NOT NULL, old_size BIGINT NOT NULL, "
        "old_root TEXT NOT NULL, new_size BIGINT NOT NULL, new_root TEXT NOT NULL, "
        "people BIGINT NOT NULL, statement TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {qualified(settings, HISTORY_TABLE)} ("
        "witness TEXT NOT NULL, size BIGINT NOT NULL, root TEXT NOT NULL, time TEXT NOT NULL, "
        "text TEXT NOT NULL)",
    ]


@dataclass(frozen=True)
class MigrationRecord:
    """When a store was migrated, from where, the two heads, and the signed statement."""

    ran_at: str
    source: str
    old_size: int
    old_root: str
    new_size: int
    new_root: str
    people: int
    statement: str

    def row(self) -> tuple[Any, ...]:
        return (self.ran_at, self.source, self.old_size, self.old_root, self.new_size,
                self.new_root, self.people, self.statement)


@dataclass(frozen=True)
class CheckpointBefore:
    """A checkpoint of the old log: signed by the old journal's key, or (``witness``)
    co-signed by a witness."""

    witness: str
    size: int
    root: str
    time: str
    text: str


def _has_table(ledger: Ledger, cursor: Any, table: str) -> bool:
    settings = settings_of(ledger)
    if settings.is_postgres:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL AS found",
                       (qualified(settings, table),))
    else:
        cursor.execute("SELECT count(*) > 0 AS found FROM sqlite_master WHERE type = 'table' "
                       "AND name = ?", (table,))
    return bool(cursor.fetchone()["found"])


def migration_record(ledger: Ledger) -> MigrationRecord | None:
    """The store's migration, if it was migrated (None for a store made by this release, or
    initialised before migrations existed)."""
    with datastore_of(ledger).transaction(commit=False) as cursor:
        if not _has_table(ledger, cursor, MIGRATIONS_TABLE):
            return None
        cursor.execute(f"SELECT ran_at, source, old_size, old_root, new_size, new_root, people,"
                       f" statement FROM {qualified(settings_of(ledger), MIGRATIONS_TABLE)}")
        rows = cursor.fetchall()
    if not rows:
        return None
    r = rows[0]
    return MigrationRecord(str(r["ran_at"]), str(r["source"]), int(r["old_size"]),
                           str(r["old_root"]), int(r["new_size"]), str(r["new_root"]),
                           int(r["people"]), str(r["statement"]))


def checkpoints_before_migration(ledger: Ledger) -> list[CheckpointBefore]:
    """The old log's checkpoints the migration kept, by size (signed ones first)."""
    with datastore_of(ledger).transaction(commit=False) as cursor:
        if not _has_table(ledger, cursor, HISTORY_TABLE):
            return []
        cursor.execute(f"SELECT witness, size, root, time, text FROM "
                       f"{qualified(settings_of(ledger), HISTORY_TABLE)} "
                       "ORDER BY size, witness, time")
        return [CheckpointBefore(str(r["witness"]), int(r["size"]), str(r["root"]),
                                 str(r["time"]), str(r["text"])) for r in cursor.fetchall()]


# -- in an export (storage/archive.py): a migrated store's backup keeps its migration ----------


def export_lines(ledger: Ledger) -> list[str]:
    """The export's lines of the migration: its record, then the old checkpoints kept."""
    import json
    from dataclasses import asdict

    record = migration_record(ledger)
    if record is None:
        return []
    return [json.dumps({"migrated": asdict(record)}, sort_keys=True),
            *(json.dumps({"before_migration": asdict(kept)}, sort_keys=True)
              for kept in checkpoints_before_migration(ledger))]


def from_export(found: dict[str, Any]) -> MigrationRecord | CheckpointBefore | None:
    """The record or kept old checkpoint an export line holds (None: neither; KeyError or
    TypeError: a line that does not hold one whole)."""
    if "migrated" in found:
        return MigrationRecord(**found["migrated"])
    if "before_migration" in found:
        return CheckpointBefore(**found["before_migration"])
    return None


def restore_migration(settings: StoreSettings, cursor: Any,
                      kept: list[MigrationRecord | CheckpointBefore]) -> None:
    """Put an export's migration back, inside the restore's transaction (the tables made if
    the store was initialised before migrations existed)."""
    if not kept:
        return
    for statement in migration_statements(settings):
        cursor.execute(statement)
    mark = "%s" if settings.is_postgres else "?"
    for record in kept:
        if isinstance(record, MigrationRecord):
            table, columns, values = (MIGRATIONS_TABLE, "ran_at, source, old_size, old_root, "
                                      "new_size, new_root, people, statement", record.row())
        else:
            table, columns, values = (HISTORY_TABLE, "witness, size, root, time, text", (
                record.witness, record.size, record.root, record.time, record.text))
        cursor.execute(f"INSERT INTO {qualified(settings, table)} ({columns}) VALUES "
                       f"({', '.join([mark] * len(values))})", values)
