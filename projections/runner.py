"""Running the projections: catch up in batches, follow the log, rebuild and swap.

Each batch is one transaction on the projection tables: the tracking rows are locked first (so
two workers never apply the same event: the second waits, then starts where the first ended),
the batch's events are applied, and the tracking position moves in the same commit. A worker
killed in the middle of a batch leaves nothing of it; the next one resumes at the position.

Two kinds of failure are told apart (:func:`unreachable`). A database that cannot be reached is
waited for: a following worker tries again with backoff for as long as it runs, and says so once
in its log and in the ``followers`` table that /readyz reads. An event that cannot be applied (a
number past the ledger's bounds in a log restored from elsewhere, any database error on apply)
stops the projections just before it: the batch is applied in ever smaller parts until the one
event is found, the projection, its position and the reason are kept in the tracking table (in a
transaction of their own) and raised as :class:`~ledger.errors.ProjectionStoppedError`, which
every command prints as one ``Error:`` line and /readyz and ``status`` report.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from eventsourcing.persistence import Notification

from ledger.application import Ledger
from ledger.errors import ProjectionStoppedError, StoreUnavailableError
from projections.batch import column as _get
from projections.batch import execute as _execute
from projections.batch import journal_operations as _journal
from projections.db import Connection, Namespace
from projections.effective import EffectiveDays
from projections.failures import EventFailed as _EventFailed
from projections.failures import unreachable
from projections.follower import (
    BACKOFF_CAP_SECONDS,
    FORGET_FOLLOWERS_AFTER,
    HEARTBEAT_SECONDS,
    FollowerState,
)
from projections.handlers import Operation
from projections.readahead import ReadAhead, decode
from projections.schema import PROJECTIONS, create_tables, drop_tables, ensure_tables, swap_in
from projections.tallies import caught_up, replayed
from storage.log_index import settings_of, unavailable

log = logging.getLogger("claims_ledger.projections")
BATCH = 2000


class Projector:
    """Applies the log to the projection tables of one ledger."""

    def __init__(self, ledger: Ledger, batch_size: int = BATCH, *, reading: bool = False
                 ) -> None:
        """``reading``: opened for one reading (a page), the tables made sure of once a process;
        any other makes sure of them (and adds a new column) on opening."""
        self.ledger = ledger
        self.batch_size = batch_size
        self.live = Namespace(settings_of(ledger))
        #: Effective days of the snapshots of what was covered on a day, as they are built.
        self._effective: dict[str, EffectiveDays] = {}
        self._listen: Any = None
        self._ahead: ReadAhead | None = None
        self._connected = True
        try:
            self.connection = Connection(settings_of(ledger))
            ensure_tables(self.connection, self.live, again=not reading)
        except Exception as error:
            if unreachable(error):
                raise unavailable(settings_of(ledger), error) from error
            raise

    def close(self) -> None:
        self.connection.close()
        if self._listen is not None:
            with contextlib.suppress(Exception):
                self._listen.close()

    # -- positions ---------------------------------------------------------------------------

    def positions(self, namespace: Namespace | None = None) -> dict[str, int]:
        """Each projection's position in the log."""
        with self._store_errors():
            rows = self.connection.query((namespace or self.live).sql(
                "SELECT name, position FROM {tracking}"))
        return {row["name"]: int(row["position"]) for row in rows}

    @contextlib.contextmanager
    def _store_errors(self) -> Iterator[None]:
        """A database that cannot be reached is a StoreUnavailableError, in words."""
        try:
            yield
        except Exception as error:
            if unreachable(error) and not isinstance(error, StoreUnavailableError):
                raise unavailable(settings_of(self.ledger), error) from error
            raise

    def position(self, namespace: Namespace | None = None) -> int:
        found = self.positions(namespace)
        return min(found.values()) if found else 0

    def head(self) -> int:
        """The log's last position."""
        with self._store_errors():
            return int(self.ledger.recorder.max_notification_id() or 0)

    # -- applying ----------------------------------------------------------------------------

    def catch_up(self, namespace: Namespace | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 until: int | None = None) -> int:
        """Apply every event not applied yet (up to position ``until``); returns how many.

        Raises :class:`~ledger.errors.ProjectionStoppedError` at an event that cannot be
        applied (everything before it applied) and
        :class:`~ledger.errors.StoreUnavailableError` when the database cannot be reached.
        """
        with self._store_errors():
            return self._catch_up(namespace or self.live, progress, until)

    def _catch_up(self, target: Namespace, progress: Callable[[int, int], None] | None,
                  until: int | None) -> int:
        if target == self.live and len(set(self.positions().values())) > 1:
            # A projection added since the tables were built starts at 0 while the others are
            # ahead: the set is rebuilt together, never re-applied in part.
            log.warning("projections at different positions %s: rebuilding", self.positions())
            return self.rebuild(progress)
        # An event known not to apply is tried alone, not with a whole batch around it.
        stuck = self.failed_position() if target == self.live else None
        total = 0
        if replayed(target) and target.postgres and target.effective_by is None:
            self._ahead = ReadAhead(self.ledger, self.position(target), self.batch_size, until)
        try:
            while True:
                try:
                    applied, position = self._apply_batch(target, until, alone=stuck)
                except Exception as error:
                    if unreachable(error):
                        raise
                    applied, position = self._apply_around(target, until, error)
                if applied == 0:
                    return caught_up(self.connection, target, total)
                total += applied
                if progress is not None:
                    progress(position, self.head())
        finally:
            if self._ahead is not None:
                self._ahead.close()
            self._ahead = None

    def _apply_around(self, target: Namespace, until: int | None,
                      error: Exception) -> tuple[int, int]:
        """A batch failed, not for an unreachable database: apply the events before the one
        that cannot be applied (found by applying the batch in ever smaller parts when the
        error does not name it), then record and raise it. If every part applies (the failure
        went away), say how far that went."""
        alone = error.position if isinstance(error, _EventFailed) else None
        start = self.position(target)
        size = self.batch_size if alone is not None else max(1, self.batch_size // 2)
        total = 0
        while True:
            try:
                applied, position = self._apply_batch(target, until, limit=size, alone=alone)
            except _EventFailed as found:
                failed = found
                break
            except Exception as again:
                if unreachable(again):
                    raise
                size = max(1, size // 2)  # this part fails too (one event alone names itself)
                continue
            total += applied
            if applied == 0 or (alone is None and position >= start + self.batch_size):
                return total, position  # past the batch that failed: full speed again
        stopped = failed.stopped(self.position(target))
        if target == self.live and self._record_failure(stopped):
            stopped.logged = True
            log.error("projection stopped: %s", stopped,
                      extra={"fields": {"projection": stopped.projection,
                                        "position": stopped.position,
                                        "event": stopped.event, "reason": stopped.reason}})
        raise stopped

    def _apply_batch(self, namespace: Namespace, until: int | None = None,
                     limit: int | None = None, alone: int | None = None) -> tuple[int, int]:
        """Apply the next batch (at most ``limit`` events; the event at ``alone`` only by
        itself) in one transaction with the tracking position."""
        with self.connection.transaction() as cursor:
            lock = " FOR UPDATE" if namespace.postgres else ""
            cursor.execute(namespace.sql("SELECT name, position FROM {tracking}" + lock))
            rows = cursor.fetchall()
            position = min(int(_get(row, "position", 1)) for row in rows) if rows else 0
            if until is not None and position >= until:
                return 0, position
            ahead = self._ahead.take(position) if self._ahead and not (limit or alone) else None
            notifications = ahead.notifications if ahead else \
                self.ledger.recorder.select_notifications(
                    start=position + 1, limit=limit or self.batch_size, stop=until)
            if alone is not None and alone > position and notifications:
                notifications = [n for n in notifications if n.id < alone] or notifications[:1]
            if not notifications:
                return 0, position
            operations: list[Operation] = []
            # A snapshot of what was covered on a day decodes every event (each dates others).
            decoded = ahead.decoded if ahead else decode(
                self.ledger.mapper, notifications, dating=namespace.effective_by is not None)
            days = self._effective_days(namespace, decoded)
            for notification, handler, event in decoded:
                if handler is None or (days is not None and namespace.effective_by is not None
                                       and days[notification.id] > namespace.effective_by):
                    continue  # no projection needs it, or not in effect yet on that day
                try:
                    operations.extend(handler(event, notification.id))
                except Exception as error:
                    if unreachable(error):
                        raise
                    raise _EventFailed(notification.id, notification.topic.rsplit(":", 1)[-1],
                                       error) from error
            try:
                operations.extend(_journal(cursor, namespace, notifications,
                                           ahead.leaves if ahead else None))
                _execute(cursor, namespace, operations)
            except Exception as error:
                if len(notifications) > 1 or unreachable(error):
                    raise
                only = notifications[0]
                raise _EventFailed(only.id, only.topic.rsplit(":", 1)[-1], error) from error
            last = notifications[-1].id
            # A recorded failure is cleared once its event is applied (fixed code, a repair).
            cursor.execute(namespace.sql(
                "UPDATE {tracking} SET position = ?, updated_at = ?,"
                " last_error = CASE WHEN failed_position <= ? THEN NULL ELSE last_error END,"
                " failed_at = CASE WHEN failed_position <= ? THEN NULL ELSE failed_at END,"
                " failed_position = CASE WHEN failed_position <= ? THEN NULL"
                " ELSE failed_position END"),
                (last, datetime.now(UTC).isoformat(), last, last, last))
            return len(notifications), last

    def _effective_days(self, namespace: Namespace,
                        decoded: list[tuple[Notification, Any, Any]]) -> dict[int, date] | None:
        """The day each decoded event took effect, for a snapshot of what was covered on a day
        (None for any other namespace)."""
        if namespace.effective_by is None:
            return None
        days = self._effective.setdefault(namespace.prefix + namespace.schema, EffectiveDays())
        return days.of([(n.id, str(n.originator_id), event) for n, _, event in decoded])

    # -- failures ----------------------------------------------------------------------------

    def failed_position(self) -> int | None:
        """The position of the event a live projection could not apply, if one is recorded."""
        with self._store_errors():
            rows = self.connection.query(self.live.sql(
                "SELECT min(failed_position) AS failed FROM {tracking}"))
        found = rows[0]["failed"] if rows else None
        return int(found) if found is not None else None

    def _record_failure(self, stopped: ProjectionStoppedError) -> bool:
        """Keep the failure in the projection's tracking row (its own transaction); True when
        it is news (not the same failure recorded already)."""
        with self.connection.transaction() as cursor:
            cursor.execute(self.live.sql(
                "SELECT failed_position, last_error FROM {tracking} WHERE name = ?"),
                (stopped.projection,))
            row = cursor.fetchone()
            if row is not None and _get(row, "failed_position", 0) == stopped.position \
                    and _get(row, "last_error", 1) == stopped.reason:
                return False
            cursor.execute(self.live.sql(
                "UPDATE {tracking} SET last_error = ?, failed_position = ?, failed_at = ?"
                " WHERE name = ?"),
                (stopped.reason, stopped.position, datetime.now(UTC).isoformat(),
                 stopped.projection))
            return True

    # -- rebuilding and following ------------------------------------------------------------

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild every projection from position 0 in fresh tables, then swap them in."""
        fresh = Namespace(settings_of(self.ledger), rebuild=True)
        drop_tables(self.connection, fresh)
        create_tables(self.connection, fresh)
        applied = self.catch_up(fresh, progress)
        swap_in(self.connection, self.live, fresh)
        return applied

    def snapshot(self, position: int, tag: str = "", effective_by: date | None = None
                 ) -> Namespace:
        """Projections of the log up to ``position`` in tables of their own (drop them with
        :meth:`drop`): what an audit report as of a past moment reads. ``tag`` (letters and
        digits) keeps apart snapshots of the same position taken at the same time.
        ``effective_by``: leave out of the read models the events that took effect after that
        day (what was covered on it, as the log up to ``position`` knows it)."""
        if not tag.isalnum() and tag:
            raise ValueError("a snapshot tag is letters and digits only")
        if effective_by is not None:
            tag = f"e{effective_by:%Y%m%d}{tag}"  # never the tables of a plain snapshot
        at = Namespace(settings_of(self.ledger), at=position, tag=tag.lower(),
                       effective_by=effective_by)
        drop_tables(self.connection, at)
        create_tables(self.connection, at)
        self.catch_up(at, until=position)
        return at

    def drop(self, namespace: Namespace) -> None:
        if namespace == self.live:
            raise ValueError("the live projections are never dropped this way")
        drop_tables(self.connection, namespace)
        self._effective.pop(namespace.prefix + namespace.schema, None)

    def follow(self, stop: threading.Event, poll_seconds: float = 0.5,
               worker: str | None = None,
               after_catch_up: Callable[[Projector], object] | None = None) -> None:
        """Keep the projections live until ``stop`` is set; nothing else ends it.

        A database that cannot be reached is tried again after ``poll_seconds``, then twice as
        long each time up to :data:`BACKOFF_CAP_SECONDS`; an event that cannot be applied is
        tried again as rarely (a repair or a fixed version lets it through). Each change of
        state is logged once, and written with a heartbeat to the ``followers`` table, which
        /readyz and ``status`` read. ``after_catch_up`` runs after each catch-up (the
        witnesses' schedule, :mod:`projections.witness_schedule`); it must not raise.
        """
        state = FollowerState(self, worker or f"{socket.gethostname()}:{os.getpid()}")
        delay = poll_seconds
        while not stop.is_set():
            try:
                self._connect()
                self.catch_up(progress=lambda _position, _head: state.beat())
                state.following()
                if after_catch_up is not None:
                    after_catch_up(self)
                delay = poll_seconds
                self._wait_for_events(stop, poll_seconds)
                continue
            except ProjectionStoppedError as stopped:
                state.stopped(stopped)
            except Exception as error:  # the database cannot be reached (or anything else)
                state.unreachable(error, delay)
                self._disconnect()
            stop.wait(delay)
            delay = min(delay * 2, BACKOFF_CAP_SECONDS)
        state.leave()

    def _wait_for_events(self, stop: threading.Event, poll_seconds: float) -> None:
        if not self.live.postgres:
            stop.wait(poll_seconds)  # SQLite has no subscriptions: poll
            return
        channel = self.ledger.events_table
        listener = self._listener(channel)
        # LISTEN with a timeout: a silently dropped connection cannot stall the worker.
        for _ in listener.notifies(timeout=poll_seconds, stop_after=1):
            break

    def _listener(self, channel: str) -> Any:
        if self._listen is None or self._listen.closed:
            import psycopg

            from storage.store import postgres_connect_args

            self._listen = psycopg.connect(**postgres_connect_args(settings_of(self.ledger)),
                                           autocommit=True)
            self._listen.execute(f'LISTEN "{channel}"')
        return self._listen

    def _disconnect(self) -> None:
        """Drop the connections after a failure; :meth:`_connect` makes new ones."""
        for connection in (self.connection, self._listen):
            if connection is not None:
                with contextlib.suppress(Exception):  # already broken: why it is dropped
                    connection.close()
        self._listen = None
        self._connected = False

    def _connect(self) -> None:
        if not self._connected:
            self.connection = Connection(settings_of(self.ledger))
            self._connected = True

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until every projection has applied ``position`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        while self.position() < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


__all__ = ["BACKOFF_CAP_SECONDS", "FORGET_FOLLOWERS_AFTER", "HEARTBEAT_SECONDS", "PROJECTIONS",
           "Projector", "unreachable"]
