"""Bulk enrolment from a roster: every row checked by the ledger's own rules, batches saved whole.

Each row becomes an :class:`~ledger.enrolment.EnrolmentRequest` and meets the same checks as
``Ledger.enrol``: :func:`~ledger.eligibility.require_eligible` (NIK, KK, name, region, address,
decile, occupation, branch, period) and :meth:`~ledger.person.Person.require_enrollable` (already
covered elsewhere, BPJS exclusion, deceased), decided for each row by the service's own
:func:`~ledger.enrolling.decide` (new member, enrol, already enrolled, refused): this module only
reads the people in bulk, encodes and writes. The rows that pass are enrolled in batches, each
batch one ``save()``: one transaction, all or nothing. The people of a batch are read in one
query (not one per row); when another writer changes one of them between that read and the save
(another upload enrolling the same NIK), the store refuses the whole batch (optimistic
concurrency); the batch is then saved again without the rows whose people changed, and those
rows are decided again on what the log now says: enrolled by that other upload in this programme
("already enrolled"), refused (covered elsewhere now, with the reason), or enrolled after all.

A batch whose write is cut by the database (a restart) is written again, until
:data:`~storage.settings.IMPORT_PATIENCE_SECONDS`; if its first write did reach the log, that is
recognised (the rows there are byte for byte the batch's) and it counts as saved, once. When the
database stays away longer, the import stops with one plain line that names the last batch it
recorded; the same import run again continues from there.

Re-running a file is safe: a NIK already enrolled in this programme is counted as "already
enrolled", not as an error. A NIK that appears twice in the file is reported at every occurrence
after the first, naming the first row.
"""

from __future__ import annotations

import contextvars
import logging
import multiprocessing
import signal
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from intake.reasons import indonesian
from intake.roster import (
    MEMBER_COLUMNS,
    MEMBER_REQUIRED,
    Sheet,
    SheetRow,
    normalise_header,
    read_sheet,
)
from ledger.clock import new_id, random_ids_in_force
from ledger.eligibility import require_eligible
from ledger.enrolling import AlreadyEnrolled, NewMember, Refused, decide
from ledger.enrolment import EnrolmentRequest
from ledger.errors import InvalidInputError, LedgerError, NotEligibleError
from ledger.identity import mask_nik, parse_nik
from ledger.occupations import OCCUPATIONS
from ledger.person import Person
from ledger.programme import Programme
from ledger.regions import REGIONS
from storage.bulk_append import PostgresAppender, copy_tuples, parse_tuples
from storage.bulk_random import aggregate_ids
from storage.new_members import NewMemberEncoder, new_member_events
from storage.outage import TRANSIENT_ERRORS, JobInterruptedError, retrying
from storage.personal import normalised_nik
from storage.sealed_members import Parts, SealedMemberEncoder
from storage.settings import IMPORT_PATIENCE_SECONDS

BATCH_SIZE = 1000
#: Worker processes that check rows and encode new members on PostgreSQL (0: all in this one).
WORKERS = 2
#: The rule name of a row that appears again in the same file.
DUPLICATE_IN_FILE = "duplicate-in-file"
#: The rule name of a row whose batch another writer spoiled between check and save.
BATCH_NOT_SAVED = "batch-not-saved"
#: How often a batch refused because of rows another writer changed is saved again without them.
CONFLICT_RETRIES = 8

log = logging.getLogger("claims_ledger.import")


class RowError(InvalidInputError):
    """A cell of a roster row that cannot be read (a decile "empat", a date "31/02/2025")."""

    rule = "invalid-row"

    def __init__(self, message: str, *, field: str | None = None,
                 reason_id: str | None = None) -> None:
        super().__init__(message, field=field)
        #: The Indonesian sentence, when the case is narrower than its field's (see reasons).
        self.reason_id = reason_id


@dataclass(frozen=True)
class ImportOptions:
    """What the rows do not say themselves: the enrolment date, branch and register."""

    enrolled_on: date
    branch: str | None = None
    register: str = "DTSEN"
    register_snapshot: date | None = None


@dataclass(frozen=True)
class RejectedRow:
    """A row not enrolled: where it is, what it says, and why in both languages."""

    row: int
    cells: tuple[str, ...]
    nik: str
    rule: str
    reason_en: str
    reason_id: str

    def as_record(self) -> dict[str, Any]:
        return {"row": self.row, "nik": mask_nik(self.nik) if self.nik else "",
                "rule": self.rule, "reason_id": self.reason_id, "reason_en": self.reason_en}


@dataclass
class ImportSummary:
    """The counts a clerk reads after an import."""

    rows: int = 0
    enrolled: int = 0
    already_enrolled: int = 0
    rejected: int = 0
    batches: int = 0
    failed_batches: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    last_position: int | None = None

    def as_record(self) -> dict[str, Any]:
        return {"rows": self.rows, "enrolled": self.enrolled,
                "already_enrolled": self.already_enrolled, "rejected": self.rejected,
                "batches": self.batches, "failed_batches": self.failed_batches,
                "rejected_by_rule": dict(sorted(self.by_rule.items())),
                "position": self.last_position}


def read_roster(path: Any) -> Sheet:
    """Open a roster file; refuses (recording nothing) a file without the needed columns."""
    from pathlib import Path

    return read_sheet(Path(path), MEMBER_COLUMNS, MEMBER_REQUIRED)


def reject(row: SheetRow, nik: str, error: LedgerError) -> RejectedRow:
    return RejectedRow(row.number, row.cells, nik, error.rule, error.message,
                       indonesian(error))


