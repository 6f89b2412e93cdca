"""Erasure: a person's personal data destroyed once nothing needs it (:mod:`ledger.erasure`).

The command finds the person's data subject (by NIK in the keyed index, or by the person's
id), reads what the ledger holds about them: their coverage, and every event that names their
subject in clear (the claims about them or paid to them, the scholarships of their death or
naming them as a child), with each programme's retention period. It refuses with every reason
that holds, else records ``Person.Erased`` (PersonErased) and then asks the store's
:class:`~ledger.ports.PersonalData` to destroy the subject's data key and NIK index row.

The order is the point: a crash after the record and before the destruction leaves a log that
says the person is erased and a key still there, and running the erasure again finishes the
destruction (it is refused as "already erased" only once the key is gone). The other order
could destroy a key with no record of why. A subject with no Person of their own (an heir, a
scholarship child) gets one, registered in the same save as its erasure.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification
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
    subjects_named,
)
from ledger.errors import NotFoundError
from ledger.identity import mask_nik, parse_nik
from ledger.person import Person
from ledger.personal_fields import SEALED
from ledger.ports import LogIndex
from ledger.scholarship_grant import Scholarship
from ledger.scholarship_outlook import outlook
from ledger.schooling import SchoolYear

log = logging.getLogger("claims_ledger.erasure")

_PAGE = 1000
_CLAIM_FILED = get_topic(Claim.Filed)  # type: ignore[attr-defined]
_GRANTED = get_topic(Scholarship.Granted)  # type: ignore[attr-defined]
_CHILD_ADDED = get_topic(Scholarship.ChildAdded)  # type: ignore[attr-defined]


class ErasureCommands(Commands):
    """Erasing a person's personal data, when nothing needs it any more."""

    #: The store's own reads (the Ledger's).
    store: LogIndex

    def erase_person(self, nik: str | None, basis: str, reason: str, actor: str, *,
                     person_id: UUID | str | None = None) -> ErasureReport:
        """Erase the personal data of the person with this NIK (or, ``nik`` None, of the
        person with this id): refused while it is still needed (every reason named), else
        PersonErased is recorded and the data key and index row destroyed. Run again after a
        crash between the two, it finishes the destruction."""
        basis = require_plain_words(basis, "the legal basis", "basis")
        reason = require_plain_words(reason, "the reason", "reason")
        subject, number, person = self._subject(nik, person_id)
        masked = mask_nik(number) if nik is not None else f"of person {subject}"
        if person is not None and person.erased_on is not None:
            if self.personal.is_erased(subject):
                raise AlreadyErasedError(
                    f"the personal data {_who(nik, masked)} was already erased on "
                    f"{person.erased_on.isoformat()}; nothing is left to erase")
            # Recorded, but the key outlived a crash: finish what that erasure began.
            return self._destroy(person, number, self._erased_position(subject),
                                 completing=True)
        today = self._today()

        def build() -> tuple[Person, list[Aggregate]]:
            current = self._loaded_person(subject)
            if current is not None and current.erased_on is not None:
                raise AlreadyErasedError(  # another admin erased them a moment ago
                    f"the personal data {_who(nik, masked)} was erased on "
                    f"{current.erased_on.isoformat()} by another request")
            require_erasable(self._holding(subject, current, today), today)
            # An heir or a child has no Person yet: registered now, under their subject.
            erased = current or Person.register(subject, number)
            erased.record_erasure(today, basis, reason, actor)
            return erased, [erased]

        erased = self._command(build)
        position = self.last_position()
        log.info("person erased (PersonErased recorded)",
                 extra={"event": "person-erased", "subject": str(subject),
                        "position": position})
        return self._destroy(erased, number, position, completing=False)

    def last_position(self) -> int | None:
        """The log position of this thread's latest save (the Ledger provides it)."""
        raise NotImplementedError

    # -- whom ------------------------------------------------------------------------------

    def _subject(self, nik: str | None, person_id: UUID | str | None
                 ) -> tuple[UUID, str, Person | None]:
        """The data subject, the NIK (as their Person holds it when given an id) and the
        Person, if there is one."""
        if nik is not None:
            number = parse_nik(nik).value
            subject = self.personal.subject_of(number)
            if subject is None:
                raise NotFoundError(
                    f"the ledger holds no person with NIK {mask_nik(number)}: it was never "
                    "recorded, or the person was erased (an erased person's NIK is not kept, "
                    "so the ledger cannot tell which; give the person's id to ask)",
                    field="nik")
            return subject, number, self._loaded_person(subject)
        try:
            subject = person_id if isinstance(person_id, UUID) else UUID(str(person_id))
        except ValueError:
            raise NotFoundError(f"'{person_id}' is not a person's id", field="person_id"
                                ) from None
        person = self._loaded_person(subject)
        if person is None:
            raise NotFoundError(f"there is no person with id {subject}", field="person_id")
        return subject, str(person.nik), person

    def _loaded_person(self, subject: UUID) -> Person | None:
        try:
            found: object = self.repository.get(subject)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Person) else None

    # -- what the ledger holds about them --------------------------------------------------

    def _holding(self, subject: UUID, person: Person | None, today: date) -> Holding:
        kept: list[Kept] = []
        programmes: dict[str, Any] = {}

        def keeps(programme_id: str, since: date, what: str = "the coverage ended") -> None:
            if programme_id not in programmes:
                programmes[programme_id] = self._programme_by_id(programme_id, shared=True)
            programme = programmes[programme_id]
            kept.append(Kept(programme.code, programme.retention_years, since, what))

        ended: dict[str, date | None] = {}

        def coverage_end(enrolment_id: str | None) -> date | None:
            if enrolment_id and enrolment_id not in ended:
                ended[enrolment_id] = self.enrolment(enrolment_id).ended_on
            return ended.get(enrolment_id or "")

        for enrolment_id in person.enrolment_ids if person is not None else ():
            enrolment = self.enrolment(enrolment_id)
            ended[str(enrolment.id)] = enrolment.ended_on
            if enrolment.ended_on is not None:
                keeps(enrolment.programme_id, enrolment.ended_on)
        naming = self._naming(subject)
        open_claims: list[tuple[str, str]] = []
        unpaid: list[tuple[str, str, int]] = []
        for claim_id in dict.fromkeys(str(e.originator_id) for e in naming[_CLAIM_FILED]):
            claim = self.claim(claim_id)
            if claim.status is ClaimStatus.FILED:
                open_claims.append((claim_id, claim.benefit.value))
            elif claim.status is ClaimStatus.APPROVED and claim.outstanding > 0:
                unpaid.append((claim_id, claim.benefit.value, claim.outstanding))
            name = f"claim {claim.benefit.value} {claim_id[:8]}"
            since, what = max(((day, what) for day, what in (
                (coverage_end(claim.enrolment_id), "the coverage ended"),  # first: it wins a tie
                (claim.approved_on, f"{name} was approved"), (claim.filed_on, f"{name} was filed"))
                if day is not None),
                key=lambda pair: pair[0])
            keeps(claim.programme_id, since, what)
        running: list[tuple[str, int]] = []
        for scholarship, children in self._scholarships(subject, naming):
            entitlement = scholarship.entitlement(
                self.rule_book.version(scholarship.rule_version))
            years = [year for year in outlook(entitlement, SchoolYear.of(today)).years
                     if children is None or year.child_nik in children]
            if years:
                running.append((str(scholarship.id), len(years)))
            keeps(scholarship.programme_id, scholarship.granted_on,
                  f"scholarship {str(scholarship.id)[:8]} was granted")
        return Holding(covered_by=person.active_programme_code if person else None,
                       open_claims=tuple(open_claims), unpaid=tuple(unpaid),
                       scholarships=tuple(running), kept=tuple(kept))

    def _scholarships(self, subject: UUID, naming: dict[str, list[Any]]
                      ) -> Iterator[tuple[Scholarship, set[str] | None]]:
        """The scholarships of the person's death (all children: None) or naming them as a
        child (that child's NIK only)."""
        key = str(subject)
        ids = dict.fromkeys(str(e.originator_id)
                            for e in naming[_GRANTED] + naming[_CHILD_ADDED])
        for scholarship_id in ids:
            scholarship = self.scholarship(scholarship_id)
            if str(scholarship.person_id) == key:
                yield scholarship, None
            else:
                yield scholarship, {str(child.get("nik")) for child in scholarship.children
                                    if str(child.get("subject_id")) == key}

    def _naming(self, subject: UUID) -> dict[str, list[Any]]:
        """Every event holding personal fields of this subject, decoded, by topic (the
        subject's id is in clear in each: found by the database where events are plain JSON,
        else by decoding every event of those kinds)."""
        key = str(subject)
        found: dict[str, list[Any]] = {topic: [] for topic in SEALED}
        seen: set[int] = set()
        for notification in self._sealed_kinds(key):
            if notification.id in seen:
                continue
            seen.add(notification.id)
            event = self.mapper.to_domain_event(notification)
            if key in subjects_named(event, SEALED[notification.topic]):
                found[notification.topic].append(event)
        return found

    def _sealed_kinds(self, key: str) -> Iterator[Notification]:
        topics = tuple(SEALED)
        if self.mapper.compressor is None and self.mapper.cipher is None:
            yield from self.store.mentioning(self.recorder, topics,
                                             (key.encode(), key.replace("-", "").encode()))
            yield from self._own_events(UUID(key))
            return
        position = 0
        while page := self.recorder.select_notifications(start=position + 1, limit=_PAGE,
                                                         topics=list(topics)):
            yield from page
            position = page[-1].id

    def _own_events(self, aggregate_id: UUID) -> Iterator[Notification]:
        """The person's own events (their state does not hold their own id)."""
        rows = self.store.event_positions(self.recorder, aggregate_id)
        stored = self.store.stored_at(self.recorder, [(aggregate_id, v) for v, _, _ in rows])
        for version, position, topic in rows:
            if topic in SEALED:
                _, _, state = stored[(aggregate_id, version)]
                yield Notification(id=position, originator_id=aggregate_id,
                                   originator_version=version, topic=topic, state=state)

    # -- the destruction and its report ----------------------------------------------------

    def _destroy(self, person: Person, number: str, position: int | None, *,
                 completing: bool) -> ErasureReport:
        naming = self._naming(person.id)
        unreadable = {topic.rsplit(":", 1)[-1]: len(events)
                      for topic, events in naming.items() if events}
        # Storage forgets the key at once and, as for any key found destroyed, empties this
        # process's aggregate cache (what was decoded with the key is read again).
        destroyed = self.personal.erase(person.id, number)
        log.info("personal data destroyed", extra={
            "event": "person-data-destroyed", "subject": str(person.id),
            "data_key": destroyed.data_key, "index_rows": destroyed.index_rows})
        return ErasureReport(
            person_id=str(person.id), masked_nik=mask_nik(number),
            erased_on=person.erased_on or self._today(), basis=person.erased_basis or "",
            position=position, data_key_destroyed=destroyed.data_key,
            index_rows_removed=destroyed.index_rows, unreadable=dict(sorted(unreadable.items())),
            completed_earlier_erasure=completing)

    def _erased_position(self, person_id: UUID) -> int | None:
        erased = get_topic(Person.Erased)  # type: ignore[attr-defined]
        found = [position for _, position, topic
                 in self.store.event_positions(self.recorder, person_id) if topic == erased]
        return found[-1] if found else None

    def _today(self) -> date:
        """Today in WIB, by the ledger's clock."""
        return self.clock().astimezone(WIB).date()


def _who(nik: str | None, masked: str) -> str:
    return f"of NIK {masked}" if nik is not None else masked
