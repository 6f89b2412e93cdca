"""Running the projections: catch up in batches, follow the log, rebuild and swap.

Each batch is one transaction on the projection tables: the tracking rows are locked first (so
two workers never apply the same event: the second waits, then starts where the first ended),
the batch's events are applied, and the tracking position moves in the same commit. A worker
killed in the middle of a batch leaves nothing of it; the next one resumes at the position.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from ledger.application import Ledger
from ledger.journal.checkpoint import leaf_of
from ledger.journal.merkle import Frontier
from projections.db import Connection, Namespace
from projections.handlers import (
    HANDLERS,
    PRIMARY_KEYS,
    Change,
    Insert,
    Op,
    Operation,
    Rows,
)
from projections.schema import PROJECTIONS, create_tables, drop_tables, swap_in

log = logging.getLogger("claims_ledger.projections")
BATCH = 2000


class Projector:
    """Applies the log to the projection tables of one ledger."""

    def __init__(self, ledger: Ledger, batch_size: int = BATCH) -> None:
        self.ledger = ledger
        self.batch_size = batch_size
        self.live = Namespace(ledger.settings)
        self.connection = Connection(ledger.settings)
        self._listen: Any = None
        create_tables(self.connection, self.live)

    def close(self) -> None:
        self.connection.close()

    # -- positions ---------------------------------------------------------------------------

    def positions(self, namespace: Namespace | None = None) -> dict[str, int]:
        """Each projection's position in the log."""
        rows = self.connection.query((namespace or self.live).sql(
            "SELECT name, position FROM {tracking}"))
        return {row["name"]: int(row["position"]) for row in rows}

    def position(self, namespace: Namespace | None = None) -> int:
        found = self.positions(namespace)
        return min(found.values()) if found else 0

    def head(self) -> int:
        """The log's last position."""
        return int(self.ledger.recorder.max_notification_id() or 0)

    # -- applying ----------------------------------------------------------------------------

    def catch_up(self, namespace: Namespace | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 until: int | None = None) -> int:
        """Apply every event not applied yet (up to position ``until``); returns how many."""
        target = namespace or self.live
        if target == self.live and len(set(self.positions().values())) > 1:
            # A projection added since the tables were built starts at 0 while the others are
            # ahead: the set is rebuilt together, never re-applied in part.
            log.warning("projections at different positions %s: rebuilding", self.positions())
            return self.rebuild(progress)
        total = 0
        while True:
            applied, position = self._apply_batch(namespace or self.live, until)
            if applied == 0:
                return total
            total += applied
            if progress is not None:
                progress(position, self.head())

    def _apply_batch(self, namespace: Namespace, until: int | None = None
                     ) -> tuple[int, int]:
        with self.connection.transaction() as cursor:
            lock = " FOR UPDATE" if namespace.postgres else ""
            cursor.execute(namespace.sql("SELECT name, position FROM {tracking}" + lock))
            rows = cursor.fetchall()
            position = min(int(_get(row, "position", 1)) for row in rows) if rows else 0
            if until is not None and position >= until:
                return 0, position
            notifications = self.ledger.recorder.select_notifications(
                start=position + 1, limit=self.batch_size, stop=until)
            if not notifications:
                return 0, position
            operations: list[Operation] = []
            mapper = self.ledger.mapper
            for notification in notifications:
                handler = HANDLERS.get(notification.topic.rsplit(":", 1)[-1])
                if handler is not None:  # decode only what some projection needs
                    operations.extend(handler(mapper.to_domain_event(notification),
                                              notification.id))
            operations.extend(_journal(cursor, namespace, notifications))
            _execute(cursor, namespace, operations)
            last = notifications[-1].id
            cursor.execute(namespace.sql("UPDATE {tracking} SET position = ?, updated_at = ?"),
                           (last, datetime.now(UTC).isoformat()))
            return len(notifications), last

    # -- rebuilding and following ------------------------------------------------------------

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild every projection from position 0 in fresh tables, then swap them in."""
        fresh = Namespace(self.ledger.settings, rebuild=True)
        drop_tables(self.connection, fresh)
        create_tables(self.connection, fresh)
        applied = self.catch_up(fresh, progress)
        swap_in(self.connection, self.live, fresh)
        return applied

    def snapshot(self, position: int, tag: str = "") -> Namespace:
        """Projections of the log up to ``position`` in tables of their own (drop them with
        :meth:`drop`): what an audit report as of a past moment reads. ``tag`` (letters and
        digits) keeps apart snapshots of the same position taken at the same time."""
        if not tag.isalnum() and tag:
            raise ValueError("a snapshot tag is letters and digits only")
        at = Namespace(self.ledger.settings, at=position, tag=tag.lower())
        drop_tables(self.connection, at)
        create_tables(self.connection, at)
        self.catch_up(at, until=position)
        return at

    def drop(self, namespace: Namespace) -> None:
        if namespace == self.live:
            raise ValueError("the live projections are never dropped this way")
        drop_tables(self.connection, namespace)

    def follow(self, stop: threading.Event, poll_seconds: float = 0.5) -> None:
        """Keep the projections live until ``stop`` is set; survive a lost connection."""
        while not stop.is_set():
            try:
                self.catch_up()
                self._wait_for_events(stop, poll_seconds)
            except Exception:  # a dropped connection must not end the worker: restart
                log.exception("projection worker failed; restarting in %.1f s", poll_seconds)
                stop.wait(poll_seconds)
                self._reconnect()

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

            from ledger.store import postgres_connect_args

            self._listen = psycopg.connect(**postgres_connect_args(self.ledger.settings),
                                           autocommit=True)
            self._listen.execute(f'LISTEN "{channel}"')
        return self._listen

    def _reconnect(self) -> None:
        try:
            self.connection.close()
        finally:
            self.connection = Connection(self.ledger.settings)
            if self._listen is not None:
                self._listen.close()
                self._listen = None

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until every projection has applied ``position`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        while self.position() < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


def _journal(cursor: Any, namespace: Namespace, notifications: Any) -> list[Operation]:
    """Append the batch's events to the journal's Merkle tree (leaves and right edge)."""
    cursor.execute(namespace.sql(
        "SELECT size, hashes FROM {journal_frontier} WHERE name = 'journal'"))
    row = cursor.fetchone()
    frontier = Frontier(int(_get(row, "size", 0)),
                        [bytes.fromhex(h) for h in json.loads(_get(row, "hashes", 1))])
    rows = []
    for notification in notifications:
        leaf = leaf_of(notification.id, notification.originator_id,
                       notification.originator_version, notification.topic, notification.state)
        rows.append((frontier.size, notification.id, leaf.hex()))
        frontier.append(leaf)
    return [
        Rows("journal_leaves", ("leaf_index", "position", "hash"), rows),
        Op("UPDATE {journal_frontier} SET size = ?, hashes = ? WHERE name = 'journal'",
           (frontier.size, json.dumps([h.hex() for h in frontier.hashes]))),
    ]


def _get(row: Any, key: str, index: int) -> Any:
    return row[key] if isinstance(row, dict) else row[index]


def _execute(cursor: Any, namespace: Namespace, operations: list[Operation]) -> None:
    """Apply a batch's operations in log order (see :mod:`projections.handlers`)."""
    batch = _Batch(cursor, namespace)
    for operation in operations:
        batch.apply(operation)
    batch.flush()


