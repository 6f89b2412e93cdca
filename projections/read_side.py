"""The one way to open the read side: the read models and the journal at a cut-off.

A cut-off is one log position. With none asked for it is the position the live projections have
reached, read inside one snapshot so the projector can go on committing meanwhile; an earlier
(or later, not yet projected) position is replayed into projection tables of its own, read, and
dropped on closing. Either way the same position gives the same rows, which is what makes a
document reproducible.

The cut-off's journal head is signed there and then with the operator's key, with the time the
event at the cut-off was recorded (Ed25519 signatures are deterministic, so the same cut-off
gives the same signature).

What the read side answers are typed, frozen rows (:mod:`projections.views`,
:mod:`projections.records`, :class:`projections.findings.Finding`): readers never see a table,
a connection or the projector.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from ledger.application import Ledger
from ledger.errors import InvalidInputError
from ledger.journal.checkpoint import Checkpoint, private_key
from projections.findings import Finding, findings
from projections.journal import Head, Journal
from projections.queries import Reader
from projections.records import Records
from projections.runner import Projector
from projections.views import (
    Budget,
    Ceremony,
    ClaimBalance,
    Contribution,
    Programme,
    RosterMember,
    row_of,
)


class ReadSide:
    """The read models, the journal and the log's records, all at one log position."""

    def __init__(self, reader: Reader, journal: Journal, records: Records, position: int,
                 checkpoint: Checkpoint | None, recorded_at: datetime, head: Head) -> None:
        self._reader = reader
        self._journal = journal
        #: Records and histories from the log (claims, incidents, ceremonies).
        self.records = records
        #: The cut-off: the log position every answer is drawn from.
        self.position = position
        #: When the event at the cut-off was recorded (UTC).
        self.recorded_at = recorded_at
        #: The journal's head at the cut-off.
        self.head = head
        #: The head signed with the operator's key (None without a key).
        self.checkpoint = checkpoint

    # -- budget ------------------------------------------------------------------------------

    def programme(self, code: str) -> Programme | None:
        found = self._reader.programme(code)
        return Programme.of(found) if found is not None else None

    def programmes(self) -> list[Programme]:
        """Every programme, by code."""
        return [Programme.of(row) for row in self._reader.programmes()]

    def budget(self, code: str) -> Budget | None:
        """A programme's budget realisation (None for a programme not in the ledger)."""
        found = self._reader.budget(code)
        return Budget.of(found) if found is not None else None

    def contributions(self, code: str) -> list[Contribution]:
        """A programme's payment orders in the order they were paid, reversals marked."""
        return [Contribution.of(row) for row in self._reader.contributions(code)]

    # -- coverage and balances ---------------------------------------------------------------

    def roster(self, code: str) -> list[RosterMember]:
        """Every member of a programme in enrolment order, with months paid and claims."""
        return [row_of(RosterMember, row) for row in self._reader.roster(code)]

    def claims(self, code: str) -> list[ClaimBalance]:
        """Every claim of a programme in filing order, with what is still outstanding."""
        return [row_of(ClaimBalance, row)
                for row in self._reader.claims(program=code, limit=10**9)]

    def ceremonies(self, code: str) -> list[Ceremony]:
        """Ceremonies that showed claims of a programme, each with those claims as they are."""
        return [Ceremony.of(row) for row in self._reader.programme_handovers(code)]

    # -- findings and the journal ------------------------------------------------------------

    def findings(self, *, program: str | None = None, rule: str | None = None,
                 severity: str | None = None) -> list[Finding]:
        """The audit findings at the cut-off (see :mod:`projections.findings`)."""
        return findings(self._reader, program=program, rule=rule, severity=severity)

    def proofs(self, positions: list[int]) -> dict[int, dict[str, Any] | None]:
        """The inclusion proof of each event in the journal at the cut-off (None for an event
        past it), against the signed checkpoint when there is one."""
        return self._journal.prove_many(positions, self.checkpoint)


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
        found = AsOf(ledger).position_by_end_of(as_of)
        if found == 0:
            raise InvalidInputError(f"nothing had been recorded by the end of {as_of.isoformat()}",
                                    field="as_of")
        return found
    return None


@contextmanager
def open_read_side(ledger: Ledger, at: int | None = None, *, as_of: date | None = None,
                   signing_key: str | None = None) -> Iterator[ReadSide]:
    """The read side at log position ``at`` or by the end of day ``as_of`` (neither: the live
    projections, as far as they have got), its journal head signed with ``signing_key``.

    Raises the ledger's InvalidInputError for an empty ledger, a position outside the log, a
    day before the first event, or live projections that have applied nothing yet.
    """
    position = cut_off(ledger, position=at, as_of=as_of)
    projector = Projector(ledger)
    try:
        live = projector.position()
        if position is None and live == 0:
            raise InvalidInputError("the projections are empty: run 'claims-ledger project' "
                                    "first", field="position")
        if position is None or position == live:
            with projector.connection.snapshot():
                reached = projector.position()  # inside the snapshot: the tables' own position
                yield _read_side(ledger, projector, Reader(projector.connection, projector.live),
                                 reached, signing_key)
            return
        namespace = projector.snapshot(position, tag=uuid.uuid4().hex[:8])
        try:
            yield _read_side(ledger, projector, Reader(projector.connection, namespace),
                             position, signing_key)
        finally:
            projector.drop(namespace)
    finally:
        projector.close()


def _read_side(ledger: Ledger, projector: Projector, reader: Reader, position: int,
               signing_key: str | None) -> ReadSide:
    journal = Journal(ledger, projector.connection, reader.ns)
    head = journal.head()
    records = Records(ledger)
    when = records.recorded_at(position)
    checkpoint = None
    if signing_key:
        checkpoint = Checkpoint.sign(head.size, head.root, when.replace(microsecond=0).isoformat(),
                                     private_key(signing_key))
    return ReadSide(reader, journal, records, position, checkpoint, when, head)