# -- reading cells --------------------------------------------------------------------------------


def _date(text: str, label: str, field_name: str) -> date:
    value = text.strip()
    for parse in (_iso, _dmy):
        found = parse(value)
        if found is not None:
            return found
    raise RowError(f"{label} '{value}' is not a date (write 2025-03-24 or 24/03/2025)",
                   field=field_name)


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _dmy(value: str) -> date | None:
    for separator in ("/", "-", "."):
        parts = value.split(separator)
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


_LABEL_TO_OCCUPATION = {label.lower(): code for code, label in OCCUPATIONS.items()}
_SEX = {"l": "M", "laki_laki": "M", "laki-laki": "M", "laki laki": "M", "pria": "M", "m": "M",
        "male": "M", "p": "F", "perempuan": "F", "wanita": "F", "f": "F", "female": "F"}


def occupation_code(text: str) -> str:
    """``"Pengemudi ojek"`` or ``"ojek"`` -> ``"ojek"`` (unknown text is kept as written)."""
    value = text.strip()
    lowered = value.lower()
    if lowered in OCCUPATIONS:
        return lowered
    return _LABEL_TO_OCCUPATION.get(lowered, lowered.replace(" ", "_"))


def district_code(text: str, region: str) -> str:
    """A district code as written, or the code of a district name of the programme's region."""
    value = text.strip()
    if value[:1].isdigit():
        return value
    known = REGIONS.get(region)
    if known is not None:
        for code, name in known.districts.items():
            if name.lower() == value.lower():
                return code
    return value


class RowReader:
    """Turns roster rows into enrolment requests for one programme."""

    def __init__(self, sheet: Sheet, programme: Programme, options: ImportOptions) -> None:
        self.sheet = sheet
        self.programme = programme
        self.options = options
        self.branch = options.branch or (programme.branches[0] if programme.branches else "")

    def request(self, row: SheetRow) -> EnrolmentRequest:
        get = self.sheet.value
        district = district_code(get(row, "district"), self.programme.funder_region)
        decile_text = get(row, "decile")
        try:
            decile = int(decile_text)
        except ValueError:
            raise RowError(f"decile '{decile_text}' is not a whole number 1-10",
                           field="decile") from None
        enrolled_on = (_date(get(row, "enrolled_on"), "enrolment date", "enrolled_on")
                       if get(row, "enrolled_on") else self.options.enrolled_on)
        snapshot_text = get(row, "register_snapshot")
        snapshot = (_date(snapshot_text, "register date", "register_snapshot") if snapshot_text
                    else self.options.register_snapshot or enrolled_on)
        request = EnrolmentRequest(
            nik=get(row, "nik"), kk=get(row, "kk"), name=get(row, "name"),
            region=district[:5] if district[:1].isdigit() else self.programme.funder_region,
            district=district, village=get(row, "village"),
            occupation=occupation_code(get(row, "occupation")), decile=decile,
            register=(get(row, "register") or self.options.register).upper(),
            register_snapshot=snapshot, branch=get(row, "branch") or self.branch,
            enrolled_on=enrolled_on)
        self._check_stated_identity(row, request)
        return request

    def _check_stated_identity(self, row: SheetRow, request: EnrolmentRequest) -> None:
        """The birth date and sex written on the row must be the ones the NIK encodes."""
        nik = request.parsed_nik()
        born = self.sheet.value(row, "birth_date")
        if born and _date(born, "birth date", "birth_date") != nik.birth_date:
            raise RowError(
                f"the birth date {born} does not match the NIK {mask_nik(nik.value)}, which "
                f"says {nik.birth_date.isoformat()}", field="birth_date")
        sex = self.sheet.value(row, "sex")
        if sex:
            stated = _SEX.get(sex.strip().lower())
            if stated is None:
                raise RowError(f"sex '{sex}' is not L (laki-laki) or P (perempuan)",
                               field="sex")
            if stated != nik.sex:
                raise RowError(
                    f"the row says {'female' if stated == 'F' else 'male'}, but the NIK "
                    f"{mask_nik(nik.value)} is a {'woman' if nik.sex == 'F' else 'man'}'s",
                    field="sex")


# -- reading people in bulk -------------------------------------------------------------------


def people(ledger: Any, niks: Sequence[str],
           ids: Sequence[str] | None = None) -> dict[str, Person]:
    """The current state of the persons with these NIKs, read in one query per 900 NIKs
    (``ids``: their person ids as text, when already known; else the NIKs' data subjects from
    the keyed index, new ones made there in one round trip)."""
    if ids is None:
        subjects = ledger.personal.subjects_for(niks)
        keys = [str(subjects[nik]) for nik in niks]
    else:
        keys = list(ids)
    by_id = dict(zip(keys, niks, strict=True))
    found: dict[str, Person] = {}
    table = ledger.qualified_events_table
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as cursor:
        for start in range(0, len(keys), 900):
            chunk = keys[start:start + 900]
            if ledger.settings.is_postgres:
                cursor.execute(  # ids as text: psycopg dumps a list of UUID objects slowly
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    "WHERE originator_id = ANY(%s::uuid[]) "
                    "ORDER BY originator_id, originator_version", (chunk,))
            else:
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    f"WHERE originator_id IN ({marks}) "
                    "ORDER BY originator_id, originator_version", [UUID(k).hex for k in chunk])
            states: dict[UUID, Any] = {}
            for row in cursor.fetchall():
                event: Any = ledger.mapper.to_domain_event(StoredEvent(
                    originator_id=UUID(str(row["originator_id"])),
                    originator_version=int(row["originator_version"]),
                    topic=str(row["topic"]), state=bytes(row["state"])))
                key = UUID(str(event.originator_id))
                states[key] = event.mutate(states.get(key))
            for key, aggregate in states.items():
                if isinstance(aggregate, Person):
                    found[by_id[str(key)]] = aggregate
    return found


