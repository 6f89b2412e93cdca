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
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    PersistenceError,
    Recording,
    StoredEvent,
)
from eventsourcing.utils import Environment, EnvType, strtobool

from ledger import aggregate_cache
from ledger.clock import (
    Clock,
    IdSource,
    RandomBytes,
    UtcClock,
    random_bytes,
    random_ids,
    require_not_before,
)
from ledger.commands.base import CONFLICT_RETRIES
from ledger.commands.claims import ClaimCommands
from ledger.commands.erasure import ErasureCommands
from ledger.commands.handovers import HandoverCommands
from ledger.commands.incidents import IncidentCommands
from ledger.commands.members import MemberCommands
from ledger.commands.payments import PaymentCommands
from ledger.commands.programmes import ProgrammeCommands
from ledger.commands.scholarships import ScholarshipCommands
from ledger.commands.tokens import TokenCommands
from ledger.commands.work_accidents import WorkAccidentCommands
from ledger.ports import LogIndex, PersonalData, StoreConfig
from ledger.rule_sets import RULE_BOOK, RuleBook
from ledger.transcoding import register_domain_transcodings

__all__ = ["CONFLICT_RETRIES", "Ledger", "OwnRowsEventStore", "RecordedTimes"]

log = logging.getLogger("claims_ledger.store")


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
        self.times = RecordedTimes(last_time, tolerance) if last_time is not None else None

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]],
            **kwargs: Any) -> list[Recording[UUID]]:
        stamps: list[datetime] = [e.timestamp for e in domain_events]  # type: ignore[attr-defined]
        if self.times is not None:
            # Recorded times never go backwards along the log, whatever the clock says.
            self.times.require_not_behind(stamps)
        # The library's put, but for the refusal by the unique key; a mapper that seals makes
        # the data keys of the whole save in one go first (not one round trip per event).
        prepare = getattr(self.mapper, "prepare_events", None)
        if prepare is not None:
            prepare(domain_events)
        stored_events = [self.mapper.to_stored_event(event) for event in domain_events]
        # A datastore that inserts and commits in one round trip does (storage.database).
        at_once = getattr(getattr(self.recorder, "datastore", None), "insert_at_once", None)
        try:
            if at_once is not None and stored_events and kwargs.get("tracking") is None:
                positions = at_once(self.recorder, stored_events)
            else:
                positions = self.recorder.insert_events(stored_events, **kwargs)
        except IntegrityError:
            positions = self.recorded(stored_events) if stored_events else None
            if positions is None:
                raise
            log.warning("a save whose answer was lost on the way was found in the log; "
                        "answered as saved", extra={"event": "save-recognised",
                                                    "events": len(stored_events),
                                                    "position": max(positions)})
        if self.times is not None:
            self.times.saved(stamps)
        if not positions:
            return []
        return [Recording(event, Notification(
                    originator_id=stored.originator_id,
                    originator_version=stored.originator_version, topic=stored.topic,
                    state=stored.state, id=position))
                for event, stored, position in zip(domain_events, stored_events, positions,
                                                   strict=True)]


class RecordedTimes:
    """What one ledger knows of the log's recorded times, so that checking a save's stamps
    against them costs no round trip to the database on the real clock.

    On the real clock (a ``tolerance`` above zero) it keeps a high-water mark: the log's last
    recorded time, read on the first save, raised by every save this ledger makes. A save
    stamped no earlier than the mark (less the tolerance) goes ahead without reading the log;
    one behind it reads the log again (the message then cites what the log holds) and is
    refused. Another process's saves raise only the log, not this mark: on the real clock the
    tolerance is what covers writers whose clocks differ a little, as it covers two writers
    that stamp and commit in the opposite order (a check that reads the log before inserting
    leaves that window open as well). A scripted clock (no tolerance) is exact: every save
    reads the log's last time, so a story is never recorded behind anyone's later events."""

    def __init__(self, last_time: Callable[[], datetime | None],
                 tolerance: timedelta = timedelta(0)) -> None:
        self.last_time = last_time
        self.tolerance = tolerance
        self._mark: datetime | None = None
        self._read = False
        self._lock = threading.Lock()  # a worker's threads share one ledger

    @property
    def exact(self) -> bool:
        """Whether every save reads the log (a scripted clock, which has no tolerance)."""
        return self.tolerance <= timedelta(0)

    def require_not_behind(self, stamps: Sequence[datetime]) -> None:
        """Refuse (:class:`~ledger.errors.ClockBackwardsError`) stamps earlier than the log's
        recorded times allow."""
        if not stamps:
            return
        with self._lock:
            if self.exact:
                require_not_before(self.last_time(), list(stamps), self.tolerance)
                return
            mark = self._mark
            if not self._read or (mark is not None and min(stamps) < mark - self.tolerance):
                self._refresh()
            require_not_before(self._mark, list(stamps), self.tolerance)

    def saved(self, stamps: Sequence[datetime]) -> None:
        """Raise the mark to the latest of the stamps a save recorded."""
        if not stamps or self.exact:
            return
        with self._lock:
            latest = max(stamps)
            if self._mark is None or latest > self._mark:
                self._mark = latest

    def _refresh(self) -> None:
        last = self.last_time()
        self._read = True
        if last is not None and (self._mark is None or last > self._mark):
            self._mark = last


