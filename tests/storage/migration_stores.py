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

from ledger.journal.checkpoint import Checkpoint
from storage.settings import StoreSettings
from storage.store import CHECKPOINT_TABLE, COSIGNED_TABLE, postgres_connect_args, qualified

RELEASE_LOG = Path(__file__).resolve().parents[1] / "fixtures" / "release_log"


#: The log of a release before that (ac5b622): it migrates too.
OLDER_LOG = RELEASE_LOG.parent / "old_log"


def release_rows(folder: Path = RELEASE_LOG
                 ) -> tuple[list[tuple[int, str, int, str, bytes]], list[str]]:
    """The kept export's events (position, id, version, topic, state) and checkpoint texts."""
    rows: list[tuple[int, str, int, str, bytes]] = []
    checkpoints: list[str] = []
    with (folder / "log.jsonl").open(encoding="utf-8") as lines:
        next(lines)  # the manifest
        for line in lines:
            found = json.loads(line)
            if "checkpoint" in found:
                checkpoints.append(found["checkpoint"])
            elif "position" in found:
                rows.append((found["position"], found["originator_id"], found["version"],
                             found["topic"], base64.b64decode(found["state"])))
    return rows, checkpoints


def cosigned_head(origin: str) -> str:
    """The old log's head as a C2SP checkpoint under ``origin``, co-signed by a witness."""
    from ledger.journal.note import COSIGNATURE_V1, SignerKey
    from ledger.journal.tlog import CheckpointBody, cosign, log_key, sign_checkpoint

    head = Checkpoint.from_text(release_rows()[1][-1])
    signed = sign_checkpoint(CheckpointBody(origin, head.size, head.root), log_key(origin))
    witness = SignerKey.generate("witness.bpk.go.id", COSIGNATURE_V1)
    return signed.with_cosignatures([cosign(signed, witness, 1_767_225_600)]).text


def write_old_store(settings: StoreSettings, *, cipher_key: str | None = None,
                    edit: dict[int, bytes] | None = None, origin: str | None = None,
                    folder: Path = RELEASE_LOG) -> None:
    """Write the earlier release's log into an initialised, empty store, as it stored it:
    under ``cipher_key`` (then without its checkpoints, signed over the plain bytes), with the
    states of ``edit``'s positions replaced (a store altered since it was signed), its head
    co-signed by a witness under ``origin``; the log of ``folder``'s export."""
    rows, checkpoints = release_rows(folder)
    if cipher_key is not None:
        cipher = AESCipher(Environment("old", {"CIPHER_KEY": cipher_key}))
        rows = [(p, o, v, t, cipher.encrypt(s)) for p, o, v, t, s in rows]
        checkpoints = []
    rows = [(p, o, v, t, (edit or {}).get(p, s)) for p, o, v, t, s in rows]
    kept = [_checkpoint_row(text) for text in checkpoints]
    cosigned = [] if origin is None else [("bpk", kept[-1][0], kept[-1][1],
                                           cosigned_head(origin))]
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
            connection.cursor().executemany(
                f"INSERT INTO {qualified(settings, COSIGNED_TABLE)} (witness, size, root, text) "
                "VALUES (%s, %s, %s, %s)", cosigned)
        return
    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"])
    with connection:
        connection.executemany("INSERT INTO stored_events (rowid, originator_id, "
                               "originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                               [(p, UUID(o).hex, v, t, s) for p, o, v, t, s in rows])
        connection.executemany(f"INSERT INTO {CHECKPOINT_TABLE} (size, root, time, text) "
                               "VALUES (?, ?, ?, ?)", kept)
        connection.executemany(f"INSERT INTO {COSIGNED_TABLE} (witness, size, root, text) "
                               "VALUES (?, ?, ?, ?)", cosigned)
    connection.close()


def _checkpoint_row(text: str) -> tuple[Any, ...]:
    kept = Checkpoint.from_text(text)
    return kept.size, kept.root.hex(), kept.time, text