# -- the import -------------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A row that passed every check of its own. From a worker process: no request (it is
    read again only if the person turns out to be in the store), but what sealing the new
    member's three events needs besides its subject and key (see
    :meth:`~storage.sealed_members.SealedMemberEncoder.parts`)."""

    row: SheetRow
    request: EnrolmentRequest | None
    nik: str
    person: str | None = None
    tails: Parts | None = None
    #: The data key of the person (a new member's, when sealed directly; None: not known).
    key: bytes | None = None
    #: The version of the person when the batch was decided (None: not in the store then); a
    #: batch refused by the store is saved again without the rows whose person moved on.
    known: int | None = None
    #: The NIK keyed as the index keys it (a worker's, when sealing; else made here).
    nik_hmac: str | None = None
    #: ``person`` as the id it is, when this process resolved it (not parsed again).
    subject: UUID | None = None


#: What :meth:`RosterImport._resolve` found of a batch: the people already in the store, by NIK.
_Resolved = dict[str, Person]


@dataclass
class _Prepared:
    """A checked batch: its rows' count, the rows refused so far, the rows to enrol and their
    events (domain events; on PostgreSQL already encoded as stored events)."""

    rows: int
    rejected: list[RejectedRow]
    batch: list[_Candidate] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    #: With worker processes: the batch's rows as ``COPY`` tuples, in log order, one entry per
    #: member of ``batch``.
    tuples: list[bytes] | None = None
    #: Without: how many of ``events`` each member of ``batch`` has (in the same order).
    sizes: list[int] = field(default_factory=list)
    #: The first and last row numbers of the chunk of the file this batch came from.
    span: tuple[int, int] = (0, 0)


@dataclass
class _Pending:
    """A batch sent to be saved; ``saved`` gives its last log position, or raises."""

    prepared: _Prepared
    saved: Future[int | None] | None = None


def _chunks(rows: Iterable[SheetRow], size: int) -> Iterator[list[SheetRow]]:
    chunk: list[SheetRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


Progress = Callable[[int], None]


class RosterImport:
    """One roster into one programme: check every row, enrol the good ones batch by batch."""

    def __init__(self, ledger: Any, code: str, actor: str, options: ImportOptions,
                 batch_size: int = BATCH_SIZE, progress: Progress | None = None,
                 before_save: Callable[[list[str]], None] | None = None,
                 workers: int | None = None,
                 patience: float = IMPORT_PATIENCE_SECONDS) -> None:
        self.ledger = ledger
        #: How long a batch waits for the database to come back before the import stops.
        self.patience = patience
        #: The last batch recorded: its chunk's rows and its last log position.
        self.last_saved: tuple[tuple[int, int], int | None] | None = None
        #: The last row of the file that is done (recorded, refused or skipped).
        self.done_through = 1
        self.summary = ImportSummary()
        try:
            self.programme: Programme = retrying(lambda: ledger.programme(code), patience)
        except TRANSIENT_ERRORS as error:
            raise self._interrupted(error) from error
        self.programme.require_open()
        self.actor = actor
        self.options = options
        self.batch_size = batch_size
        self.progress = progress
        #: Called with a batch's NIKs after they were checked and before they are saved.
        self.before_save = before_save
        self.first_row: dict[str, int] = {}
        self.appender = PostgresAppender(ledger.recorder) if ledger.settings.is_postgres else None
        #: On PostgreSQL new members' events are made directly as stored events.
        self.encoder = NewMemberEncoder(ledger.mapper) if self.appender is not None else None
        #: With the sealing mapper, new members are sealed directly (workers make what needs
        #: no key; this process resolves the batch's subjects and keys in bulk and seals).
        self.sealed = (SealedMemberEncoder(ledger.mapper) if self.appender is not None
                       else None)
        if self.sealed is not None and not self.sealed.fast:
            self.sealed = None
        #: Processes that check rows (PostgreSQL only; SQLite saves through the library in this
        #: process). A new member's data subject is in the keyed index, which the workers do
        #: not reach: they hand over the parts that need no subject nor key.
        self.workers = ((WORKERS if workers is None else workers)
                        if self.appender is not None and self.encoder is not None else 0)
        self._reader: RowReader | None = None
        #: The ids of the enrolments a batch makes (see _enrol).
        self._enrolment_ids: Iterator[UUID] = iter(())

    def run(self, sheet: Sheet) -> Iterator[RejectedRow]:
        """Import the sheet; yields every rejected row (in row order within each batch).

        On PostgreSQL a batch is written by a second thread while this one checks and encodes
        the next batch; a batch is still sent only after the one before it has committed (or
        failed), so batches are recorded one after another exactly as without the thread."""
        reader = self._reader = RowReader(sheet, self.programme, self.options)
        # A roster of one batch is not worth forking for (an upload of a few rows).
        several = sheet.total is None or sheet.total > self.batch_size
        pool = self._start_workers(reader) if self.workers > 0 and several else None
        writer = ThreadPoolExecutor(1, "roster-writer") if self.appender is not None else None
        pending: _Pending | None = None
        finished = False
        prepared_batches: Generator[_Prepared, None, None] | None = None
        try:
            prepared_batches = (self._prepared_by_workers(pool, reader, sheet)
                                if pool is not None else (self._prepare(reader, rows)
                                      for rows in _chunks(sheet.rows, self.batch_size)))
            try:
                for prepared in prepared_batches:
                    if pending is not None:
                        yield from self._finish(pending)
                        pending = None
                    pending = self._submit(prepared, writer)
            except TRANSIENT_ERRORS as error:  # reading the next batch's people gave up
                if pending is not None:  # settle the batch being written: was it recorded?
                    yield from self._finish(pending)
                raise self._interrupted(error) from error
            if pending is not None:
                yield from self._finish(pending)
            finished = True
        finally:
            # Closed here, not left to the garbage collector: an error raised on this side
            # (the writer's, a hook's) keeps this frame alive in its traceback, and with it the
            # suspended batches and the thread that resolves them.
            if prepared_batches is not None:
                prepared_batches.close()
            if writer is not None:
                writer.shutdown(wait=True)
            if pool is not None:
                if finished:  # idle workers leave on their own
                    pool.close()
                else:  # an error, or the caller stopped early: SIGTERM (default action)
                    pool.terminate()
                pool.join()

    def _start_workers(self, reader: RowReader) -> Any:
        """Fork the worker processes (before the writer thread starts): each inherits the
        reader, the programme and the encoder, and touches no connection."""
        global _WORKER
        assert self.encoder is not None and self.appender is not None
        _WORKER = _RowWorker(reader, self.programme, self.options.enrolled_on, self.sealed,
                             self.actor)
        try:
            return multiprocessing.get_context("fork").Pool(self.workers,
                                                            initializer=_worker_signals)
        finally:
            _WORKER = None

    def _prepared_by_workers(self, pool: Any, reader: RowReader,
                             sheet: Sheet) -> Generator[_Prepared, None, None]:
        """Batches checked by the workers, taken back in file order (a few ahead in flight).

        With production's randomness (see :meth:`_resolves_ahead`), a batch's subjects, keys
        and people are resolved by a second thread while this one decides and seals the batch
        before it: that thread mostly waits on PostgreSQL (claiming 1,000 subjects with their
        keys takes the server 20-40 ms), and this one no longer waits with it."""
        inflight: deque[tuple[list[SheetRow], Any]] = deque()
        chunks = _chunks(sheet.rows, self.batch_size)
        ahead = self.workers + 1
        resolver = (ThreadPoolExecutor(1, "roster-resolver") if self._resolves_ahead()
                    else None)
        waiting: tuple[_Prepared, list[_Candidate], Future[_Resolved]] | None = None

        def checked(done: list[SheetRow], outcomes: list[Any]) -> Iterator[_Prepared]:
            nonlocal waiting
            prepared, candidates = self._checked(done, outcomes)
            if resolver is None:
                if candidates:
                    self._enrol(candidates, prepared, reader)
                yield prepared
                return
            # The batch before is resolved first: one that failed (the database away for the
            # import's patience) raises here, and no other resolution is started after it.
            before, waiting = waiting, None
            resolved = before[2].result() if before is not None else {}
            resolving = resolver.submit(contextvars.copy_context().run, self._resolve,
                                        candidates)
            waiting = (prepared, candidates, resolving)
            if before is not None:
                yield self._decided(reader, before[0], before[1], resolved)

        try:
            for rows in chunks:
                inflight.append((rows, pool.apply_async(
                    _check_in_worker, ([(r.number, r.cells) for r in rows],))))
                if len(inflight) > ahead:
                    done, result = inflight.popleft()
                    yield from checked(done, result.get())
            while inflight:
                done, result = inflight.popleft()
                yield from checked(done, result.get())
            if waiting is not None:
                last, waiting = waiting, None
                yield self._decided(reader, last[0], last[1], last[2].result())
        finally:
            if resolver is not None:  # no thread reads the store once the import is over
                resolver.shutdown(wait=True, cancel_futures=True)

    def _resolves_ahead(self) -> bool:
        """Whether the next batch may be resolved while this one is sealed: only with sealing
        and production's randomness. A story's seeded ids and secrets (the demo's) are drawn in
        one fixed order, claim by claim and seal by seal, so that its log is the same bytes run
        to run; there the batches are resolved in turn."""
        return (self.sealed is not None and random_ids_in_force()
                and not getattr(self.ledger.personal, "seeded", True))

    def _decided(self, reader: RowReader, prepared: _Prepared, candidates: list[_Candidate],
                 resolved: _Resolved) -> _Prepared:
        """A checked batch decided and sealed with its resolution (another thread's)."""
        if candidates:
            self._enrol(candidates, prepared, reader, resolved)
        return prepared

    def _checked(self, rows: list[SheetRow], outcomes: list[Any],
                 ) -> tuple[_Prepared, list[_Candidate]]:
        """A batch a worker checked, with the file-wide duplicate check made here, in file
        order: the batch with its refused rows, and the rows to decide."""
        rejected: list[RejectedRow] = []
        candidates: list[_Candidate] = []
        for row, outcome in zip(rows, outcomes, strict=True):
            self.summary.rows += 1
            if isinstance(outcome, RejectedRow):  # the NIK itself is refused
                rejected.append(outcome)
                continue
            nik, result, tuples, nik_hmac = outcome
            duplicate = self._duplicate(row, nik)
            if duplicate is not None:
                rejected.append(duplicate)
            elif isinstance(result, RejectedRow):
                rejected.append(result)
            else:
                candidates.append(_Candidate(row, None, nik, result, tuples,
                                             nik_hmac=nik_hmac))
        prepared = _Prepared(len(rows), rejected, tuples=[],
                             span=(rows[0].number, rows[-1].number))
        return prepared, candidates

    def _prepare(self, reader: RowReader, rows: list[SheetRow]) -> _Prepared:
        """Check every row of a batch and build (and on PostgreSQL encode) its events."""
        rejected: list[RejectedRow] = []
        candidates: list[_Candidate] = []
        for row in rows:
            self.summary.rows += 1
            outcome = self._check(reader, row)
            if isinstance(outcome, RejectedRow):
                rejected.append(outcome)
            else:
                candidates.append(outcome)
        prepared = _Prepared(len(rows), rejected, span=(rows[0].number, rows[-1].number))
        if candidates:
            self._enrol(candidates, prepared)
        self._encode(prepared)
        return prepared

    def _encode(self, prepared: _Prepared) -> None:
        """On PostgreSQL, the batch's domain events as stored events for the writer."""
        if self.appender is not None and prepared.events:
            to_stored = self.ledger.mapper.to_stored_event
            prepared.events = [e if type(e) is StoredEvent else to_stored(e)
                               for e in prepared.events]

    def _submit(self, prepared: _Prepared, writer: ThreadPoolExecutor | None) -> _Pending:
        """Start saving a checked batch: one transaction, all or nothing."""
        pending = _Pending(prepared)
        if not prepared.batch:
            return pending
        if self.before_save is not None:
            self.before_save([c.nik for c in prepared.batch])
        self.summary.batches += 1
        if writer is None or self.appender is None:
            pending.saved = Future()
            try:
                pending.saved.set_result(self._write(prepared))
            except Exception as error:  # raised where the threaded writer's would be
                pending.saved.set_exception(error)
        else:
            pending.saved = writer.submit(self._write, prepared)
        return pending

    def _write(self, prepared: _Prepared) -> int | None:
        """Write a batch in one transaction; its last log position. A write cut by the
        database is written again until the import's patience runs out (then the connection
        error is raised); if the cut write had reached the log after all, the batch's rows are
        found there byte for byte and it counts as written."""
        interrupted = False

        def attempt() -> int | None:
            try:
                return self._write_once(prepared)
            except IntegrityError:
                # Without the COPY writer the ledger's own save recognises its rows itself.
                if not interrupted or self.appender is None:
                    raise
                positions: list[int] | None = self.ledger.recorded_already(
                    self._stored(prepared))
                if positions is None:
                    raise
                log.warning("a batch whose write was cut was found in the log; counted once",
                            extra={"event": "batch-recognised", "rows": list(prepared.span)})
                return max(positions)

        def retried(error: Exception) -> None:
            nonlocal interrupted
            interrupted = True
            log.warning("the database did not answer while writing rows %d-%d (%s); trying "
                        "again", *prepared.span, type(error).__name__)

        return retrying(attempt, self.patience, retried=retried)

    def _write_once(self, prepared: _Prepared) -> int | None:
        if self.appender is None:
            self.ledger.save(*prepared.events)
            position: int | None = self.ledger.last_position()
            return position
        if prepared.tuples is not None:
            return self.appender.append_tuples(b"".join(prepared.tuples))
        return self.appender.append(prepared.events)

    def _stored(self, prepared: _Prepared) -> list[StoredEvent]:
        """The rows a batch writes, as stored events."""
        if prepared.tuples is not None:
            assert self.appender is not None
            return parse_tuples(b"".join(prepared.tuples), self.appender.uuid_ids)
        return list(prepared.events)

    def _finish(self, pending: _Pending) -> Iterator[RejectedRow]:
        """Wait for a batch's save, count it, and yield its rejected rows in row order."""
        prepared = pending.prepared
        if pending.saved is not None:
            try:
                try:
                    saved, position = True, pending.saved.result()
                except IntegrityError:
                    saved, position = self._without_conflicts(prepared)
            except TRANSIENT_ERRORS as error:  # the database stayed away: stop here
                raise self._interrupted(error) from error
            if not saved and prepared.batch:
                self.summary.failed_batches += 1
                prepared.rejected += self._batch_not_saved(prepared.batch)
            elif prepared.batch:
                self.summary.enrolled += len(prepared.batch)
                self.summary.last_position = position
                self.last_saved = (prepared.span, position)
        # recorded: hold the rows no longer
        prepared.events, prepared.tuples, prepared.batch = [], None, []
        self.done_through = max(self.done_through, prepared.span[1])
        for item in sorted(prepared.rejected, key=lambda r: r.row):
            self.summary.rejected += 1
            self.summary.by_rule[item.rule] += 1
            yield item
        if self.progress is not None:
            self.progress(prepared.rows)

    def _check(self, reader: RowReader, row: SheetRow) -> _Candidate | RejectedRow:
        nik = _read_nik(reader, row, self.options.enrolled_on)
        if isinstance(nik, RejectedRow):
            return nik
        duplicate = self._duplicate(row, nik)
        if duplicate is not None:
            return duplicate
        return _eligible(reader, self.programme, row, nik)

    def _duplicate(self, row: SheetRow, nik: str) -> RejectedRow | None:
        """The refusal of a NIK already met on an earlier row of the file (rows in order)."""
        first = self.first_row.setdefault(nik, row.number)
        if first == row.number:
            return None
        return RejectedRow(
            row.number, row.cells, nik, DUPLICATE_IN_FILE,
            f"NIK {mask_nik(nik)} appears again: it is already on row {first} of this "
            "file (each worker once)",
            f"NIK {mask_nik(nik)} muncul lagi: sudah ada di baris {first} berkas ini "
            "(setiap pekerja cukup satu kali)")

    def _resolve(self, candidates: list[_Candidate]) -> _Resolved:
        """What deciding a batch's rows needs of the store (the I/O half of :meth:`_enrol`):
        each candidate's data subject (new ones claimed in the index) and, when sealing, its
        data key, set on the candidate; and the people of the rest as the log has them, by
        NIK."""
        unknown = [c for c in candidates if c.person is None]
        claimed: set[UUID] = set()
        if unknown:  # the NIKs' data subjects (new ones made in the index), and their keys
            asked = [c.nik for c in unknown]
            personal = self.ledger.personal
            if self.sealed is not None:  # with the keys this batch seals under, in bulk
                hmacs = [c.nik_hmac for c in unknown]
                subjects, keys, claimed = retrying(lambda: personal.subjects_with_keys(
                    asked, None if None in hmacs else hmacs), self.patience)
                for candidate in unknown:
                    candidate.key = keys.get(subjects[candidate.nik])
            else:
                subjects = retrying(lambda: personal.subjects_for(asked), self.patience)
                prepare = getattr(self.ledger.mapper, "prepare_keys", None)
                if prepare is not None:
                    retrying(lambda: prepare(list(subjects.values())), self.patience)
            for candidate in unknown:
                candidate.subject = subjects[candidate.nik]
                candidate.person = str(candidate.subject)
        # A subject this batch just claimed is new: no event names it yet, so its person is
        # not read (should another writer record it before this batch, the store refuses the
        # batch and the rows are decided again, see _without_conflicts).
        read = ([c for c in candidates if c.subject not in claimed] if claimed
                else candidates)
        niks = [c.nik for c in read]
        ids = [str(c.person) for c in read]
        return (retrying(lambda: people(self.ledger, niks, ids), self.patience) if read
                else {})

    def _enrol(self, candidates: list[_Candidate], prepared: _Prepared,
               reader: RowReader | None = None, resolved: _Resolved | None = None) -> None:
        """Decide, person by person, who of a batch's checked rows is enrolled, and build the
        events that enrol them (in the order ``save(person, enrolment, ...)`` would have).
        With worker processes, ``prepared.tuples`` gets the rows as ``COPY`` tuples.
        ``resolved``: what :meth:`_resolve` found of these candidates, if it ran already."""
        tuples = prepared.tuples
        known = self._resolve(candidates) if resolved is None else resolved
        programme, actor = self.programme, self.actor
        # new enrolments' ids: production's drawn for the batch at once, else new_id() in turn
        self._enrolment_ids = iter(aggregate_ids(len(candidates)) or ())
        for candidate in candidates:
            person = known.get(candidate.nik)
            candidate.known = None if person is None else person.version
            decision = decide(programme, candidate.nik, person,
                              partial(self._request, candidate, reader), actor)
            if isinstance(decision, AlreadyEnrolled):
                self.summary.already_enrolled += 1
                continue
            if isinstance(decision, Refused):  # the row alone, not the batch
                prepared.rejected.append(reject(candidate.row, candidate.nik, decision.error))
                continue
            prepared.batch.append(candidate)
            if isinstance(decision, NewMember):  # never seen: encoded directly, not built
                self._new_member(candidate, prepared, reader)
                continue
            events = [*decision.person.collect_events(), *decision.enrolment.collect_events()]
            if tuples is not None and self.appender is not None:
                to_stored = self.ledger.mapper.to_stored_event
                tuples.append(copy_tuples([to_stored(e) for e in events],
                                          self.appender.uuid_ids))
            else:
                prepared.events += events
                prepared.sizes.append(len(events))

    @staticmethod
    def _request(candidate: _Candidate, reader: RowReader | None) -> EnrolmentRequest:
        """The row's request (one checked by a worker is read again, here, only when needed)."""
        if candidate.request is None:
            assert reader is not None
            candidate.request = reader.request(candidate.row)
        return candidate.request

    def _new_member(self, candidate: _Candidate, prepared: _Prepared,
                    reader: RowReader | None) -> None:
        """A never-seen worker's three events, from the enrolment's own fields
        (:meth:`~ledger.enrolment.EnrolmentRequest.enrolled_fields`), without aggregates."""
        tuples = prepared.tuples
        if self.sealed is not None and candidate.key is not None and candidate.person:
            parts = candidate.tails
            if parts is None:  # no worker made them (a small roster, or orjson refused)
                parts = self.sealed.parts(candidate.nik, self._request(
                    candidate, reader).enrolled_fields(self.programme, self.actor, ""))
            if parts is not None:  # sealed now, in row order, as the aggregates would be
                person = candidate.subject or UUID(candidate.person)
                enrolment = next(self._enrolment_ids, None) or new_id()
                assert self.appender is not None
                if tuples is not None:  # the person's text made once, in _enrol
                    tuples.append(self.sealed.copy_tuples(
                        person, enrolment, candidate.key, parts, self.appender.uuid_ids,
                        person_text=None if candidate.subject is None else candidate.person))
                else:
                    prepared.events += self.sealed.stored(
                        person, enrolment, candidate.key, parts)
                    prepared.sizes.append(3)
                return
        request = self._request(candidate, reader)
        build = new_member_events if self.encoder is None else self.encoder.stored
        assert candidate.person is not None  # the NIK's data subject (see _enrol)
        registered, started, enrolled = build(
            person=UUID(candidate.person), person_nik=candidate.nik,
            **request.enrolled_fields(self.programme, self.actor, candidate.person))
        if tuples is not None and self.appender is not None:
            tuples.append(copy_tuples((registered, started, enrolled), self.appender.uuid_ids))
        else:
            prepared.events += (registered, started, enrolled)
            prepared.sizes.append(3)

    def _without_conflicts(self, prepared: _Prepared) -> tuple[bool, int | None]:
        """A batch the store refused (another writer changed some of its people between the
        read and the save): save it again without the rows whose people moved on, those rows
        decided again on what the log now says (already enrolled here, refused with the rule,
        or enrolled after all). (saved, last log position); not saved when the conflict
        cannot be placed or keeps coming back."""
        for _ in range(CONFLICT_RETRIES):
            batch = prepared.batch
            ids = ([str(c.person) for c in batch] if all(c.person for c in batch) else None)
            niks = [c.nik for c in batch]
            now = retrying(lambda: people(self.ledger, niks, ids), self.patience)  # noqa: B023
            moved = [now.get(c.nik) is not None and now[c.nik].version != c.known
                     for c in batch]
            if not any(moved):
                return False, None
            kept = _Prepared(prepared.rows, prepared.rejected,
                             tuples=None if prepared.tuples is None else [],
                             span=prepared.span)
            offset = 0
            for index, candidate in enumerate(batch):
                size = 1 if prepared.tuples is not None else prepared.sizes[index]
                if not moved[index]:  # the very rows (and timestamps) decided before
                    kept.batch.append(candidate)
                    if kept.tuples is not None and prepared.tuples is not None:
                        kept.tuples.append(prepared.tuples[index])
                    else:
                        kept.events += prepared.events[offset:offset + size]
                        kept.sizes.append(size)
                offset += size
            self._enrol([c for c, m in zip(batch, moved, strict=True) if m], kept,
                        self._reader)
            self._encode(kept)
            prepared.batch, prepared.tuples = kept.batch, kept.tuples
            prepared.events, prepared.sizes = kept.events, kept.sizes
            if not prepared.batch:  # nothing left to write: every row decided otherwise
                return True, None
            try:
                return True, self._write(prepared)
            except IntegrityError:
                continue
        return False, None

    def _interrupted(self, error: Exception) -> JobInterruptedError:
        """The one line that says the import stopped, what it recorded and how to go on."""
        if self.last_saved is not None:
            (first, last), position = self.last_saved
            recorded = (f"the last batch recorded is rows {first}-{last}"
                        + (f" (log position {position})" if position is not None else ""))
        else:
            recorded = "no batch of this file was recorded"
        log.warning("the import stopped: the database did not answer for %g s (%s: %s)",
                    self.patience, type(error).__name__, str(error).strip().splitlines()[0]
                    if str(error).strip() else "")
        return JobInterruptedError(
            f"the database did not answer for {self.patience:g} s, so the import stopped "
            f"after row {self.done_through} of the file: {recorded}, {self.summary.enrolled} "
            "members enrolled in this run; run the same import again to continue from there "
            "(rows already enrolled are skipped)")

    def _batch_not_saved(self, batch: list[_Candidate]) -> list[RejectedRow]:
        first, last = batch[0].row.number, batch[-1].row.number
        english = (f"rows {first}-{last} were checked, but another writer changed one of their "
                   "people before they were saved, so nothing of this batch was recorded; "
                   "import the file again (rows already enrolled are skipped)")
        bahasa = (f"baris {first}-{last} sudah diperiksa, tetapi data salah satu pekerjanya "
                  "diubah pihak lain sebelum disimpan, sehingga seluruh kelompok ini tidak "
                  "dicatat; impor ulang berkas ini (baris yang sudah terdaftar dilewati)")
        return [RejectedRow(c.row.number, c.row.cells, c.nik, BATCH_NOT_SAVED, english, bahasa)
                for c in batch]


def _read_nik(reader: RowReader, row: SheetRow, on: date) -> str | RejectedRow:
    """The row's NIK, checked and decoded, or the row's refusal."""
    nik_text = reader.sheet.value(row, "nik")
    try:
        return parse_nik(nik_text, on=on).value
    except LedgerError as error:
        return reject(row, nik_text, error)


def _eligible(reader: RowReader, programme: Programme, row: SheetRow,
              nik: str) -> _Candidate | RejectedRow:
    """The row read as a request and checked against every eligibility rule."""
    try:
        request = reader.request(row)
        require_eligible(programme, request)
    except LedgerError as error:
        return reject(row, nik, error)
    return _Candidate(row, request, nik)


# -- worker processes -----------------------------------------------------------------------


class _RowWorker:
    """What a worker process does to a batch: every check of a row that needs no database
    (the NIK, the cells, eligibility), and for each row that passes, the three rows that
    would enrol it as a new member, encoded by the application's mapper rules and ready for
    ``COPY``. The parent still checks duplicates across the file, reads the people, and sends
    an existing person through the aggregates (the worker's rows for them are dropped)."""

    def __init__(self, reader: RowReader, programme: Programme, on: date,
                 sealed: SealedMemberEncoder | None, actor: str) -> None:
        self.reader = reader
        self.programme = programme
        self.on = on
        self.sealed = sealed
        self.actor = actor

    def check(self, rows: list[tuple[int, tuple[str, ...]]]) -> list[Any]:
        """Per row: a ``RejectedRow`` (bad NIK), or ``(nik, RejectedRow, None, None)``, or
        ``(nik, None, sealing parts, the NIK keyed for the index)`` (the parts None when orjson
        refuses a value: the parent then encodes the row; both None without sealing)."""
        reader, programme = self.reader, self.programme
        out: list[Any] = []
        for number, cells in rows:
            row = SheetRow(number, cells)
            nik = _read_nik(reader, row, self.on)
            if isinstance(nik, RejectedRow):
                out.append(nik)
                continue
            outcome = _eligible(reader, programme, row, nik)
            if isinstance(outcome, RejectedRow):
                out.append((nik, outcome, None, None))
                continue
            request = outcome.request
            assert request is not None
            # The person's id is the NIK's data subject, which only the keyed index (in the
            # parent) knows: the parent resolves it and its key, and seals the parts.
            if self.sealed is None:
                out.append((nik, None, None, None))
                continue
            parts = self.sealed.parts(nik, request.enrolled_fields(programme, self.actor, ""))
            # the NIK keyed for the index here too (the worker holds the index key)
            out.append((nik, None, parts, self.sealed.personal.keyed(normalised_nik(nik))))
        return out


#: The worker's job, set in the parent just before the fork (inherited, never pickled).
_WORKER: _RowWorker | None = None


def _worker_signals() -> None:
    """A forked worker dies on SIGTERM whatever handler its parent had (a gunicorn worker's
    only sets a flag) and leaves Ctrl-C to the parent, which then stops it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_in_worker(rows: list[tuple[int, tuple[str, ...]]]) -> list[Any]:
    assert _WORKER is not None, "a roster worker runs only in a process forked by the import"
    return _WORKER.check(rows)


#: The columns an import adds to the rows it refuses, at the end, in this order.
ERROR_COLUMNS = ("Baris asal", "Aturan", "Alasan", "Reason")
_ERROR_NAMES = tuple(normalise_header(c) for c in ERROR_COLUMNS)


def own_columns(sheet: Sheet) -> int:
    """How many leading columns are the sheet's own. An error file of an earlier import, once
    corrected and imported again, ends with the columns that import added (some may have been
    deleted); they are not the roster's and are not carried over a second time."""
    count = len(sheet.headers)
    while (count and len(sheet.headers) - count < len(ERROR_COLUMNS)
           and normalise_header(sheet.headers[count - 1]) in _ERROR_NAMES):
        count -= 1
    return count


def _origin_index(sheet: Sheet) -> int | None:
    """The column holding each row's row number in the original file (an error file's)."""
    for index in range(own_columns(sheet), len(sheet.headers)):
        if normalise_header(sheet.headers[index]) == _ERROR_NAMES[0]:
            return index
    return None


def error_headers(sheet: Sheet) -> list[str]:
    """The error file's columns: the roster's own, then where and why."""
    return [*sheet.headers[:own_columns(sheet)], *ERROR_COLUMNS]


def error_cells(sheet: Sheet, item: RejectedRow) -> list[str]:
    """A refused row as the error file holds it: its own cells, the row it came from in the
    original file (kept from an error file's ``Baris asal``, so the number still points into
    the roster the agency sent after any number of rounds of correction; a row added to an
    error file gets its row in that file), the rule and the reasons."""
    own = own_columns(sheet)
    cells = list(item.cells) + [""] * (len(sheet.headers) - len(item.cells))
    origin = str(item.row)
    index = _origin_index(sheet)
    if index is not None and cells[index].strip().isdigit():
        origin = cells[index].strip()
    return [*cells[:own], origin, item.rule, item.reason_id, item.reason_en]


def require_date_in_period(programme: Programme, sheet: Sheet, options: ImportOptions) -> None:
    """Refuse the import at once when the enrolment date for rows without one is outside the
    programme's period and the sheet has no enrolment-date column (so every row takes it)."""
    if "enrolled_on" in sheet.columns:
        return  # rows may carry their own dates: each is checked as it is read
    day = options.enrolled_on
    if programme.period_start <= day <= programme.period_end:
        return
    raise NotEligibleError(
        f"the enrolment date {day.isoformat()} is outside the period of programme "
        f"{programme.code}, {programme.period_start.isoformat()} to "
        f"{programme.period_end.isoformat()}; every row would be refused, so none was read "
        "and nothing was recorded: give an enrolment date inside the period (--enrolled-on, "
        "or enrolled_on in an upload)", field="enrolled_on")


def import_roster(ledger: Any, code: str, sheet: Sheet, actor: str, options: ImportOptions,
                  on_rejected: Callable[[RejectedRow], None],
                  progress: Progress | None = None, batch_size: int = BATCH_SIZE,
                  before_save: Callable[[list[str]], None] | None = None,
                  workers: int | None = None,
                  patience: float = IMPORT_PATIENCE_SECONDS) -> ImportSummary:
    """Import a roster sheet; each rejected row goes to ``on_rejected``. A default enrolment
    date outside the programme's period, which every row would take, is one refusal before
    anything is read or recorded, not a rejection of every row."""
    job = RosterImport(ledger, code, actor, options, batch_size, progress, before_save,
                       workers, patience)
    require_date_in_period(job.programme, sheet, options)
    for item in job.run(sheet):
        on_rejected(item)
    return job.summary


def iter_rejected(items: Iterable[RejectedRow]) -> list[dict[str, Any]]:
    return [item.as_record() for item in items]
