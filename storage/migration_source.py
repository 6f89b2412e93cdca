"""The store of an earlier release, as ``claims-ledger migrate`` reads it: never written to.

That release kept each event's state as plain JSON (the library's transcoder and the ledger's
date transcoding), possibly under the library's whole-store cipher (``LEDGER_CIPHER_KEY`` of
that release, given here as the old cipher key). The rows are read in log order, page by page,
inside one read transaction (a consistent view even if somebody writes meanwhile), up to the
head seen when reading began; its signed checkpoints (and co-signed ones) come with them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.utils import Environment

from ledger.errors import ConfigurationError
from ledger.journal.checkpoint import Checkpoint, leaf_of
from ledger.journal.tlog import parse_checkpoint
from ledger.transcoding import register_domain_transcodings
from storage.log_index import unavailable
from storage.migration_tables import MigrationRefusedError
from storage.settings import StoreSettings
from storage.store import CHECKPOINT_TABLE, COSIGNED_TABLE, postgres_connect_args, qualified

#: The log's table in every release so far, as the library's recorders name it.
POSTGRES_EVENTS_TABLE = "ledger_events"
SQLITE_EVENTS_TABLE = "stored_events"
#: Rows read at a time.
PAGE = 5000


@dataclass(frozen=True)
class OldRow:
    """One stored event of the old log, exactly as stored."""

    position: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes

    def leaf(self) -> bytes:
        return leaf_of(self.position, self.originator_id, self.version, self.topic, self.state)


@dataclass(frozen=True)
class OldCheckpoint:
    """A checkpoint signed over the old log (``witness`` empty), or one a witness co-signed."""

    size: int
    root: str
    time: str
    text: str
    witness: str = ""


class OldStore:
    """A store of an earlier release, opened read-only for one migration."""

    def __init__(self, settings: StoreSettings, cipher_key: str | None = None) -> None:
        self.settings = settings
        key = _old_cipher_key(cipher_key)
        self.encrypted = key is not None
        transcoder = JSONTranscoder()
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)
        register_domain_transcodings(transcoder)
        cipher = AESCipher(Environment("old", {"CIPHER_KEY": key})) if key else None
        self.mapper: Mapper[UUID] = Mapper(transcoder, cipher=cipher)
        self.events_table = (POSTGRES_EVENTS_TABLE if self.settings.is_postgres
                             else SQLITE_EVENTS_TABLE)
        self._connection: Any = None

    def describe(self) -> str:
        return self.settings.describe()

    @contextmanager
    def reading(self) -> Iterator[OldStore]:
        """One read transaction over the old store for everything read inside the block."""
        if self.settings.is_postgres:
            import psycopg

            try:
                connection: Any = psycopg.connect(**postgres_connect_args(self.settings))
            except psycopg.Error as error:
                raise unavailable(self.settings, error) from None
            connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        else:
            path = Path(self.settings.env["SQLITE_DBNAME"])
            if not path.is_file():
                raise MigrationRefusedError(
                    f"there is no database at {path} to migrate from (--from); nothing was "
                    "changed")
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30,
                                         isolation_level=None)
            connection.execute("BEGIN")
        self._connection = connection
        try:
            if not self.has_table(self.events_table):
                raise MigrationRefusedError(
                    f"{self.describe()} holds no ledger log (no table {self.events_table}): it "
                    "is not a claims-ledger store; nothing was changed")
            yield self
        finally:
            self._connection = None
            connection.rollback()
            connection.close()

    def _rows(self, statement: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        if self.settings.is_postgres:
            statement = statement.replace("?", "%s")
        return list(self._connection.execute(statement, parameters).fetchall())

    def has_table(self, table: str) -> bool:
        """Whether the old store has this table (older releases lacked some)."""
        if self.settings.is_postgres:
            [(found,)] = self._rows("SELECT to_regclass(?) IS NOT NULL",
                                    (qualified(self.settings, table),))
            return bool(found)
        [(count,)] = self._rows("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = ?", (table,))
        return bool(count)

    def count(self, table: str) -> int:
        """How many rows a table of the old store holds (0 when it has no such table)."""
        if not self.has_table(table):
            return 0
        [(count,)] = self._rows(f"SELECT count(*) FROM {qualified(self.settings, table)}")
        return int(count)

    def head(self) -> tuple[int, int]:
        """(events, last position) of the old log as the read transaction sees it."""
        table = qualified(self.settings, self.events_table)
        column = "notification_id" if self.settings.is_postgres else "rowid"
        [(count, last)] = self._rows(f"SELECT count(*), max({column}) FROM {table}")
        return int(count), int(last or 0)

    def pages(self, head: int) -> Iterator[list[OldRow]]:
        """Every stored event up to ``head``, in log order, a page at a time."""
        table = qualified(self.settings, self.events_table)
        if self.settings.is_postgres:
            statement = (f"SELECT notification_id, originator_id::text, originator_version, "
                         f"topic, state FROM {table} WHERE notification_id > ? AND "
                         f"notification_id <= ? ORDER BY notification_id LIMIT ?")
        else:
            statement = (f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                         f"{table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?")
        position = 0
        while True:
            page = [OldRow(int(p), UUID(str(o)), int(v), str(t),
                           s.encode() if isinstance(s, str) else bytes(s))
                    for p, o, v, t, s in self._rows(statement, (position, head, PAGE))]
            if not page:
                return
            yield page
            position = page[-1].position

    def checkpoints(self) -> list[OldCheckpoint]:
        """The old log's signed checkpoints, then those witnesses co-signed, by size."""
        kept: list[OldCheckpoint] = []
        if self.has_table(CHECKPOINT_TABLE):
            for (text,) in self._rows(f"SELECT text FROM "
                                      f"{qualified(self.settings, CHECKPOINT_TABLE)} "
                                      "ORDER BY size, time"):
                signed = Checkpoint.from_text(str(text))
                kept.append(OldCheckpoint(signed.size, signed.root.hex(), signed.time,
                                          str(text)))
        if self.has_table(COSIGNED_TABLE):
            for witness, text in self._rows(f"SELECT witness, text FROM "
                                            f"{qualified(self.settings, COSIGNED_TABLE)} "
                                            "ORDER BY size, witness"):
                body = parse_checkpoint(str(text)).body
                kept.append(OldCheckpoint(body.size, body.root_hash.hex(), "", str(text),
                                          str(witness)))
        return kept

    def decode(self, row: OldRow) -> DomainEventProtocol[UUID]:
        """The event as the old release's mapping reads it; refused in plain words when it
        cannot be read (the cipher key) or names a kind of event this release does not know."""
        stored = StoredEvent(originator_id=row.originator_id, originator_version=row.version,
                             topic=row.topic, state=row.state)
        try:
            return self.mapper.to_domain_event(stored)
        except Exception as error:
            if _unknown_topic(error):
                raise MigrationRefusedError(
                    f"the event at position {row.position} of {self.describe()} is of a kind "
                    f"this release does not know ({row.topic}); nothing was changed") from None
            hint = ("it was written under a whole-store cipher key: give the earlier release's "
                    "LEDGER_CIPHER_KEY with --old-cipher-key" if not self.encrypted else
                    "it was encrypted with another key than --old-cipher-key, or with none")
            raise MigrationRefusedError(
                f"the event at position {row.position} of {self.describe()} cannot be read "
                f"({type(error).__name__}); {hint}. Nothing was changed") from None


def _old_cipher_key(key: str | None) -> str | None:
    """The earlier release's whole-store cipher key, checked as that release checked it (base64
    of 16, 24 or 32 bytes); None: its store was not encrypted."""
    import base64
    import binascii

    key = (key or "").strip()
    if not key:
        return None
    try:
        size = len(base64.b64decode(key, validate=True))
    except (binascii.Error, ValueError):
        size = -1
    if size not in (16, 24, 32):
        raise ConfigurationError(
            "--old-cipher-key (LEDGER_OLD_CIPHER_KEY) must be the earlier release's "
            "LEDGER_CIPHER_KEY, base64 of 16, 24 or 32 bytes; the one given is not")
    return key


def _unknown_topic(error: Exception) -> bool:
    from eventsourcing.utils import TopicError

    return isinstance(error, TopicError)
