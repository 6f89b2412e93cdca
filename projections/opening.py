"""The one way to open the read side (:class:`projections.read_side.ReadSide`): the read models
and the journal at a cut-off.

A cut-off is one log position. With none asked for it is the position the live projections have
reached, read inside one snapshot so the projector can go on committing meanwhile; an earlier
(or later, not yet projected) position is replayed into projection tables of its own, read, and
dropped on closing. Either way the same position gives the same rows, which is what makes a
document reproducible.

The cut-off's journal head is signed there and then with the operator's key, with the time the
event at the cut-off was recorded (Ed25519 signatures are deterministic, so the same cut-off
gives the same signature).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager, suppress
from datetime import date

from ledger.application import Ledger
from ledger.errors import InvalidInputError
from ledger.journal.checkpoint import Checkpoint, private_key
from ledger.journal.policy import Policy
from projections.cosigning import journal_cosigning
from projections.journal import Journal
from projections.queries import Reader
from projections.read_side import ReadSide
from projections.records import Records
from projections.replica import SERVED_BY_PRIMARY, SERVED_BY_REPLICA, Replica, cannot_serve
from projections.runner import Projector
from projections.standby import require_confirmed
from storage.log_index import settings_of


def cut_off(ledger: Ledger, *, position: int | None = None, as_of: date | None = None
            ) -> int | None:
    """The log position a reading is cut at: a position as given, or the last event recorded
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
def open_read_side(ledger: Ledger, at: int | None = None, *, as_of: date | None = None,
                   covered_on: date | None = None, signing_key: str | None = None,
                   on_replica: bool = True, replica: Replica | None = None,
                   policy: Policy | None = None
                   ) -> Iterator[ReadSide]:
    """The read side at log position ``at`` or by the end of day ``as_of`` (recorded time:
    as the ledger knew it then), or of what had taken effect by ``covered_on`` (effective time,
    as the whole log knows it now); none of them: the live projections, as far as they have
    got (on the read replica when one is configured, unless ``on_replica`` is False, for a
    reader whose own write the replica has not replayed yet). Its journal head is signed with
    ``signing_key``; the witnesses that co-signed it are checked against ``policy``
    (``LEDGER_POLICY``) when one is given.

    On the replica it reads through ``replica``, the caller's connection kept open between
    readings (an API process keeps one per thread), or else through one opened for this
    reading alone. A replica that cannot serve (down, its tables not replayed yet, the snapshot
    cancelled by its replay: :func:`projections.replica.cannot_serve`) leaves the reading to
    the primary; ``served_by`` on the read side says which one it was.

    Raises the ledger's InvalidInputError for an empty ledger, a position outside the log, a
    day before the first event, two times at once, or live projections that have applied
    nothing yet.
    """
    if covered_on is not None:
        if at is not None or as_of is not None:
            raise InvalidInputError("give either a covered-on date (what had taken effect) or "
                                    "an as-of date or position (what was recorded), not both",
                                    field="covered_on")
        with _covered_on(ledger, covered_on, signing_key, policy) as view:
            yield view
        return
    position = cut_off(ledger, position=at, as_of=as_of)
    projector = Projector(ledger, reading=True)
    try:
        live = projector.position()
        if position is None and live == 0:
            raise InvalidInputError("the projections are empty: run 'claims-ledger project' "
                                    "first", field="position")
        if position is None and on_replica and settings_of(ledger).read is not None:
            # The live projections as far as the replica has replayed them: a reader's load
            # kept off the primary (a snapshot at a position is built on the primary).
            opened = _replica_snapshot(ledger, replica)
            if opened is not None:
                held, mirror, reached = opened
                with held:
                    yield _read_side(ledger, projector, Reader(mirror.connection, mirror.live),
                                     reached, signing_key, policy=policy,
                                     served_by=SERVED_BY_REPLICA)
                return
        if position is None or position == live:
            with projector.connection.snapshot():
                reached = projector.position()  # inside the snapshot: the tables' own position
                yield _read_side(ledger, projector, Reader(projector.connection, projector.live),
                                 reached, signing_key, as_of=as_of, policy=policy)
            return
        namespace = projector.snapshot(position, tag=uuid.uuid4().hex[:8])
        try:
            yield _read_side(ledger, projector, Reader(projector.connection, namespace),
                             position, signing_key, as_of=as_of, policy=policy)
        finally:
            projector.drop(namespace)
    finally:
        projector.close()


def _replica_snapshot(ledger: Ledger, replica: Replica | None
                      ) -> tuple[ExitStack, Replica, int] | None:
    """One snapshot of the replica's projections (kept open by the stack answered, with the
    replica and the position its projections have reached), or None when the replica cannot
    serve: the reading goes to the primary."""
    held = ExitStack()
    try:
        mirror = replica if replica is not None else held.enter_context(
            closing(Replica(settings_of(ledger))))
        held.enter_context(mirror.connection.snapshot())
        return held, mirror, mirror.position()
    except Exception as error:
        with suppress(Exception):  # a lost connection cannot even roll back
            held.__exit__(type(error), error, error.__traceback__)
        if cannot_serve(error) is None:
            raise
        return None


@contextmanager
def _covered_on(ledger: Ledger, day: date, signing_key: str | None, policy: Policy | None
                ) -> Iterator[ReadSide]:
    """The read models of what had taken effect by ``day`` (payments paid, claims decided,
    enrolments started by then), from the whole log as recorded so far; the journal is the
    whole log's, so the checkpoint is today's."""
    cut_off(ledger)  # refuses an empty ledger
    position = int(ledger.recorder.max_notification_id() or 0)  # the whole log, as known now
    projector = Projector(ledger)
    try:
        namespace = projector.snapshot(position, tag=uuid.uuid4().hex[:8], effective_by=day)
        try:
            yield _read_side(ledger, projector, Reader(projector.connection, namespace),
                             position, signing_key, covered_on=day, policy=policy)
        finally:
            projector.drop(namespace)
    finally:
        projector.close()


def _read_side(ledger: Ledger, projector: Projector, reader: Reader, position: int,
               signing_key: str | None, *, as_of: date | None = None,
               covered_on: date | None = None, policy: Policy | None = None,
               served_by: str = SERVED_BY_PRIMARY) -> ReadSide:
    journal = Journal(ledger, reader.connection, reader.ns)
    head = journal.head()
    records = Records(ledger)
    when = records.recorded_at(position)
    checkpoint = None
    if signing_key:
        # Asked on the primary: no signature over events a fail-over could lose.
        require_confirmed(projector.connection, head.size)
        checkpoint = Checkpoint.sign(head.size, head.root, when.replace(microsecond=0).isoformat(),
                                     private_key(signing_key))
    return ReadSide(reader, journal, records, position, checkpoint, when, head,
                    as_of=as_of, covered_on=covered_on, served_by=served_by,
                    # Cosignatures are kept with the log and a later checkpoint's root is
                    # recomputed from the live journal: both read on the primary.
                    cosigning=journal_cosigning(ledger, projector.connection, projector.live,
                                                head.size, head.root, policy))
