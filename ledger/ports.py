"""What the application service needs of its store beyond the library's recorder: a port.

The service (:class:`~ledger.application.Ledger`) speaks to the event store through the
eventsourcing library; the few things that take SQL of one dialect or another (a bulk read of
creation events, a look at the rows stored at some keys, whether the tables exist, how to wait
for a database that is down) are asked of a :class:`LogIndex`, which ``storage`` implements for
SQLite and PostgreSQL. So the domain imports no database driver and nothing from ``storage``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    Mapper,
    Notification,
    Recorder,
    Transcoder,
)

from ledger.clock import IdSource, RandomBytes
from ledger.errors import StoreUnavailableError

#: A stored row as the check for a save's own rows needs it: (log position, topic, state).
StoredRow = tuple[int, str, bytes]


class StoreConfig(Protocol):
    """The store's settings as the service reads them (``storage.settings.StoreSettings``)."""

    @property
    def env(self) -> Mapping[str, str]:
        """The library's settings (persistence module, paths, schema, cipher)."""

    @property
    def is_postgres(self) -> bool:
        """Whether the log lives in PostgreSQL (else in an embedded SQLite file)."""

    def describe(self) -> str:
        """The store in words, without secrets (for messages)."""


class LogIndex(Protocol):
    """The store-specific reads and checks the service delegates (one per store kind)."""

    @property
    def settings(self) -> StoreConfig:
        """The settings the store was opened with."""

    def prepare(self, factory: InfrastructureFactory) -> None:
        """Adjust the library's infrastructure before the recorder is made (bounded waits)."""

    def recorder(self, made: ApplicationRecorder) -> ApplicationRecorder:
        """The recorder the library's factory made, as this store uses it (its statements
        rendered once)."""

    def personal_data(self, factory: InfrastructureFactory, ids: IdSource,
                      random_bytes: RandomBytes) -> PersonalData:
        """The store's keyed NIK index and data keys (made once, before the mapper): new
        subjects named by ``ids``, new keys and nonces from ``random_bytes``."""

    def mapper(self, factory: InfrastructureFactory, transcoder: Transcoder) -> Mapper[UUID]:
        """The application's mapper: each event's personal fields sealed under their data
        subject's key (after :meth:`personal_data`)."""

    def unavailable(self, error: Exception) -> StoreUnavailableError:
        """The error that says this store cannot be reached or used, and why."""

    def require_initialised(self, recorder: Recorder) -> None:
        """Refuse, in plain words, a store whose tables were never created."""

    def qualified_events_table(self, recorder: Recorder) -> str:
        """The log's table name as SQL names it (schema-qualified on PostgreSQL)."""

    def stored_at(self, recorder: Recorder, keys: Iterable[tuple[UUID, int]]
                  ) -> dict[tuple[UUID, int], StoredRow]:
        """The rows stored at these (aggregate id, version) pairs, absent pairs left out."""

    def first_events(self, recorder: Recorder, mapper: Mapper[UUID], ids: Iterable[UUID]
                     ) -> dict[UUID, Any]:
        """The creation event of each aggregate that exists, read in bulk."""

    def event_positions(self, recorder: Recorder, aggregate_id: UUID
                        ) -> list[tuple[int, int, str]]:
        """(version, log position, topic) of every event of one aggregate, in version order."""

    def positions_of(self, recorder: Recorder, ids: Iterable[UUID]
                     ) -> list[tuple[UUID, int, int]]:
        """(aggregate id, version, log position) of every event of these aggregates, in log
        order, read in bulk."""

    def mentioning(self, recorder: Recorder, topics: tuple[str, ...], texts: tuple[bytes, ...]
                   ) -> list[Notification]:
        """The events of ``topics`` whose stored bytes hold any of ``texts``, in log order,
        found by the database in one pass (for stores that keep events as plain JSON)."""


class PersonalData(Protocol):
    """The keyed NIK index and the data subjects' keys, which ``storage`` keeps outside the log.

    Every holder of a NIK whose personal fields the ledger records (a member, an heir, a
    scholarship child) is a *data subject* with an id of its own, drawn at random (from the
    service's id source), never derived from the NIK. The index finds a subject by the HMAC of
    the normalised NIK under the index key; each subject's personal fields are sealed under the
    subject's own data key. Erasure destroys the key and the index row, and nothing else.
    """

    def subject_of(self, nik: str) -> UUID | None:
        """The subject whose NIK this is, or None if the index holds no such NIK."""

    def subject_for(self, nik: str) -> UUID:
        """The subject whose NIK this is, given a new id if the index has none. Two processes
        asking at once for the same new NIK both get the same id (the index is unique)."""

    def subjects_for(self, niks: Iterable[str]) -> dict[str, UUID]:
        """:meth:`subject_for` for many NIKs in one round trip (the bulk import)."""

    def subjects_with_keys(self, niks: Iterable[str], hmacs: Sequence[str] | None = None,
                           ) -> tuple[dict[str, UUID], dict[UUID, bytes | None], set[UUID]]:
        """:meth:`subjects_for` and each subject's data key, made where missing (None:
        destroyed), and the subjects this call claimed (new: no event names them yet);
        ``hmacs``: the NIKs already keyed (by an import's worker processes). On PostgreSQL a
        new NIK's subject and key are made in one statement, so the save that seals their
        fields next finds the key made and reads none."""

    def is_erased(self, subject_id: UUID) -> bool:
        """Whether this subject's data key was destroyed."""

    def erase(self, subject_id: UUID, nik: str) -> ErasedData:
        """Destroy the subject's data key and the NIK's index row (idempotent)."""

    def notice_erasures(self) -> None:
        """See the keys other processes destroyed since the last look (at most one small
        query per interval), forgetting them (and calling the :meth:`on_forgotten` hooks)."""

    def on_forgotten(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` whenever a data key this process held is found destroyed."""


class ErasedData(Protocol):
    """What an erasure destroyed, as the command reports it."""

    @property
    def data_key(self) -> bool:
        """Whether a data key was there and is now destroyed."""

    @property
    def index_rows(self) -> int:
        """How many index rows (of the NIK) were removed."""
