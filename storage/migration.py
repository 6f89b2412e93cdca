"""``claims-ledger migrate``: a store of an earlier release rewritten, once, into a new log.

Every event of the old store is read in log order (:mod:`storage.migration_source`), given the
new form (:mod:`storage.migration_upgrade`: people's new subject ids from the new store's NIK
index) and encoded by the new store's own mapper (which seals the personal fields), at the same
log position, with the same aggregate id (but a person's), version, topic and timestamp. The
new log is a new journal: its root differs. So the migration also keeps, in the new store:

- the old log's signed (and co-signed) checkpoints, as history: ``ledger_checkpoints_before_
  migration``, apart from the new log's checkpoints, which ``verify`` checks against the log;
- a statement signed with the journal's key (:class:`~ledger.journal.migration_link.
  MigrationLink`) that the old log's (size, root) became the new log's (size, root), and a
  first checkpoint of the new log, signed at the same moment;
- the migration's record (``ledger_migrations``): when, from which store, the two heads, the
  statement. A second run finds it and is refused, naming when the first ran.

The rewritten rows go to a temporary file first (while the old log's root is recomputed and
checked against its own checkpoints), then into the new store in one transaction: on any
failure the new store's log and tables are left as they were. The people the NIK index was
asked for are removed from it again when the migration fails.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

from ledger.application import Ledger
from ledger.journal.checkpoint import Checkpoint, leaf_of, private_key
from ledger.journal.merkle import Frontier
from ledger.journal.migration_link import MigrationLink
from ledger.journal.tlog import parse_checkpoint
from storage.log_index import datastore_of, settings_of, unavailable
from storage.migration_source import OldCheckpoint, OldStore
from storage.migration_tables import (
    HISTORY_TABLE,
    MIGRATIONS_TABLE,
    MigrationRecord,
    MigrationRefusedError,
    migration_record,
    migration_statements,
)
from storage.migration_upgrade import Subjects, Upgrade
from storage.personal import INDEX_TABLE, KEYS_TABLE
from storage.store import CHECKPOINT_TABLE, postgres_connect_args, qualified

#: Called after each page: (events rewritten so far, events in all).
Progress = Callable[[int, int], None]


def subjects_of(target: Ledger) -> Subjects:
    """The new store's NIK index, which gives the people their subject ids."""
    return target.personal


@dataclass(frozen=True)
class MigrationReport:
    """What a migration did."""

    record: MigrationRecord
    link: MigrationLink
    checkpoint: Checkpoint
    history: int  # old checkpoints kept (signed and co-signed)
    people: int  # Person aggregates given their new subject ids
    #: the origins under which witnesses co-signed the old log (they follow its old tree)
    witnessed: frozenset[str] = frozenset()


def migrate(target: Ledger, old: OldStore, subjects: Subjects, signing_key: str,
            progress: Progress | None = None) -> MigrationReport:
    """Rewrite the old store into ``target`` (initialised, empty, never migrated); all or
    nothing. Refused in plain words (:class:`MigrationRefusedError`) otherwise."""
    key = private_key(signing_key)  # a bad key is refused before anything is read
    settings = settings_of(target)
    if old.settings.describe() == settings.describe() and \
            old.settings.env.get("POSTGRES_SCHEMA") == settings.env.get("POSTGRES_SCHEMA"):
        raise MigrationRefusedError("--from names the configured store itself; migrate from "
                                    "the old store into a new, empty one. Nothing was changed")
    require_fresh(target)
    upgrade = Upgrade(subjects)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        try:
            with old.reading():
                old_head, new_head, history = _rewrite(target, old, upgrade, spool, progress)
            moment = datetime.now(UTC).replace(microsecond=0).isoformat()
            link = MigrationLink.sign(old_head, new_head, moment, key)
            checkpoint = Checkpoint.sign(new_head[0], new_head[1], moment, key)
            record = MigrationRecord(moment, old.describe(), old_head[0], old_head[1].hex(),
                                     new_head[0], new_head[1].hex(), len(upgrade.persons),
                                     link.to_text())
            spool.seek(0)
            _write(target, _spooled(spool), history, checkpoint, record)
        except BaseException:
            if not int(target.recorder.max_notification_id() or 0):
                # Nobody else wrote meanwhile (another run's subjects would be the same ids).
                _forget(target, list(upgrade.subject_of.values()))
            raise
    witnessed = frozenset(parse_checkpoint(c.text).body.origin for c in history if c.witness)
    return MigrationReport(record, link, checkpoint, len(history), len(upgrade.persons),
                           witnessed)


