"""Telling apart a database that cannot be reached (wait for it) from an event that cannot be
applied (stop just before it), and saying either in one line for people."""

from __future__ import annotations

import re
import sqlite3

from ledger.errors import ProjectionStoppedError, StoreUnavailableError
from projections.handlers import projection_of

#: SQLSTATE classes that say the server cannot be used right now rather than that an event is
#: wrong: 08 connection, 53 insufficient resources, 57 operator intervention (shutdown,
#: starting up), 58 system error.
_UNREACHABLE_CLASSES = ("08", "53", "57", "58")
#: read_only_sql_transaction: the server is a standby (a fail-over demoted it, or the URL names
#: a replica). A projection worker waits and reconnects to the primary; no event is to blame.
_STANDBY = "25006"
_SIXTEEN_DIGITS = re.compile(r"\b(\d{4})\d{8}(\d{4})\b")


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached or used at the moment (worth
    waiting for) rather than that an event cannot be applied."""
    import psycopg
    from eventsourcing.persistence import InterfaceError, OperationalError

    if isinstance(error, (StoreUnavailableError, ConnectionError, sqlite3.OperationalError,
                          psycopg.InterfaceError)):
        return True
    found: BaseException | None = error
    while found is not None:  # the library wraps the driver's error: look at its cause
        if isinstance(found, psycopg.Error) and getattr(found, "sqlstate", None) == _STANDBY:
            return True
        if isinstance(found, psycopg.OperationalError):
            state = getattr(found, "sqlstate", None)
            return state is None or state[:2] in _UNREACHABLE_CLASSES
        found = found.__cause__
    return isinstance(error, (OperationalError, InterfaceError))


def reason_of(error: BaseException) -> str:
    """One line for people: what went wrong, with any 16-digit number (NIK, KK) masked."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else ""
    named = text if isinstance(error, ValueError) and not isinstance(
        error, sqlite3.Error) else f"{type(error).__name__}: {text}"
    return _SIXTEEN_DIGITS.sub(r"\1********\2", named)


class EventFailed(Exception):
    """One event (its position and name) could not be applied, and why."""

    def __init__(self, position: int, event: str, cause: BaseException) -> None:
        super().__init__(f"position {position} ({event}): {cause}")
        self.position = position
        self.event = event
        self.cause = cause

    def stopped(self, at: int) -> ProjectionStoppedError:
        """The error for people: the projections stay at position ``at``."""
        projection = projection_of(self.event)
        reason = reason_of(self.cause)
        return ProjectionStoppedError(
            f"the {projection} projection cannot apply the event at position "
            f"{self.position} ({self.event}): {reason}; the projections stay at position "
            f"{at} until it can be applied (the log itself is intact)",
            projection=projection, position=self.position, event=self.event, reason=reason)
