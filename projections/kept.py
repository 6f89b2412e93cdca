"""Answers kept per state of the live projection tables: what a page or an API read computed
from the whole of a programme (its budget month by month, the findings over every payment) is
kept, a few per process, under what fixes the tables' content, and given again while nothing
new has been projected. What would cost a pass over every paid member-month to make again (the
persons paid twice in a month, the members paid each month) is not computed here at all: it is
counted as the payment orders are projected (:mod:`projections.tallies`), so making an answer
again after a write, or on a fresh server, reads small results.

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
from storage.key_cache import listen_everywhere

T = TypeVar("T")

#: How many answers a process keeps (the latest ones: a few programmes' pages, their API
#: twins, the findings).
KEEP = 32
_KEPT: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


def forget_all() -> None:
    """Drop every kept answer: a data key this process held was destroyed (an erasure, here or
    in another process; :mod:`storage.key_cache`), and an answer may hold what it decoded."""
    with _LOCK:
        _KEPT.clear()


listen_everywhere(forget_all)


def kept(connection: Connection, ns: Namespace, name: tuple[Any, ...],
         compute: Callable[[], T]) -> T:
    """``compute()``'s answer for the tables' present state, computed once per state."""
    with connection.snapshot():
        key = state_key(connection, ns)
        if key is None:
            return compute()
        return _keep((*key, *name), compute)


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