class _Batch:
    """Rows inserted by this batch, changed in memory until they must reach the database."""

    def __init__(self, cursor: Any, namespace: Namespace) -> None:
        self.cursor = cursor
        self.namespace = namespace
        self.pending: dict[str, dict[str, dict[str, Any]]] = {}
        self.bulk: dict[str, tuple[tuple[str, ...], list[Any]]] = {}
        self.changes: list[Change] = []

    def apply(self, operation: Operation) -> None:
        if isinstance(operation, Insert):
            self.pending.setdefault(operation.table, {})[operation.key] = dict(operation.row)
        elif isinstance(operation, Change):
            row = self.pending.get(operation.table, {}).get(operation.key)
            if row is None:
                self.changes.append(operation)  # a row of an earlier batch: UPDATE later
                return
            row.update(operation.assign)
            for column, amount in operation.add.items():
                row[column] = int(row[column]) + amount
        elif isinstance(operation, Rows):
            self.bulk.setdefault(operation.table, (operation.columns, []))[1].extend(
                operation.rows)
        else:
            self.flush()  # plain SQL may read anything written before it
            self.cursor.execute(self.namespace.sql(operation.sql), operation.params)

    def flush(self) -> None:
        for table, keyed in self.pending.items():
            if keyed:
                columns = tuple(next(iter(keyed.values())))
                names = ", ".join(columns)
                marks = ", ".join("?" * len(columns))
                self.cursor.executemany(
                    self.namespace.sql(f"INSERT INTO {{{table}}} ({names}) VALUES ({marks})"),
                    [tuple(row[c] for c in columns) for row in keyed.values()])
        for table, (columns, bulk_rows) in self.bulk.items():
            if bulk_rows:
                _bulk_insert(self.cursor, self.namespace, table, columns, bulk_rows)
        shape = lambda c: (c.table, tuple(c.assign), tuple(c.add))  # noqa: E731
        for (table, assigned, added), group in groupby(self.changes, key=shape):
            sets = [f"{column} = ?" for column in assigned]
            sets += [f"{column} = {column} + ?" for column in added]
            self.cursor.executemany(
                self.namespace.sql(f"UPDATE {{{table}}} SET {', '.join(sets)} WHERE "
                                   f"{PRIMARY_KEYS[table]} = ?"),
                [(*c.assign.values(), *c.add.values(), c.key) for c in group])
        self.pending, self.bulk, self.changes = {}, {}, []


def _bulk_insert(cursor: Any, namespace: Namespace, table: str, columns: tuple[str, ...],
                 rows: list[Any]) -> None:
    names = ", ".join(columns)
    if namespace.postgres:
        with cursor.copy(f"COPY {namespace.table(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f"INSERT INTO {namespace.table(table)} ({names}) VALUES ({marks})", rows)


__all__ = ["PROJECTIONS", "Projector"]
