"""The one application service of this process, and per-thread projection readers."""

from __future__ import annotations

import contextlib
import select
import threading

from flask import current_app

from ledger.application import Ledger
from projections.queries import Reader
from projections.runner import Projector

_local = threading.local()


def ledger() -> Ledger:
    found: Ledger = current_app.extensions["claims_ledger"]
    return found


def projector() -> Projector:
    """This thread's projector (a projection connection is used by one thread at a time)."""
    app_ledger = ledger()
    cached: Projector | None = getattr(_local, "projector", None)
    if cached is not None and cached.ledger is app_ledger and _closed(cached):
        # The database restarted or went away under it: a new connection, not one failed
        # request after another (the projections' connection is not pooled: nothing else
        # would replace it).
        with contextlib.suppress(Exception):
            cached.close()
        cached = None
    if cached is None or cached.ledger is not app_ledger:
        cached = Projector(app_ledger)
        _local.projector = cached
    return cached


def _closed(found: Projector) -> bool:
    """Whether a projector's PostgreSQL connection was lost: psycopg marked it closed, or the
    idle connection's socket has something to read (no query is waiting for an answer, so it
    is the server hanging up). No round trip: a poll of the socket."""
    if not found.connection.postgres:
        return False
    raw = found.connection.raw
    if raw.closed:
        return True
    try:
        poller = select.poll()
        poller.register(raw.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def reader() -> Reader:
    found = projector()
    return Reader(found.connection, found.live)
