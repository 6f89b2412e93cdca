"""The console's server-side sessions: a random id in a cookie, everything else in the database.

A browser holds one cookie, ``ledger_console``: 43 random characters that mean nothing by
themselves. The database holds, under the SHA-256 of that value (so a copy of the table opens no
session), the id of the API token the person signed in with (never the token's secret), the
session's small dictionary (the CSRF token, the masked-mode switch) and three times: created,
last seen, and the absolute expiry. A session ends:

- after :data:`IDLE` without a request (30 minutes; the last-seen time is written at most once a
  minute, so the idle limit holds to the minute);
- at :data:`ABSOLUTE` after it began (12 hours: a working day), however busy;
- when its token expires or is revoked (checked on every page by :mod:`api.console.access`,
  which then ends every session of that token);
- at sign-out, which deletes the row.

A visitor who has not signed in gets a row too as soon as a form is shown to them (the sign-in
form's CSRF token has to be kept somewhere); signing in replaces it with a new id, so an id seen
before sign-in is worth nothing after it. Ended rows are deleted when found and, every few
minutes, all at once.

This is Flask's session interface, so ``flask.session`` (and flask-wtf's CSRF protection, which
keeps its token there) are server-side for the console. Requests outside the console (the JSON
API, the health probes) get Flask's null session and never touch this table.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from ledger.application import Ledger
from storage.log_index import datastore_of, settings_of
from storage.store import CONSOLE_KEYS_TABLE, CONSOLE_SESSIONS_TABLE, qualified

COOKIE = "ledger_console"
#: A session ends after this long without a request.
IDLE = timedelta(minutes=30)
#: A session ends this long after sign-in, however busy.
ABSOLUTE = timedelta(hours=12)
#: The last-seen time is written at most this often (a page view is not a database write).
TOUCH_EVERY = timedelta(minutes=1)
#: Ended rows are swept at most this often per process.
SWEEP_EVERY = timedelta(minutes=5)

log = logging.getLogger("claims_ledger.console")

#: Why a presented session is no longer there: the sign-in page says it in words.
EndReason = str


def _stamp(moment: datetime) -> str:
    """A fixed-width UTC time, so that text order is time order in both stores."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SessionRow:
    """One stored session."""

    id_hash: str
    token_id: str | None
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class ConsoleTablesMissingError(Exception):
    """The database was initialised before the console existed: ``db init`` adds its tables."""


class SessionStore:
    """The sessions table and the keys table, on SQLite or PostgreSQL alike."""

    def __init__(self, ledger: Ledger) -> None:
        self.datastore: Any = datastore_of(ledger)
        self.postgres = ledger.settings.is_postgres
        self.sessions = qualified(settings_of(ledger), CONSOLE_SESSIONS_TABLE)
        self.keys = qualified(settings_of(ledger), CONSOLE_KEYS_TABLE)
        self._schema = ledger.settings.env.get("POSTGRES_SCHEMA") or "public"

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """One statement in its own transaction; the rows of a SELECT."""
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(sql, params)
            if sql.lstrip().upper().startswith("SELECT"):
                return list(cursor.fetchall())
            return []

    def tables_exist(self) -> bool:
        """Whether ``db init`` has made the console's tables in this database."""
        if self.postgres:
            rows = self._run("SELECT to_regclass(?) IS NOT NULL AND to_regclass(?) IS NOT NULL",
                             (self.sessions, self.keys))
            return bool(_first(rows[0]))
        rows = self._run("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "(?, ?)", (CONSOLE_SESSIONS_TABLE, CONSOLE_KEYS_TABLE))
        return int(_first(rows[0])) == 2

    def key(self, name: str) -> str:
        """A secret of the console's (made by whichever process asks first; every worker then
        reads the same one)."""
        self._run(f"INSERT INTO {self.keys} (name, value) VALUES (?, ?) "
                  "ON CONFLICT (name) DO NOTHING", (name, secrets.token_urlsafe(32)))
        rows = self._run(f"SELECT value FROM {self.keys} WHERE name = ?", (name,))
        return str(_first(rows[0]))

    def find(self, id_hash: str) -> SessionRow | None:
        rows = self._run(
            f"SELECT id_hash, token_id, data, created_at, last_seen_at, expires_at "
            f"FROM {self.sessions} WHERE id_hash = ?", (id_hash,))
        if not rows:
            return None
        values = _values(rows[0])
        return SessionRow(values[0], values[1], json.loads(values[2]), _parse(values[3]),
                          _parse(values[4]), _parse(values[5]))

    def insert(self, row: SessionRow) -> None:
        self._run(
            f"INSERT INTO {self.sessions} (id_hash, token_id, data, created_at, last_seen_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (row.id_hash, row.token_id, json.dumps(row.data), _stamp(row.created_at),
             _stamp(row.last_seen_at), _stamp(row.expires_at)))

    def update(self, id_hash: str, data: dict[str, Any], last_seen_at: datetime) -> None:
        self._run(f"UPDATE {self.sessions} SET data = ?, last_seen_at = ? WHERE id_hash = ?",
                  (json.dumps(data), _stamp(last_seen_at), id_hash))

    def delete(self, id_hash: str) -> None:
        self._run(f"DELETE FROM {self.sessions} WHERE id_hash = ?", (id_hash,))

    def end_token(self, token_id: str) -> None:
        """End every session signed in with one token (revoked, expired)."""
        self._run(f"DELETE FROM {self.sessions} WHERE token_id = ?", (token_id,))

    def sweep(self, now: datetime) -> None:
        """Delete every session past its idle or absolute limit."""
        self._run(f"DELETE FROM {self.sessions} WHERE last_seen_at < ? OR expires_at <= ?",
                  (_stamp(now - IDLE), _stamp(now)))


