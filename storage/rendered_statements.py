"""The library's PostgreSQL recorder with its statements rendered to bytes once.

The library composes its statements as psycopg ``sql.Composed`` objects, and composes a read
of one aggregate's events anew on every call (the statement grown clause by clause): psycopg
then renders each to bytes on every execution, identifiers quoted again. A request reads two to
five aggregates and saves once, so that was done ten times a request for the same few
statements. :func:`render_statements` gives the recorder the same statements as bytes made
once (the library's own text, but that a save's events are sent in binary), and reads an
aggregate's events as plain tuples rather than a dictionary a row. A save of up to a megabyte
goes as one message (:meth:`RenderedRecorder.save_message`), a larger one statement by
statement with the library's statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import ClientCursor
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier


class RenderedRecorder(PostgresApplicationRecorder):
    """The library's application recorder, its statements as bytes rendered once (see the
    module docstring). It adds state only; :func:`render_statements` turns the recorder the
    library's factory built into one."""

    _reads: dict[tuple[bool, bool, bool, bool], bytes]
    _lock_bytes: list[bytes]
    _notify_bytes: bytes
    _save_head: bytes
    _save_tail: bytes

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's read of one aggregate's events (the same statement, the same
        parameters, retried as it is), from a statement rendered once per shape."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._reads.get(shape)
        if statement is None:
            statement = self._reads[shape] = self._read_statement(*shape)
        params: list[Any] = [originator_id]
        if gt is not None:
            params.append(gt)
        if lte is not None:
            params.append(lte)
        if limit is not None:
            params.append(limit)
        with self.datastore.get_connection() as conn, \
                conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, params, prepare=True)
            return [StoredEvent(originator_id=row[0], originator_version=row[1],
                                topic=row[2], state=bytes(row[3]))
                    for row in curs.fetchall()]

    def _read_statement(self, gt: bool, lte: bool, desc: bool, limit: bool) -> bytes:
        """The library's statement for this shape of read, its columns named in the order
        the rows are read."""
        statement = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE originator_id = %s").format(schema=Identifier(self.datastore.schema),
                                               table=Identifier(self.events_table_name))
        if gt:
            statement += SQL(" AND originator_version > %s")
        if lte:
            statement += SQL(" AND originator_version <= %s")
        statement += SQL(" ORDER BY originator_version")
        statement += SQL(" DESC") if desc else SQL(" ASC")
        if limit:
            statement += SQL(" LIMIT %s")
        return statement.as_bytes(None)

    def save_message(self, connection: Any, stored_events: Sequence[StoredEvent]) -> bytes:
        """A save as one message of statements, the events' values written into it: BEGIN,
        the lock timeout, the table lock and NOTIFY (the library's), the events' INSERT
        returning their log positions, COMMIT. Sent at once, it is one send and one wait here
        instead of six statements, and the table lock, which every save of every process waits
        for, is held only while the server runs it: in psycopg's pipeline the lock was taken as
        soon as its statement was sent, then held while this thread prepared the INSERT, or
        waited its turn for Python's lock to send it.

        The INSERT writes all of the events or, when any of them is in the log already (a
        concurrent writer won, or this save is sent again after its answer was lost), none,
        without an error: it returns no position, the empty transaction commits, and the caller
        raises the library's refusal. Under the table lock no other writer can insert between
        the check and the insert (the unique key still stands behind it). A refusal raised by
        the server would have had PostgreSQL log the statement, the events' values with it, on
        every conflict; only a save the server fails otherwise (a lock waited for past its
        timeout) is logged so now, its personal fields sealed as they are stored."""
        rows = ", ".join(["(%s, %s, %s, %s)"] * len(stored_events))
        values = [value for event in stored_events for value in (
            event.originator_id, event.originator_version, event.topic, event.state)]
        written = ClientCursor(connection).mogrify(rows, values)
        return self._save_head + written.encode("utf-8") + self._save_tail

    def _lock_table(self, curs: Any) -> None:
        for statement in self._lock_bytes:
            curs.execute(statement, prepare=True)

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self._notify_bytes)


def render_statements(recorder: PostgresApplicationRecorder) -> RenderedRecorder:
    """Give the recorder the library's factory built its statements rendered once (see the
    module docstring)."""
    recorder.__class__ = RenderedRecorder
    rendered: RenderedRecorder = recorder  # type: ignore[assignment]
    rendered._reads = {}
    rendered._lock_bytes = [_bytes(statement) for statement in recorder.lock_table_statements]
    rendered._notify_bytes = SQL("NOTIFY {0}").format(
        Identifier(recorder.channel_name)).as_bytes(None)
    table = SQL("{0}.{1}").format(Identifier(recorder.datastore.schema),
                                  Identifier(recorder.events_table_name)).as_bytes(None)
    rendered._save_head = b"; ".join([
        b"BEGIN", *rendered._lock_bytes, rendered._notify_bytes,
        b"WITH saved (originator_id, originator_version, topic, state) AS (VALUES "])
    rendered._save_tail = (
        b") INSERT INTO " + table + b" (originator_id, originator_version, topic, state) "
        b"SELECT originator_id, originator_version, topic, state FROM saved WHERE NOT EXISTS "
        b"(SELECT 1 FROM " + table + b" JOIN saved USING (originator_id, originator_version)) "
        b"RETURNING notification_id; COMMIT")
    # psycopg executes bytes as it does a composed statement (the library's annotation says
    # the latter only). The events of a save are sent in binary (%b): in text, psycopg
    # escaped every event's state byte by byte in Python (its composite and array dumpers).
    insert = _bytes(recorder.insert_events_statement)
    if insert.count(b"unnest(%s::") != 1:
        raise RuntimeError(f"the library's insert of events is not as expected: {insert!r}")
    rendered.insert_events_statement = insert.replace(  # type: ignore[assignment]
        b"unnest(%s::", b"unnest(%b::")
    rendered.max_notification_id_statement = _bytes(  # type: ignore[assignment]
        recorder.max_notification_id_statement)
    return rendered


def _bytes(statement: Any) -> bytes:
    return statement.as_bytes(None) if isinstance(statement, Composable) else bytes(statement)
