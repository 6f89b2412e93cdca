"""When the database does not answer: the error that says so at once, and patience for batch jobs.

:class:`DatabaseUnreachableError` is what a command gets when no connection to the database
could be had within the stated wait (:mod:`storage.database`); :func:`retrying` is for the batch
jobs (the roster import) that should outlive a restart of the database: it runs a step again on
a transient connection error until its own patience runs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import DatabaseError, InterfaceError, OperationalError

from ledger.errors import StoreUnavailableError

T = TypeVar("T")


class DatabaseUnreachableError(StoreUnavailableError, DatabaseError):
    """No connection to the database within the stated wait: tell the caller now, don't retry.

    A :class:`~ledger.errors.StoreUnavailableError` for the ledger's callers (HTTP 503, a plain
    refusal on the command line) and, for code that handles the library's errors, a
    :class:`~eventsourcing.persistence.DatabaseError`, but not an ``OperationalError``: the
    library's own retry loop lets it through at once."""

    rule = "store-unavailable"


#: Errors after which the same step may work a moment later (the connection was cut, the
#: server is restarting, no connection could be had in time).
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError, InterfaceError, DatabaseUnreachableError)


def retrying(step: Callable[[], T], patience: float, pause: float = 0.5,
             retried: Callable[[Exception], None] | None = None) -> T:
    """Run ``step``; on a transient connection error run it again after ``pause`` seconds,
    until ``patience`` seconds have passed since the first failure (then the last error is
    raised). ``retried`` is told each error that is retried."""
    give_up_at: float | None = None
    while True:
        try:
            return step()
        except TRANSIENT_ERRORS as error:
            now = time.monotonic()
            if give_up_at is None:
                give_up_at = now + patience
            if now >= give_up_at:
                raise
            if retried is not None:
                retried(error)
            time.sleep(min(pause, max(0.0, give_up_at - now)))


class JobInterruptedError(StoreUnavailableError):
    """A long job (the roster import) stopped because the database stayed away longer than its
    patience. Its message says what was recorded and how to go on; it is shown as it is."""

    rule = "interrupted-by-database"
