"""How long the ledger waits for PostgreSQL, and what it says when the database does not answer.

The library (eventsourcing) retries every read and write up to 10 times on a connection error,
and each attempt waits for a pooled connection up to the pool's timeout: with the server down,
one request hung for 10 x that timeout and then failed with an error nobody had mapped (HTTP
500). A restart of a fraction of a second is absorbed by those retries and must stay so; an
outage must not be waited out by every request in turn. So, on PostgreSQL:

- a command waits for a connection at most :data:`~storage.settings.DATABASE_WAIT_SECONDS`;
  when none comes the database is *unreachable*: :class:`DatabaseUnreachableError` (a
  :class:`~ledger.errors.StoreUnavailableError`, HTTP 503), which the library does not retry;
- while the database is known to be unreachable, each further command waits only
  :data:`~storage.settings.DATABASE_PROBE_SECONDS` (so a queue of requests is answered at once,
  not one wait after another), until a connection is had again;
- the pool gives up a failed reconnection after the same short wait instead of backing off
  for minutes, so the next command tries afresh and the pool is back as soon as the server is;
- a connection found cut makes the pool test its idle ones at once, and a transaction that
  finds its connection cut when it begins (nothing sent yet) takes another: a restart of the
  server between two commands is not noticed, also where the library does not retry.
"""

from __future__ import annotations

import contextlib
import re
import select
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import retry
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg.types.composite import register_composite
from psycopg_pool import PoolTimeout

from storage.outage import DatabaseUnreachableError
from storage.settings import DATABASE_PROBE_SECONDS, DATABASE_WAIT_SECONDS

#: The largest save (its events' stored bytes) sent as one message with its values written in
#: (hex, twice the bytes). A larger one, a payment order naming 200,000 members is about 7.6 MB,
#: is sent one statement at a time, its events in binary: in psycopg's pipeline an INSERT of
#: 8 MB or more had been left hanging on most tries, the client waiting for the answer and the
#: server for the rest of the message ("incomplete message from client" once the client was
#: killed); 3 MB never did. One round trip more per statement is nothing beside sending
#: megabytes.
ONE_MESSAGE_BYTES = 1_000_000


