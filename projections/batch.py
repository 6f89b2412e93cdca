"""One batch's writes to the projection tables: the journal's new leaves, then the handlers'
operations in log order (see :mod:`projections.handlers`), rows kept in memory until needed.

On PostgreSQL the rows go in with ``COPY`` (the new rows of a batch too: 20,000 members of a
rebuild's batch took 1.6 s as an ``executemany``) and a :class:`~projections.handlers.Spread`
with one ``INSERT ... SELECT FROM unnest``."""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from ledger.journal.checkpoint import leaf_of
from ledger.journal.merkle import Frontier
from projections.db import Namespace
from projections.handlers import PRIMARY_KEYS, Change, Insert, Op, Operation, Rows, Spread
from projections.tallies import Tally, replayed


def journal_operations(cursor: Any, namespace: Namespace, notifications: Any,
                       leaves: list[bytes] | None = None) -> list[Operation]:
    """Append the batch's events to the journal's Merkle tree (leaves and right edge);
    ``leaves``: their leaf hashes, made already (read ahead)."""
    cursor.execute(namespace.sql(
        "SELECT size, hashes FROM {journal_frontier} WHERE name = 'journal'"))
    row = cursor.fetchone()
    frontier = Frontier(int(column(row, "size", 0)),
                        [bytes.fromhex(h) for h in json.loads(column(row, "hashes", 1))])
    if leaves is None:
        leaves = [leaf_of(n.id, n.originator_id, n.originator_version, n.topic, n.state)
                  for n in notifications]
    rows = []
    for notification, leaf in zip(notifications, leaves, strict=True):
        rows.append((frontier.size, notification.id, leaf.hex()))
        frontier.append(leaf)
    return [
        Rows("journal_leaves", ("leaf_index", "position", "hash"), rows),
        Op("UPDATE {journal_frontier} SET size = ?, hashes = ? WHERE name = 'journal'",
           (frontier.size, json.dumps([h.hex() for h in frontier.hashes]))),
    ]


def column(row: Any, key: str, index: int) -> Any:
    return row[key] if isinstance(row, dict) else row[index]


def execute(cursor: Any, namespace: Namespace, operations: list[Operation]) -> None:
    """Apply a batch's operations in log order (see :mod:`projections.handlers`); a replay
    from the start leaves the tallies out, to count them once at the end
    (:mod:`projections.tallies`)."""
    batch = _Batch(cursor, namespace)
    replay = replayed(namespace)
    for operation in operations:
        if replay and isinstance(operation, Tally):
            continue
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
        self.spreads: list[Spread] = []

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
        elif isinstance(operation, Spread):
            self.spreads.append(operation)
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
                _bulk_insert(self.cursor, self.namespace, table, columns,
                             [tuple(row[c] for c in columns) for row in keyed.values()])
        for table, (columns, bulk_rows) in self.bulk.items():
            if bulk_rows:
                _bulk_insert(self.cursor, self.namespace, table, columns, bulk_rows)
        for spread in self.spreads:
            _spread(self.cursor, self.namespace, spread)
        shape = lambda c: (c.table, tuple(c.assign), tuple(c.add))  # noqa: E731
        for (table, assigned, added), group in groupby(self.changes, key=shape):
            sets = [f"{column} = ?" for column in assigned]
            sets += [f"{column} = {column} + ?" for column in added]
            self.cursor.executemany(
                self.namespace.sql(f"UPDATE {{{table}}} SET {', '.join(sets)} WHERE "
                                   f"{PRIMARY_KEYS[table]} = ?"),
                [(*c.assign.values(), *c.add.values(), c.key) for c in group])
        self.pending, self.bulk, self.changes, self.spreads = {}, {}, [], []


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


def _spread(cursor: Any, namespace: Namespace, spread: Spread) -> None:
    names = ", ".join(spread.columns)
    if namespace.postgres:
        marks = "".join("%s, " for _ in spread.fixed)
        cursor.execute(f"INSERT INTO {namespace.table(spread.table)} ({names})"
                       f" SELECT {marks}v FROM unnest(%b::text[]) AS v",
                       (*spread.fixed, list(spread.values)))
        return
    marks = ", ".join("?" * len(spread.columns))
    cursor.executemany(f"INSERT INTO {namespace.table(spread.table)} ({names}) VALUES ({marks})",
                       [(*spread.fixed, value) for value in spread.values])
