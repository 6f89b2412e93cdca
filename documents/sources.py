"""What a document reads: the projections and the journal as the log stood at its cut-off.

A document is drawn from one log position, its *cut-off*. With no cut-off asked for it is the
position the live projections have reached, read inside one snapshot so the projector can go on
committing meanwhile; an earlier (or later, not yet projected) position is replayed into
projection tables of its own, read, and dropped. Either way the same position gives the same
rows, which is what makes a document reproducible.

The cut-off's journal head is signed there and then with the operator's key, with the time the
event at the cut-off was recorded (Ed25519 signatures are deterministic, so the same cut-off
gives the same signature).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ledger.application import Ledger
from ledger.errors import InvalidInputError
from ledger.journal.checkpoint import Checkpoint, private_key
from projections.db import Namespace
from projections.journal import Head, Journal
from projections.queries import Reader
from projections.runner import Projector


@dataclass(frozen=True)
class View:
    """The projections and the journal at one log position."""

    ledger: Ledger
    reader: Reader
    journal: Journal
    namespace: Namespace
    position: int
    recorded_at: datetime
    head: Head
    checkpoint: Checkpoint | None


def recorded_at(ledger: Ledger, position: int) -> datetime:
    """When the event at ``position`` was recorded (UTC): a document's own date."""
    found = ledger.recorder.select_notifications(start=position, limit=1)
    if not found:
        raise InvalidInputError(f"the log has no event at position {position}",
                                field="position")
    event: Any = ledger.mapper.to_domain_event(found[0])
    stamp: datetime = event.timestamp
    return stamp.astimezone(UTC)


def cut_off(ledger: Ledger, *, position: int | None = None, as_of: date | None = None
            ) -> int | None:
    """The log position a document is cut at: a position as given, or the last event recorded
    by the end of a day (WIB); None for "as far as the projections have got"."""
    from ledger.asof import AsOf

    if position is not None and as_of is not None:
        raise InvalidInputError("give either a position or an as-of date, not both",
                                field="as_of")
    head = int(ledger.recorder.max_notification_id() or 0)
    if head == 0:
        raise InvalidInputError("the ledger is empty: there is nothing to report yet",
                                field="position")
    if position is not None:
        if not 1 <= position <= head:
            raise InvalidInputError(f"position {position} is not in the log (it holds "
                                    f"positions 1 to {head})", field="position")
        return position
    if as_of is not None:
        return AsOf(ledger).known_by_end_of(as_of)  # refused, with the first recorded day
    return None


@contextmanager
def view_at(ledger: Ledger, position: int | None, signing_key: str | None) -> Iterator[View]:
    """The projections at ``position`` (None: the live ones, as far as they have got)."""
    projector = Projector(ledger)
    try:
        live = projector.position()
        if position is None and live == 0:
            raise InvalidInputError("the projections are empty: run 'claims-ledger project' "
                                    "first", field="position")
        if position is None or position == live:
            with projector.connection.snapshot():
                at = projector.position()  # inside the snapshot: the tables' own position
                yield _view(ledger, projector, projector.live, at, signing_key)
            return
        namespace = projector.snapshot(position, tag=uuid.uuid4().hex[:8])
        try:
            yield _view(ledger, projector, namespace, position, signing_key)
        finally:
            projector.drop(namespace)
    finally:
        projector.close()


def _view(ledger: Ledger, projector: Projector, namespace: Namespace, position: int,
          signing_key: str | None) -> View:
    journal = Journal(ledger, projector.connection, namespace)
    head = journal.head()
    when = recorded_at(ledger, position)
    checkpoint = None
    if signing_key:
        checkpoint = Checkpoint.sign(head.size, head.root, when.replace(microsecond=0).isoformat(),
                                     private_key(signing_key))
    return View(ledger, Reader(projector.connection, namespace), journal, namespace, position,
                when, head, checkpoint)
