"""Reading the projections on a streaming replica (``LEDGER_READ_DATABASE_URL``).

A hot standby holds the primary's projection tables byte for byte, as far as it has replayed
the primary's WAL; it refuses every write (and LISTEN). So only readers come here: the read
routes, history's proofs, the documents and the console. The projection workers, every
write, idempotency and the sessions stay on the primary.

Read-your-writes: a reader that needs position N (``min_position``, or its own write) waits up
to :data:`REPLICA_WAIT_SECONDS` for the replica's tracking rows to show N, then reads on the
primary instead, and the answer says which one served it (``X-Served-By``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.application import Ledger
from projections.db import Connection, Namespace
from projections.failures import unreachable
from projections.lag import age_after
from storage.log_index import settings_of
from storage.settings import StoreSettings

#: How long a read that needs a position waits for the replica before it goes to the primary:
#: a replica a second behind is lagging (the operator sees it in ``status``), and the primary
#: answers at once.
REPLICA_WAIT_SECONDS = 1.0

SERVED_BY_REPLICA = "replica"
SERVED_BY_PRIMARY = "primary"

#: The replica has not replayed the projection tables yet (undefined_table, or their schema:
#: invalid_schema_name): it is starting, or its primary was never initialised.
_NOT_YET_REPLAYED = ("42P01", "3F000")
#: A hot standby cancels a read whose snapshot its replay must overrun ("canceling statement
#: due to conflict with recovery"): serialization_failure, or deadlock_detected for a buffer
#: pin. On a standby no other read gets these: nothing there writes.
_RECOVERY_CONFLICT = ("40001", "40P01")
#: What :func:`cannot_serve` says when the tables are missing (readiness and the log say it).
TABLES_NOT_REPLAYED = ("has not yet received the ledger's tables (its replay has not reached "
                       "the primary's 'claims-ledger db init')")


def cannot_serve(error: BaseException) -> str | None:
    """Why the replica cannot serve reads now, in words, when ``error`` raised by a read on
    it says so (None when it does not: a fault of the read itself, raised as it is): its
    projection tables not replayed yet, a read cancelled in conflict with its replay, or the
    server down, starting, shutting down or cut off. Every such read goes to the primary."""
    state = _sqlstate(error)
    if state in _NOT_YET_REPLAYED:
        return TABLES_NOT_REPLAYED
    if state in _RECOVERY_CONFLICT:
        return f"cancelled a read in conflict with its replay ({_first_line(error)})"
    if unreachable(error):
        return f"cannot be reached ({_first_line(error)})"
    return None


def _sqlstate(error: BaseException) -> str | None:
    found: BaseException | None = error
    while found is not None:
        state = getattr(found, "sqlstate", None)
        if state:
            return str(state)
        found = found.__cause__
    return None


class ReplicaConnection(Connection):
    """A connection to the replica that keeps the last error a read on it raised, so that a
    request that failed can tell the replica's failure from the primary's."""

    last_error: BaseException | None = None

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            return super().query(statement, params)
        except Exception as error:
            self.last_error = error
            raise

    def tuples(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return super().tuples(statement, params)
        except Exception as error:
            self.last_error = error
            raise

    def raised(self, error: BaseException) -> bool:
        """Whether ``error`` (or what it was raised from) came from a read on this
        connection."""
        found: BaseException | None = error
        while found is not None:
            if found is self.last_error:
                return True
            found = found.__cause__ or found.__context__
        return False


class Replica:
    """One connection to the projection tables on the replica named by ``settings.read``."""

    def __init__(self, settings: StoreSettings) -> None:
        if settings.read is None:
            raise ValueError("no replica configured (LEDGER_READ_DATABASE_URL)")
        self.connection = ReplicaConnection(settings.read)
        # The replica's tables are the primary's: the names come from the primary's settings.
        self.live = Namespace(settings)

    def close(self) -> None:
        self.connection.close()

    def position(self) -> int:
        """The position every projection on the replica has applied (0: none replayed yet)."""
        rows = self.connection.query(self.live.sql("SELECT min(position) AS p FROM {tracking}"))
        found = rows[0]["p"] if rows else None
        return int(found) if found is not None else 0

    def wait_for(self, position: int, timeout: float = REPLICA_WAIT_SECONDS) -> bool:
        """Whether the replica has replayed ``position`` within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.position() < position:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True


