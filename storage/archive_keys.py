"""What an export carries of the data subjects' keys and the NIK index, and how a restore takes
them back.

An export holds the events' ciphertext as stored. To read them elsewhere it also holds, before
the events, one line per data key, ``{"key": SUBJECT, "wrapped": BASE64 | null,
"destroyed_at": ISO | null}``, wrapped exactly as stored (useless without the master key,
which is never exported), and one line per index row, ``{"index": HMAC, "subject": SUBJECT}``
(an HMAC under the index key, derived from the master key). A destroyed key is exported
destroyed: an erasure survives a restore. A restore on a store with the same master key reads
every event; with another key the first wrapped key does not open, and nothing is kept.

An export made before an erasure still holds the wrapped key of the person erased since: it
is a copy, kept and shredded under the same retention as the database's backups (README,
"Personal data").
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from storage.log_index import settings_of
from storage.personal import INDEX_TABLE, KEYS_TABLE, SqlPersonalData
from storage.store import qualified


@dataclass(frozen=True)
class KeyRecord:
    """One data subject's key as stored (wrapped; None: destroyed)."""

    subject: str
    wrapped: str | None
    destroyed_at: str | None

    def line(self) -> dict[str, Any]:
        return {"key": self.subject, "wrapped": self.wrapped, "destroyed_at": self.destroyed_at}


@dataclass(frozen=True)
class IndexRecord:
    """One row of the keyed NIK index."""

    nik_hmac: str
    subject: str

    def line(self) -> dict[str, Any]:
        return {"index": self.nik_hmac, "subject": self.subject}


def key_records(ledger: Ledger) -> Iterator[KeyRecord | IndexRecord]:
    """Every data key, then every index row, of the ledger's store."""
    settings = settings_of(ledger)
    datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT subject_id, wrapped, destroyed_at FROM "
                       f"{qualified(settings, KEYS_TABLE)} ORDER BY subject_id")
        keys = [KeyRecord(str(r["subject_id"]), r["wrapped"], r["destroyed_at"])
                for r in cursor.fetchall()]
        cursor.execute(f"SELECT nik_hmac, subject_id FROM {qualified(settings, INDEX_TABLE)} "
                       "ORDER BY nik_hmac")
        index = [IndexRecord(str(r["nik_hmac"]), str(r["subject_id"]))
                 for r in cursor.fetchall()]
    yield from keys
    yield from index


def parse_key_record(found: dict[str, Any]) -> KeyRecord | IndexRecord | None:
    """The key or index record of an export line (None: the line is something else)."""
    if "key" in found:
        wrapped = found.get("wrapped")
        if wrapped is not None:
            base64.b64decode(str(wrapped), validate=True)
        return KeyRecord(str(UUID(str(found["key"]))), None if wrapped is None else str(wrapped),
                         None if found.get("destroyed_at") is None
                         else str(found["destroyed_at"]))
    if "index" in found:
        return IndexRecord(str(found["index"]), str(UUID(str(found["subject"]))))
    return None


def admit(ledger: Ledger, record: KeyRecord) -> None:
    """Unwrap a restored key under this store's master key and hold it in the process's
    cache, so the events after it can be read before the restore commits; a key wrapped under
    another master key is refused (:class:`~ledger.errors.ConfigurationError`)."""
    personal = ledger.personal
    assert isinstance(personal, SqlPersonalData)
    personal.require_master_key()
    key = personal.unwrap(record.subject, record.wrapped)
    personal.cache.put_many({UUID(record.subject): key})


def key_statements(ledger: Ledger, postgres: bool) -> tuple[str, str, str, str]:
    """(count keys, count index rows, insert a key, insert an index row) for a restore."""
    settings = settings_of(ledger)
    keys, index = qualified(settings, KEYS_TABLE), qualified(settings, INDEX_TABLE)
    mark = "%s" if postgres else "?"
    return (f"SELECT count(*) FROM {keys}", f"SELECT count(*) FROM {index}",
            f"INSERT INTO {keys} (subject_id, wrapped, destroyed_at) "
            f"VALUES ({mark}, {mark}, {mark})",
            f"INSERT INTO {index} (nik_hmac, subject_id) VALUES ({mark}, {mark})")
