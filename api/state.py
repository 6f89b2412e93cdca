"""The one application service of this process, and per-thread projection readers."""

from __future__ import annotations

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
    if cached is None or cached.ledger is not app_ledger:
        cached = Projector(app_ledger)
        _local.projector = cached
    return cached


def reader() -> Reader:
    found = projector()
    return Reader(found.connection, found.live)
