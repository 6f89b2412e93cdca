"""Health for operators: ``/healthz`` (the process), ``/readyz`` (database and projections, and
the read replica when one is configured), ``/metrics`` (Prometheus text format).

They sit outside ``/api/v1`` and need no token (probes and scrapers carry none); they show
counts and positions only, never a record. Every figure is read from the database at the
moment of the request, so any gunicorn worker gives the same answer: there are no per-process
counters to merge, which is why this is a few lines of text and not a metrics library.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from api.state import ledger, projector
from ledger.application import Ledger
from ledger.errors import ProjectionStoppedError
from ledger.reads import log_head
from projections.db import Connection, Namespace
from projections.lag import Lag, ProjectionsMissingError, events_recorded
from projections.lag import measure as measure_lag
from projections.replica import ReplicaState, replica_state
from storage.log_index import settings_of
from storage.settings import max_lag_from_environment

blp = Blueprint("health", __name__)
log = logging.getLogger("claims_ledger.health")
MAX_LAG_KEY = "READY_MAX_LAG_SECONDS"
_local = threading.local()


def register(app: Flask) -> None:
    app.config.setdefault(MAX_LAG_KEY, max_lag_from_environment())
    app.register_blueprint(blp)


def _connection(app_ledger: Ledger) -> Connection:
    """This thread's connection to the projection tables (made again after a failure)."""
    found: Connection | None = getattr(_local, "connection", None)
    owner = getattr(_local, "ledger", None)
    if found is None or owner is None or owner() is not app_ledger:
        _forget_connection()
        found = Connection(settings_of(app_ledger))
        # A weak reference: this cache must not keep a closed application alive.
        _local.connection, _local.ledger = found, weakref.ref(app_ledger)
    return found


def _forget_connection() -> None:
    found: Connection | None = getattr(_local, "connection", None)
    _local.connection = None
    if found is not None:
        with contextlib.suppress(Exception):  # already broken: why it is being forgotten
            found.close()


def _measure() -> Lag:
    app_ledger = ledger()
    if not app_ledger.settings.is_postgres:
        # Embedded mode: the API keeps its projections itself. A projection that cannot apply
        # an event is kept in the tracking table, which the measure below reports.
        with contextlib.suppress(ProjectionStoppedError):
            projector().catch_up()
    try:
        return measure_lag(app_ledger, _connection(app_ledger), Namespace(settings_of(app_ledger)))
    except Exception:
        _forget_connection()
        raise


@blp.get("/healthz")
def healthz() -> Response:
    """The process is up and serving (the database is not asked)."""
    return jsonify({"status": "ok"})


@blp.get("/readyz")
def readyz() -> Any:
    """Ready: the database answers and the projections are within the lag bound. With a read
    replica, how it stands; a replica down, paused or far behind is ``degraded`` (a sentence),
    still ready: its reads go to the primary."""
    bound = float(current_app.config[MAX_LAG_KEY])
    try:
        lag = _measure()
        mirror = _replica(lag)
    except ProjectionsMissingError as error:
        return _not_ready(str(error), database="ok")
    except Exception as error:
        log.warning("readyz: the database does not answer: %s: %s", type(error).__name__,
                    _first_line(error))
        return _not_ready(f"the database does not answer: {type(error).__name__}: "
                          f"{_first_line(error)}", database="unreachable")
    body = {"status": "ready", "database": "ok", **lag.as_json(), "max_lag_seconds": bound}
    if mirror is not None:
        # Degraded, not unready: every read the replica cannot serve, the primary serves, and
        # taking every API process out of the balancer for it would stop the writes too.
        body["read_replica"] = mirror.as_json()
        degraded = mirror.degraded(bound)
        if degraded is not None:
            body["degraded"] = degraded
    reason = lag.not_ready(bound)
    if reason is not None:
        return _not_ready(reason, **body)
    return jsonify(body)


def _replica(lag: Lag) -> ReplicaState | None:
    """The read replica measured now (None when readers read on the primary)."""
    app_ledger = ledger()
    try:
        return replica_state(app_ledger, _connection(app_ledger), lag.position)
    except Exception:
        _forget_connection()  # the primary's connection failed while asking for its WAL
        raise


