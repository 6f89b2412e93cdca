"""The console reads its own writes, with a read replica (``LEDGER_READ_DATABASE_URL``).

After a console write that records events (approve, reject, an uploaded statement, a resolved
discrepancy) the log position it reached is kept in the server-side session
(:func:`remember_write`). Every later page of that session passes it as the minimum position,
as an API client passes ``min_position``: the page waits up to ``REPLICA_WAIT_SECONDS`` for the
replica's projections to show it, and reads on the primary otherwise (its projections caught up
in the request first, as the lists do). A replica that cannot serve (down, its tables not
replayed yet: :func:`api.state.replica_at`) sends the page to the primary too. Which one
served the page is said in ``X-Served-By`` and at the foot of the page.

Without a read replica nothing here does anything: every page reads on the primary.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request, session

from api.console.blueprint import bp
from api.state import ledger, replica_at
from projections.replica import REPLICA_WAIT_SECONDS, SERVED_BY_PRIMARY, SERVED_BY_REPLICA
from storage.log_index import settings_of

#: The session's key for the last log position this session wrote.
WRITTEN = "written_position"


def _replica_configured() -> bool:
    return settings_of(ledger()).read is not None


def remember_write() -> None:
    """Call after a console write succeeds: its position is kept for the session's next pages,
    and the rest of this request (its own answer) reads on the primary."""
    if not _replica_configured():
        return
    position = ledger().last_position()
    if position is None:
        return  # nothing was recorded (a statement reconciled before): nothing to wait for
    session[WRITTEN] = max(int(session.get(WRITTEN) or 0), position)
    g.served_by = SERVED_BY_PRIMARY
    _catch_up_primary()


def _catch_up_primary() -> None:
    """The primary's projections brought up to the log's head, as the console's lists do (the
    worker's job otherwise), so a page read on the primary shows the write at once."""
    from api.console.claims import catch_up

    catch_up()


@bp.before_request
def _choose_where_to_read() -> None:
    """A page (GET) of a session that wrote reads on the replica once it has replayed that
    write, else on the primary; any page reads on the primary while the replica cannot serve
    (down, or without the ledger's tables yet)."""
    if request.method != "GET" or request.endpoint == "console.static" \
            or not _replica_configured():
        return
    wanted = session.get(WRITTEN)
    wait = float(current_app.config.get("REPLICA_WAIT_SECONDS", REPLICA_WAIT_SECONDS))
    if replica_at(None if wanted is None else int(wanted), wait) is None:
        # Behind this session's write, or unable to serve (down, its tables not replayed
        # yet: tried again later).
        g.served_by = SERVED_BY_PRIMARY
        if wanted is not None:
            _catch_up_primary()


def read_on_replica(live: bool = True) -> bool:
    """Whether this page reads the projections on the replica: one is configured, the reading
    is of the live projections (``live``; a cut-off is built on the primary), and neither this
    session's own write nor an outage sent the page to the primary. Noted for ``X-Served-By``
    and the page's foot."""
    if not _replica_configured():
        return False
    chosen = live and g.get("served_by") != SERVED_BY_PRIMARY
    g.served_by = SERVED_BY_REPLICA if chosen else SERVED_BY_PRIMARY
    return chosen


@bp.context_processor
def _served_by() -> dict[str, Any]:
    """``served_by`` for the page's foot: which database the page read, when there is a choice
    (None without a replica, or on a page that read no projection)."""
    return {"served_by": g.get("served_by") if _replica_configured() else None}
