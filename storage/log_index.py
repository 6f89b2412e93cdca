"""The service's store port (:class:`ledger.ports.LogIndex`) for SQLite and PostgreSQL, and the
one way to open a :class:`~ledger.application.Ledger` on a store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    Mapper,
    Notification,
    PersistenceError,
    Recorder,
    Transcoder,
)

from ledger.application import Ledger
from ledger.clock import Clock, IdSource, RandomBytes
from ledger.errors import LedgerError, StoreNotInitialisedError, StoreUnavailableError
from ledger.ports import StoredRow
from ledger.rule_sets import RuleBook
from storage.bulk import event_positions, first_events, mentioning, positions_of, stored_at
from storage.personal import SqlPersonalData
from storage.settings import StoreSettings, rule_book_from_environment, settings_from_environment


def unavailable(settings: StoreSettings, error: Exception) -> StoreUnavailableError:
    """The store cannot be reached or used: say which store, and what the driver said (on one
    line: psycopg's messages run over several)."""
    said = " ".join(str(error).split())
    return StoreUnavailableError(f"cannot reach the database {settings.describe()}: {said}")


class SqlLogIndex:
    """:class:`ledger.ports.LogIndex` over the library's SQLite or PostgreSQL recorder."""

    def __init__(self, settings: StoreSettings) -> None:
        self._settings = settings
        self._personal: SqlPersonalData | None = None

    @property
    def settings(self) -> StoreSettings:
        """The settings the store was opened with."""
        return self._settings

    def prepare(self, factory: InfrastructureFactory) -> None:
        """On PostgreSQL, a bounded wait for the database instead of the library's 10 x the
        pool's timeout (the embedded mode needs no psycopg, so it is imported only here)."""
        if self._settings.is_postgres:
            from storage.database import make_patient

            make_patient(factory.datastore)  # type: ignore[attr-defined]

    def recorder(self, made: ApplicationRecorder) -> ApplicationRecorder:
        """On PostgreSQL, the library's recorder with its statements rendered once
        (:mod:`storage.rendered_statements`); SQLite's as it is."""
        if self._settings.is_postgres:
            from storage.rendered_statements import render_statements

            return render_statements(made)  # type: ignore[arg-type]
        return made

    def personal_data(self, factory: InfrastructureFactory, ids: IdSource,
                      random_bytes: RandomBytes) -> SqlPersonalData:
        """The keyed NIK index and the data keys, in tables beside the log."""
        self._personal = SqlPersonalData(self._settings,
                                         factory.datastore,  # type: ignore[attr-defined]
                                         ids, random_bytes)
        return self._personal

    def mapper(self, factory: InfrastructureFactory, transcoder: Transcoder) -> Mapper[UUID]:
        """The sealing mapper (:mod:`storage.sealing`) over the store's data keys."""
        from storage.sealing import SealingMapper

        assert self._personal is not None, "personal_data() is made before the mapper"
        return SealingMapper(transcoder, self._personal, self._personal.random_bytes,
                             compressor=factory.compressor(), cipher=factory.cipher())

    def unavailable(self, error: Exception) -> StoreUnavailableError:
        """The error that says this store cannot be reached or used, and why."""
        return unavailable(self._settings, error)

    def require_initialised(self, recorder: Recorder) -> None:
        """Refuse to work on a database whose tables were never created (``db init``)."""
        try:
            recorder.max_notification_id()  # type: ignore[attr-defined]
        except PersistenceError as error:
            text = str(error)
            if "no such table" in text or "does not exist" in text:
                raise StoreNotInitialisedError(
                    f"the ledger's tables do not exist in {self._settings.describe()}; run "
                    "'claims-ledger db init' first"
                ) from error
            raise unavailable(self._settings, error) from error
        if self._personal is not None:
            self._personal.require_master_key()

    def qualified_events_table(self, recorder: Recorder) -> str:
        """The log's table name as SQL names it (schema-qualified on PostgreSQL)."""
        table: str = recorder.events_table_name  # type: ignore[attr-defined]
        if self._settings.is_postgres:
            schema = self._settings.env.get("POSTGRES_SCHEMA") or "public"
            return f'"{schema}"."{table}"'
        return table

    def stored_at(self, recorder: Recorder, keys: Iterable[tuple[UUID, int]]
                  ) -> dict[tuple[UUID, int], StoredRow]:
        """The rows stored at these (aggregate id, version) pairs, absent pairs left out."""
        return stored_at(recorder.datastore,  # type: ignore[attr-defined]
                         self.qualified_events_table(recorder), self._settings.is_postgres, keys)

    def first_events(self, recorder: Recorder, mapper: Mapper[UUID], ids: Iterable[UUID]
                     ) -> dict[UUID, Any]:
        """The creation event of each aggregate that exists, read in bulk."""
        return first_events(recorder.datastore,  # type: ignore[attr-defined]
                            self.qualified_events_table(recorder), mapper,
                            self._settings.is_postgres, ids)

    def event_positions(self, recorder: Recorder, aggregate_id: UUID
                        ) -> list[tuple[int, int, str]]:
        """(version, log position, topic) of every event of one aggregate, in version order."""
        return event_positions(recorder.datastore,  # type: ignore[attr-defined]
                               self.qualified_events_table(recorder),
                               self._settings.is_postgres, aggregate_id)

    def positions_of(self, recorder: Recorder, ids: Iterable[UUID]
                     ) -> list[tuple[UUID, int, int]]:
        """(aggregate id, version, log position) of every event of these aggregates, in log
        order."""
        return positions_of(recorder.datastore,  # type: ignore[attr-defined]
                            self.qualified_events_table(recorder), self._settings.is_postgres,
                            ids)

    def mentioning(self, recorder: Recorder, topics: tuple[str, ...], texts: tuple[bytes, ...]
                   ) -> list[Notification]:
        """The events of ``topics`` whose stored bytes hold any of ``texts``, in log order."""
        return mentioning(recorder.datastore,  # type: ignore[attr-defined]
                          self.qualified_events_table(recorder), self._settings.is_postgres,
                          topics, texts)


def open_ledger(settings: StoreSettings | None = None, *, ready: bool = False,
                clock: Clock | None = None, ids: IdSource | None = None,
                rule_book: RuleBook | None = None, secrets: RandomBytes | None = None
                ) -> Ledger:
    """The ledger on the store of ``settings`` (default: ``LEDGER_DATABASE_URL``).

    ``ready``: refuse at once, in plain words, a database that is not there or was never
    initialised (closing what was opened) rather than on the first command; the caller closes
    the ledger. ``clock`` and ``ids``: what the ledger stamps events with and names new
    records with (default: the real UTC clock and random ids). ``rule_book``: the benefit rule
    sets claims are decided under and drift reads (default: ``LEDGER_RULE_BOOK``, the real book
    when unset). ``secrets``: where data keys and nonces come from (default: the operating
    system's randomness; the demo gives a seeded source)."""
    from storage.store import require_reachable

    chosen = settings or settings_from_environment()
    if ready:
        require_reachable(chosen)
    ledger = Ledger(SqlLogIndex(chosen), clock=clock, ids=ids,
                    rule_book=rule_book or rule_book_from_environment(), secrets=secrets)
    if ready:
        try:
            ledger.require_initialised()
        except LedgerError:
            ledger.close()
            raise
    return ledger


def settings_of(ledger: Ledger) -> StoreSettings:
    """The settings a ledger opened by :func:`open_ledger` was opened with."""
    settings = ledger.settings
    if not isinstance(settings, StoreSettings):
        raise TypeError("this ledger was not opened by storage.open_ledger")
    return settings


def datastore_of(ledger: Ledger) -> Any:
    """The library's datastore (connection pool) under a ledger opened by :func:`open_ledger`,
    for the operational tables kept beside the log (kept answers, console sessions)."""
    return ledger.recorder.datastore  # type: ignore[attr-defined]
