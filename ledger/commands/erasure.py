"""Erasure: a person's personal data destroyed once nothing needs it (:mod:`ledger.erasure`).

The command reads what the ledger holds about the person (their coverage, the claims about them
or paid to them, the scholarships of their death or naming them as a child, each programme's
retention period), refuses with every reason that holds, else records ``Person.Erased``
(PersonErased) and then asks the store's :class:`~ledger.ports.PersonalData` to destroy the
person's data key and NIK index row. The order is the point: a crash after the record and
before the destruction leaves a log that says the person is erased and a key still there, and
running the erasure again finishes the destruction (it is not refused as "already erased" until
the key is gone). The other order could destroy a key with no record of why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.claim import Claim, ClaimStatus
from ledger.clock import WIB
from ledger.commands.base import Commands
from ledger.erasure import (
    AlreadyErasedError,
    ErasureReport,
    Holding,
    Kept,
    require_erasable,
    require_plain_words,
)
from ledger.errors import NotFoundError
from ledger.identity import mask_nik, parse_nik
from ledger.person import Person
from ledger.ports import LogIndex, PersonalData
from ledger.scholarship_grant import Scholarship
from ledger.scholarship_outlook import outlook
from ledger.schooling import SchoolYear

log = logging.getLogger("claims_ledger.erasure")

#: The kinds of event that hold a person's sealed fields (the report counts them by kind).
SEALED_KINDS = ("Person.Registered", "Enrolment.Enrolled", "Enrolment.KpjRecorded",
                "Incident.Reported", "Claim.Filed", "Scholarship.Granted",
                "Scholarship.ChildAdded", "Scholarship.YearClaimed")

_PAGE = 1000


class ErasureCommands(Commands):
    """Erasing a person's personal data, when nothing needs it any more."""

    #: The keyed NIK index and the subjects' data keys (storage's; the Ledger is given it).
    personal: PersonalData
    #: The store's own reads (the Ledger's).
    store: LogIndex

    def erase_person(self, nik: str, basis: str, reason: str, actor: str) -> ErasureReport:
        """Erase the personal data of the person with this NIK: refused while it is still
        needed (every reason named), else PersonErased is recorded and the data key and index
        row destroyed. Run again after a crash between the two, it finishes the destruction."""
        basis = require_plain_words(basis, "the legal basis", "basis")
        reason = require_plain_words(reason, "the reason", "reason")
        number = parse_nik(nik).value
        masked = mask_nik(number)
        person = self.person(number)
        if person is None:
            raise NotFoundError(
                f"the ledger holds no person with NIK {masked}: it was never recorded, or the "
                "person was erased (an erased person's NIK is not kept, so the ledger cannot "
                "tell which)", field="nik")
        if person.erased_on is not None:
            if self.personal.is_erased(person.id):
                raise AlreadyErasedError(
                    f"the personal data of NIK {masked} was already erased on "
                    f"{person.erased_on.isoformat()}; nothing is left to erase")
            # Recorded, but the key outlived a crash: finish what that erasure began.
            return self._destroy(person, number, self._erased_position(person.id),
                                 completing=True)
        today = self._today()

        def build() -> tuple[int, list[Aggregate]]:
            current = self.person(number)
            assert current is not None
            if current.erased_on is not None:  # another admin erased them a moment ago
                raise AlreadyErasedError(
                    f"the personal data of NIK {masked} was erased on "
                    f"{current.erased_on.isoformat()} by another request")
            require_erasable(self._holding(current, number, today), today)
            current.record_erasure(today, basis, reason, actor)
            return current.version, [current]

        self._command(build)
        position = self.last_position()
        log.info("person erased (PersonErased recorded)",
                 extra={"event": "person-erased", "subject": str(person.id),
                        "position": position})
        return self._destroy(person, number, position, completing=False)

    # -- what the ledger holds about the person ------------------------------------------------

    def _holding(self, person: Person, number: str, today: date) -> Holding:
        kept: list[Kept] = []
        programmes: dict[str, Any] = {}

        def retention(programme_id: str) -> Any:
            if programme_id not in programmes:
                programmes[programme_id] = self._programme_by_id(programme_id, shared=True)
            return programmes[programme_id]

        ended: dict[str, date | None] = {}
        for enrolment_id in person.enrolment_ids:
            enrolment = self.enrolment(enrolment_id)
            ended[str(enrolment.id)] = enrolment.ended_on
            if enrolment.ended_on is not None:
                programme = retention(enrolment.programme_id)
                kept.append(Kept(programme.code, programme.retention_years, enrolment.ended_on))
        open_claims: list[tuple[str, str]] = []
        unpaid: list[tuple[str, str, int]] = []
        for claim in self._claims_about(number):
            if claim.status is ClaimStatus.FILED:
                open_claims.append((str(claim.id), claim.benefit.value))
            elif claim.status is ClaimStatus.APPROVED and claim.outstanding > 0:
                unpaid.append((str(claim.id), claim.benefit.value, claim.outstanding))
            since = max(day for day in (claim.filed_on, claim.approved_on,
                                        ended.get(str(claim.enrolment_id))) if day is not None)
            programme = retention(claim.programme_id)
            kept.append(Kept(programme.code, programme.retention_years, since))
        running: list[tuple[str, int]] = []
        for scholarship, children in self._scholarships_of(number):
            entitlement = scholarship.entitlement(
                self.rule_book.version(scholarship.rule_version))
            years = [year for year in outlook(entitlement, SchoolYear.of(today)).years
                     if children is None or year.child_nik in children]
            if years:
                running.append((str(scholarship.id), len(years)))
            programme = retention(scholarship.programme_id)
            kept.append(Kept(programme.code, programme.retention_years, scholarship.granted_on))
        return Holding(covered_by=person.active_programme_code,
                       open_claims=tuple(open_claims), unpaid=tuple(unpaid),
                       scholarships=tuple(running), kept=tuple(kept))

    def _claims_about(self, number: str) -> Iterator[Claim]:
        """The claims about the person or paid to them: as the member, the claimant (an heir)
        or the child a school year is for."""
        for event in self._created(Claim.Filed):  # type: ignore[attr-defined]
            named = {event.subject_nik, event.claimant.get("nik"),
                     event.facts.get("child_nik")}
            if number in named:
                yield self.claim(event.originator_id)

    def _scholarships_of(self, number: str) -> Iterator[tuple[Scholarship, set[str] | None]]:
        """The scholarships of the person's death (all their children: None) or naming them as
        a child (that child only)."""
        for event in self._created(Scholarship.Granted):  # type: ignore[attr-defined]
            scholarship = self.scholarship(event.originator_id)
            if scholarship.subject_nik == number:
                yield scholarship, None
            elif any(child.get("nik") == number for child in scholarship.children):
                yield scholarship, {number}

    def _created(self, created: type) -> Iterator[Any]:
        """Every creation event of one kind, in log order (claims and scholarships: few)."""
        topic = get_topic(created)
        position = 0
        while page := self.recorder.select_notifications(start=position + 1, limit=_PAGE,
                                                         topics=[topic]):
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            position = page[-1].id

    # -- the destruction and its report --------------------------------------------------------

    def _destroy(self, person: Person, number: str, position: int | None, *,
                 completing: bool) -> ErasureReport:
        unreadable = self._sealed_events(person, number)
        destroyed = self.personal.erase(person.id, number)
        log.info("personal data destroyed", extra={
            "event": "person-data-destroyed", "subject": str(person.id),
            "data_key": destroyed.data_key, "index_rows": destroyed.index_rows})
        assert person.erased_on is not None or not completing
        return ErasureReport(
            person_id=str(person.id), masked_nik=mask_nik(number),
            erased_on=person.erased_on or self._today(),
            basis=person.erased_basis or "", position=position,
            data_key_destroyed=destroyed.data_key, index_rows_removed=destroyed.index_rows,
            unreadable=unreadable, completed_earlier_erasure=completing)

    def _sealed_events(self, person: Person, number: str) -> dict[str, int]:
        """The events that hold the person's sealed fields, counted by kind."""
        ids: set[UUID] = {person.id, *(UUID(e) for e in person.enrolment_ids)}
        incidents: set[UUID] = set()
        for claim in self._claims_about(number):
            ids.add(claim.id)
            if claim.incident_id and claim.subject_nik == number:
                incidents.add(UUID(claim.incident_id))
        ids |= incidents | {s.id for s, _ in self._scholarships_of(number)}
        counts: dict[str, int] = {}
        for aggregate_id in ids:
            for _, _, topic in self.store.event_positions(self.recorder, aggregate_id):
                kind = topic.rsplit(":", 1)[-1]
                if kind in SEALED_KINDS:
                    counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items()))

    def _erased_position(self, person_id: UUID) -> int | None:
        erased = get_topic(Person.Erased)  # type: ignore[attr-defined]
        found = [position for _, position, topic
                 in self.store.event_positions(self.recorder, person_id) if topic == erased]
        return found[-1] if found else None

    def last_position(self) -> int | None:
        """The log position of this thread's latest save (the Ledger provides it)."""
        raise NotImplementedError

    def _today(self) -> date:
        """Today in WIB, by the ledger's clock."""
        return self.clock().astimezone(WIB).date()