def require_fresh(target: Ledger) -> None:
    """Refuse a target migrated already (saying when) or holding any event or checkpoint."""
    done = migration_record(target)
    if done is not None:
        raise MigrationRefusedError(
            f"this store was migrated already, on {done.ran_at}, from {done.source} "
            f"({done.old_size} events); a migration runs once. Nothing was changed")
    # Index and key rows without any event (a run killed before it wrote the log) are taken
    # up again: the same NIKs get the same subjects, and nothing of the log refers to them.
    events = int(target.recorder.max_notification_id() or 0)
    if events or _count(target, CHECKPOINT_TABLE):
        raise MigrationRefusedError(
            f"{settings_of(target).describe()} already holds {events} event(s) or checkpoints;"
            " a migration goes only into a new, empty store (run 'claims-ledger db init' on a "
            "new database and set LEDGER_DATABASE_URL to it). Nothing was changed")


def _count(target: Ledger, table: str) -> int:
    with datastore_of(target).transaction(commit=False) as cursor:
        cursor.execute(f"SELECT count(*) AS n FROM {qualified(settings_of(target), table)}")
        return int(cursor.fetchone()["n"])


def _forget(target: Ledger, subjects: list[UUID]) -> None:
    """Remove the index and key rows of these subjects again: a migration that failed asked
    the (empty) new store's index for them, and leaves it as it found it."""
    settings = settings_of(target)
    mark = "%s" if settings.is_postgres else "?"
    with datastore_of(target).transaction(commit=True) as cursor:
        for start in range(0, len(subjects), 500):
            chunk = [str(s) for s in subjects[start:start + 500]]
            marks = ",".join([mark] * len(chunk))
            for table in (INDEX_TABLE, KEYS_TABLE):
                cursor.execute(f"DELETE FROM {qualified(settings, table)} WHERE subject_id IN "
                               f"({marks})", chunk)


def _rewrite(target: Ledger, old: OldStore, upgrade: Upgrade, spool: IO[str],
             progress: Progress | None
             ) -> tuple[tuple[int, bytes], tuple[int, bytes], list[OldCheckpoint]]:
    """Rewrite every old row into ``spool``; the old and new heads and the old checkpoints."""
    if old.count(MIGRATIONS_TABLE) or old.count(INDEX_TABLE):
        raise MigrationRefusedError(
            f"{old.describe()} is of the new form already (it keeps a NIK index, or was "
            "migrated itself): only a store of an earlier release is migrated; nothing was "
            "changed")
    count, last = old.head()
    history = old.checkpoints()
    pending = sorted(history, key=lambda c: c.size)
    before, after = Frontier(), Frontier()
    for page in old.pages(last):
        events = [(row.position, old.decode(row)) for row in page]
        upgrade.prepare(events)
        for row, (position, event) in zip(page, events, strict=True):
            before.append(row.leaf())
            while pending and pending[0].size == before.size:
                _require_root(pending.pop(0), before, old)
            stored = target.mapper.to_stored_event(upgrade.upgrade(event, position))
            originator = UUID(str(stored.originator_id))
            after.append(leaf_of(position, originator, stored.originator_version, stored.topic,
                                 stored.state))
            spool.write(json.dumps([position, str(originator), stored.originator_version,
                                    stored.topic, base64.b64encode(stored.state).decode()])
                        + "\n")
        if progress is not None:
            progress(before.size, count)
    if pending:
        raise MigrationRefusedError(
            f"the old store holds {before.size} events but a checkpoint of {pending[0].size}: "
            "its log was cut short since it was signed; nothing was changed")
    return (before.size, before.root()), (after.size, after.root()), history


def _require_root(kept: OldCheckpoint, frontier: Frontier, old: OldStore) -> None:
    if frontier.root().hex() != kept.root:
        signed = f"co-signed by {kept.witness}" if kept.witness else "signed"
        raise MigrationRefusedError(
            f"the old store's log no longer has the root of its checkpoint of {kept.size} events "
            f"({signed}): run that release's 'claims-ledger verify' on {old.describe()} and "
            "restore it from a backup before migrating. Nothing was changed")


Spooled = tuple[int, str, int, str, bytes]


