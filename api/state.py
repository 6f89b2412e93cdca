"""The one application service of this process, and per-thread projection readers."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from flask import Response, current_app, g, request

from ledger.application import Ledger
from projections.db import Connection
from projections.queries import Reader
from projections.read_side import ReadSide
from projections.replica import (
    SERVED_BY_PRIMARY,
    SERVED_BY_REPLICA,
    Replica,
    ReplicaConnection,
    cannot_serve,
)
from projections.runner import Projector
from storage.database import connection_cut
from storage.log_index import settings_of

_local = threading.local()
log = logging.getLogger("claims_ledger.api")
#: How long readers read on the primary after the replica was found unreachable, before it is
#: tried again.
REPLICA_RETRY_SECONDS = 5.0


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


def replica() -> Replica | None:
    """This thread's connection to the read replica (``LEDGER_READ_DATABASE_URL``); None when
    the readers read on the primary."""
    app_ledger = ledger()
    settings = settings_of(app_ledger)
    if settings.read is None:
        return None
    cached: Replica | None = getattr(_local, "replica", None)
    if cached is not None and (getattr(_local, "replica_of", None) is not app_ledger
                               or _closed(cached)):
        with contextlib.suppress(Exception):
            cached.close()
        cached = None
    if cached is None:
        down_for, until = getattr(_local, "replica_down", (None, 0.0))
        if down_for is app_ledger and time.monotonic() < until:
            return None  # found unreachable a moment ago: read on the primary meanwhile
        try:
            cached = Replica(settings)
        except Exception as error:
            if not _set_aside(error):
                raise
            return None
        _local.replica = cached
        _local.replica_of = app_ledger
    return cached


def _set_aside(error: BaseException) -> bool:
    """When ``error`` says the replica cannot serve reads (down, its tables not replayed yet, a
    read cancelled in conflict with its replay: :func:`projections.replica.cannot_serve`),
    this thread reads on the primary for :data:`REPLICA_RETRY_SECONDS` and True is answered;
    False for any other error (the caller raises it)."""
    why = cannot_serve(error)
    if why is None:
        return False
    app_ledger = ledger()
    # A replica that cannot serve costs readers nothing but the primary's load: they read
    # there, and the replica is tried again after a pause (not once per request).
    _local.replica_down = (app_ledger, time.monotonic() + REPLICA_RETRY_SECONDS)
    cached: Replica | None = getattr(_local, "replica", None)
    _local.replica = None
    if cached is not None:
        with contextlib.suppress(Exception):
            cached.close()
    read = settings_of(app_ledger).read
    log.warning("the read replica %s; reading on the primary", why.split(" (")[0],
                extra={"fields": {"replica": read.describe() if read else None}})
    return True


def replica_at(wanted: int | None, wait: float) -> int | None:
    """The one gate a read passes to be served by the replica: the position the replica's
    projections have reached, once it shows ``wanted`` (waiting up to ``wait`` seconds), or
    None when the primary serves this read: no replica, one that has not replayed ``wanted``
    in time, or one that cannot serve now (:func:`_set_aside`)."""
    mirror = replica() if not g.get("read_again") else None
    if mirror is None:
        return None
    try:
        if wanted is not None and not mirror.wait_for(wanted, wait):
            return None
        return mirror.position()
    except Exception as error:
        if not _set_aside(error):
            raise
        return None


def read_again_on_primary(error: BaseException) -> Response | None:
    """A page or read the replica failed part-way (a read cancelled in conflict with its
    replay, its connection lost, its tables gone): the request is answered again, once, on the
    primary (GET and HEAD only: a read, safe to repeat). None when ``error`` did not come from
    the replica, or the request is not to be repeated: the caller handles it as before."""
    if request.method not in ("GET", "HEAD") or g.get("served_by") != SERVED_BY_REPLICA \
            or g.get("read_again"):
        return None
    mirror: Replica | None = getattr(_local, "replica", None)
    if mirror is None or not isinstance(mirror.connection, ReplicaConnection) \
            or not mirror.connection.raised(error) or not _set_aside(error):
        return None
    g.served_by = SERVED_BY_PRIMARY
    g.read_again = True
    try:
        return current_app.make_response(current_app.dispatch_request())
    except Exception as again:  # answered as that request's error would be (a 404, a 503...)
        return current_app.make_response(current_app.handle_user_exception(again))


def _closed(found: Projector | Replica) -> bool:
    """Whether a projector's PostgreSQL connection was lost (see
    :func:`storage.database.connection_cut`)."""
    return found.connection.postgres and connection_cut(found.connection.raw)


def read_connection() -> Connection:
    """The connection this request reads the projections through: the replica when one is
    configured, unless read-your-writes sent the request to the primary
    (:func:`api.resources.projections.fresh` decides, and ``X-Served-By`` says)."""
    served = g.get("served_by")
    if served != SERVED_BY_PRIMARY:
        found = replica()
        if found is not None:
            g.served_by = SERVED_BY_REPLICA
            return found.connection
    g.served_by = SERVED_BY_PRIMARY
    return projector().connection


def on_replica() -> bool:
    """Whether this request may read on the replica: not when read-your-writes sent it to the
    primary (the replica has not replayed the position it needs)."""
    return bool(g.get("served_by") != SERVED_BY_PRIMARY)


def served_from(view: ReadSide) -> None:
    """Where a read side opened in this request was read (the replica, or the primary when
    the replica could not open the reading), for ``X-Served-By`` and the console page's foot;
    nothing when this request had no choice to make (no replica)."""
    if g.get("served_by") is not None:
        g.served_by = view.served_by


def reader() -> Reader:
    """The read models, where this request reads them (see :func:`read_connection`)."""
    connection = read_connection()
    return Reader(connection, projector().live)
