"""How far the projections are behind the log: what readiness, metrics and ``status`` report.

Positions are the tracking rows the projector moves in the same transaction as each batch
(:mod:`projections.runner`); the lag in seconds is the age of the oldest event not applied yet
(its recorded time, decoded by the application's mapper, so it works with a cipher too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ledger.application import Ledger
from projections.db import Connection, Namespace
from projections.runner import HEARTBEAT_SECONDS
from storage.log_index import settings_of

#: A following worker that has not written its heartbeat for this long is not heard from: it
#: cannot reach the database, is stuck, or is gone (it writes every HEARTBEAT_SECONDS).
SILENT_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


@dataclass(frozen=True)
class Failure:
    """A projection that cannot apply the event at ``position``, since ``failed_at``."""

    projection: str
    position: int
    reason: str
    failed_at: str

    def sentence(self) -> str:
        return (f"the {self.projection} projection cannot apply the event at position "
                f"{self.position} (since {self.failed_at}): {self.reason}")

    def as_json(self) -> dict[str, Any]:
        return {"position": self.position, "reason": self.reason, "since": self.failed_at}


@dataclass(frozen=True)
class Follower:
    """What a following worker last wrote about itself (``project --follow``)."""

    worker: str
    state: str
    since: str
    seen_at: datetime
    detail: str | None

    def silent_for(self, now: datetime) -> float:
        return max((now - self.seen_at).total_seconds(), 0.0)

    def as_json(self, now: datetime) -> dict[str, Any]:
        silent = self.silent_for(now)
        return {"worker": self.worker, "state": self.state, "since": self.since,
                "last_seen": self.seen_at.isoformat(), "seconds_since_seen": round(silent, 1),
                "heard_from": silent <= SILENT_AFTER_SECONDS, "detail": self.detail}


@dataclass(frozen=True)
class Lag:
    """The log's head and each projection's position, at one moment; the failures recorded,
    and what the following workers last said."""

    head: int
    positions: dict[str, int]
    lag_seconds: float
    failures: tuple[Failure, ...] = ()
    followers: tuple[Follower, ...] = ()
    measured_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def position(self) -> int:
        """The position every projection has reached (the slowest one's)."""
        return min(self.positions.values()) if self.positions else 0

    @property
    def lag_events(self) -> int:
        return max(self.head - self.position, 0)

    def per_projection(self) -> dict[str, int]:
        return {name: max(self.head - found, 0) for name, found in self.positions.items()}

    def within(self, max_seconds: float) -> bool:
        return self.lag_seconds <= max_seconds

    @property
    def follower(self) -> Follower | None:
        """The worker heard from last (several may follow; one suffices)."""
        return max(self.followers, key=lambda f: f.seen_at) if self.followers else None

    def not_ready(self, max_seconds: float) -> str | None:
        """Why the service is not ready, in words (None when it is): a projection stopped at
        an event, or the projections behind the bound and what the projector last said."""
        if self.failures:
            return "; ".join(f.sentence() for f in self.failures) + (
                f"; the projections stay at position {self.position} until it can be applied")
        if self.within(max_seconds):
            return None
        behind = (f"the projections are {self.lag_events} events and {self.lag_seconds:.1f} s "
                  f"behind the log (bound {max_seconds:g} s)")
        follower = self.follower
        if follower is None:
            return f"{behind}; is 'claims-ledger project --follow' running?"
        silent = follower.silent_for(self.measured_at)
        if silent > SILENT_AFTER_SECONDS:
            return (f"{behind}; the projector ({follower.worker}) has not been heard from since "
                    f"{follower.seen_at.isoformat(timespec='seconds')} ({silent:.0f} s): it "
                    "cannot reach the database, or it has stopped (see its log)")
        return (f"{behind}; the projector ({follower.worker}) is running and has not caught "
                "up yet")

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "head": self.head, "position": self.position, "projections": self.positions,
            "lag_events": self.lag_events, "lag_seconds": round(self.lag_seconds, 3)}
        if self.failures:
            body["failed"] = {f.projection: f.as_json() for f in self.failures}
        follower = self.follower
        body["projector"] = follower.as_json(self.measured_at) if follower else None
        return body


class ProjectionsMissingError(RuntimeError):
    """The projection tables were never built (no projector has run on this database)."""


def measure(ledger: Ledger, connection: Connection, namespace: Namespace | None = None,
            now: datetime | None = None) -> Lag:
    """Read the head and the positions; store errors propagate to the caller."""
    live = namespace or Namespace(settings_of(ledger))
    try:
        # Every column: tables of an older version have no failure columns yet.
        rows = connection.query(live.sql("SELECT * FROM {tracking}"))
    except Exception as error:
        if _missing(error):
            raise ProjectionsMissingError(
                "the projections have not been built yet; run 'claims-ledger project "
                "--follow'") from error
        raise
    positions = {str(row["name"]): int(row["position"]) for row in rows}
    failures = tuple(
        Failure(str(row["name"]), int(row["failed_position"]), str(row.get("last_error")),
                str(row.get("failed_at")))
        for row in rows if row.get("failed_position") is not None)
    followers = _followers(connection, live)
    head = int(ledger.recorder.max_notification_id() or 0)
    position = min(positions.values()) if positions else 0
    seconds = age_after(ledger, position, now) if head > position else 0.0
    return Lag(head, positions, seconds, failures, followers, now or datetime.now(UTC))


def age_after(ledger: Ledger, position: int, now: datetime | None = None) -> float:
    """Seconds since the first event after ``position`` was recorded (0 when there is none):
    how stale a reader that has applied up to ``position`` is."""
    oldest = ledger.recorder.select_notifications(start=position + 1, limit=1)
    if not oldest:
        return 0.0
    event: Any = ledger.mapper.to_domain_event(oldest[0])
    return max(float(((now or datetime.now(UTC)) - event.timestamp).total_seconds()), 0.0)


def _missing(error: Exception) -> bool:
    return "no such table" in str(error) or "does not exist" in str(error)


def _followers(connection: Connection, live: Namespace) -> tuple[Follower, ...]:
    try:
        rows = connection.query(live.sql(
            "SELECT worker, state, since, seen_at, detail FROM {followers}"))
    except Exception as error:
        if _missing(error):  # built by a version without it: nothing is known of followers
            return ()
        raise
    return tuple(Follower(str(r["worker"]), str(r["state"]), str(r["since"]),
                          datetime.fromisoformat(str(r["seen_at"])), r["detail"])
                 for r in rows)


def events_recorded(ledger: Ledger) -> int:
    """How many events the log holds (positions may have gaps on PostgreSQL)."""
    datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) AS n FROM {ledger.qualified_events_table}")
        row = cursor.fetchone()
    return int(row["n"] if not isinstance(row, tuple) else row[0])
