"""The synchronous standby, as the primary sees it: no checkpoint over an unconfirmed commit.

A checkpoint signs a journal head: a promise that those events are in the log for good. If the
primary then failed and a standby that never received them took over, the signed head would
name events the new primary lacks: a fork the ledger itself caused. So when the primary has a
synchronous standby configured (``synchronous_standby_names`` not empty), a checkpoint is signed
only once a synchronous standby has *replayed* WAL up to a point taken after the journal head
was read: every event the head covers was committed before that point.

The primary's ``pg_stat_replication`` is read; the ledger's database user needs the
``pg_monitor`` role to see the standbys' positions there (without it the columns read null and
no checkpoint is signed: the guard fails closed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ledger.errors import StoreUnavailableError
from projections.db import Connection

#: How long signing waits for the synchronous standby to replay what the head covers; a healthy
#: standby replays within milliseconds.
CONFIRM_WAIT_SECONDS = 3.0


class StandbyBehindError(StoreUnavailableError):
    """A checkpoint was not signed: no synchronous standby has applied what it would cover."""

    rule = "standby-behind"


@dataclass(frozen=True)
class Standby:
    """One standby streaming from the primary."""

    name: str
    state: str
    sync_state: str
    replay_lsn: str | None
    lag_bytes: int | None
    lag_seconds: float | None


@dataclass(frozen=True)
class Replication:
    """The primary's replication state, for ``claims-ledger status``."""

    synchronous_standby_names: str
    synchronous_commit: str
    standbys: list[Standby]

    def as_json(self) -> dict[str, Any]:
        return {"synchronous_standby_names": self.synchronous_standby_names,
                "synchronous_commit": self.synchronous_commit,
                "standbys": [vars(s) for s in self.standbys]}


def replication(connection: Connection) -> Replication | None:
    """The replication state seen from the primary (None on SQLite or on a standby)."""
    if not connection.postgres:
        return None
    [settings] = connection.query(
        "SELECT current_setting('synchronous_standby_names') AS names,"
        " current_setting('synchronous_commit') AS commit, pg_is_in_recovery() AS standby")
    if settings["standby"]:
        return None
    rows = connection.query(
        "SELECT application_name, state, sync_state, replay_lsn::text AS replay_lsn,"
        " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag_bytes,"
        " extract(epoch FROM replay_lag)::float8 AS lag_seconds"
        " FROM pg_stat_replication ORDER BY application_name")
    return Replication(
        str(settings["names"]), str(settings["commit"]),
        [Standby(r["application_name"], r["state"], r["sync_state"], r["replay_lsn"],
                 None if r["lag_bytes"] is None else int(r["lag_bytes"]),
                 None if r["lag_seconds"] is None else float(r["lag_seconds"]))
         for r in rows])


def require_confirmed(connection: Connection, size: int,
                      wait: float = CONFIRM_WAIT_SECONDS) -> None:
    """Return once a synchronous standby has replayed everything committed so far (at once
    when none is configured, or on SQLite); else raise :class:`StandbyBehindError`.

    Call it after reading the head to be signed, on the primary: its commits all precede the
    WAL position taken here.
    """
    if not connection.postgres:
        return
    [row] = connection.query(
        "SELECT current_setting('synchronous_standby_names') AS names,"
        " pg_current_wal_lsn()::text AS lsn, pg_is_in_recovery() AS standby")
    if not str(row["names"]).strip() or row["standby"]:
        return
    deadline = time.monotonic() + wait
    while True:
        confirmed = connection.query(
            "SELECT count(*) AS n FROM pg_stat_replication WHERE sync_state IN"
            " ('sync', 'quorum') AND replay_lsn >= %s::pg_lsn", (row["lsn"],))
        if confirmed and int(confirmed[0]["n"]) > 0:
            return
        if time.monotonic() >= deadline:
            raise StandbyBehindError(
                f"no checkpoint signed: the synchronous standby has not yet applied the "
                f"{size} events the journal head covers (they could be lost if the primary "
                "failed now); check the standby ('claims-ledger status') and try again")
        time.sleep(0.05)
