"""The console's per-application state: its clock, its session store and its CSRF key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, current_app

from api.console.sessions import ConsoleTablesMissingError, SessionStore
from api.state import ledger

EXTENSION = "claims_ledger_console"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ConsoleState:
    """What the console keeps per application. ``clock`` is what sessions and tokens are
    judged by (tests move it; nothing else does)."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock: Callable[[], datetime] = clock or _utc_now
        self._store: SessionStore | None = None
        self._csrf_key: str | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The console's idea of now (aware, UTC)."""
        return self.clock()

    def store(self) -> SessionStore:
        """The session store of this application's ledger (its tables checked once)."""
        found = self._store
        if found is None:
            with self._lock:
                if self._store is None:
                    made = SessionStore(ledger())
                    if not made.tables_exist():
                        raise ConsoleTablesMissingError(
                            "the console's tables are not in this database; run "
                            "'claims-ledger db init'")
                    self._store = made
                found = self._store
        return found

    def csrf_key(self) -> str:
        """The key flask-wtf signs CSRF tokens with: one for every worker, kept in the
        database (the tokens themselves live in the server-side sessions)."""
        if self._csrf_key is None:
            self._csrf_key = self.store().key("csrf")
        return self._csrf_key


def console_state(app: Flask | None = None) -> ConsoleState:
    """The console state of ``app`` (default: the current one)."""
    found: ConsoleState = (app or current_app).extensions[EXTENSION]
    return found
