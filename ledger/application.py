"""The application service: every command of the ledger, each checked and saved atomically.

A command loads the aggregates it needs, lets them check their rules (they raise named errors
from :mod:`ledger.errors`), and saves every changed aggregate in one ``save()``: one transaction,
all or nothing. Rules that span aggregates hold because the aggregate that guards them is saved
too (the person for one coverage per NIK, the programme for the budget ceiling, the incident for
one benefit per death, the claim itself for one approval); when two writers race, the store's
optimistic concurrency refuses the second, which is then retried against the new state and
refused by the rule, or reported as a :class:`~ledger.errors.ConflictError`.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import (
    EventStore,
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    Notification,
    PersistenceError,
    Recording,
    StoredEvent,
)
from eventsourcing.utils import Environment, EnvType, get_topic

from ledger.benefits import Benefit, Entitlement, rules
from ledger.bulk import first_events, stored_at
from ledger.calendar import add_calendar_months, parse_month, working_days_between
from ledger.claim import Claim, Claimant, ClaimStatus, Deceased
from ledger.clock import Clock, IdSource, UtcClock, random_ids, require_not_before
from ledger.contribution import Contribution, contribution_id
from ledger.coverage import CoverageAnswer, coverage_on
from ledger.eligibility import require_eligible
from ledger.enrolment import EndReason, Enrolment, EnrolmentRequest
from ledger.errors import (
    AmbiguousTokenError,
    BenefitNotApplicableError,
    BenefitNotInProgrammeError,
    ClaimExpiredError,
    ClaimNotFoundError,
    ConflictError,
    ContributionAmountError,
    ContributionMembersError,
    ContributionNotFoundError,
    DeceasedError,
    DuplicateDeathBenefitError,
    DuplicateIdentityCheckError,
    DuplicateInBatchError,
    DuplicatePaymentOrderError,
    EnrolmentNotFoundError,
    ExcludedCauseError,
    HandoverClaimNotApprovedError,
    HandoverNotFoundError,
    IdentityCheckMembersError,
    IncidentAfterDeathError,
    IncidentBeforeEnrolmentError,
    IncidentNotFoundError,
    InvalidInputError,
    LedgerError,
    NotCoveredError,
    NotEligibleError,
    NotFoundError,
    ProgrammeExistsError,
    ProgrammeNotFoundError,
    StaleVersionError,
    StoreNotInitialisedError,
    StoreUnavailableError,
    TokenNotFoundError,
    TokenUnknownError,
)
from ledger.handover import CeremonyDetails, Handover
from ledger.identity import mask_nik, parse_nik
from ledger.identity_check import IdentityCheck
from ledger.incident import Incident, IncidentKind
from ledger.limits import (
    MAX_INCAPACITY_MONTHS,
    MAX_MEMBERS,
    require_count,
    require_rupiah,
)
from ledger.money import rupiah
from ledger.person import Person, person_id
from ledger.programme import Programme, ProgrammeTerms, Rate, official_rates, programme_id
from ledger.settings import StoreSettings, settings_from_environment
from ledger.token import (
    DEFAULT_EXPIRY_DAYS,
    MAX_EXPIRY_DAYS,
    TOKEN_PREFIX,
    ApiToken,
    token_hash,
    token_id,
    validate_grant,
    wib,
)
from ledger.transcoding import register_domain_transcodings

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)

#: What a token the ledger never issued is told (also a mistyped or truncated one).
_UNKNOWN_TOKEN = ("this token is not known to the ledger (mistyped, cut short, or from another "
                  "ledger); an admin makes one with 'claims-ledger token create'")

#: How often a command is tried again when another writer changed the same aggregate first.
CONFLICT_RETRIES = 8

log = logging.getLogger("claims_ledger.store")


def unavailable(settings: StoreSettings, error: Exception) -> StoreUnavailableError:
    """The store cannot be reached or used: say which store, and what the driver said (on one
    line: psycopg's messages run over several)."""
    said = " ".join(str(error).split())
    return StoreUnavailableError(f"cannot reach the database {settings.describe()}: {said}")


class OwnRowsEventStore(EventStore[UUID]):
    """The library's event store, which also knows a save of its own that did succeed.

    When the database restarts after committing a save but before answering, the library sends
    the same rows again; the unique key (aggregate id, version) refuses them and the save would
    count as lost to a concurrent writer, though it is in the log. So when a save is refused
    by the key, the rows at those keys are compared with the rows this save sent: if every one
    is byte for byte the same (each event's timestamp, id and state make them unique), the save
    succeeded and is answered with their log positions. Any other row is another writer's, and
    the refusal stands: optimistic concurrency is unchanged."""

    def __init__(self, mapper: Any, recorder: Any,
                 recorded: Callable[[Sequence[StoredEvent]], list[int] | None],
                 last_time: Callable[[], datetime | None] | None = None,
                 tolerance: timedelta = timedelta(0)) -> None:
        super().__init__(mapper, recorder)
        self.recorded = recorded
        self.last_time = last_time
        self.tolerance = tolerance

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]],
            **kwargs: Any) -> list[Recording[UUID]]:
        if self.last_time is not None and domain_events:
            # Recorded times never go backwards along the log, whatever the clock says.
            stamps: list[datetime] = [e.timestamp for e in domain_events]  # type: ignore[attr-defined]
            require_not_before(self.last_time(), stamps, self.tolerance)
        # The library's put, but for the refusal by the unique key.
        stored_events = [self.mapper.to_stored_event(event) for event in domain_events]
        try:
            positions = self.recorder.insert_events(stored_events, **kwargs)
        except IntegrityError:
            positions = self.recorded(stored_events) if stored_events else None
            if positions is None:
                raise
            log.warning("a save whose answer was lost on the way was found in the log; "
                        "answered as saved", extra={"event": "save-recognised",
                                                    "events": len(stored_events),
                                                    "position": max(positions)})
        if not positions:
            return []
        return [Recording(event, Notification(
                    originator_id=stored.originator_id,
                    originator_version=stored.originator_version, topic=stored.topic,
                    state=stored.state, id=position))
                for event, stored, position in zip(domain_events, stored_events, positions,
                                                   strict=True)]