def _values(row: Any) -> list[Any]:
    # psycopg rows are tuples; eventsourcing's SQLite cursor gives sqlite3.Row objects.
    return list(row.values()) if isinstance(row, dict) else list(row)


def _first(row: Any) -> Any:
    return _values(row)[0]


class ConsoleSession(CallbackDict[str, Any], SessionMixin):
    """``flask.session`` for the console: a dictionary, the token it is signed in with, and why
    a session the browser presented is gone (``ended``), for the sign-in page to say."""

    def __init__(self, row: SessionRow | None = None, session_id: str | None = None,
                 ended: EndReason | None = None) -> None:
        def changed(_: Any) -> None:
            self.modified = True

        super().__init__(dict(row.data) if row else {}, changed)
        self.session_id = session_id
        self.row = row
        self.token_id: str | None = row.token_id if row else None
        self.ended = ended
        self.modified = False
        self.rotate = False
        self.destroyed = False
        self.store_error: Exception | None = None

    @property
    def expires_at(self) -> datetime | None:
        """When this session ends at the latest (its absolute limit)."""
        return self.row.expires_at if self.row else None

    def sign_in(self, token_id: str) -> None:
        """Bind the session to a token, under a new id (the id seen before sign-in is dropped),
        with a new CSRF token."""
        self.token_id = token_id
        self.rotate = True
        self.pop("csrf_token", None)
        self.modified = True

    def sign_out(self) -> None:
        """Delete the session (row and cookie) when the response is sent."""
        self.destroyed = True
        self.token_id = None


def outside_console(path: str) -> bool:
    """The JSON API, its documents and the probes: not the console's (errors there are problem
    details, and there is no console session)."""
    return path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")


def sessionless(path: str) -> bool:
    """No session is looked up for these: outside the console, and its static files (a page's
    four files would otherwise be four reads of the sessions table)."""
    return outside_console(path) or path.startswith("/assets/")


class ConsoleSessionInterface(SessionInterface):
    """Flask's session interface over :class:`SessionStore`."""

    def __init__(self, store: Callable[[], SessionStore], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self._swept = datetime.min.replace(tzinfo=UTC)
        self._sweep_lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> ConsoleSession | None:
        if sessionless(request.path):
            return None  # Flask's null session: nothing there reads or writes one
        presented = request.cookies.get(COOKIE)
        if not presented:
            return ConsoleSession()
        try:
            found = self.store().find(_hash(presented))
        except Exception as error:  # the database is away: the page says so (access.py)
            session = ConsoleSession()
            session.store_error = error
            return session
        if found is None:
            return ConsoleSession(ended="gone")
        now = self.clock()
        ended = ("idle" if now - found.last_seen_at > IDLE
                 else "absolute" if now >= found.expires_at else None)
        if ended:
            self._forget(found.id_hash)
            return ConsoleSession(ended=ended)
        return ConsoleSession(found, presented)

    def _forget(self, id_hash: str) -> None:
        try:
            self.store().delete(id_hash)
        except Exception:  # swept later; the session is refused either way
            log.warning("could not delete an ended console session now; it is swept later")

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ConsoleSession) or session.store_error is not None:
            return
        # Secure when this request came over TLS, in the server's own word (gunicorn believes
        # X-Forwarded-Proto only from the addresses in its forwarded_allow_ips).
        secure = request.is_secure
        if session.destroyed:
            if session.row is not None:
                self.store().delete(session.row.id_hash)
            response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True,
                                   samesite="Strict")
            return
        now = self.clock()
        if session.rotate or (session.row is None and session.modified):
            if session.row is not None:
                self.store().delete(session.row.id_hash)
            self._sweep(now)
            new_id = secrets.token_urlsafe(32)
            self.store().insert(SessionRow(_hash(new_id), session.token_id, dict(session), now,
                                           now, now + ABSOLUTE))
            response.set_cookie(COOKIE, new_id, path="/", secure=secure, httponly=True,
                                samesite="Strict")
            response.vary.add("Cookie")
            return
        if session.row is None:
            if session.ended:
                # The browser still holds the ended id: let it go.
                response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True,
                                       samesite="Strict")
            return
        response.vary.add("Cookie")
        if session.modified or now - session.row.last_seen_at >= TOUCH_EVERY:
            self.store().update(session.row.id_hash, dict(session), now)

    def _sweep(self, now: datetime) -> None:
        with self._sweep_lock:
            if now - self._swept < SWEEP_EVERY:
                return
            self._swept = now
        self.store().sweep(now)