@dataclass(frozen=True)
class ReplicaState:
    """The read replica as ``/readyz`` and ``claims-ledger status`` report it: reachable or
    not, how far its projections have got beside the primary's (positions, and seconds: the
    age of the oldest event the primary's projections show and the replica's do not yet, 0
    when none), and how far its replay is behind the primary's WAL (bytes). A replica that
    answers but has not replayed the projection tables yet is reachable, without ``tables``."""

    database: str
    reachable: bool
    error: str | None = None
    tables: bool = True
    applied_position: int | None = None
    primary_position: int | None = None
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    replay_paused: bool | None = None

    @property
    def positions_behind(self) -> int | None:
        if self.applied_position is None or self.primary_position is None:
            return None
        return max(self.primary_position - self.applied_position, 0)

    def degraded(self, max_seconds: float) -> str | None:
        """Why reads are not all served by the replica as configured, in words (None when
        they are): down, replay paused, or behind more than the readiness bound. The service
        stays ready: every read it cannot serve, the primary serves."""
        if not self.reachable:
            return (f"the read replica ({self.database}) cannot be reached ({self.error}): "
                    "reads are served by the primary")
        if not self.tables:
            return (f"the read replica ({self.database}) {TABLES_NOT_REPLAYED}: reads are "
                    "served by the primary")
        behind = (f"{self.positions_behind} positions, {self.lag_bytes} bytes of WAL and "
                  f"{self.lag_seconds or 0:.1f} s behind the primary")
        if self.replay_paused:
            return (f"the read replica's replay is paused at position {self.applied_position} "
                    f"({behind}): reads that need a later position are served by the primary")
        if (self.lag_seconds or 0) > max_seconds:
            return (f"the read replica is {behind} (bound {max_seconds:g} s): reads that need "
                    "a later position are served by the primary, the others see the replica "
                    "as far as it has replayed")
        return None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"database": self.database, "reachable": self.reachable}
        if not self.reachable:
            return {**body, "error": self.error, "reads": SERVED_BY_PRIMARY}
        if not self.tables:
            return {**body, "tables": False, "error": self.error, "reads": SERVED_BY_PRIMARY}
        return {**body, "applied_position": self.applied_position,
                "primary_position": self.primary_position,
                "positions_behind": self.positions_behind, "lag_bytes": self.lag_bytes,
                "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 3),
                "replay_paused": self.replay_paused}


def replica_state(ledger: Ledger, primary: Connection,
                  primary_position: int) -> ReplicaState | None:
    """Measure the replica named by the ledger's ``LEDGER_READ_DATABASE_URL`` (None when
    readers read on the primary): a connection of its own, opened and closed here; ``primary``
    is a connection to the primary (for its WAL position), ``primary_position`` its
    projections' position."""
    settings = settings_of(ledger)
    if settings.read is None:
        return None
    name = settings.read.describe()
    try:
        replica = Replica(settings)
    except Exception as error:
        return ReplicaState(name, False, error=_first_line(error))
    try:
        [row] = replica.connection.query(
            "SELECT pg_is_in_recovery() AS standby,"
            " CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS replayed,"
            " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused")
        applied = replica.position()
    except Exception as error:
        missing = cannot_serve(error) == TABLES_NOT_REPLAYED
        return ReplicaState(name, missing, error=_first_line(error), tables=not missing)
    finally:
        replica.close()
    lag_bytes: int | None = 0
    if row["replayed"] is not None:
        [behind] = primary.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)"
                                 "::bigint AS n", (row["replayed"],))
        lag_bytes = max(int(behind["n"]), 0)
    seconds = age_after(ledger, applied) if primary_position > applied else 0.0
    return ReplicaState(name, True, applied_position=applied, primary_position=primary_position,
                        lag_bytes=lag_bytes, lag_seconds=seconds,
                        replay_paused=bool(row["paused"]) if row["standby"] else None)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
