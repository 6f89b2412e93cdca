"""The unwrapped data keys a process holds, per store: decoding a log of a million events must
not read a key row per event.

A key is read (and unwrapped) once per process and kept; after many single reads the whole key
table is read in one pass (a rebuild, a verify). A destroyed key is remembered as None. An
erasure made in this process drops the key at once; one made by another process is seen within
:data:`RECHECK_SECONDS`: every lookup after that interval (and every aggregate read, see
``SqlPersonalData.notice_erasures``) first asks the store which keys were destroyed since the
last look (one small query), and forgets them.

What this process decoded with a key it held is copied elsewhere too: the ledger's aggregate
cache, the read side's kept answers. When a key this process held is found destroyed (by its
own erasure or by another's), the cache calls its listeners (:meth:`KeyCache.listen`, each
ledger on the store: its aggregate cache is cleared) and every process-wide one
(:func:`listen_everywhere`: the kept answers), so nothing decoded before the erasure is handed
out after it, without a restart. Erasures are rare: whole caches are cleared.
"""

from __future__ import annotations

import inspect
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

from storage.settings import StoreSettings

#: How long another process's erasure may take to reach this process's cache.
RECHECK_SECONDS = 30.0
#: Single reads of keys after which the whole table is read at once.
BULK_AFTER_MISSES = 64


class KeyCache:
    """Data keys of one store, by subject (None: destroyed)."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()
        self.misses = 0
        self.complete = False
        self._checked = time.monotonic()
        self._since = datetime.now(UTC) - timedelta(seconds=RECHECK_SECONDS)
        self._listeners: list[Callable[[], Callable[[], None] | None]] = []
        #: How many times keys this process held were found destroyed.
        self.forgotten = 0

    def get_many(self, subjects: Iterable[UUID]) -> dict[UUID, bytes | None]:
        """The keys known of these subjects (absent: not known here)."""
        with self._lock:
            found = {s: self._keys[s] for s in subjects if s in self._keys}
        return found

    def put_many(self, keys: Mapping[UUID, bytes | None], *, complete: bool = False) -> None:
        """Remember these keys (a destroyed key stays destroyed whatever a late read says)."""
        with self._lock:
            for subject, key in keys.items():
                if self._keys.get(subject, b"") is not None:
                    self._keys[subject] = key
            if complete:
                self.complete = True
            else:
                self.misses += 1

    def destroyed(self, *subjects: UUID) -> bool:
        """Forget these subjects' keys: they were destroyed. When this process held one of
        them, every listener is called (what was decoded with it is forgotten too); says so."""
        with self._lock:
            held = [s for s in subjects if self._keys.get(s) is not None]
            for subject in subjects:
                self._keys[subject] = None
            if held:
                self.forgotten += 1
            listeners = [found for ref in self._listeners if (found := ref()) is not None]
            self._listeners = [ref for ref in self._listeners if ref() is not None]
        if not held:
            return False
        for forget in (*listeners, *_EVERYWHERE):
            forget()
        return True

    def listen(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` whenever a key this process held is found destroyed. A bound method
        is held weakly (a closed ledger is not kept alive by its store's cache)."""
        ref: Callable[[], Callable[[], None] | None] = (
            weakref.WeakMethod(forget) if inspect.ismethod(forget) else (lambda: forget))
        with self._lock:
            self._listeners.append(ref)

    def recheck_due(self) -> str | None:
        """When a recheck is due, the moment (ISO, UTC, with a margin) since which to ask for
        destroyed keys; None when the last recheck is recent."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked < RECHECK_SECONDS:
                return None
            self._checked = now
            since, self._since = self._since, datetime.now(UTC) - timedelta(seconds=5)
        return since.isoformat()


#: Called whenever any store's cache of this process finds a key it held destroyed.
_EVERYWHERE: list[Callable[[], None]] = []


def listen_everywhere(forget: Callable[[], None]) -> None:
    """Call ``forget`` whenever a key this process held, of any store, is found destroyed (the
    read side's kept answers, which are shared by every store of the process)."""
    if forget not in _EVERYWHERE:
        _EVERYWHERE.append(forget)


_CACHES: dict[tuple[str, str], KeyCache] = {}
_CACHES_LOCK = threading.Lock()


def cache_of(settings: StoreSettings) -> KeyCache:
    """The one cache of this process for the store of ``settings``."""
    name = (settings.describe(), settings.env.get("POSTGRES_SCHEMA", ""))
    with _CACHES_LOCK:
        return _CACHES.setdefault(name, KeyCache())
