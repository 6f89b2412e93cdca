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

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.journal.checkpoint import Checkpoint
from ledger.journal.merkle import Frontier
from storage.archive_format import (
    PAGE,
    Cosigned,
    ExportFileError,
    Manifest,
    RestoreOntoNonEmptyError,
    Row,
    read_manifest,
)
from storage.archive_keys import KeyRecord, key_records
from storage.archive_restore import restore_log
from storage.log_index import settings_of
from storage.migration_tables import export_lines
from storage.store import CHECKPOINT_TABLE, COSIGNED_TABLE, qualified

__all__ = ["ExportFileError", "Manifest", "RestoreOntoNonEmptyError", "export_log",
           "read_manifest", "restore_log"]


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


def _cosigned(ledger: Ledger) -> list[Cosigned]:
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
        return [Cosigned(str(r["witness"]), int(r["size"]), str(r["root"]), str(r["text"]))
                for r in cursor.fetchall()]
