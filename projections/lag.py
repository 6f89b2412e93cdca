"""How far the projections are behind the log: what readiness, metrics and ``status`` report.

Positions are the tracking rows the projector moves in the same transaction as each batch
(:mod:`projections.runner`); the lag in seconds is the age of the oldest event not applied yet
(its recorded time, decoded by the application's mapper, so it works with a cipher too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.application import Ledger
from ledger.errors import ConfigurationError
from projections.db import Connection, Namespace

MAX_LAG_VARIABLE = "LEDGER_READY_MAX_LAG_SECONDS"
DEFAULT_MAX_LAG_SECONDS = 30.0


def max_lag_from_environment() -> float:
    """Seconds the oldest unprojected event may wait before the service is not ready."""
    text = os.environ.get(MAX_LAG_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_LAG_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ConfigurationError(f"{MAX_LAG_VARIABLE} must be a number of seconds (e.g. 30); "
                                 f"got {text!r}")
    return value


@dataclass(frozen=True)
class Lag:
    """The log's head and each projection's position, at one moment."""

    head: int
    positions: dict[str, int]
    lag_seconds: float

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

    def as_json(self) -> dict[str, Any]:
        return {"head": self.head, "position": self.position, "projections": self.positions,
                "lag_events": self.lag_events, "lag_seconds": round(self.lag_seconds, 3)}


class ProjectionsMissingError(RuntimeError):
    """The projection tables were never built (no projector has run on this database)."""


def measure(ledger: Ledger, connection: Connection, namespace: Namespace | None = None,
            now: datetime | None = None) -> Lag:
    """Read the head and the positions; store errors propagate to the caller."""
    live = namespace or Namespace(ledger.settings)
    try:
        rows = connection.query(live.sql("SELECT name, position FROM {tracking}"))
    except Exception as error:
        if "no such table" in str(error) or "does not exist" in str(error):
            raise ProjectionsMissingError(
                "the projections have not been built yet; run 'claims-ledger project "
                "--follow'") from error
        raise
    positions = {str(row["name"]): int(row["position"]) for row in rows}
    head = int(ledger.recorder.max_notification_id() or 0)
    position = min(positions.values()) if positions else 0
    seconds = 0.0
    if head > position:
        oldest = ledger.recorder.select_notifications(start=position + 1, limit=1)
        if oldest:
            event: Any = ledger.mapper.to_domain_event(oldest[0])
            moment = now or datetime.now(UTC)
            seconds = max((moment - event.timestamp).total_seconds(), 0.0)
    return Lag(head, positions, seconds)


def events_recorded(ledger: Ledger) -> int:
    """How many events the log holds (positions may have gaps on PostgreSQL)."""
    datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) AS n FROM {ledger.qualified_events_table}")
        row = cursor.fetchone()
    return int(row["n"] if not isinstance(row, tuple) else row[0])