class Ledger(Application[UUID]):
    """The claims ledger: one per process, built from :class:`~ledger.settings.StoreSettings`."""

    name = "Ledger"  # pinned: table names (ledger_events) derive from it

    def __init__(self, settings: StoreSettings | None = None, *, clock: Clock | None = None,
                 ids: IdSource | None = None) -> None:
        self.settings = settings or settings_from_environment()
        #: What the ledger records events at and names new records with: the real UTC clock
        #: and random ids, unless a story (the demo, a test) gives its own. Commands record
        #: with them inside ``recording(self.clock, self.ids)``.
        self.clock: Clock = clock or UtcClock()
        self.ids: IdSource = ids or random_ids
        self._positions = threading.local()
        try:
            super().__init__(env=self.settings.env)
        except PersistenceError as error:  # the PostgreSQL recorder connects as it is made
            raise unavailable(self.settings, error) from None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # One configuration variable: the store settings are exactly what ledger.settings made
        # of LEDGER_DATABASE_URL, never stray eventsourcing variables from the environment.
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        if self.settings.is_postgres:
            from ledger.database import make_patient  # the embedded mode needs no psycopg

            # A bounded wait for the database instead of the library's 10 x the pool's timeout.
            make_patient(factory.datastore)  # type: ignore[attr-defined]
        return factory

    def construct_event_store(self) -> EventStore[UUID]:
        return OwnRowsEventStore(self.mapper, self.recorder, self.recorded_already,
                                 self.last_recorded_time,
                                 getattr(self.clock, "tolerance", timedelta(0)))

    def last_recorded_time(self) -> datetime | None:
        """When the log's last event was recorded (None for an empty log)."""
        head = self.recorder.max_notification_id()
        if not head:
            return None
        last = self.recorder.select_notifications(start=head, limit=1)
        if not last:
            return None
        stamp: datetime = self.mapper.to_domain_event(last[0]).timestamp  # type: ignore[attr-defined]
        return stamp

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # -- the store ---------------------------------------------------------------------------------

    @property
    def events_table(self) -> str:
        """The name of the table that holds the log (the backends name it differently)."""
        name: str = self.recorder.events_table_name  # type: ignore[attr-defined]
        return name

    def require_initialised(self) -> None:
        """Refuse to work on a database whose tables were never created (``db init``)."""
        try:
            self.recorder.max_notification_id()
        except PersistenceError as error:
            text = str(error)
            if "no such table" in text or "does not exist" in text:
                raise StoreNotInitialisedError(
                    f"the ledger's tables do not exist in {self.settings.describe()}; run "
                    "'claims-ledger db init' first"
                ) from error
            raise unavailable(self.settings, error) from error

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

    @staticmethod
    def _expect(aggregate: Aggregate, expected_version: int | None) -> None:
        """Refuse a change based on a stale read (HTTP If-Match)."""
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersionError(
                f"this record is at version {aggregate.version}, not {expected_version} as you "
                "read it; read it again and decide on what it says now")

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save, and remember (per thread) the log position the save reached."""
        recordings = super().save(*objs, **kwargs)
        if recordings:
            self._positions.last = max(r.notification.id for r in recordings)
        return recordings

    def recorded_already(self, stored: Sequence[StoredEvent]) -> list[int] | None:
        """The log positions of these rows if every one is in the log exactly as given (a save
        that reached the database though its answer was lost); None if any is missing or
        differs (another writer's rows: a real conflict)."""
        keys = [(UUID(str(event.originator_id)), event.originator_version) for event in stored]
        found = stored_at(self.recorder.datastore,  # type: ignore[attr-defined]
                          self.qualified_events_table, self.settings.is_postgres, keys)
        positions: list[int] = []
        for key, event in zip(keys, stored, strict=True):
            row = found.get(key)
            if row is None or row[1] != event.topic or row[2] != event.state:
                return None
            positions.append(row[0])
        return positions

    def last_position(self) -> int | None:
        """The log position of this thread's latest save."""
        position: int | None = getattr(self._positions, "last", None)
        return position

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

    # -- reading -----------------------------------------------------------------------------------

    def programme(self, code: str, version: int | None = None, *,
                  shared: bool = False) -> Programme:
        """The programme of ``code`` (``shared``: to read only, see :meth:`_get`)."""
        try:
            return self._get(programme_id(code), Programme, ProgrammeNotFoundError, "programme",
                             version, shared=shared)
        except ProgrammeNotFoundError:
            raise ProgrammeNotFoundError(f"there is no programme with code {code}",
                                         field="code") from None

    def enrolment(self, enrolment_id: UUID | str, version: int | None = None) -> Enrolment:
        return self._get(enrolment_id, Enrolment, EnrolmentNotFoundError, "enrolment", version)

    def incident(self, incident_id: UUID | str) -> Incident:
        return self._get(incident_id, Incident, IncidentNotFoundError, "incident")

    def claim(self, claim_id: UUID | str, version: int | None = None) -> Claim:
        return self._get(claim_id, Claim, ClaimNotFoundError, "claim", version)

    def handover(self, handover_id: UUID | str) -> Handover:
        return self._get(handover_id, Handover, HandoverNotFoundError, "handover ceremony")

    def contribution(self, programme_code: str, sp2d: str) -> Contribution:
        return self._get(contribution_id(programme_code, sp2d), Contribution,
                         ContributionNotFoundError, f"payment order {sp2d} in programme")

    def person(self, nik: str) -> Person | None:
        """What the ledger knows of a NIK, or None if it never saw it."""
        try:
            found: object = self.repository.get(person_id(parse_nik(nik).value))
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
        # Only coverage checks read payments this way: they change nothing (see _get).
        return self._get(contribution_id_text, Contribution, ContributionNotFoundError,
                         "contribution", shared=True)

    # -- API tokens ------------------------------------------------------------------------------

    def issue_token(self, name: str, role: str, actor: str,
                    expires_at: datetime | None = None,
                    now: datetime | None = None) -> tuple[str, ApiToken]:
        """A new token (returned once, never stored) for a person or system with one role,
        valid until ``expires_at`` (default: :data:`~ledger.token.DEFAULT_EXPIRY_DAYS` days)."""
        validate_grant(name, role)
        now = now or datetime.now(UTC)
        if expires_at is None:
            expires_at = now + timedelta(days=DEFAULT_EXPIRY_DAYS)
        elif expires_at.tzinfo is None:
            raise InvalidInputError("a token's expiry needs a time zone", field="expires")
        elif expires_at <= now:
            raise InvalidInputError(f"a token's expiry must be in the future; "
                                    f"{wib(expires_at)} has passed", field="expires")
        elif expires_at > now + timedelta(days=MAX_EXPIRY_DAYS + 1):
            raise InvalidInputError(f"a token lives at most {MAX_EXPIRY_DAYS} days",
                                    field="expires")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(hashed=token_hash(secret), name=name.strip(), role=role, actor=actor,
                         expires_at=expires_at.astimezone(UTC))
        self.save(token)
        return secret, token

    def authenticate(self, secret: str, now: datetime | None = None) -> ApiToken:
        """The token a presented secret belongs to, if it may still be used; else a
        :class:`~ledger.errors.TokenRefusedError` saying whether it is unknown, expired or
        revoked (and since when).

        Nothing is cached here beyond the library's aggregate cache, which reads the token's
        events newer than the cached version on every call (one indexed read, usually of no
        row): a revocation recorded by any process is seen by the next request."""
        if not secret.startswith(TOKEN_PREFIX):
            raise TokenUnknownError(_UNKNOWN_TOKEN)
        try:
            found: object = self.repository.get(token_id(token_hash(secret)))
        except AggregateNotFoundError:
            raise TokenUnknownError(_UNKNOWN_TOKEN) from None
        if not isinstance(found, ApiToken):
            raise TokenUnknownError(_UNKNOWN_TOKEN)
        found.require_usable(now or datetime.now(UTC))
        return found

    def token(self, token_id_value: UUID | str) -> ApiToken:
        """One token by its id (never by its secret)."""
        return self._get(token_id_value, ApiToken, TokenNotFoundError, "API token")

    def tokens(self) -> list[ApiToken]:
        """Every token ever issued, in the order issued (revoked and expired ones too)."""
        topic = get_topic(ApiToken.Issued)  # type: ignore[attr-defined]
        found: list[ApiToken] = []
        position = 0
        while True:
            page = self.recorder.select_notifications(start=position + 1, limit=500,
                                                      topics=[topic])
            if not page:
                return found
            for notification in page:
                position = notification.id
                found.append(self.token(notification.originator_id))

    def find_token(self, name_or_id: str, now: datetime | None = None) -> ApiToken:
        """The token an operator means by a name or an id (or the first 8+ characters of one).

        A name may belong to several tokens (a new one issued before the old is revoked): the
        active one is meant; if several are active, the id must be given."""
        wanted = name_or_id.strip()
        if not wanted:
            raise InvalidInputError("name the token (its name or id)", field="token")
        now = now or datetime.now(UTC)
        every = self.tokens()
        named = [t for t in every if t.name == wanted]
        if not named and len(wanted) >= 8:
            named = [t for t in every if str(t.id).startswith(wanted.lower())]
        if not named:
            raise TokenNotFoundError(f"there is no token named or with id '{wanted}'; "
                                     "'claims-ledger token list' shows them")
        for status in ("active", "expired"):
            candidates = [t for t in named if t.status(now) == status]
            if len(candidates) == 1:
                return candidates[0]
            if candidates:
                ids = ", ".join(str(t.id)[:8] for t in candidates)
                raise AmbiguousTokenError(
                    f"{len(candidates)} {status} tokens are named '{wanted}' ({ids}); "
                    "name the one meant by its id")
        return named[-1]  # all revoked: revoking again says when it was

    def revoke_token(self, name_or_id: str | UUID, reason: str, actor: str) -> ApiToken:
        """Revoke a token at once, with the reason: the next request that presents it, in
        any process, is refused."""
        def command() -> ApiToken:
            token = (self.token(name_or_id) if isinstance(name_or_id, UUID)
                     else self.find_token(name_or_id))
            token.revoke_now(reason, actor)
            self.save(token)
            return token

        # Two admins revoking at once: the second is retried and told it was revoked already.
        return self._retrying(command)

    # -- programmes --------------------------------------------------------------------------------

    def open_programme(self, terms: ProgrammeTerms, actor: str) -> Programme:
        """Open a funder's programme; its code is unique in the ledger. Terms without rates get
        the official ones (:func:`~ledger.programme.official_rates`)."""
        if not terms.rates:
            terms = replace(terms, rates=official_rates(terms))
        terms.validate()
        programme = Programme(
            code=terms.code.strip().upper(),
            name=terms.name,
            funder_name=terms.funder_name,
            funder_region=terms.funder_region,
            funding_source=terms.funding_source,
            fiscal_year=terms.fiscal_year,
            covers=list(terms.covers),
            rates=[rate.as_record() for rate in terms.rates],
            wage_band=terms.wage_band,
            budget_ceiling=terms.budget_ceiling,
            dpa_reference=terms.dpa_reference,
            branches=list(terms.branches),
            deciles=list(terms.deciles),
            occupations=list(terms.occupations),
            first_month=parse_month(terms.first_month),
            months=terms.months,
            grace_months=terms.grace_months,
            planned_members=terms.planned_members,
            opened_on=terms.opened_on or date(terms.fiscal_year, 1, 1),
            actor=actor,
        )
        try:
            self.save(programme)
        except IntegrityError:
            raise ProgrammeExistsError(
                f"a programme with code {programme.code} already exists", field="code"
            ) from None
        return programme

    def revise_budget(self, code: str, ceiling: int, dpa_reference: str, reason: str,
                      actor: str, expected_version: int | None = None) -> Programme:
        def command() -> Programme:
            programme = self.programme(code)
            self._expect(programme, expected_version)
            programme.revise_budget(ceiling, dpa_reference, reason, actor)
            self.save(programme)
            return programme

        return self._retrying(command)

    def set_rate(self, code: str, rate: Rate, actor: str,
                 expected_version: int | None = None) -> Programme:
        def command() -> Programme:
            programme = self.programme(code)
            self._expect(programme, expected_version)
            programme.set_rate(rate, actor)
            self.save(programme)
            return programme

        return self._retrying(command)

    def close_programme(self, code: str, closed_on: date, reason: str, actor: str,
                        expected_version: int | None = None) -> Programme:
        def command() -> Programme:
            programme = self.programme(code)
            self._expect(programme, expected_version)
            programme.close(closed_on, reason, actor)
            self.save(programme)
            return programme

        return self._retrying(command)

    # -- enrolment ---------------------------------------------------------------------------------

    def enrol(self, code: str, request: EnrolmentRequest, actor: str) -> Enrolment:
        """Enrol one worker: every rule checked, the NIK claimed atomically."""
        return self.enrol_batch(code, [request], actor)[0]

    def enrol_batch(self, code: str, requests: Sequence[EnrolmentRequest],
                    actor: str) -> list[Enrolment]:
        """Enrol many workers in one transaction: all of them, or (on any refusal) none."""

        def command() -> list[Enrolment]:
            programme = self.programme(code, shared=True)  # read, never saved here
            programme.require_open()
            seen: set[str] = set()
            people: list[Person] = []
            enrolments: list[Enrolment] = []
            for request in requests:
                require_eligible(programme, request)
                nik = request.parsed_nik().value
                if nik in seen:
                    raise DuplicateInBatchError(
                        f"NIK {mask_nik(nik)} appears twice in the same batch", field="nik"
                    )
                seen.add(nik)
                person = self._person_or_new(nik)
                person.require_enrollable()
                enrolment = Enrolment(
                    programme_id=str(programme.id),
                    programme_code=programme.code,
                    nik=nik,
                    kk=request.kk.strip(),
                    name=request.name.strip(),
                    region=request.region,
                    district=request.district,
                    village=request.village,
                    occupation=request.occupation,
                    decile=request.decile,
                    register=request.register,
                    register_snapshot=request.register_snapshot,
                    branch=request.branch,
                    enrolled_on=request.enrolled_on,
                    wage_band=programme.wage_band,
                    actor=actor,
                )
                person.start_coverage(str(enrolment.id), programme.code)
                people.append(person)
                enrolments.append(enrolment)
            if enrolments:
                # The programme is read, not written: enrolments of one programme never
                # contend with each other, only two enrolments of one NIK do (on the person).
                self.save(*people, *enrolments)
            return enrolments

        return self._retrying(command)

    def _person_or_new(self, nik: str) -> Person:
        try:
            found: object = self.repository.get(person_id(nik))
        except AggregateNotFoundError:
            return Person(nik=nik)
        assert isinstance(found, Person)  # ids in the person namespace belong to persons
        return found

    def record_kpj(self, enrolment_id: UUID | str, kpj: str, actor: str,
                   expected_version: int | None = None) -> Enrolment:
        def command() -> Enrolment:
            enrolment = self.enrolment(enrolment_id)
            self._expect(enrolment, expected_version)
            enrolment.record_kpj(kpj, actor)
            self.save(enrolment)
            return enrolment

        return self._retrying(command)

    def end_coverage(self, enrolment_id: UUID | str, ended_on: date, reason: EndReason,
                     note: str, actor: str, expected_version: int | None = None) -> Enrolment:
        """End a coverage period (and free the NIK for a later, new enrolment)."""

        def command() -> Enrolment:
            enrolment = self.enrolment(enrolment_id)
            self._expect(enrolment, expected_version)
            person = self._person_or_new(enrolment.nik)
            enrolment.end(ended_on, reason, note, actor)
            person.release_coverage(str(enrolment.id))
            self.save(enrolment, person)
            return enrolment

        return self._retrying(command)

    def record_bpjs_exclusion(self, nik: str, list_reference: str, reason: str,
                              actor: str) -> Person:
        """A NIK BPJS reports as already covered elsewhere: it cannot be enrolled here."""
        number = parse_nik(nik).value
        if not list_reference.strip():
            raise InvalidInputError("name the BPJS exclusion list", field="list_reference")

        def command() -> Person:
            person = self._person_or_new(number)
            person.record_exclusion(list_reference, reason, actor)
            self.save(person)
            return person

        return self._retrying(command)

    # -- contributions -----------------------------------------------------------------------------

    def pay_contribution(self, code: str, sp2d: str, paid_on: date, months: Iterable[str],
                         enrolment_ids: Iterable[UUID | str], amount: int,
                         actor: str) -> Contribution:
        """Record one payment order: members x rate x months exactly, within the ceiling."""
        month_list = sorted({parse_month(m) for m in months})
        members = [str(m) for m in enrolment_ids]
        if not sp2d.strip():
            raise InvalidInputError("the payment needs its SP2D number", field="sp2d")
        if not month_list:
            raise InvalidInputError("name the month(s) the payment is for", field="months")
        if not members:
            raise ContributionMembersError("name the members the payment is for",
                                           field="enrolment_ids")
        if len(set(members)) != len(members):
            raise ContributionMembersError("a member is named twice in the payment",
                                           field="enrolment_ids")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise InvalidInputError("the amount is a whole number of rupiah above zero",
                                    field="amount")
        require_rupiah(amount, "the amount of a payment order", field="amount", minimum=1)
        require_count(len(members), "the members named in one payment", field="enrolment_ids",
                      minimum=1, maximum=MAX_MEMBERS)

        def command() -> Contribution:
            programme = self.programme(code)
            programme.require_open()
            outside = [m for m in month_list if m not in programme.coverage_months]
            if outside:
                raise NotEligibleError(
                    f"month(s) {', '.join(outside)} are outside the coverage months of "
                    f"programme {programme.code}", field="months")
            strangers = self._not_enrolled_in(programme, members)
            if strangers:
                raise ContributionMembersError(
                    f"{len(strangers)} of the members named are not enrolled in programme "
                    f"{programme.code} (first: {strangers[0]})", field="enrolment_ids")
            expected = sum(programme.rate_for(m) for m in month_list) * len(members)
            if amount != expected:
                raise ContributionAmountError(
                    f"the amount {rupiah(amount)} is not members x rate x months: "
                    f"{len(members)} x {rupiah(programme.rate_for(month_list[0]))} x "
                    f"{len(month_list)} = {rupiah(expected)}", field="amount")
            programme.require_budget_for(amount)
            contribution = Contribution(
                programme_id=str(programme.id), programme_code=programme.code, sp2d=sp2d.strip(),
                paid_on=paid_on, months=month_list, enrolment_ids=members,
                rate=expected // (len(members) * len(month_list)), amount=amount, actor=actor)
            try:
                self.repository.get(contribution.id)
            except AggregateNotFoundError:
                pass
            else:
                raise DuplicatePaymentOrderError(
                    f"payment order {sp2d} is already recorded for programme {programme.code}",
                    field="sp2d")
            programme.contribution_booked(str(contribution.id), month_list, amount)
            self.save(programme, contribution)
            return contribution

        return self._retrying(command)

    def _not_enrolled_in(self, programme: Programme, members: list[str],
                         error: type[LedgerError] = ContributionMembersError,
                         field: str = "enrolment_ids") -> list[str]:
        """The ids among ``members`` that are not enrolments of this programme."""
        keys: dict[str, UUID] = {}
        for member in members:
            try:
                keys[member] = UUID(member)
            except ValueError:
                raise error(f"'{member}' is not a member id", field=field) from None
        created = self.first_events(keys.values())
        expected = str(programme.id)
        enrolled = get_topic(Enrolment.Enrolled)  # type: ignore[attr-defined]
        return [m for m, key in keys.items()
                if key not in created or get_topic(type(created[key])) != enrolled
                or created[key].programme_id != expected]

    def record_identity_check(self, code: str, reference: str, checked_on: date,
                              matched: Iterable[UUID | str], unmatched: dict[str, str],
                              actor: str, registry: str = "Dukcapil") -> IdentityCheck:
        """Record the population register's answer on members' NIKs (matched or not, why)."""
        found = [str(m) for m in matched]
        missing = {str(k): v.strip() for k, v in unmatched.items()}
        if not reference.strip():
            raise InvalidInputError("name the registry's answer (letter or batch reference)",
                                    field="reference")
        if not found and not missing:
            raise IdentityCheckMembersError("name the members the registry answered on",
                                            field="matched")
        if len(set(found)) != len(found):
            raise IdentityCheckMembersError("a member is named twice among the matched",
                                            field="matched")
        both = sorted(set(found) & set(missing))
        if both:
            raise IdentityCheckMembersError(
                f"member {both[0]} is listed as both matched and not matched", field="unmatched")
        if any(not reason for reason in missing.values()):
            raise InvalidInputError("give the registry's reason for every member not matched",
                                    field="unmatched")

        def command() -> IdentityCheck:
            programme = self.programme(code)
            strangers = self._not_enrolled_in(programme, found + list(missing),
                                              IdentityCheckMembersError, "matched")
            if strangers:
                raise IdentityCheckMembersError(
                    f"{len(strangers)} of the members named are not enrolled in programme "
                    f"{programme.code} (first: {strangers[0]})", field="matched")
            check = IdentityCheck(
                programme_id=str(programme.id), programme_code=programme.code,
                reference=reference.strip(), registry=registry.strip() or "Dukcapil",
                checked_on=checked_on, matched=found, unmatched=missing, actor=actor)
            try:
                self.repository.get(check.id)
            except AggregateNotFoundError:
                pass
            else:
                raise DuplicateIdentityCheckError(
                    f"registry answer {reference.strip()} is already recorded for programme "
                    f"{programme.code}", field="reference")
            self.save(check)
            return check

        return self._retrying(command)

    def first_events(self, ids: Iterable[UUID]) -> dict[UUID, Any]:
        """The creation events of many aggregates, read in bulk."""
        return first_events(self.recorder.datastore,  # type: ignore[attr-defined]
                            self.qualified_events_table, self.mapper,
                            self.settings.is_postgres, ids)

    @property
    def qualified_events_table(self) -> str:
        if self.settings.is_postgres:
            schema = self.settings.env.get("POSTGRES_SCHEMA") or "public"
            return f'"{schema}"."{self.events_table}"'
        return self.events_table

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

    def reverse_contribution(self, code: str, sp2d: str, reversed_on: date, reason: str,
                             actor: str, expected_version: int | None = None) -> Contribution:
        """Reverse a recorded payment; the money goes back under the ceiling."""

        def command() -> Contribution:
            programme = self.programme(code)
            contribution = self.contribution(code, sp2d)
            self._expect(contribution, expected_version)
            contribution.reverse(reversed_on, reason, actor)
            programme.contribution_unbooked(str(contribution.id))
            self.save(programme, contribution)
            return contribution

        return self._retrying(command)

    # -- incidents ---------------------------------------------------------------------------------

    def report_incident(self, enrolment_id: UUID | str, kind: IncidentKind, occurred_on: date,
                        place: str, narrative: str, work_related: bool, actor: str,
                        cause: str = "") -> Incident:
        """Report what happened to a covered member; a death also ends the coverage."""
        if not place.strip():
            raise InvalidInputError("say where it happened", field="place")

        def command() -> Incident:
            enrolment = self.enrolment(enrolment_id)
            programme = self._programme_by_id(enrolment.programme_id, shared=True)  # read only
            person = self._person_or_new(enrolment.nik)
            who = f"NIK {mask_nik(enrolment.nik)}"
            if occurred_on < enrolment.enrolled_on:
                raise IncidentBeforeEnrolmentError(
                    f"the incident on {occurred_on.isoformat()} is before {who} was enrolled "
                    f"({enrolment.enrolled_on.isoformat()})", field="occurred_on")
            if person.died_on is not None and occurred_on > person.died_on:
                raise IncidentAfterDeathError(
                    f"{who} is recorded as deceased on {person.died_on.isoformat()}; nothing can "
                    f"happen to them on {occurred_on.isoformat()}", field="occurred_on")
            if kind is IncidentKind.DEATH and person.died_on is not None:
                raise DeceasedError(
                    f"the death of {who} is already recorded ({person.died_on.isoformat()})",
                    field="kind")
            answer = coverage_on(enrolment, programme, occurred_on, self._contribution_by_id)
            if not answer.covered:
                raise NotCoveredError(
                    f"{who} was not covered on {occurred_on.isoformat()}: {answer.reason}",
                    field="occurred_on")
            incident = Incident(
                enrolment_id=str(enrolment.id), programme_id=enrolment.programme_id,
                programme_code=enrolment.programme_code, nik=enrolment.nik, kind=kind.value,
                occurred_on=occurred_on, place=place, narrative=narrative,
                work_related=work_related, cause=cause, actor=actor)
            changed: list[Aggregate] = [incident]
            if kind is IncidentKind.DEATH:
                person.record_death(occurred_on, "incident", str(incident.id))
                changed.append(person)
                if enrolment.is_active:
                    enrolment.end(occurred_on, EndReason.DIED, f"incident {incident.id}", actor)
                    person.release_coverage(str(enrolment.id))
                    changed.append(enrolment)
            self.save(*changed)
            return incident

        return self._retrying(command)

    # -- claims ------------------------------------------------------------------------------------

    def file_claim(self, incident_id: UUID | str, benefit: Benefit, claimant: Claimant,
                   filed_on: date, actor: str, incapacity_months: int | None = None) -> Claim:
        """File a JKK or JKM claim on an incident; the rule set computes the amount."""
        if incapacity_months is not None:
            require_count(incapacity_months, "the months of incapacity",
                          field="incapacity_months", minimum=1,
                          maximum=MAX_INCAPACITY_MONTHS)

        def command() -> Claim:
            incident = self.incident(incident_id)
            enrolment = self.enrolment(incident.enrolment_id)
            programme = self._programme_by_id(incident.programme_id, shared=True)  # read only
            if not programme.covers_benefit(benefit.cover.value):
                raise BenefitNotInProgrammeError(
                    f"programme {programme.code} does not cover {benefit.cover.value}",
                    field="benefit")
            incident.require_claimable(benefit)
            claimant.validate(death_benefit=benefit.is_death_benefit, on=filed_on)
            if filed_on < incident.occurred_on:
                raise InvalidInputError("a claim cannot be filed before the incident",
                                        field="filed_on")
            entitlement = self._entitlement(benefit, incident, enrolment, filed_on,
                                            incapacity_months)
            facts: dict[str, Any] = {
                "wage": enrolment.wage_band, "enrolled_on": enrolment.enrolled_on,
                "occurred_on": incident.occurred_on, "work_related": incident.work_related,
            }
            if incapacity_months is not None:
                facts["incapacity_months"] = incapacity_months
            claim = Claim(
                programme_id=str(programme.id), programme_code=programme.code,
                benefit=benefit.value, incident_id=str(incident.id),
                enrolment_id=str(enrolment.id), subject_nik=enrolment.nik,
                claimant=claimant.as_record(), filed_on=filed_on, entitlement=entitlement.amount,
                rule_version=entitlement.rule_version, computation=entitlement.as_record(),
                facts=facts, actor=actor)
            incident.open_claim(str(claim.id), benefit)
            self.save(incident, claim)
            return claim

        return self._retrying(command)

    def _entitlement(self, benefit: Benefit, incident: Incident, enrolment: Enrolment,
                     filed_on: date, incapacity_months: int | None) -> Entitlement:
        rule_set = rules()
        death = incident.kind is IncidentKind.DEATH
        if benefit is Benefit.JKM_DEATH:
            if not death or incident.work_related:
                raise BenefitNotApplicableError(
                    "JKM pays for a death not caused by work; "
                    + ("this death was work-related: claim jkk_death instead" if death
                       else "this incident is not a death"), field="benefit")
            return rule_set.jkm_death(enrolled_on=enrolment.enrolled_on,
                                      died_on=incident.occurred_on)
        if not incident.work_related:
            raise BenefitNotApplicableError(
                f"{benefit.value} pays for work accidents and occupational diseases only; "
                "this incident is not work-related", field="benefit")
        expiry = add_calendar_months(incident.occurred_on, 12 * rule_set.jkk_claim_expiry_years)
        if filed_on > expiry:
            raise ClaimExpiredError(
                f"JKK claims expire {rule_set.jkk_claim_expiry_years} years after the accident "
                f"({incident.occurred_on.isoformat()}); this one expired on {expiry.isoformat()}")
        if benefit is Benefit.JKK_DEATH:
            if not death:
                raise BenefitNotApplicableError("jkk_death needs a death incident",
                                                field="benefit")
            return rule_set.jkk_death(wage=enrolment.wage_band)
        if death:
            raise BenefitNotApplicableError(
                f"{benefit.value} is for a living member; for a death claim jkk_death",
                field="benefit")
        if benefit is Benefit.JKK_TOTAL_DISABILITY:
            return rule_set.jkk_total_disability(wage=enrolment.wage_band)
        if benefit is Benefit.JKK_TEMPORARY_INCAPACITY:
            if incapacity_months is None:
                raise InvalidInputError("temporary incapacity needs the months of incapacity",
                                        field="incapacity_months")
            return rule_set.jkk_temporary_incapacity(wage=enrolment.wage_band,
                                                     months=incapacity_months)
        raise BenefitNotApplicableError(
            f"{benefit.value} is not claimed on an incident", field="benefit")

    def file_grant_claim(self, code: str, deceased: Deceased, died_on: date, cause: str,
                         claimant: Claimant, filed_on: date, actor: str) -> Claim:
        """File the city's flat death grant for a poor resident who died."""

        def command() -> Claim:
            programme = self.programme(code)
            programme.require_open()
            if not programme.covers_benefit(Benefit.CITY_DEATH_GRANT.cover.value):
                raise BenefitNotInProgrammeError(
                    f"programme {programme.code} does not pay the city death grant",
                    field="programme")
            rule_set = rules()
            nik = deceased.validate(region=programme.funder_region, deciles=programme.deciles,
                                    died_on=died_on)
            claimant.validate(death_benefit=True, on=filed_on)
            if cause in rule_set.city_grant_excluded_causes:
                raise ExcludedCauseError(
                    f"the city death grant is not paid for a death by {cause.replace('_', ' ')}",
                    field="cause")
            if filed_on < died_on:
                raise InvalidInputError("a claim cannot be filed before the death",
                                        field="filed_on")
            window = rule_set.city_grant_window_working_days
            if working_days_between(died_on, filed_on) > window:
                raise ClaimExpiredError(
                    f"the grant must be applied for within {window} working days of the death "
                    f"({died_on.isoformat()}); {filed_on.isoformat()} is too late",
                    field="filed_on")
            person = self._person_or_new(nik)
            if person.grant_claim_id is not None:
                raise DuplicateDeathBenefitError(
                    f"NIK {mask_nik(nik)} already has a city death grant claim "
                    f"({person.grant_claim_id})", field="nik")
            if person.died_on is not None and person.died_on != died_on:
                raise DeceasedError(
                    f"NIK {mask_nik(nik)} is recorded as deceased on "
                    f"{person.died_on.isoformat()}, not {died_on.isoformat()}", field="died_on")
            entitlement = rule_set.city_death_grant()
            claim = Claim(
                programme_id=str(programme.id), programme_code=programme.code,
                benefit=Benefit.CITY_DEATH_GRANT.value, incident_id=None,
                enrolment_id=person.active_enrolment_id, subject_nik=nik,
                claimant=claimant.as_record(), filed_on=filed_on, entitlement=entitlement.amount,
                rule_version=entitlement.rule_version, computation=entitlement.as_record(),
                facts={"died_on": died_on, "cause": cause, **deceased.as_record()}, actor=actor)
            if person.died_on is None:
                person.record_death(died_on, "city_grant_claim", str(claim.id))
            person.grant_claimed(str(claim.id))
            self.save(person, claim)
            return claim

        return self._retrying(command)

    def approve_claim(self, claim_id: UUID | str, approved_on: date, actor: str,
                      expected_version: int | None = None,
                      sole_approver_reason: str = "") -> Claim:
        """Approve the computed amount (four-eyes: not by the clerk who filed, unless the
        officer who holds both roles records why no one else could decide)."""

        def command() -> Claim:
            claim = self.claim(claim_id)
            self._expect(claim, expected_version)
            claim.approve(approved_on, actor, sole_approver_reason)
            self.save(claim)
            return claim

        return self._retrying(command)

    def revoke_approval(self, claim_id: UUID | str, reason: str, revoked_on: date, actor: str,
                        expected_version: int | None = None) -> Claim:
        """Withdraw an approval; payouts already made become money owed back."""

        def command() -> Claim:
            claim = self.claim(claim_id)
            self._expect(claim, expected_version)
            claim.revoke_approval(reason, revoked_on, actor)
            self.save(claim)
            return claim

        return self._retrying(command)

    def reject_claim(self, claim_id: UUID | str, reason: str, note: str, rejected_on: date,
                     actor: str, expected_version: int | None = None) -> Claim:
        """Reject with a reason code; the incident (or the NIK's grant) is free again."""

        def command() -> Claim:
            claim = self.claim(claim_id)
            self._expect(claim, expected_version)
            claim.reject(reason, note, rejected_on, actor)
            changed: list[Aggregate] = [claim]
            if claim.incident_id is not None:
                incident = self.incident(claim.incident_id)
                incident.claim_closed(str(claim.id), reason)
                changed.append(incident)
            else:
                person = self._person_or_new(claim.subject_nik)
                person.grant_released(str(claim.id))
                changed.append(person)
            self.save(*changed)
            return claim

        return self._retrying(command)

    def disburse(self, claim_id: UUID | str, reference: str, amount: int, paid_on: date,
                 actor: str, expected_version: int | None = None) -> Claim:
        """Record a payout; the city's own grant also counts against its programme's ceiling."""

        def command() -> Claim:
            claim = self.claim(claim_id)
            self._expect(claim, expected_version)
            claim.disburse(reference, amount, paid_on, actor)
            changed: list[Aggregate] = [claim]
            if claim.benefit.payer == "CITY":
                programme = self._programme_by_id(claim.programme_id)
                programme.require_budget_for(amount)
                programme.payout_booked(str(claim.id), reference, amount)
                changed.append(programme)
            self.save(*changed)
            return claim

        return self._retrying(command)

    def reverse_disbursement(self, claim_id: UUID | str, reference: str, reason: str,
                             reversed_on: date, actor: str,
                             expected_version: int | None = None) -> Claim:
        def command() -> Claim:
            claim = self.claim(claim_id)
            self._expect(claim, expected_version)
            claim.reverse_disbursement(reference, reason, reversed_on, actor)
            changed: list[Aggregate] = [claim]
            if claim.benefit.payer == "CITY":
                programme = self._programme_by_id(claim.programme_id)
                programme.payout_unbooked(str(claim.id), reference)
                changed.append(programme)
            self.save(*changed)
            return claim

        return self._retrying(command)

    # -- ceremonies --------------------------------------------------------------------------------

    def record_handover(self, details: CeremonyDetails, claim_ids: Sequence[UUID | str],
                        actor: str) -> Handover:
        """Record a ceremony; each claim shown must be approved, unpaid ones are marked."""
        details.validate()
        if not claim_ids:
            raise InvalidInputError("name the claims handed over at the ceremony",
                                    field="claim_ids")
        if len({str(c) for c in claim_ids}) != len(claim_ids):
            raise InvalidInputError("a claim is named twice", field="claim_ids")
        items: list[dict[str, Any]] = []
        for claim_id in claim_ids:
            claim = self.claim(claim_id)
            if claim.status is not ClaimStatus.APPROVED:
                raise HandoverClaimNotApprovedError(
                    f"claim {claim_id} ({claim.describe()}) is {claim.status.value}, not "
                    "approved; only approved claims may be handed over", field="claim_ids")
            items.append({
                "claim_id": str(claim.id), "benefit": claim.benefit.value,
                "recipient": claim.claimant["name"], "relationship": claim.claimant["relationship"],
                "subject_nik": claim.subject_nik, "amount": claim.approved_amount,
                "paid": claim.is_paid, "claim_version": claim.version,
            })
        handover = Handover(
            held_on=details.held_on, venue=details.venue, region=details.region,
            district=details.district, occasion=details.occasion,
            officials=[o.as_record() for o in details.officials], items=items, actor=actor)
        self.save(handover)
        return handover
