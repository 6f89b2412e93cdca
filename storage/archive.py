"""Export and restore: the whole log as JSON Lines, reproduced byte for byte elsewhere.

The file (format version 2) is UTF-8 JSON Lines:

1. a manifest: ``{"format": "claims-ledger-export", "version": 2, "count": N, "root": HEX,
   "head": LAST POSITION, "checkpoints": K, "keys": S, "index": I, "encrypted": true,
   "created_from": STORE, "created_at": ISO TIME}``;
2. S data subjects' keys, wrapped as stored, and I rows of the keyed NIK index
   (:mod:`storage.archive_keys`): a restore needs the same master key to read the events;
3. N events in log order, each exactly as stored: ``{"position", "originator_id", "version",
   "topic", "state"}`` with ``state`` the base64 of the stored bytes (personal fields sealed);
4. K signed journal checkpoints, ``{"checkpoint": TEXT}``;
5. C checkpoints co-signed by witnesses (C2SP, ``ledger_cosigned_checkpoints``), one per witness
   and checkpoint: ``{"cosigned": TEXT, "witness": NAME}``; the manifest counts them as
   ``"cosigned": C`` (an export made before witnesses has neither: C is 0);
6. a store migrated from an earlier release: ``{"migrated": RECORD}`` and each old checkpoint
   it keeps, ``{"before_migration": CHECKPOINT}`` (:mod:`storage.migration_tables`), counted as
   ``"migration": M``.

``root`` is the journal's Merkle root over the N events (the same leaves as
:mod:`projections.journal`), so a restore proves it reproduced the very same stored bytes at the
very same positions. A restore runs in one transaction on an initialised, empty ledger: any bad
line, a count or root that does not match, an event this ledger cannot read (another master key)
and nothing is kept. Both directions stream: memory does not grow with the log.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.application import Ledger
from ledger.errors import InvalidInputError, MalformedNoteError, RuleViolationError
from ledger.journal.checkpoint import Checkpoint, leaf_of
from ledger.journal.merkle import Frontier
from ledger.journal.tlog import parse_checkpoint
from storage.archive_keys import (
    IndexRecord,
    KeyRecord,
    admit,
    key_records,
    key_statements,
    parse_key_record,
)
from storage.log_index import settings_of, unavailable
from storage.migration_tables import (
    CheckpointBefore,
    MigrationRecord,
    export_lines,
    from_export,
    restore_migration,
)
from storage.store import CHECKPOINT_TABLE, COSIGNED_TABLE, postgres_connect_args, qualified

FORMAT = "claims-ledger-export"
VERSION = 2  # 2: the data subjects' keys and the NIK index (issue 18)
PAGE = 5000


class ExportFileError(InvalidInputError):
    """The file is not a whole, unaltered export of this format."""

    rule = "export-file-invalid"


class RestoreOntoNonEmptyError(RuleViolationError):
    """A restore is only ever made into an empty ledger: a log is never merged into another."""

    rule = "restore-needs-empty-ledger"


@dataclass(frozen=True)
class Manifest:
    """What an export holds, checked again by the restore."""

    count: int
    root: str
    head: int
    checkpoints: int
    encrypted: bool
    created_from: str
    created_at: str
    format: str = FORMAT
    version: int = VERSION
    cosigned: int = 0
    migration: int = 0
    keys: int = 0
    index: int = 0

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Row:
    """One stored event as the table holds it."""

    position: int
    originator_id: str  # canonical: lower-case with dashes
    version: int
    topic: str
    state: bytes

    def leaf(self) -> bytes:
        return leaf_of(self.position, self.originator_id, self.version, self.topic, self.state)

    def line(self) -> str:
        return json.dumps({"position": self.position, "originator_id": self.originator_id,
                           "version": self.version, "topic": self.topic,
                           "state": base64.b64encode(self.state).decode("ascii")})


# -- export --------------------------------------------------------------------------------------


def export_log(ledger: Ledger, target: Path) -> Manifest:
    """Write the whole log (up to its head now) and the kept checkpoints to ``target``.

    Events go to a file beside ``target`` first while the root is computed; the manifest is
    then written at the top and the result moved into place, so ``target`` is whole or absent.
    """
    head = int(ledger.recorder.max_notification_id() or 0)
    body = target.with_name(f".{target.name}.events")
    partial = target.with_name(f".{target.name}.partial")
    frontier = Frontier()
    counted = {"keys": 0, "index": 0}
    try:
        with body.open("w", encoding="utf-8") as out:
            for record in key_records(ledger):
                out.write(json.dumps(record.line()) + "\n")
                counted["keys" if isinstance(record, KeyRecord) else "index"] += 1
            for row in _stored_rows(ledger, head):
                out.write(row.line() + "\n")
                frontier.append(row.leaf())
            kept = [c for c in _checkpoints(ledger) if c.size <= frontier.size]
            for checkpoint in kept:
                out.write(json.dumps({"checkpoint": checkpoint.to_text()}) + "\n")
            cosigned = [c for c in _cosigned(ledger) if c.size <= frontier.size]
            for witnessed in cosigned:
                out.write(json.dumps({"cosigned": witnessed.text,
                                      "witness": witnessed.witness}) + "\n")
            migration = export_lines(ledger)
            out.writelines(line + "\n" for line in migration)
        manifest = Manifest(
            count=frontier.size, root=frontier.root().hex(), head=head, checkpoints=len(kept),
            cosigned=len(cosigned), keys=counted["keys"], index=counted["index"],
            migration=len(migration),
            encrypted=True,
            created_from=ledger.settings.describe(),
            created_at=datetime.now(UTC).replace(microsecond=0).isoformat())
        with partial.open("w", encoding="utf-8") as out, body.open(encoding="utf-8") as events:
            out.write(manifest.line() + "\n")
            for line in events:
                out.write(line)
        os.replace(partial, target)
        return manifest
    finally:
        body.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def _stored_rows(ledger: Ledger, head: int) -> Iterator[Row]:
    """Every stored event up to ``head``, page by page, straight from the table."""
    datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
    table = ledger.qualified_events_table
    if ledger.settings.is_postgres:
        statement = (f"SELECT notification_id AS position, originator_id::text AS originator_id,"
                     f" originator_version, topic, state FROM {table} WHERE notification_id > %s"
                     f" AND notification_id <= %s ORDER BY notification_id LIMIT %s")
    else:
        statement = (f"SELECT rowid AS position, originator_id, originator_version, topic, state"
                     f" FROM {table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?")
    position = 0
    while True:
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (position, head, PAGE))
            page = [Row(int(r["position"]), str(UUID(str(r["originator_id"]))),
                        int(r["originator_version"]), str(r["topic"]), _bytes(r["state"]))
                    for r in cursor.fetchall()]
        if not page:
            return
        yield from page
        position = page[-1].position


def _bytes(state: Any) -> bytes:
    # A row edited by hand may hold text where bytes were: export what is there.
    return state.encode() if isinstance(state, str) else bytes(state)


def _checkpoints(ledger: Ledger) -> list[Checkpoint]:
    datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT text FROM {qualified(settings_of(ledger), CHECKPOINT_TABLE)} "
                       "ORDER BY size, time")
        return [Checkpoint.from_text(str(r["text"])) for r in cursor.fetchall()]


@dataclass(frozen=True)
class _Cosigned:
    """A checkpoint one witness co-signed, as ``ledger_cosigned_checkpoints`` keeps it."""

    witness: str
    size: int
    root: str
    text: str


def _cosigned(ledger: Ledger) -> list[_Cosigned]:
    """The kept cosigned checkpoints (none in a store made before witnesses, without the
    table)."""
    settings = settings_of(ledger)
    table = qualified(settings, COSIGNED_TABLE)
    datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        if settings.is_postgres:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (table,))
        else:
            cursor.execute("SELECT count(*) > 0 AS found FROM sqlite_master WHERE type = "
                           "'table' AND name = ?", (table,))
        if not cursor.fetchone()["found"]:
            return []
        cursor.execute(f"SELECT witness, size, root, text FROM {table} ORDER BY size, witness")
        return [_Cosigned(str(r["witness"]), int(r["size"]), str(r["root"]), str(r["text"]))
                for r in cursor.fetchall()]


# -- restore -------------------------------------------------------------------------------------


def read_manifest(source: IO[str]) -> Manifest:
    """The manifest line at the top of an export, checked for form."""
    first = source.readline()
    try:
        found = json.loads(first)
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            raise ValueError("no manifest")
        if found.get("version") != VERSION:
            raise ExportFileError(
                f"this export has format version {found.get('version')}; this ledger reads "
                f"version {VERSION}")
        return Manifest(**{k: found[k] for k in Manifest.__dataclass_fields__ if k in found})
    except ExportFileError:
        raise
    except (ValueError, KeyError, TypeError):
        raise ExportFileError("this file is not a claims-ledger export: its first line is not "
                              "an export manifest") from None


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


@dataclass(frozen=True)
class _Checkpoint:
    text: str
    size: int
    root: str
    time: str


Record = (Row | _Checkpoint | _Cosigned | KeyRecord | IndexRecord | MigrationRecord
          | CheckpointBefore)


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
        record = _parse(line, number)
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
        if isinstance(record, _Cosigned):
            if record.size > frontier.size:
                raise ExportFileError(f"line {number}: a checkpoint co-signed at size "
                                      f"{record.size}, past the {frontier.size} events")
            cosigned += 1
            yield record
            continue
        if cosigned:
            raise ExportFileError(f"line {number}: a record after the co-signed checkpoints")
        if isinstance(record, _Checkpoint):
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


def _parse(line: str, number: int) -> Record:
    try:
        found = json.loads(line)
        key = parse_key_record(found) or from_export(found)
        if key is not None:
            return key
        if "cosigned" in found:
            body = parse_checkpoint(str(found["cosigned"])).body
            return _Cosigned(str(found["witness"]), body.size, body.root_hash.hex(),
                             str(found["cosigned"]))
        if "checkpoint" in found:
            kept = Checkpoint.from_text(str(found["checkpoint"]))
            return _Checkpoint(str(found["checkpoint"]), kept.size, kept.root.hex(), kept.time)
        return Row(int(found["position"]), str(UUID(str(found["originator_id"]))),
                   int(found["version"]), str(found["topic"]),
                   base64.b64decode(str(found["state"]), validate=True))
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidInputError,
            MalformedNoteError):
        raise ExportFileError(f"line {number} of the file is not a stored event or a "
                              "checkpoint: the file is damaged") from None


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
        checkpoints: list[_Checkpoint] = []
        cosigned: list[_Cosigned] = []
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
                if isinstance(record, _Checkpoint):
                    checkpoints.append(record)
                elif isinstance(record, _Cosigned):
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
                if isinstance(record, _Checkpoint):
                    connection.execute(f"INSERT INTO {CHECKPOINT_TABLE} (size, root, time, text)"
                                       " VALUES (?, ?, ?, ?)",
                                       (record.size, record.root, record.time, record.text))
                    continue
                if isinstance(record, _Cosigned):
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
