"""The keyed NIK index and the data subjects' keys: :class:`ledger.ports.PersonalData` on SQLite
and PostgreSQL.

Two tables beside the log, never in it:

``ledger_subject_index (nik_hmac TEXT PRIMARY KEY, subject_id TEXT NOT NULL)``
    HMAC-SHA256 of the normalised NIK under the index key -> the subject's id (drawn from the
    ledger's id source, never derived from the NIK). Get-or-create is one atomic ``INSERT ..
    ON CONFLICT DO NOTHING`` then a ``SELECT``: two enrolments racing on a new NIK get the same
    subject (and so the same Person id, whose version race lets one through).
``ledger_subject_keys (subject_id TEXT PRIMARY KEY, wrapped TEXT NULL, destroyed_at TEXT NULL)``
    each subject's 32-byte data key, AES-GCM-wrapped under the wrapping key (the subject's id
    is the associated data, so a row moved to another subject does not open). Erasure sets
    ``wrapped`` to NULL and ``destroyed_at``; the row stays, so a destroyed key is told apart
    from a key that was never there (a wrong store, or a wrong key: an error).

Unwrapped keys are cached per process and store (:mod:`storage.key_cache`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg.rows import tuple_row

from ledger.clock import IdSource, RandomBytes, random_bytes, random_ids
from ledger.errors import ConfigurationError
from storage.bulk_random import new_ids, wrapped_keys
from storage.key_cache import BULK_AFTER_MISSES, KeyCache, cache_of
from storage.master_key import CHECK_TABLE, MasterKey, load_master_key, missing_key_message
from storage.personal_sql import CLAIM, joined
from storage.settings import StoreSettings

INDEX_TABLE = "ledger_subject_index"
KEYS_TABLE = "ledger_subject_keys"
CHUNK = 900  # below SQLite's default limit of 999 bound parameters


def normalised_nik(nik: str) -> str:
    """A NIK as the index keys it: its digits, without spaces or separators."""
    text = str(nik)
    if text.isdigit():  # already only digits (a roster's NIKs): not rebuilt character by character
        return text
    return "".join(c for c in text if c.isdigit())


@dataclass(frozen=True)
class Erased:
    """What an erasure destroyed (:class:`ledger.ports.ErasedData`)."""

    data_key: bool
    index_rows: int


def personal_statements(settings: StoreSettings) -> list[str]:
    """The tables of the index, the keys and the key check (``db init``)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {_qualified(settings, INDEX_TABLE)} ("
        "nik_hmac TEXT PRIMARY KEY, subject_id TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {_qualified(settings, KEYS_TABLE)} ("
        "subject_id TEXT PRIMARY KEY, wrapped TEXT, destroyed_at TEXT)",
        f"CREATE TABLE IF NOT EXISTS {_qualified(settings, CHECK_TABLE)} ("
        "name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]


def _qualified(settings: StoreSettings, table: str) -> str:
    schema = settings.env.get("POSTGRES_SCHEMA") or "public"
    return f'"{schema}"."{table}"' if settings.is_postgres else table


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))