class PatientDatastore(PostgresDatastore):
    """The library's PostgreSQL datastore with a bounded wait for a connection (see the module
    docstring). It adds methods and state only; :func:`make_patient` turns the datastore the
    library's factory built into one."""

    wait: float
    probe: float
    _unreachable: threading.Event

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        """A pooled connection as the library's ``get_connection`` gives it (type adapters
        registered, psycopg's errors turned into the library's), but waiting at most the stated
        wait for it, or only the probe while the database is known to be unreachable."""
        timeout = self.probe if self._unreachable.is_set() else self.wait
        try:
            self.pool.open(self.pool_open_timeout is not None, self.pool_open_timeout or 30.0)
            with self.pool.connection(timeout=timeout) as connection:
                self._unreachable.clear()
                for info in self.psycopg_type_adapters.values():
                    if not connection.adapters.types.get(info.oid):
                        register_composite(info, connection)
                yield connection
        except PoolTimeout as error:  # only getting the connection raises it
            self._unreachable.set()
            raise DatabaseUnreachableError(
                f"the database did not answer within {timeout:g} s ({error})") from error
        except psycopg.Error as error:
            if isinstance(error, psycopg.OperationalError):
                # A connection broke (a restart of the server?): the pool's idle connections
                # were most likely cut as well. Test them now, so that the library's retry and
                # the next commands get live ones, not one stale connection after another.
                with contextlib.suppress(psycopg.Error):
                    self.pool.check()
            raise library_error(error) from error

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Any]:
        """The library's transaction (one connection, committed or rolled back), but a pooled
        connection found cut when the transaction begins (the server restarted since it was
        pooled) is given back and another taken: nothing of the transaction was sent on it, so
        this is safe where the library has no retry of its own (reads in bulk, the idempotency
        table), and a restart between two requests is not noticed.

        A transaction that is not committed (``commit=False``) sends its plain reads as they
        are, without BEGIN and ROLLBACK (:class:`ReadsFirst`): each statement of a READ
        COMMITTED transaction reads its own snapshot anyway, so a read alone is the same
        either way, for one round trip instead of three (a request's index lookup). A
        statement that could write or lock begins the transaction first, and it is rolled
        back as before. A cut connection is found by polling its socket, without a round
        trip, before the first statement."""
        if not commit:
            with self._uncut_connection() as connection:
                reads = ReadsFirst(connection)
                try:
                    yield reads
                except BaseException as error:
                    reads.end(error)
                    raise
                reads.end(None)
            return
        for attempt in range(1, _BEGIN_ATTEMPTS + 1):
            with self.get_connection() as connection:
                try:
                    begun = connection.transaction()
                    begun.__enter__()
                except psycopg.OperationalError:
                    if attempt == _BEGIN_ATTEMPTS:
                        raise
                    # The cut connection goes back broken (the pool discards it); test the
                    # others now rather than meet them one by one.
                    with contextlib.suppress(psycopg.Error):
                        self.pool.check()
                    continue
                with contextlib.ExitStack() as stack:
                    stack.push(begun)  # commits, or rolls back on an error, as on the way in
                    yield connection.cursor()
                return

    @contextmanager
    def one_statement(self) -> Iterator[Any]:
        """A cursor for one statement that is atomic by itself (an ``INSERT ... RETURNING``, a
        ``WITH`` of several), sent in the pooled connection's autocommit: no BEGIN and COMMIT
        around it, one round trip instead of three. A pooled connection found cut before it is
        sent is given back and another taken, as for :meth:`transaction`'s reads."""
        with self._uncut_connection() as connection, connection.cursor() as cursor:
            yield cursor

    @contextmanager
    def _uncut_connection(self) -> Iterator[Any]:
        """A pooled connection whose socket shows no sign of a cut (polled, no round trip):
        one found cut is given back closed, the pool told to test the others, and another
        taken (the last try's is used as it is, and fails in plain words if it is cut)."""
        for attempt in range(1, _BEGIN_ATTEMPTS + 1):
            with self.get_connection() as connection:
                if attempt < _BEGIN_ATTEMPTS and connection_cut(connection):
                    connection.close()  # given back closed: the pool discards it
                    with contextlib.suppress(psycopg.Error):
                        self.pool.check()
                    continue
                yield connection
                return

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_at_once(self, recorder: Any, stored_events: Sequence[Any]) -> list[int]:
        """A save's events inserted and committed (the library's lock timeout, ``LOCK TABLE
        ... IN EXCLUSIVE MODE`` and NOTIFY first) as one message
        (:meth:`~storage.rendered_statements.RenderedRecorder.save_message`): one send and one
        round trip, and the table lock, which every save of every process waits for, is held
        only while the server runs the message, never while the answer travels back or this
        thread waits to send the rest. Retried as the library's insert is. A save whose events
        are (any of them) in the log already inserts nothing and raises the library's
        refusal, as the library's insert does on the unique key (another writer won; or this
        save's commit answer was lost, which the caller then recognises). A save over
        :data:`ONE_MESSAGE_BYTES`, or on a connection whose encoding is not UTF-8, goes
        statement by statement."""
        if not stored_events:
            return []
        if sum(len(event.state) for event in stored_events) > ONE_MESSAGE_BYTES:
            return self._insert_statement_by_statement(recorder, stored_events)
        with self.get_connection() as connection:
            if connection.info.encoding != "utf-8":
                return self._insert_statement_by_statement(recorder, stored_events)
            positions: list[int] | None = None
            try:
                with connection.cursor(row_factory=tuple_row) as cursor:
                    # no parameters: psycopg sends it as one simple query, its statements in turn
                    cursor.execute(recorder.save_message(connection, stored_events),
                                   prepare=False)
                    while positions is None:
                        if cursor.description is not None:  # the INSERT's positions
                            positions = [int(row[0]) for row in cursor.fetchall()]
                        elif not cursor.nextset():
                            break
            except psycopg.Error:
                if connection.info.transaction_status != TransactionStatus.IDLE:
                    with contextlib.suppress(psycopg.Error):
                        connection.execute("ROLLBACK")
                raise
        if positions == []:
            raise IntegrityError(f"{len(stored_events)} events not saved: an event of the same "
                                 "aggregate and version is in the log already")
        if positions is None or len(positions) != len(stored_events):
            raise PersistenceError(f"a save of {len(stored_events)} events was answered "
                                   f"with {positions!r} log positions")
        return positions

    def _insert_statement_by_statement(self, recorder: Any,
                                       stored_events: Sequence[Any]) -> list[int]:
        """The library's statements in one transaction, each sent and answered in turn, the
        events in binary (a save larger than :data:`ONE_MESSAGE_BYTES`, see there)."""
        events = [event if isinstance(event.originator_id, UUID) else
                  StoredEvent(UUID(str(event.originator_id)), event.originator_version,
                              event.topic, event.state) for event in stored_events]
        with self.get_connection() as connection, connection.transaction(), \
                connection.cursor() as cursor:
            recorder._insert_stored_events(cursor, events)
            return list(recorder._fetch_ids_after_insert_events(cursor, events))

    def is_unreachable(self) -> bool:
        """Whether the last attempt to get a connection failed (for tests and health)."""
        return self._unreachable.is_set()


