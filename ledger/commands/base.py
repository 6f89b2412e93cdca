"""What every command stands on: reading aggregates in plain words, and the one place a
command runs (save everything it changed at once; when another writer won, run it again)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from ledger.benefits import BenefitRules
from ledger.claim import Claim, Claimant
from ledger.clock import Clock, IdSource, recording
from ledger.contribution import Contribution, contribution_id
from ledger.coverage import CoverageAnswer, coverage_on
from ledger.enrolment import Enrolment
from ledger.errors import (
    ClaimNotFoundError,
    ConflictError,
    ContributionNotFoundError,
    EnrolmentNotFoundError,
    HandoverNotFoundError,
    IncidentNotFoundError,
    NotFoundError,
    ProgrammeNotFoundError,
    StaleVersionError,
)
from ledger.handover import Handover
from ledger.identity import parse_nik
from ledger.incident import Incident
from ledger.person import Person
from ledger.personal_fields import ERASED
from ledger.ports import PersonalData
from ledger.programme import Programme, programme_id
from ledger.rule_sets import RULE_BOOK, RuleBook
from ledger.scholarship_grant import Scholarship

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)

#: How often a command is tried again when another writer changed the same aggregate first.
CONFLICT_RETRIES = 8


class Commands(Application[UUID]):
    """The reads and the running of commands that every group of commands shares."""

    #: The clock that stamps events and the source of new ids (the Ledger sets both).
    clock: Clock
    ids: IdSource
    #: The keyed NIK index and the data subjects' keys (the Ledger sets it).
    personal: PersonalData
    #: The benefit rule sets claims are decided under: each claim by the set in force on its
    #: incident's day (the real book, unless a test or the demo gives one with its test set).
    rule_book: RuleBook = RULE_BOOK

    def rules_on(self, day: date) -> BenefitRules:
        """The rule set in force on a day (an incident's, a death's), or the refusal that
        names the nearest sets (:meth:`~ledger.rule_sets.RuleBook.in_force`)."""
        return self.rule_book.in_force(day)

    # -- running a command -------------------------------------------------------------------

    def _command(self, build: Callable[[], tuple[T, Sequence[Aggregate]]], *,
                 retry: bool = True) -> T:
        """Run a command: the single place one runs. ``build`` reads what it needs, lets the
        rules check, makes or changes aggregates (inside ``build``, so that every event of a
        command is made while it runs here) and returns (the command's answer, every
        aggregate to save in the order their events are recorded); they are saved in one
        transaction. When another writer changed one of them first, the store refuses the
        save and (``retry``) the command runs again on the new state; without ``retry`` the
        refusal is the caller's to name (a programme code taken)."""

        def attempt() -> T:
            with recording(self.clock, self.ids):  # events stamped and named by the ledger's own
                answer, changed = build()
            if changed:
                self.save(*changed)
            return answer

        return self._retrying(attempt) if retry else attempt()

    def _update(self, load: Callable[[], A], act: Callable[[A], Sequence[Aggregate] | None],
                expected_version: int | None = None) -> A:
        """Change one aggregate: load it, refuse a stale read (``expected_version``, HTTP
        If-Match), ``act`` on it, save, retry on a conflict. ``act`` may change others too
        and then returns every aggregate to save, in order; None saves the loaded one."""

        def build() -> tuple[A, Sequence[Aggregate]]:
            aggregate = load()
            self._expect(aggregate, expected_version)
            changed = act(aggregate)
            return aggregate, [aggregate] if changed is None else changed

        return self._command(build)

    def _retrying(self, command: Callable[[], T]) -> T:
        """Run a command; when a concurrent writer won, run it again on the new state."""
        for _ in range(CONFLICT_RETRIES):
            try:
                return command()
            except IntegrityError:
                continue
        raise ConflictError(
            "others kept changing the same records at the same moment; nothing was recorded, "
            "please try again"
        )

    @staticmethod
    def _expect(aggregate: Aggregate, expected_version: int | None) -> None:
        """Refuse a change based on a stale read (HTTP If-Match)."""
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersionError(
                f"this record is at version {aggregate.version}, not {expected_version} as you "
                "read it; read it again and decide on what it says now")

    # -- reading -----------------------------------------------------------------------------

    def _get(self, aggregate_id: UUID | str, kind: type[A], missing: type[NotFoundError],
             label: str, version: int | None = None, *, shared: bool = False) -> A:
        """The aggregate, or ``missing`` raised in plain words.

        ``shared``: the cached instance itself rather than the copy the library makes on every
        read (so that a command's changes cannot corrupt its cache), for a read that changes
        and saves nothing: a programme an enrolment is checked against, the payments a coverage
        check reads. Copying them costs more than the rest of such a request. Another thread
        may fast-forward the same instance meanwhile; that reader then sees a newer state, as
        it would had it read a moment later.
        """
        try:
            key = aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
        except ValueError:
            raise missing(f"{label} '{aggregate_id}' is not a valid id", field="id") from None
        try:
            aggregate: object = self.repository.get(key, version=version,
                                                    deepcopy_from_cache=not shared)
        except AggregateNotFoundError:
            raise missing(f"there is no {label} with id {aggregate_id}", field="id") from None
        if not isinstance(aggregate, kind):
            raise missing(f"there is no {label} with id {aggregate_id}", field="id")
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        """Whether the log has an aggregate of this id (a payment order or a registry answer
        whose id follows from its number, recorded once)."""
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def first_events(self, ids: Iterable[UUID]) -> dict[UUID, Any]:
        """The creation events of many aggregates, read in bulk (the store's own query:
        :class:`~ledger.application.Ledger` provides it)."""
        raise NotImplementedError

    def programme(self, code: str, version: int | None = None, *,
                  shared: bool = False) -> Programme:
        """The programme of ``code`` (``shared``: to read only, see :meth:`_get`)."""
        try:
            return self._get(programme_id(code), Programme, ProgrammeNotFoundError, "programme",
                             version, shared=shared)
        except ProgrammeNotFoundError:
            raise ProgrammeNotFoundError(f"there is no programme with code {code}",
                                         field="code") from None

    def enrolment(self, enrolment_id: UUID | str, version: int | None = None, *,
                  shared: bool = False) -> Enrolment:
        """One enrolment (coverage period) by its id (``shared``: to read only, see
        :meth:`_get`)."""
        return self._get(enrolment_id, Enrolment, EnrolmentNotFoundError, "enrolment", version,
                         shared=shared)

    def incident(self, incident_id: UUID | str) -> Incident:
        """One reported incident by its id."""
        return self._get(incident_id, Incident, IncidentNotFoundError, "incident")

    def claim(self, claim_id: UUID | str, version: int | None = None) -> Claim:
        """One claim by its id."""
        return self._get(claim_id, Claim, ClaimNotFoundError, "claim", version)

    def scholarship(self, scholarship_id: UUID | str) -> Scholarship:
        """One death's scholarship by its id."""
        return self._get(scholarship_id, Scholarship, NotFoundError, "scholarship")

    def handover(self, handover_id: UUID | str) -> Handover:
        """One handover ceremony by its id."""
        return self._get(handover_id, Handover, HandoverNotFoundError, "handover ceremony")

    def contribution(self, programme_code: str, sp2d: str) -> Contribution:
        """One payment order of a programme by its SP2D number."""
        return self._get(contribution_id(programme_code, sp2d), Contribution,
                         ContributionNotFoundError, f"payment order {sp2d} in programme")

    def person(self, nik: str) -> Person | None:
        """What the ledger knows of a NIK, or None if it never saw it."""
        subject = self.personal.subject_of(parse_nik(nik).value)
        if subject is None:
            return None
        try:
            found: object = self.repository.get(subject)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Person) else None

    def coverage_on(self, enrolment_id: UUID | str, day: date) -> CoverageAnswer:
        """Was this member covered on this day (as the ledger knows it now)?"""
        enrolment = self.enrolment(enrolment_id)
        programme = self._programme_by_id(enrolment.programme_id, shared=True)
        return coverage_on(enrolment, programme, day, self._contribution_by_id)

    def _programme_by_id(self, programme_id_text: str, *, shared: bool = False) -> Programme:
        return self._get(programme_id_text, Programme, ProgrammeNotFoundError, "programme",
                         shared=shared)

    def _contribution_by_id(self, contribution_id_text: str) -> Contribution:
        """A payment order, for a coverage check (which changes nothing, see :meth:`_get`).

        A check asks a payment order only what it recorded when it was paid, its months and
        members, which no later event changes; whether it was reversed since, the check asks
        the programme, read fresh (a reversal changes both in one save). So a payment order this
        process has already read is used as it is, without a round trip to the store for newer
        events of its own (one a payment order of the month, on every incident and check). It
        is taken from the cache without the repository's notice of erasures: a payment order
        holds no personal data (the enrolment read before it does take that notice)."""
        cache = self.repository.cache
        if cache is not None:
            with contextlib.suppress(KeyError, ValueError):
                found: object = cache.get(UUID(contribution_id_text))
                if isinstance(found, Contribution):
                    return found
        return self._get(contribution_id_text, Contribution, ContributionNotFoundError,
                         "contribution", shared=True)

    def _person_or_new(self, nik: str) -> Person:
        """The person of a NIK, or a new one under the NIK's data subject (made in the index
        now if the NIK is new: two racers get one subject, and the Person's version race lets
        one of them through)."""
        subject = self.personal.subject_for(nik)
        try:
            found: object = self.repository.get(subject)
        except AggregateNotFoundError:
            return Person.register(subject, nik)
        assert isinstance(found, Person)  # a subject's aggregate of this id is its person
        return found

    def _person_of(self, enrolment: Enrolment, *, shared: bool = False) -> Person:
        """The person an enrolment covers: the Person it names (its data subject, which is the
        NIK's subject for as long as the NIK is not erased), read without looking the NIK up
        in the index (a round trip and an HMAC less for every incident); an erased
        enrolment's, or one whose person is not found, by its NIK as before. ``shared``: to
        read only (see :meth:`_get`)."""
        named = getattr(enrolment, "person_id", None)
        if named and enrolment.nik != ERASED:
            try:
                found: object = self.repository.get(UUID(str(named)),
                                                    deepcopy_from_cache=not shared)
            except AggregateNotFoundError:
                found = None
            if isinstance(found, Person):
                return found
        return self._person_or_new(enrolment.nik)

    def _claimant_record(self, claimant: Claimant) -> dict[str, str]:
        """The claimant as a claim records them, with their data subject from the index."""
        return claimant.as_record(self.personal.subject_for(claimant.nik))