def _not_ready(reason: str, **details: Any) -> Any:
    body = {**details, "status": "not ready", "reason": reason}
    return jsonify(body), 503, {"Retry-After": "5"}


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else ""


@blp.get("/metrics")
def metrics() -> Response:
    """Events recorded, the log head, each projection's position and lag, in Prometheus text."""
    bound = float(current_app.config[MAX_LAG_KEY])
    lines: list[str] = []
    lag: Lag | None = None
    try:
        recorded = events_recorded(ledger())
        head = log_head(ledger())
        lag = _measure()
    except ProjectionsMissingError:
        pass  # the log is there, the projections not yet: say what is known
    except Exception as error:
        log.warning("metrics: the database does not answer: %s: %s", type(error).__name__,
                    _first_line(error))
        _metric(lines, "up", "gauge", "1 if the database answered this scrape", [("", 0)])
        return _text(lines)
    _metric(lines, "up", "gauge", "1 if the database answered this scrape", [("", 1)])
    _metric(lines, "events_recorded_total", "counter", "events stored in the log",
            [("", recorded)])
    _metric(lines, "log_head_position", "gauge", "the log's last position",
            [("", lag.head if lag else head)])
    if lag is not None:
        _metric(lines, "projection_position", "gauge",
                "the last position a projection applied",
                [(_label(n), p) for n, p in sorted(lag.positions.items())])
        _metric(lines, "projection_lag_events", "gauge",
                "positions between the log head and a projection",
                [(_label(n), e) for n, e in sorted(lag.per_projection().items())])
        _metric(lines, "projection_lag_seconds", "gauge",
                "age of the oldest event not yet applied by every projection (0 when caught up)",
                [("", round(lag.lag_seconds, 3))])
        failed = {f.projection: f.position for f in lag.failures}
        _metric(lines, "projection_failed", "gauge",
                "1 if a projection cannot apply the event at its next position (stopped)",
                [(_label(n), 1 if n in failed else 0) for n in sorted(lag.positions)])
        follower = lag.follower
        if follower is not None:
            _metric(lines, "projector_seconds_since_seen", "gauge",
                    "seconds since a following projector last wrote that it is alive",
                    [("", round(follower.silent_for(lag.measured_at), 1))])
        _replica_metrics(lines, lag)
    _metric(lines, "ready", "gauge", "1 if the projections are within the readiness bound "
            "and none has stopped",
            [("", 1 if lag is not None and lag.not_ready(bound) is None else 0)])
    return _text(lines)


def _replica_metrics(lines: list[str], lag: Lag) -> None:
    """The read replica's gauges, when one is configured."""
    try:
        mirror = _replica(lag)
    except Exception:
        return  # the primary stopped answering during the scrape: the next one says so
    if mirror is None:
        return
    _metric(lines, "read_replica_up", "gauge", "1 if the read replica answered this scrape",
            [("", 1 if mirror.reachable else 0)])
    if not mirror.reachable or not mirror.tables:
        return  # no position to give (a replica without the ledger's tables yet has none)
    _metric(lines, "read_replica_position", "gauge",
            "the position every projection on the read replica has applied",
            [("", mirror.applied_position or 0)])
    _metric(lines, "read_replica_lag_bytes", "gauge",
            "bytes of the primary's WAL the read replica has not replayed",
            [("", mirror.lag_bytes or 0)])
    _metric(lines, "read_replica_lag_seconds", "gauge",
            "age of the oldest event the primary's projections show and the replica's not yet",
            [("", round(mirror.lag_seconds or 0, 3))])


def _label(projection: str) -> str:
    return '{projection="' + projection.replace("\\", "\\\\").replace('"', '\\"') + '"}'


def _metric(lines: list[str], name: str, kind: str, text: str,
            samples: list[tuple[str, float | int]]) -> None:
    full = f"claims_ledger_{name}"
    lines += [f"# HELP {full} {text}", f"# TYPE {full} {kind}"]
    lines += [f"{full}{labels} {value}" for labels, value in samples]


def _text(lines: list[str]) -> Response:
    return Response("\n".join(lines) + "\n",
                    content_type="text/plain; version=0.0.4; charset=utf-8")
