"""Restore: an export (:mod:`storage.archive`, its lines :mod:`storage.archive_format`) read
into an initialised, empty ledger in one transaction, each line checked as it is read; any bad
line, a count or root that does not match, an event this ledger cannot read (another master
key) and nothing is kept. It streams: memory does not grow with the log."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.application import Ledger
from ledger.journal.merkle import Frontier
from storage.archive_format import (
    PAGE,
    CheckpointLine,
    Cosigned,
    ExportFileError,
    Manifest,
    Record,
    RestoreOntoNonEmptyError,
    Row,
    parse_line,
    read_manifest,
)
from storage.archive_keys import IndexRecord, KeyRecord, admit, key_statements
from storage.log_index import settings_of, unavailable
from storage.migration_tables import CheckpointBefore, MigrationRecord, restore_migration
from storage.store import CHECKPOINT_TABLE, COSIGNED_TABLE, postgres_connect_args, qualified


def restore_log(ledger: Ledger, source: IO[str]) -> Manifest:
    """Restore an export into this ledger, all or nothing; the ledger must hold no events."""
    try:
        manifest = read_manifest(source)
        records = _records(ledger, source, manifest)
        if ledger.settings.is_postgres:
            _restore_postgres(ledger, records)
        else:
            _restore_sqlite(ledger, records)
    except UnicodeDecodeError:
        raise ExportFileError("this file is not a claims-ledger export (it is not UTF-8 "
                              "text)") from None
    return manifest


def _records(ledger: Ledger, source: IO[str], manifest: Manifest) -> Iterator[Record]:
    """The file's events, checkpoints and cosigned checkpoints, each checked; the last check
    (counts and root) runs after the last line, before the caller commits."""
    frontier = Frontier()
    checkpoints = 0
    cosigned = 0
    last = 0
    keys = {"keys": 0, "index": 0}
    migrated = 0
    for number, line in enumerate(source, start=2):
        if not line.strip():
            continue
        if not line.endswith("\n"):
            raise ExportFileError(f"line {number} is cut off: the file is truncated")
        record = parse_line(line, number)
        if isinstance(record, MigrationRecord | CheckpointBefore):
            migrated += 1
            yield record
            continue
        if migrated:
            raise ExportFileError(f"line {number}: a record after the migration's")
        if isinstance(record, KeyRecord | IndexRecord):
            if frontier.size or checkpoints or cosigned:
                raise ExportFileError(f"line {number}: a key after the events")
            if isinstance(record, KeyRecord):
                admit(ledger, record)  # the events after it are read with it
            keys["keys" if isinstance(record, KeyRecord) else "index"] += 1
            yield record
            continue
        if isinstance(record, Cosigned):
            if record.size > frontier.size:
                raise ExportFileError(f"line {number}: a checkpoint co-signed at size "
                                      f"{record.size}, past the {frontier.size} events")
            cosigned += 1
            yield record
            continue
        if cosigned:
            raise ExportFileError(f"line {number}: a record after the co-signed checkpoints")
        if isinstance(record, CheckpointLine):
            checkpoints += 1
            yield record
            continue
        if checkpoints:
            raise ExportFileError(f"line {number}: an event after the checkpoints")
        if record.position <= last:
            raise ExportFileError(f"line {number}: position {record.position} is not after "
                                  f"{last}; the events are out of order")
        last = record.position
        _readable(ledger, record, number)
        frontier.append(record.leaf())
        yield record
    if (keys["keys"], keys["index"]) != (manifest.keys, manifest.index):
        raise ExportFileError(f"the file holds {keys['keys']} keys and {keys['index']} index "
                              f"rows but its manifest says {manifest.keys} and "
                              f"{manifest.index}: it is truncated or was changed")
    if (frontier.size, checkpoints, cosigned, migrated) != (
            manifest.count, manifest.checkpoints, manifest.cosigned, manifest.migration):
        raise ExportFileError(
            f"the file holds {frontier.size} events, {checkpoints} checkpoints and {cosigned} "
            f"co-signed checkpoints but its manifest says {manifest.count}, "
            f"{manifest.checkpoints} and {manifest.cosigned}: it is truncated or was changed")
    if frontier.root().hex() != manifest.root:
        raise ExportFileError("the events in the file do not give the journal root in its "
                              "manifest: the file was changed")


def _readable(ledger: Ledger, row: Row, number: int) -> None:
    """This ledger can decode the event (same cipher key, known event type)."""
    try:
        ledger.mapper.to_domain_event(StoredEvent(
            originator_id=UUID(row.originator_id), originator_version=row.version,
            topic=row.topic, state=row.state))
    except Exception as error:
        hint = ("its personal fields are sealed under keys this store's master key does not "
                "open, or its key lines are missing: restore with the master key of the store "
                "it was exported from")
        raise ExportFileError(f"line {number}: this ledger cannot read the event at position "
                              f"{row.position} ({type(error).__name__}); {hint}") from None


def _refuse_non_empty(events: int, checkpoints: int, where: str) -> None:
    if events or checkpoints:
        raise RestoreOntoNonEmptyError(
            f"{where} already holds {events} event(s) and {checkpoints} checkpoint(s); a "
            "restore goes only into an empty ledger (run 'claims-ledger db init' on a new "
            "database and restore there). Nothing was changed.")


def _restore_postgres(ledger: Ledger, records: Iterator[Record]) -> None:
    import psycopg

    settings = settings_of(ledger)
    table = ledger.qualified_events_table
    kept = qualified(settings, CHECKPOINT_TABLE)
    witnessed = qualified(settings, COSIGNED_TABLE)
    try:
        connection = psycopg.connect(**postgres_connect_args(settings))
    except psycopg.Error as error:
        raise unavailable(settings, error) from error
    with connection, connection.transaction():
        # The lock every writer takes: nobody appends while the log is being restored.
        connection.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        events = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        signed = connection.execute(f"SELECT count(*) FROM {kept}").fetchone()
        _refuse_non_empty(int(events[0]) if events else 0, int(signed[0]) if signed else 0,
                          settings.describe())
        count_keys, _, insert_key, insert_index = key_statements(ledger, True)
        held = connection.execute(count_keys).fetchone()
        _refuse_non_empty(int(held[0]) if held else 0, 0, settings.describe() + "'s key table")
        cursor = connection.cursor()
        checkpoints: list[CheckpointLine] = []
        cosigned: list[Cosigned] = []
        migrated: list[MigrationRecord | CheckpointBefore] = []
        first: list[Record] = []
        for record in records:  # the keys and the index come first, before the COPY
            if isinstance(record, KeyRecord):
                cursor.execute(insert_key, (record.subject, record.wrapped,
                                            record.destroyed_at))
            elif isinstance(record, IndexRecord):
                cursor.execute(insert_index, (record.nik_hmac, record.subject))
            else:
                first.append(record)
                break
        with cursor.copy(f"COPY {table} (notification_id, originator_id, "
                         "originator_version, topic, state) FROM STDIN") as copy:
            for record in itertools.chain(first, records):
                if isinstance(record, KeyRecord | IndexRecord):
                    raise ExportFileError("a key after the events")  # _records refuses it
                if isinstance(record, CheckpointLine):
                    checkpoints.append(record)
                elif isinstance(record, Cosigned):
                    cosigned.append(record)
                elif isinstance(record, MigrationRecord | CheckpointBefore):
                    migrated.append(record)
                else:
                    copy.write_row((record.position, record.originator_id, record.version,
                                    record.topic, record.state))
        cursor.executemany(f"INSERT INTO {kept} (size, root, time, text) "
                           "VALUES (%s, %s, %s, %s)",
                           [(c.size, c.root, c.time, c.text) for c in checkpoints])
        cursor.executemany(f"INSERT INTO {witnessed} (witness, size, root, text) "
                           "VALUES (%s, %s, %s, %s)",
                           [(c.witness, c.size, c.root, c.text) for c in cosigned])
        restore_migration(settings, cursor, migrated)
        # New events continue after the restored ones.
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), "
            f"GREATEST((SELECT max(notification_id) FROM {table}), 1), "
            f"(SELECT max(notification_id) FROM {table}) IS NOT NULL)")


def _restore_sqlite(ledger: Ledger, records: Iterator[Record]) -> None:
    settings = settings_of(ledger)
    table = ledger.events_table
    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"], timeout=30,
                                 isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # the write lock: nobody appends meanwhile
        try:
            events = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            signed = connection.execute(f"SELECT count(*) FROM {CHECKPOINT_TABLE}").fetchone()[0]
            _refuse_non_empty(int(events), int(signed), settings.describe())
            count_keys, _, insert_key, insert_index = key_statements(ledger, False)
            held = connection.execute(count_keys).fetchone()[0]
            _refuse_non_empty(int(held), 0, settings.describe() + "'s key table")
            batch: list[tuple[Any, ...]] = []
            insert = (f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, "
                      "state) VALUES (?, ?, ?, ?, ?)")
            migrated: list[MigrationRecord | CheckpointBefore] = []
            for record in records:
                if isinstance(record, MigrationRecord | CheckpointBefore):
                    migrated.append(record)
                    continue
                if isinstance(record, KeyRecord):
                    connection.execute(insert_key, (record.subject, record.wrapped,
                                                    record.destroyed_at))
                    continue
                if isinstance(record, IndexRecord):
                    connection.execute(insert_index, (record.nik_hmac, record.subject))
                    continue
                if isinstance(record, CheckpointLine):
                    connection.execute(f"INSERT INTO {CHECKPOINT_TABLE} (size, root, time, text)"
                                       " VALUES (?, ?, ?, ?)",
                                       (record.size, record.root, record.time, record.text))
                    continue
                if isinstance(record, Cosigned):
                    connection.execute(f"INSERT INTO {COSIGNED_TABLE} (witness, size, root, "
                                       "text) VALUES (?, ?, ?, ?)",
                                       (record.witness, record.size, record.root, record.text))
                    continue
                # As the library's SQLite recorder writes an aggregate id: bare hex.
                batch.append((record.position, UUID(record.originator_id).hex, record.version,
                              record.topic, record.state))
                if len(batch) >= PAGE:
                    connection.executemany(insert, batch)
                    batch = []
            connection.executemany(insert, batch)
            restore_migration(settings, connection, migrated)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()
