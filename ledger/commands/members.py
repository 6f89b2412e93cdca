"""Members: workers enrolled (one by one or in batches), given their KPJ card, their coverage
ended; NIKs BPJS reports as covered elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.commands.base import Commands
from ledger.enrolling import AlreadyEnrolled, NewMember, Refused, decide_batch
from ledger.enrolment import EndReason, Enrolment, EnrolmentRequest
from ledger.errors import InvalidInputError, LedgerError
from ledger.identity import parse_nik
from ledger.person import Person


class MemberCommands(Commands):
    """Enrolment and the end of coverage."""

    def enrol(self, code: str, request: EnrolmentRequest, actor: str) -> Enrolment:
        """Enrol one worker: every rule checked, the NIK claimed atomically."""
        return self.enrol_batch(code, [request], actor)[0]

    def enrol_batch(self, code: str, requests: Sequence[EnrolmentRequest],
                    actor: str) -> list[Enrolment]:
        """Enrol many workers in one transaction: all of them, or (on any refusal) none."""

        def build() -> tuple[list[Enrolment], list[Aggregate]]:
            programme = self.programme(code, shared=True)  # read, never saved here
            programme.require_open()
            enrolments: list[Enrolment] = []
            changed: list[Aggregate] = []
            subjects, claimed = self._subjects(requests)
            for request, decision in zip(requests, decide_batch(
                    programme, requests, self._known_people(subjects, claimed), actor),
                    strict=True):
                if isinstance(decision, NewMember):
                    decision = decision.start(programme, request, subjects[decision.nik], actor)
                if isinstance(decision, Refused | AlreadyEnrolled):
                    raise decision.error  # all of the batch, or none of it
                enrolments.append(decision.enrolment)
                changed.append(decision.person)
            # The programme is read, not written: enrolments of one programme never
            # contend with each other, only two enrolments of one NIK do (on the person).
            return enrolments, [*changed, *enrolments]

        return self._command(build)

    def _subjects(self, requests: Sequence[EnrolmentRequest]
                  ) -> tuple[dict[str, UUID], set[UUID]]:
        """The data subjects of the requests' NIKs, from the keyed index in one round trip (new
        NIKs get theirs; a NIK that cannot be read is left to the rules to refuse), with their
        data keys: a new NIK's subject and key are made in one transaction, not the subject
        here and the key in two more round trips when the save seals the person's fields.
        Also the subjects made just now: no event can name them yet."""
        niks: list[str] = []
        for request in requests:
            try:
                niks.append(request.parsed_nik().value)
            except LedgerError:
                continue
        if not niks:
            return {}, set()
        subjects, _, claimed = self.personal.subjects_with_keys(niks)
        return subjects, claimed

    def _known_people(self, subjects: dict[str, UUID], claimed: set[UUID]) -> dict[str, Person]:
        """The persons the ledger knows of these NIKs' subjects (a subject ``claimed`` just now
        has none: its person is not looked for, a read of the log saved)."""
        known: dict[str, Person] = {}
        for nik, subject in subjects.items():
            if subject in claimed:
                continue
            try:
                found: object = self.repository.get(subject)
            except AggregateNotFoundError:
                continue
            if isinstance(found, Person):
                known[nik] = found
        return known

    def record_kpj(self, enrolment_id: UUID | str, kpj: str, actor: str,
                   expected_version: int | None = None) -> Enrolment:
        """The BPJS member card number of an enrolment."""
        return self._update(lambda: self.enrolment(enrolment_id),
                            lambda enrolment: enrolment.record_kpj(kpj, actor),
                            expected_version)

    def end_coverage(self, enrolment_id: UUID | str, ended_on: date, reason: EndReason,
                     note: str, actor: str, expected_version: int | None = None) -> Enrolment:
        """End a coverage period (and free the NIK for a later, new enrolment)."""

        def act(enrolment: Enrolment) -> list[Aggregate]:
            person = self._person_or_new(enrolment.nik)
            enrolment.end(ended_on, reason, note, actor)
            person.release_coverage(str(enrolment.id))
            return [enrolment, person]

        return self._update(lambda: self.enrolment(enrolment_id), act, expected_version)

    def record_bpjs_exclusion(self, nik: str, list_reference: str, reason: str,
                              actor: str) -> Person:
        """A NIK BPJS reports as already covered elsewhere: it cannot be enrolled here."""
        number = parse_nik(nik).value
        if not list_reference.strip():
            raise InvalidInputError("name the BPJS exclusion list", field="list_reference")
        return self._update(lambda: self._person_or_new(number),
                            lambda person: person.record_exclusion(list_reference, reason,
                                                                   actor))

    def enrolment_ids(self, code: str) -> list[str]:
        """Every enrolment of a programme, in log order (a full scan: for small reads only)."""
        programme = self.programme(code)
        topic = get_topic(Enrolment.Enrolled)  # type: ignore[attr-defined]
        found: list[str] = []
        position = 0
        while True:
            page = self.recorder.select_notifications(
                start=position + 1, limit=1000, topics=[topic])
            if not page:
                return found
            for notification in page:
                event: Any = self.mapper.to_domain_event(notification)
                if event.programme_id == str(programme.id):
                    found.append(str(event.originator_id))
            position = page[-1].id