class SqlPersonalData:
    """The keyed index and the data keys of one store (one per ledger)."""

    def __init__(self, settings: StoreSettings, datastore: Any, ids: IdSource,
                 random_bytes: RandomBytes) -> None:
        self.settings = settings
        self.datastore = datastore
        self.ids = ids
        self.random_bytes = random_bytes
        self._master: MasterKey | None = None
        #: HMAC-SHA256 keyed with the index key, copied for each text (the key's own two
        #: blocks hashed once, not per NIK: half an HMAC's time).
        self._index_mac: Any = None
        self._wrapping: AESGCM | None = None
        self.cache: KeyCache = cache_of(settings)
        self._mark = "%s" if settings.is_postgres else "?"
        self._index = _qualified(settings, INDEX_TABLE)
        self._keys = _qualified(settings, KEYS_TABLE)
        self._check = _qualified(settings, CHECK_TABLE)

    @property
    def seeded(self) -> bool:
        """Whether ids and keys come from a story's seeded sources (the demo's), which must be
        asked in the story's one order, rather than from the operating system."""
        return self.ids is not random_ids or self.random_bytes is not random_bytes

    # -- the master key ----------------------------------------------------------------------

    def require_master_key(self) -> None:
        """Refuse, in plain words and before anything is written, a master key that is missing
        or is not this store's (its key check, written by ``db init``, differs)."""
        if self._master is not None:
            return
        master = load_master_key(self.settings)
        if master is None:
            raise ConfigurationError(missing_key_message(self.settings))
        try:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(f"SELECT value FROM {self._check} WHERE name = 'master'")
                row = cursor.fetchone()
        except Exception as error:  # sqlite3's or psycopg's own error, by the driver
            if "no such table" not in str(error) and "does not exist" not in str(error):
                raise
            row = None
        if row is None:
            raise ConfigurationError(
                f"{self.settings.describe()} has no key check: it was initialised by an older "
                "release or not at all; run 'claims-ledger db init' (nothing was changed)")
        if not hmac.compare_digest(str(row["value"]), master.check):
            raise ConfigurationError(
                f"the master key given is not the key of {self.settings.describe()} (its key "
                "check differs): give the key the store was initialised with; nothing was "
                "changed")
        self._master = master
        self._index_mac = hmac.new(master.index_key, digestmod=hashlib.sha256)
        self._wrapping = AESGCM(master.wrapping_key)

    def keyed(self, text: str) -> str:
        """The HMAC-SHA256 of ``text`` under the index key (hexadecimal): a pseudonym kept in
        clear where a rule or a finding compares personal numbers (a NIK, an account)."""
        self.require_master_key()
        mac = self._index_mac.copy()
        mac.update(text.encode("utf-8"))
        return str(mac.hexdigest())

    # -- the index (PersonalData) ------------------------------------------------------------

    def subject_of(self, nik: str) -> UUID | None:
        """The subject whose NIK this is, or None if the index holds no such NIK."""
        return next(iter(self._lookup([self.keyed(normalised_nik(nik))]).values()), None)

    def subject_for(self, nik: str) -> UUID:
        """The subject of this NIK, given a new id (from the id source) if it has none."""
        return self.subjects_for([nik])[normalised_nik(nik)]

    def subjects_for(self, niks: Iterable[str]) -> dict[str, UUID]:
        """:meth:`subject_for` for many NIKs: one read, one insert of the new ones, one read of
        what the insert could not claim (another writer's). Keyed by the normalised NIK."""
        by_hmac = {self.keyed(n): n for n in dict.fromkeys(normalised_nik(n) for n in niks)}
        found = self._lookup(list(by_hmac))
        missing = [h for h in by_hmac if h not in found]
        if missing:
            offered = {h: self.ids() for h in missing}  # drawn in the order the NIKs came
            claimed: set[str] | None = set()
            with self.datastore.transaction(commit=True) as cursor:
                for chunk in self._chunks(missing):
                    inserted = self._insert_ignoring(cursor, self._index, "nik_hmac, subject_id",
                                                     [(h, str(offered[h])) for h in chunk])
                    claimed = None if inserted is None or claimed is None else (
                        claimed | inserted)
            if claimed is not None:  # ours; the rest another writer's, read back
                found.update((h, offered[h]) for h in claimed)
                missing = [h for h in missing if h not in claimed]
            if missing:
                found.update(self._lookup(missing))
        return {nik: found[h] for h, nik in by_hmac.items()}

    def subjects_with_keys(self, niks: Iterable[str], hmacs: Sequence[str] | None = None,
                           ) -> tuple[dict[str, UUID], dict[UUID, bytes | None], set[UUID]]:
        """:meth:`subjects_for` and their :meth:`keys_for` (made where missing) for an
        enrolment or an import's batch, and the subjects this call claimed (new: no event names
        them yet). ``hmacs``: the NIKs :meth:`keyed`, if a worker process did. On PostgreSQL one
        statement, sent alone, claims the new subjects and stores their keys
        (:data:`storage.personal_sql.CLAIM`)."""
        if not self.settings.is_postgres:
            subjects = self.subjects_for(niks)
            return subjects, self.keys_for(list(subjects.values()), create=True), set()
        self.require_master_key()
        wanted = [normalised_nik(n) for n in niks]
        by_hmac = dict(zip(hmacs or [self.keyed(n) for n in wanted], wanted, strict=True))
        # The NIKs are claimed at once, without a look first: most bring a new NIK, and a
        # known one is read back below when the claim finds it taken (its id and key drawn
        # in vain: a few microseconds). A story's seeded sources (the demo's) draw ids and
        # keys for the new NIKs only, in the story's order: there a batch looks first.
        found = self._lookup(list(by_hmac)) if len(by_hmac) > 1 and self.seeded else {}
        missing = [h for h in by_hmac if h not in found]
        made: dict[UUID, bytes | None] = {}
        if missing:
            offered = dict(zip(missing, new_ids(self.ids, len(missing)), strict=True))
            rows, keys = self._new_keys(list(offered.values()))  # in the order the NIKs came
            with self.datastore.one_statement() as cursor:  # atomic alone: no BEGIN/COMMIT
                cursor.row_factory = tuple_row  # this cursor's only: no dict per claimed row
                cursor.execute(CLAIM.format(index=self._index, keys=self._keys), [
                    joined(missing), *(joined(column) for column in zip(*rows, strict=True))])
                claimed = {h: offered[h] for (h, ) in cursor.fetchall()}
            # (all claimed, a new batch's usual case: the keys made are the keys, as they are)
            made = dict(keys) if len(claimed) == len(offered) else {
                subject: keys[subject] for subject in claimed.values()}
            self.cache.put_many(made)
            found.update(claimed)
            others = [h for h in missing if h not in claimed]  # another writer's: read
            found.update(self._lookup(others) if others else {})
        subjects = {nik: found[h] for h, nik in by_hmac.items()}
        if len(made) == len(subjects):  # every subject new: no other key to read
            return subjects, made, set(made)
        rest = [s for s in subjects.values() if s not in made]
        return (subjects, {**made, **(self.keys_for(rest, create=True) if rest else {})},
                set(made))

    def _lookup(self, hmacs: list[str]) -> dict[str, UUID]:
        found: dict[str, UUID] = {}
        with self.datastore.transaction(commit=False) as cursor:
            for chunk in self._chunks(hmacs):
                cursor.execute(f"SELECT nik_hmac, subject_id FROM {self._index} "
                               f"WHERE nik_hmac {self._in(chunk)}", self._params(chunk))
                for row in cursor.fetchall():
                    found[str(row["nik_hmac"])] = UUID(str(row["subject_id"]))
        return found

    def _chunks(self, items: list[Any]) -> Iterator[list[Any]]:
        """PostgreSQL takes a whole list as one text it splits; SQLite chunks of bound marks."""
        if not self.settings.is_postgres:
            yield from _chunks(items)
        elif items:
            yield items

    def _in(self, chunk: list[Any]) -> str:
        """A membership test of these values: ``= ANY(...)`` of one joined text on PostgreSQL
        (:func:`storage.personal_sql.joined`), ``IN (?, ...)`` on SQLite."""
        if self.settings.is_postgres:
            return "= ANY(string_to_array(%s, ','))"
        return "IN (" + ",".join([self._mark] * len(chunk)) + ")"

    def _params(self, chunk: list[Any]) -> list[Any]:
        return [joined(chunk)] if self.settings.is_postgres else chunk

    def _insert_ignoring(self, cursor: Any, table: str, columns: str,
                         rows: list[tuple[Any, ...]]) -> set[str] | None:
        """Insert the rows that do not conflict; on PostgreSQL, the first column of those
        inserted (the others were another writer's), on SQLite None (not known)."""
        if not rows:
            return set()
        width = len(rows[0])
        if self.settings.is_postgres:  # one array a column: no statement of 1,000s of marks
            arrays = ", ".join(["%b::text[]"] * width)  # binary: no quoting of each item
            first = columns.split(",")[0].strip()
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "
                           f"ON CONFLICT DO NOTHING RETURNING {first}",
                           [list(c) for c in zip(*rows, strict=True)])
            return {str(row[first]) for row in cursor.fetchall()}
        values = ",".join("(" + ",".join([self._mark] * width) + ")" for _ in rows)
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING",
                       [value for row in rows for value in row])
        return None

    # -- the data keys -----------------------------------------------------------------------

    def is_erased(self, subject_id: UUID) -> bool:
        """Whether this subject's data key was destroyed (read from the store, not the cache)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT destroyed_at FROM {self._keys} WHERE subject_id = "
                           f"{self._mark}", [str(subject_id)])
            row = cursor.fetchone()
        return row is not None and row["destroyed_at"] is not None

    def notice_erasures(self) -> None:
        """See the erasures other processes made: once ``RECHECK_SECONDS`` (:mod:`storage.
        key_cache`) have passed since the last look, ask the store which keys were destroyed
        since (one small query); a key this process held is forgotten, and so is everything
        decoded with it (the cache's listeners, :meth:`on_forgotten`). Nothing before any key
        was read here (nothing was decoded with one)."""
        if self._master is None:
            return
        since = self.cache.recheck_due()
        if since is not None:
            self.cache.destroyed(*self.destroyed_since(since))

    def on_forgotten(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` when a data key this process held is found destroyed, by an erasure
        made here or in another process (a bound method is held weakly)."""
        self.cache.listen(forget)

    def keys_for(self, subjects: Iterable[UUID], *, create: bool) -> dict[UUID, bytes | None]:
        """The data key of each subject (None: destroyed). ``create``: subjects without a key
        get one (sealing); else a subject without a key row is left out (the caller says what
        that means). Served from the cache; the rest read (and made) in bulk."""
        wanted = list(dict.fromkeys(subjects))
        self.require_master_key()
        self.notice_erasures()
        known = self.cache.get_many(wanted)
        if len(known) < len(wanted) and not self.cache.complete \
                and self.cache.misses >= BULK_AFTER_MISSES:
            self.all_keys()
            known = self.cache.get_many(wanted)
        missing = [s for s in wanted if s not in known]
        if missing:
            known.update(self._read_keys(missing))
            absent = [s for s in missing if s not in known]
            if absent and create:
                made = self._create_keys(absent)
                self.cache.put_many(made)
                known.update(made)
                absent = [s for s in absent if s not in made]
                if absent:  # another writer made these first: theirs are read
                    known.update(self._read_keys(absent))
        return known

    def all_keys(self) -> None:
        """Load every data key of the store into the cache, in one pass (a rebuild decodes
        the whole log: one query, not one per subject)."""
        self.require_master_key()
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT subject_id, wrapped FROM {self._keys}")
            rows = cursor.fetchall()
        self.cache.put_many({UUID(str(r["subject_id"])): self._unwrap(r) for r in rows},
                            complete=True)

    def _read_keys(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        found: dict[UUID, bytes | None] = {}
        with self.datastore.transaction(commit=False) as cursor:
            for chunk in self._chunks([str(s) for s in subjects]):
                cursor.execute(f"SELECT subject_id, wrapped FROM {self._keys} "
                               f"WHERE subject_id {self._in(chunk)}", self._params(chunk))
                for row in cursor.fetchall():
                    found[UUID(str(row["subject_id"]))] = self._unwrap(row)
        self.cache.put_many(found)
        return found

    def _create_keys(self, subjects: list[UUID]) -> dict[UUID, bytes | None]:
        """Make these subjects' keys; the ones known to be this call's (PostgreSQL says
        which rows it inserted; on SQLite none is returned and all are read back)."""
        rows, keys = self._new_keys(subjects)
        made: dict[UUID, bytes | None] = {}
        with self.datastore.transaction(commit=True) as cursor:
            for chunk in self._chunks(rows):
                inserted = self._insert_ignoring(cursor, self._keys, "subject_id, wrapped", chunk)
                made.update((subject, keys[subject]) for subject in map(UUID, inserted or ()))
        return made

    def _new_keys(self, subjects: list[UUID]) -> tuple[list[tuple[str, str]], dict[UUID, bytes]]:
        """New data keys: their rows (subject, wrapped under the master key) and the keys."""
        assert self._wrapping is not None
        return wrapped_keys(self._wrapping, self.random_bytes, subjects)

    def _unwrap(self, row: Any) -> bytes | None:
        return self.unwrap(str(row["subject_id"]), row["wrapped"])

    def unwrap(self, subject_text: str, wrapped: str | None) -> bytes | None:
        """A subject's data key, unwrapped under this store's master key (None: destroyed)."""
        if wrapped is None:
            return None
        assert self._wrapping is not None
        subject = UUID(subject_text)
        blob = base64.b64decode(str(wrapped))
        try:
            return self._wrapping.decrypt(blob[:12], blob[12:], subject.bytes)
        except InvalidTag:
            raise ConfigurationError(
                f"the data key of subject {subject} does not open under this store's master "
                "key: the key table was copied from another store, or altered") from None

    # -- erasure -----------------------------------------------------------------------------

    def erase(self, subject_id: UUID, nik: str) -> Erased:
        """Destroy the subject's data key (its row stays, ``wrapped`` NULL) and the NIK's index
        row, with SQLite's secure delete on; idempotent. This process forgets the key at once;
        others within :data:`storage.key_cache.RECHECK_SECONDS`."""
        nik_hmac = self.keyed(normalised_nik(nik))
        stamp = datetime.now(UTC).isoformat()
        with self.datastore.transaction(commit=True) as cursor:
            if not self.settings.is_postgres:
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(f"SELECT wrapped FROM {self._keys} WHERE subject_id = {self._mark}",
                           [str(subject_id)])
            row = cursor.fetchone()
            destroyed = row is not None and row["wrapped"] is not None
            cursor.execute(f"SELECT COUNT(*) AS n FROM {self._index} WHERE nik_hmac = "
                           f"{self._mark}", [nik_hmac])
            counted = cursor.fetchone()
            rows = int(counted["n"]) if counted is not None else 0
            cursor.execute(f"UPDATE {self._keys} SET wrapped = NULL, destroyed_at = {self._mark} "
                           f"WHERE subject_id = {self._mark} AND wrapped IS NOT NULL",
                           [stamp, str(subject_id)])
            # A subject never sealed gets a destroyed row, so no key is made for it later.
            self._insert_ignoring(cursor, self._keys, "subject_id, destroyed_at",
                                  [(str(subject_id), stamp)])
            cursor.execute(f"DELETE FROM {self._index} WHERE nik_hmac = {self._mark}",
                           [nik_hmac])
        self.cache.destroyed(subject_id)
        return Erased(data_key=destroyed, index_rows=rows)

    def destroyed_since(self, since: str) -> list[UUID]:
        """The subjects whose key was destroyed at or after ``since`` (ISO time, UTC)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT subject_id FROM {self._keys} WHERE destroyed_at >= "
                           f"{self._mark}", [since])
            return [UUID(str(r["subject_id"])) for r in cursor.fetchall()]
