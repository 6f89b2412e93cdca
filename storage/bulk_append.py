"""Appending many new events to the PostgreSQL log at once, as the library's recorder would.

The library's ``Application.save`` sends a batch as one ``INSERT ... SELECT FROM unnest(%s)`` of
composite values, which psycopg must dump row by row as text: for a roster of thousands of
members that, not the database, is where most of the time goes. This appender writes the same
rows with ``COPY ... FROM STDIN (FORMAT BINARY)`` instead, and keeps everything else the
recorder does for an insert, in the same order and in one transaction:

1. ``SET LOCAL lock_timeout`` and ``LOCK TABLE ... IN EXCLUSIVE MODE``: the recorder's own lock
   statements, so notification ids are handed out in commit order and readers that follow the
   log never pass over a gap that is filled in later;
2. ``NOTIFY <channel>``: the recorder's channel, so subscribers (``project --follow``) wake;
3. the rows, encoded by the application's own mapper (transcodings, compression and the cipher
   all apply), so each stored row is byte for byte what ``save()`` would have stored;
4. optimistic concurrency as the library has it: the primary key (originator id, version)
   refuses a version that exists, the whole transaction is rolled back and the library's
   :class:`~eventsourcing.persistence.IntegrityError` is raised.

The transaction is begun, locked and notified in one round trip (one simple query of the
statements above), and the newest id is read and the transaction committed in another: with the
``COPY`` itself, four waits on the server a batch instead of eight. On a machine whose cores
are all busy (the import's workers, its sealing and the server share them) each wait is also
a wait for the thread to run again, and the writer is the import's critical path.

SQLite has no such path: its callers keep ``Application.save``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from struct import Struct
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"
# A row: 4 fields; the id (16 bytes), the version (8), then the topic's length.
_ROW_UUID = Struct(">hi16siqi")
_LENGTH = Struct(">i")
_VERSION = Struct(">iqi")  # when ids are stored as text: the version, then the topic's length


def copy_rows(stored: Iterable[StoredEvent], uuid_ids: bool = True) -> bytes:
    """The rows in PostgreSQL's binary ``COPY`` format (signature, tuples, trailer)."""
    return _SIGNATURE + copy_tuples(stored, uuid_ids) + _TRAILER


def copy_tuples(stored: Iterable[StoredEvent], uuid_ids: bool = True) -> bytes:
    """The rows as binary ``COPY`` tuples only: parts of a payload, joined in log order."""
    pack, length = _ROW_UUID.pack, _LENGTH.pack
    parts: list[bytes] = []
    append = parts.append
    for event in stored:
        topic = event.topic.encode()
        originator = event.originator_id
        if uuid_ids:
            key = originator.bytes if isinstance(originator, UUID) else UUID(originator).bytes
            append(pack(4, 16, key, 8, event.originator_version, len(topic)))
        else:
            text = str(originator).encode()
            append(b"\x00\x04")
            append(length(len(text)))
            append(text)
            append(_VERSION.pack(8, event.originator_version, len(topic)))
        append(topic)
        append(length(len(event.state)))
        append(event.state)
    return b"".join(parts)


def copy_tuple_head(key: bytes, version: int, topic: bytes, uuid_ids: bool = True) -> bytes:
    """A binary ``COPY`` tuple up to its state (the field count, id, version and topic): ``key``
    is the id's 16 bytes (or, when ids are stored as text, the text's bytes), ``topic`` already
    encoded. The tuple is this, the state's length (:func:`state_length`), then the state."""
    if uuid_ids:
        return _ROW_UUID.pack(4, 16, key, 8, version, len(topic)) + topic
    return (b"\x00\x04" + _LENGTH.pack(len(key)) + key + _VERSION.pack(8, version, len(topic))
            + topic)


#: The 4 bytes that give a state's length in a binary ``COPY`` tuple.
state_length = _LENGTH.pack

_FIELD = Struct(">i")
_COUNT = Struct(">h")


def parse_tuples(tuples: bytes, uuid_ids: bool = True) -> list[StoredEvent]:
    """The rows of binary ``COPY`` tuples (:func:`copy_tuples`) back as stored events: what a
    batch sent, to be compared with what the log holds after its answer was lost."""
    events: list[StoredEvent] = []
    offset, end = 0, len(tuples)
    while offset < end:
        (count,) = _COUNT.unpack_from(tuples, offset)
        offset += 2
        fields: list[bytes] = []
        for _ in range(count):
            (length,) = _FIELD.unpack_from(tuples, offset)
            offset += 4
            fields.append(tuples[offset:offset + length])
            offset += length
        key, version, topic, state = fields
        events.append(StoredEvent(
            originator_id=UUID(bytes=key) if uuid_ids else UUID(key.decode()),
            originator_version=int.from_bytes(version, "big", signed=True),
            topic=topic.decode(), state=state))
    return events


class PostgresAppender:
    """Writes batches of stored events to the application's PostgreSQL events table."""

    def __init__(self, recorder: Any) -> None:
        from psycopg.sql import SQL, Identifier  # the embedded SQLite mode needs no psycopg

        self.recorder = recorder
        self.datastore = recorder.datastore
        table = SQL("{0}.{1}").format(Identifier(self.datastore.schema),
                                      Identifier(recorder.events_table_name))
        self.lock_statements = list(recorder.lock_table_statements)
        self.notify_statement = SQL("NOTIFY {0}").format(Identifier(recorder.channel_name))
        self.copy_statement = SQL(
            "COPY {0} (originator_id, originator_version, topic, state) "
            "FROM STDIN (FORMAT BINARY)").format(table)
        self.last_statement = SQL("SELECT max(notification_id) AS last FROM {0}").format(table)
        # Sent without parameters, so as simple queries: several statements in one round trip
        # (the pooled connections are in autocommit: the BEGIN and COMMIT are these).
        self.begin_statement = SQL("; ").join(
            [SQL("BEGIN"), *self.lock_statements, self.notify_statement])
        self.end_statement = SQL("; ").join([self.last_statement, SQL("COMMIT")])
        self.uuid_ids = self.datastore.originator_id_type == "uuid"

    def append(self, stored: Sequence[StoredEvent]) -> int | None:
        """Append the rows in one transaction; the log position of the last one.

        Raises the library's ``IntegrityError`` (and records nothing) when one of the
        (originator id, version) pairs is already in the log."""
        if not stored:
            return None
        return self.append_tuples(copy_tuples(stored, self.uuid_ids))

    def append_tuples(self, tuples: bytes) -> int | None:
        """:meth:`append` for rows already encoded by :func:`copy_tuples` (in log order)."""
        if not tuples:
            return None
        from psycopg.pq import TransactionStatus  # PostgreSQL only (see __init__)

        payload = _SIGNATURE + tuples + _TRAILER
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            if not connection.autocommit:  # the library's pools are; BEGIN below needs it
                raise RuntimeError("the bulk appender needs a connection in autocommit")
            try:
                cursor.execute(self.begin_statement)
                with cursor.copy(self.copy_statement) as copy:
                    copy.write(payload)
                # The table is locked for writes until commit: the newest id is this batch's.
                cursor.execute(self.end_statement)
                row = cursor.fetchone()
            except BaseException:
                # in a transaction it can roll back; a cut connection is left to the pool
                if connection.info.transaction_status in (TransactionStatus.INTRANS,
                                                          TransactionStatus.INERROR):
                    with contextlib.suppress(Exception):
                        connection.execute(b"ROLLBACK")
                raise
        return int(row["last"]) if row and row["last"] is not None else None