def _spooled(spool: IO[str]) -> Iterator[Spooled]:
    for line in spool:
        position, originator, version, topic, state = json.loads(line)
        yield int(position), str(originator), int(version), str(topic), base64.b64decode(state)


def _write(target: Ledger, rows: Iterator[Spooled], history: list[OldCheckpoint],
           checkpoint: Checkpoint, record: MigrationRecord) -> None:
    """Everything into the new store in one transaction, the fresh target checked again
    under the writers' lock."""
    if settings_of(target).is_postgres:
        _write_postgres(target, rows, history, checkpoint, record)
    else:
        _write_sqlite(target, rows, history, checkpoint, record)


def _kept(history: list[OldCheckpoint], checkpoint: Checkpoint, record: MigrationRecord
          ) -> list[tuple[str, tuple[Any, ...]]]:
    """The inserts beside the events: the new checkpoint, the old history, the record."""
    return [
        (f"INSERT INTO {{{CHECKPOINT_TABLE}}} (size, root, time, text) VALUES (?, ?, ?, ?)",
         (checkpoint.size, checkpoint.root.hex(), checkpoint.time, checkpoint.to_text())),
        *((f"INSERT INTO {{{HISTORY_TABLE}}} (witness, size, root, time, text) "
           "VALUES (?, ?, ?, ?, ?)", (c.witness, c.size, c.root, c.time, c.text))
          for c in history),
        (f"INSERT INTO {{{MIGRATIONS_TABLE}}} (ran_at, source, old_size, old_root, new_size, "
         "new_root, people, statement) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", record.row()),
    ]


def _refuse_filled(counts: list[int], where: str) -> None:
    events, checkpoints, migrations = counts
    if migrations:
        raise MigrationRefusedError(f"{where} was migrated already (by a run that finished "
                                    "meanwhile); nothing was changed")
    if events or checkpoints:
        raise MigrationRefusedError(
            f"{where} holds {events} event(s) and {checkpoints} checkpoint(s): a migration goes "
            "only into a new, empty store. Nothing was changed")


def _write_postgres(target: Ledger, rows: Iterator[Spooled], history: list[OldCheckpoint],
                    checkpoint: Checkpoint, record: MigrationRecord) -> None:
    import psycopg

    settings = settings_of(target)
    table = target.qualified_events_table
    names = {name: qualified(settings, name)
             for name in (CHECKPOINT_TABLE, HISTORY_TABLE, MIGRATIONS_TABLE)}
    try:
        connection = psycopg.connect(**postgres_connect_args(settings))
    except psycopg.Error as error:
        raise unavailable(settings, error) from error
    with connection, connection.transaction():
        connection.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # every writer's lock
        for statement in migration_statements(settings):
            connection.execute(statement)
        counts = [connection.execute(f"SELECT count(*) FROM {name}").fetchone()
                  for name in (table, names[CHECKPOINT_TABLE], names[MIGRATIONS_TABLE])]
        _refuse_filled([int(c[0]) if c else 0 for c in counts], settings.describe())
        cursor = connection.cursor()
        with cursor.copy(f"COPY {table} (notification_id, originator_id, originator_version, "
                         "topic, state) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        for statement, values in _kept(history, checkpoint, record):
            cursor.execute(statement.format(**names).replace("?", "%s"), values)
        # New events continue after the migrated ones.
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), "
            f"GREATEST((SELECT max(notification_id) FROM {table}), 1), "
            f"(SELECT max(notification_id) FROM {table}) IS NOT NULL)")


def _write_sqlite(target: Ledger, rows: Iterator[Spooled], history: list[OldCheckpoint],
                  checkpoint: Checkpoint, record: MigrationRecord) -> None:
    settings = settings_of(target)
    table = target.events_table
    names = {name: name for name in (CHECKPOINT_TABLE, HISTORY_TABLE, MIGRATIONS_TABLE)}
    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"], timeout=30,
                                 isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # the write lock: nobody appends meanwhile
        try:
            for statement in migration_statements(settings):
                connection.execute(statement)
            counts = [connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                      for name in (table, CHECKPOINT_TABLE, MIGRATIONS_TABLE)]
            _refuse_filled([int(c) for c in counts], settings.describe())
            # As the library's SQLite recorder writes an aggregate id: bare hex.
            connection.executemany(
                f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)",
                ((p, UUID(o).hex, v, t, s) for p, o, v, t, s in rows))
            for statement, values in _kept(history, checkpoint, record):
                connection.execute(statement.format(**names), values)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()