class ReadsFirst:
    """The cursor of a transaction that is not committed: plain reads (``SELECT`` that does not
    lock) go to the server as they are, on the pooled connection in autocommit; the first
    other statement begins the transaction, which :meth:`end` rolls back."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.cursor = connection.cursor()
        self._begun: Any = None

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> ReadsFirst:
        if self._begun is None and not _plain_read(query, self.connection):
            self._begin()
        self.cursor.execute(query, params, **kwargs)
        return self

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> ReadsFirst:
        if self._begun is None:
            self._begin()
        self.cursor.executemany(query, params_seq, **kwargs)
        return self

    def _begin(self) -> None:
        begun = self.connection.transaction(force_rollback=True)
        begun.__enter__()
        self._begun = begun

    def end(self, error: BaseException | None) -> None:
        """Roll back the transaction, if a statement began one."""
        begun, self._begun = self._begun, None
        if begun is not None:
            begun.__exit__(type(error) if error else None, error, None)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


#: A statement that only reads: SELECT (not SELECT ... INTO, a locking read, or one that calls
#: something known to change state).
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_NOT_ONLY_READ = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b|\bFOR\s+(?:KEY\s+)?SHARE\b|\bINTO\b|nextval|setval|"
    r"advisory|set_config|\blo_|pg_notify|pg_terminate|pg_cancel", re.IGNORECASE)


#: Verdicts on composed statements, by the object (kept, so that its id is not reused while
#: here): the library composes its statements once, and rendering one to text for the verdict
#: cost 19 us on every read of every request.
_COMPOSED: dict[int, tuple[sql.Composable, bool]] = {}


def _plain_read(query: Any, connection: Any) -> bool:
    if isinstance(query, sql.Composable):
        known = _COMPOSED.get(id(query))
        if known is not None and known[0] is query:
            return known[1]
        verdict = _reads_only(query.as_string(connection))
        if len(_COMPOSED) >= 256:  # statements composed per call: start again
            _COMPOSED.clear()
        _COMPOSED[id(query)] = (query, verdict)
        return verdict
    return _reads_only(query.decode("utf-8", "replace") if isinstance(query, bytes)
                       else str(query))


@lru_cache(maxsize=512)
def _reads_only(text: str) -> bool:
    return bool(_READ.match(text)) and not _NOT_ONLY_READ.search(text)


def connection_cut(connection: Any) -> bool:
    """Whether an idle psycopg connection (pooled, or a projector's own) was cut by the server
    (it restarted): psycopg marked it closed, or its socket has something to read while no
    query waits for an answer (the server hanging up). No round trip: a poll of the socket."""
    if connection.closed:
        return True
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, psycopg.Error):
        return True


#: How many pooled connections a transaction tries when the ones it gets were cut.
_BEGIN_ATTEMPTS = 3

#: psycopg's errors -> the library's, most specific first (as the library's datastore maps them).
_LIBRARY_ERRORS: tuple[tuple[type[psycopg.Error], type[PersistenceError]], ...] = (
    (psycopg.InterfaceError, InterfaceError),
    (psycopg.OperationalError, OperationalError),
    (psycopg.DataError, DataError),
    (psycopg.IntegrityError, IntegrityError),
    (psycopg.InternalError, InternalError),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.NotSupportedError, NotSupportedError),
    (psycopg.DatabaseError, DatabaseError),
)


def library_error(error: psycopg.Error) -> PersistenceError:
    """The library's error for a psycopg error (so its retries and callers see what they know)."""
    for raw, mapped in _LIBRARY_ERRORS:
        if isinstance(error, raw):
            return mapped(str(error))
    return PersistenceError(str(error))


def make_patient(datastore: PostgresDatastore, wait: float = DATABASE_WAIT_SECONDS,
                 probe: float = DATABASE_PROBE_SECONDS) -> PatientDatastore:
    """Give the library's datastore (and its pool) the bounded waits of this module.

    The library's factory builds its ``PostgresDatastore`` itself and takes no other class, so
    the one it built is given this subclass's behaviour in place (it has no other state)."""
    datastore.__class__ = PatientDatastore
    patient: PatientDatastore = datastore  # type: ignore[assignment]
    patient.wait = wait
    patient.probe = probe
    patient._unreachable = threading.Event()
    pool: Any = patient.pool
    pool.timeout = wait
    # A failed reconnection is not retried for minutes with growing pauses: given up after the
    # same wait, so the next command asks for a new connection straight away.
    pool.reconnect_timeout = wait
    # libpq's own limit on one connection attempt (it has none by default; 2 s is its minimum).
    pool.kwargs["connect_timeout"] = max(2, round(wait))
    return patient
