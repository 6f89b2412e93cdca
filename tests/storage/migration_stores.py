"""Stores of the earlier release for the migration's tests: the kept export of
``tests/fixtures/release_log`` written straight into the tables, as that release stored it
(optionally under its whole-store cipher), beside a new, empty store of this release."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from storage.settings import StoreSettings
from storage.store import CHECKPOINT_TABLE, postgres_connect_args, qualified

RELEASE_LOG = Path(__file__).resolve().parents[1] / "fixtures" / "release_log"


def release_rows() -> tuple[list[tuple[int, str, int, str, bytes]], list[str]]:
    """The kept export's events (position, id, version, topic, state) and checkpoint texts."""
    rows: list[tuple[int, str, int, str, bytes]] = []
    checkpoints: list[str] = []
    with (RELEASE_LOG / "log.jsonl").open(encoding="utf-8") as lines:
        next(lines)  # the manifest
        for line in lines:
            found = json.loads(line)
            if "checkpoint" in found:
                checkpoints.append(found["checkpoint"])
            elif "position" in found:
                rows.append((found["position"], found["originator_id"], found["version"],
                             found["topic"], base64.b64decode(found["state"])))
    return rows, checkpoints


def write_old_store(settings: StoreSettings, *, cipher_key: str | None = None,
                    edit: dict[int, bytes] | None = None) -> None:
    """Write the earlier release's log into an initialised, empty store, as it stored it:
    under ``cipher_key`` (then without its checkpoints, signed over the plain bytes), with the
    states of ``edit``'s positions replaced (a store altered since it was signed)."""
    rows, checkpoints = release_rows()
    if cipher_key is not None:
        cipher = AESCipher(Environment("old", {"CIPHER_KEY": cipher_key}))
        rows = [(p, o, v, t, cipher.encrypt(s)) for p, o, v, t, s in rows]
        checkpoints = []
    rows = [(p, o, v, t, (edit or {}).get(p, s)) for p, o, v, t, s in rows]
    kept = [_checkpoint_row(text) for text in checkpoints]
    if settings.is_postgres:
        import psycopg

        table = qualified(settings, "ledger_events")
        with psycopg.connect(**postgres_connect_args(settings)) as connection:
            connection.cursor().executemany(
                f"INSERT INTO {table} (notification_id, originator_id, originator_version, "
                "topic, state) VALUES (%s, %s, %s, %s, %s)", rows)
            connection.cursor().executemany(
                f"INSERT INTO {qualified(settings, CHECKPOINT_TABLE)} (size, root, time, text) "
                "VALUES (%s, %s, %s, %s)", kept)
        return
    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"])
    with connection:
        connection.executemany("INSERT INTO stored_events (rowid, originator_id, "
                               "originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                               [(p, UUID(o).hex, v, t, s) for p, o, v, t, s in rows])
        connection.executemany(f"INSERT INTO {CHECKPOINT_TABLE} (size, root, time, text) "
                               "VALUES (?, ?, ?, ?)", kept)
    connection.close()


def _checkpoint_row(text: str) -> tuple[Any, ...]:
    from ledger.journal.checkpoint import Checkpoint

    kept = Checkpoint.from_text(text)
    return kept.size, kept.root.hex(), kept.time, text