class Ledger(ProgrammeCommands, MemberCommands, PaymentCommands, IncidentCommands,
             ClaimCommands, ScholarshipCommands, WorkAccidentCommands, HandoverCommands,
             TokenCommands, ErasureCommands):
    """The claims ledger: one per process, on the store a :class:`~ledger.ports.LogIndex`
    gives (``storage.open_ledger`` builds both from the settings).

    Its commands live by concept in :mod:`ledger.commands` (each run through
    :meth:`~ledger.commands.base.Commands._command`); here is the store they run on."""

    name = "Ledger"  # pinned: table names (ledger_events) derive from it

    def __init__(self, store: LogIndex, *, clock: Clock | None = None,
                 ids: IdSource | None = None, rule_book: RuleBook | None = None,
                 secrets: RandomBytes | None = None) -> None:
        self.store = store
        self.settings: StoreConfig = store.settings
        #: What the ledger records events at and names new records with: the real UTC clock
        #: and random ids, unless a story (the demo, a test) gives its own. Commands record
        #: with them inside ``recording(self.clock, self.ids)``.
        self.clock: Clock = clock or UtcClock()
        self.ids: IdSource = ids or random_ids
        #: Where data keys and nonces come from: the operating system's randomness, unless a
        #: story (the demo) gives a seeded source so that its log is the same run to run.
        self.secrets: RandomBytes = secrets or random_bytes
        #: The keyed NIK index and the data subjects' keys (set as the store is opened).
        self.personal: PersonalData
        #: The benefit rule sets claims are decided under and re-adjudication drift reads
        #: (``LEDGER_RULE_BOOK``): the real book, unless a test or the demo gives the one with the
        #: test set (:func:`~ledger.rule_sets.rule_book_with_test_set`).
        self.rule_book: RuleBook = rule_book or RULE_BOOK
        self._positions = threading.local()
        try:
            super().__init__(env=dict(self.settings.env))
        except PersistenceError as error:  # the PostgreSQL recorder connects as it is made
            raise store.unavailable(error) from None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # One configuration variable: the store settings are exactly what storage.settings made
        # of LEDGER_DATABASE_URL, never stray eventsourcing variables from the environment.
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        self.store.prepare(factory)
        self.personal = self.store.personal_data(factory, self.ids, self.secrets)
        # What this process decoded with a key later destroyed (here or by another process)
        # is forgotten with it: the whole aggregate cache (ledger.aggregate_cache).
        self.personal.on_forgotten(self.forget_cached_aggregates)
        return factory

    def construct_recorder(self) -> ApplicationRecorder:
        return self.store.recorder(super().construct_recorder())

    def construct_repository(self) -> Repository[UUID]:
        # The library's repository, letting the store notice other processes' erasures before
        # each read (at most one small query per interval; ledger.aggregate_cache).
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return aggregate_cache.NoticingRepository(
            event_store=self.events, snapshot_store=self.snapshots,
            cache_maxsize=int(size) if size else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(
                self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(
                self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
            notice=self.personal.notice_erasures)

    def forget_cached_aggregates(self) -> None:
        """Empty this ledger's aggregate cache: a data key it may have decoded with was
        destroyed (every aggregate is read from the log again, erased fields "[dihapus]")."""
        repository = getattr(self, "repository", None)
        if repository is not None:
            aggregate_cache.clear(repository.cache)

    def construct_mapper(self) -> Mapper[UUID]:
        # The store's mapper seals the personal fields of each event under the key of the
        # person they belong to (storage.sealing), so that an erasure destroys a key, not a
        # stored byte a proof covers.
        return self.store.mapper(self.factory, self.construct_transcoder())

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
        self.store.require_initialised(self.recorder)

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
        found = self.store.stored_at(self.recorder, keys)
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

    def first_events(self, ids: Iterable[UUID]) -> dict[UUID, Any]:
        """The creation events of many aggregates, read in bulk."""
        return self.store.first_events(self.recorder, self.mapper, ids)

    @property
    def qualified_events_table(self) -> str:
        """The log's table name as SQL names it (schema-qualified on PostgreSQL)."""
        return self.store.qualified_events_table(self.recorder)
