"""The read side at one log position: the read models, the journal and the log's records.

What it answers are typed, frozen rows (:mod:`projections.views`, :mod:`projections.records`,
:class:`projections.findings.Finding`): readers never see a table, a connection or the
projector. Open one with :func:`projections.opening.open_read_side`.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any

from ledger.journal.checkpoint import Checkpoint
from projections.cosigning import Cosigning
from projections.findings import Finding, findings
from projections.journal import Head, Journal
from projections.obligations import ObligationsReader
from projections.queries import Reader
from projections.records import Records
from projections.scholarships import ScholarshipReader
from projections.views import (
    Budget,
    Ceremony,
    ClaimBalance,
    Contribution,
    MemberGroup,
    Obligations,
    Programme,
    RosterMember,
    ScholarshipChild,
    ScholarshipYearLine,
    row_of,
)


class ReadSide:
    """The read models, the journal and the log's records, all at one log position."""

    def __init__(self, reader: Reader, journal: Journal, records: Records, position: int,
                 checkpoint: Checkpoint | None, recorded_at: datetime, head: Head, *,
                 as_of: date | None = None, covered_on: date | None = None,
                 cosigning: Cosigning | None = None, served_by: str = "primary") -> None:
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
        #: Recorded time: the day asked for, as the ledger knew it by its end (WIB), if any.
        self.as_of = as_of
        #: Effective time: the day asked for, what had taken effect by then as the ledger
        #: knows it now (the read models leave out what took effect later), if any.
        self.covered_on = covered_on
        #: The witnesses that co-signed the head (or a later checkpoint holding it), checked
        #: against the policy when one was given (none co-signed: no cosigners).
        self.cosigning = cosigning or Cosigning(head.size, head.size, (), None, "", "")
        #: Where the read models were read: "replica" (the read replica) or "primary".
        self.served_by = served_by

    def erased_after(self) -> list[date]:
        """The day of each person's erasure recorded after the cut-off (their personal fields
        read "[dihapus]" in what is drawn from this reading too)."""
        return self.records.erasures_after(self.position)

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

    def obligations(self, code: str, on: date) -> Obligations | None:
        """What a programme still owes from ``on``, beside what it paid (None: no such
        programme)."""
        found = ObligationsReader(self._reader.connection, self._reader.ns).obligations(code, on)
        return Obligations.of(found) if found is not None else None

    def scholarship_children(self, code: str) -> list[ScholarshipChild]:
        """Every child named in a scholarship of a programme, with the school years claimed."""
        found = ScholarshipReader(self._reader.connection, self._reader.ns).scholarships(
            program=code)
        return [ScholarshipChild(
            scholarship["scholarship_id"], scholarship["death_claim_id"], scholarship["cover"],
            child["name"], child["claimed"], child["paid"], child["remaining"],
            tuple(row_of(ScholarshipYearLine, year) for year in child["years"]))
            for scholarship in found for child in scholarship["children"]]

    def contributions(self, code: str) -> list[Contribution]:
        """A programme's payment orders in the order they were paid, reversals marked."""
        return [Contribution.of(row) for row in self._reader.contributions(code)]

    # -- coverage and balances ---------------------------------------------------------------

    def roster(self, code: str) -> list[RosterMember]:
        """Every member of a programme in enrolment order, with months paid and claims."""
        columns = [f.name for f in fields(RosterMember)][:-2]  # then months_paid, claims
        return [RosterMember(*row) for row in self._reader.roster_tuples(code, columns)]

    def member_groups(self, code: str) -> list[MemberGroup]:
        """The roster counted by district, occupation, decile and status."""
        return [row_of(MemberGroup, row) for row in self._reader.member_groups(code)]

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
