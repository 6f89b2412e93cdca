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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
)
from eventsourcing.postgres import PostgresDatastore
from psycopg.types.composite import register_composite
from psycopg_pool import PoolTimeout

from storage.outage import DatabaseUnreachableError
from storage.settings import DATABASE_PROBE_SECONDS, DATABASE_WAIT_SECONDS


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
        table), and a restart between two requests is not noticed."""
        for attempt in range(1, _BEGIN_ATTEMPTS + 1):
            with self.get_connection() as connection:
                try:
                    begun = connection.transaction(force_rollback=not commit)
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

    def is_unreachable(self) -> bool:
        """Whether the last attempt to get a connection failed (for tests and health)."""
        return self._unreachable.is_set()


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
