"""Answers kept per state of the live projection tables: what a page or an API read computed
from the whole of a programme (its budget month by month, the findings over every payment) is
kept, a few per process, under what fixes the tables' content, and given again while nothing
new has been projected. What is read from the payments alone (the NIK-months paid twice, the
members paid each month) is kept longer: while no member, order or reversal is projected
(:func:`kept_while`), so the first read after an approval or a claim does not count every paid
member-month again.

The key is read inside the same snapshot as the answer (``Connection.snapshot``): the
database, each projection's position and the journal's frontier (the hashes that fix the log's
content up to its size, so two databases that hold the same key hold the same log). Any event
projected makes a new key; a snapshot or rebuild namespace (read once, then dropped) is never
kept. Kept answers are shared between requests: they must be immutable (frozen rows, or
dicts that no caller changes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from projections.db import Connection, Namespace

T = TypeVar("T")

#: How many answers a process keeps (the latest ones: a few programmes' pages, their API
#: twins, the findings).
KEEP = 32
_KEPT: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LOCK = threading.Lock()

#: What changes whenever the paid member-months, the members' NIKs and the orders' SP2D numbers
#: and rates change: the projection only adds members (their NIK, person and programme never
#: change), only adds payment orders, flags an order reversed once (and then drops its paid
#: months); so the counts and last positions of both, with the last order's id (no two logs
#: share it), are the same exactly when those are (one pass over the members: 75 ms at
#: 200,000 members).
_MARKS = (
    "SELECT m.n AS members, m.last AS last_member,{ends} c.n AS orders, c.last AS last_order,"
    " c.reversed, c.last_reversal,"
    " (SELECT contribution_id FROM {{contributions}} ORDER BY position DESC LIMIT 1) AS order_id"
    " FROM (SELECT count(*) AS n, max(position) AS last{ended} FROM {{members}}) m,"
    " (SELECT count(*) AS n, max(position) AS last, count(reversed_on) AS reversed,"
    " max(reversed_position) AS last_reversal FROM {{contributions}}) c")
PAYMENTS_MARKS = _MARKS.format(ends="", ended="")
#: As :data:`PAYMENTS_MARKS`, and the members' ends and deaths: each sets the member's
#: ``ended_position`` or ``died_position`` to its own position, the log's latest, so the
#: greatest of each changes with every end or death projected.
ENDINGS_MARKS = _MARKS.format(ends=" m.ended, m.died,",
                              ended=", max(ended_position) AS ended, max(died_position) AS died")


def kept(connection: Connection, ns: Namespace, name: tuple[Any, ...],
         compute: Callable[[], T]) -> T:
    """``compute()``'s answer for the tables' present state, computed once per state."""
    with connection.snapshot():
        key = state_key(connection, ns)
        if key is None:
            return compute()
        return _keep((*key, *name), compute)


def kept_while(connection: Connection, ns: Namespace, name: tuple[Any, ...], marks: str,
               compute: Callable[[], T]) -> T:
    """``compute()``'s answer kept while what it reads is unchanged, even as other events are
    projected: ``marks`` is a query (over the tables, in the namespace's ``{table}`` form) of
    one row whose values change whenever the content ``compute`` reads does (counts and last
    positions of tables whose rows that answer reads are only ever added, or flagged once;
    the id of the last row, so that two logs never share a mark). An approval, a claim or a
    reconciliation then leaves the answer over every payment kept."""
    with connection.snapshot():
        if not _live(ns):
            return compute()
        [row] = connection.query(ns.sql(marks))
        return _keep((*_store(ns), "while", tuple(str(v) for v in row.values()), *name),
                     compute)


def _keep(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    with _LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]  # type: ignore[no-any-return]
    answer = compute()
    with _LOCK:
        _KEPT[key] = answer
        while len(_KEPT) > KEEP:
            _KEPT.popitem(last=False)
    return answer


def _live(ns: Namespace) -> bool:
    return not (ns.rebuild or ns.at is not None or ns.effective_by is not None)


def _store(ns: Namespace) -> tuple[Any, ...]:
    """Which database and which live tables."""
    env = ns.settings.env
    return (env.get("POSTGRES_HOST"), env.get("POSTGRES_PORT"), env.get("POSTGRES_DBNAME"),
            env.get("SQLITE_DBNAME"), ns.table("tracking"))


def state_key(connection: Connection, ns: Namespace) -> tuple[Any, ...] | None:
    """What fixes the live tables' content now (call inside a snapshot), or None for a
    namespace that is not the live one."""
    if not _live(ns):
        return None
    tracking = connection.query(ns.sql("SELECT name, position FROM {tracking}"))
    frontier = connection.query(ns.sql(
        "SELECT size, hashes FROM {journal_frontier} WHERE name = 'journal'"))
    return (*_store(ns),
            tuple(sorted((str(r["name"]), int(r["position"])) for r in tracking)),
            tuple((int(r["size"]), str(r["hashes"])) for r in frontier))


def forget() -> None:
    """Drop every kept answer (tests that rewrite projection tables by hand)."""
    with _LOCK:
        _KEPT.clear()
