"""What a following worker is doing (following, stopped at an event, without its database):
logged once per change, and kept with a heartbeat in the ``followers`` table that /readyz and
``status`` read."""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ledger.errors import ProjectionStoppedError, StoreUnavailableError
from projections.failures import reason_of, unreachable

if TYPE_CHECKING:
    from projections.runner import Projector

log = logging.getLogger("claims_ledger.projections")

#: A following worker that cannot reach the database waits its poll interval (0.5 s), then
#: twice as long after each failure, up to this: it notices a database back within 10 s
#: without hammering one that is down. An event that cannot be applied is retried as rarely.
BACKOFF_CAP_SECONDS = 10.0
#: How often a following worker writes that it is alive (``followers.seen_at``).
HEARTBEAT_SECONDS = 5.0
#: A follower's row not updated for a day is a worker that is gone: its row is removed.
FORGET_FOLLOWERS_AFTER = timedelta(days=1)


class FollowerState:
    """What a following worker is doing: logged once per change, kept in ``followers``."""

    def __init__(self, projector: Projector, worker: str) -> None:
        self.projector = projector
        self.worker = worker
        self.state = "starting"
        self.since = datetime.now(UTC)
        self.reason = ""
        self.detail = ""
        self.beaten = 0.0
        self.forgot = False

    def following(self) -> None:
        now = datetime.now(UTC)
        if self.state == "unreachable":
            down = (now - self.since).total_seconds()
            self.detail = (f"reached the database again after {down:.1f} s without it "
                           f"(since {self.since.isoformat(timespec='seconds')}: {self.reason})")
            log.warning("projector: %s; following the log from position %d", self.detail,
                        self.projector.position())
        elif self.state == "stopped":
            self.detail = f"applied the event it had stopped at ({self.reason})"
            log.warning("projector: %s; following the log again", self.detail)
        if self.state != "following":
            self._change("following", "")
        self.beat()

    def stopped(self, error: ProjectionStoppedError) -> None:
        if self.state != "stopped" or self.reason != str(error):
            if not error.logged:  # recorded before (another worker, an earlier run)
                log.error("projector: %s", error)
            self._change("stopped", str(error))
            self.detail = str(error)
        self.beat()

    def unreachable(self, error: BaseException, delay: float) -> None:
        reason = reason_of(error.__cause__ if isinstance(error, StoreUnavailableError)
                         and error.__cause__ is not None else error)
        if self.state != "unreachable" or self.reason != reason:
            if unreachable(error):
                log.warning("projector: cannot reach the database: %s; trying again in "
                            "%.1f s, then backing off up to %.0f s", reason, delay,
                            BACKOFF_CAP_SECONDS)
            else:  # not expected: keep the traceback, once
                log.exception("projector: %s; trying again in %.1f s, then backing off up to "
                              "%.0f s", reason, delay, BACKOFF_CAP_SECONDS)
            if self.state != "unreachable":
                self._change("unreachable", reason)
            self.reason = reason

    def _change(self, state: str, reason: str) -> None:
        self.state, self.reason, self.since = state, reason, datetime.now(UTC)
        self.beaten = 0.0  # say it at once

    def beat(self) -> None:
        """Write this worker's state when it changed, else every HEARTBEAT_SECONDS."""
        if time.monotonic() - self.beaten < HEARTBEAT_SECONDS:
            return
        now = datetime.now(UTC)
        live = self.projector.live
        try:
            with self.projector.connection.transaction() as cursor:
                if not self.forgot:
                    cursor.execute(live.sql("DELETE FROM {followers} WHERE seen_at < ?"),
                                   ((now - FORGET_FOLLOWERS_AFTER).isoformat(),))
                cursor.execute(live.sql(
                    "INSERT INTO {followers} (worker, state, since, seen_at, detail)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (worker) DO UPDATE SET"
                    " state = excluded.state, since = excluded.since,"
                    " seen_at = excluded.seen_at, detail = excluded.detail"),
                    (self.worker, self.state, self.since.isoformat(), now.isoformat(),
                     self.detail or self.reason or None))
        except Exception as error:  # the next round finds out, and says why
            log.debug("projector: heartbeat not written: %s", reason_of(error))
            return
        self.forgot = True
        self.beaten = time.monotonic()

    def leave(self) -> None:
        """A worker stopped on purpose removes its row: it is not missing, it is gone."""
        with contextlib.suppress(Exception), \
                self.projector.connection.transaction() as cursor:
            cursor.execute(self.projector.live.sql("DELETE FROM {followers} WHERE worker = ?"),
                           (self.worker,))
