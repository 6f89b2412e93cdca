"""``Idempotency-Key`` on POST: a retry gets the first answer; the same key with another body, 409.

The answers are kept in the store's ``ledger_idempotency`` table, so they hold across processes
and restarts. A key is reserved before the request runs (a second request racing with the same
key is told it is in progress), filled with the answer after, and released if the request failed
on the server's side, so that it can be retried. When the database is gone at that moment (a
request that failed because of it, or one that was recorded just before it went), the release
or the answer is kept and written by this process as soon as it reaches the database again (at
its next POST, or by a timer every few seconds, whichever comes first); the client gets its
answer (the 503, or the 201) either way. A lookup by NIK (a POST that only reads,
``api/lookups.py``) ignores the header: nothing is kept for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

from api.errors import is_store_trouble, problem
from api.lookups import is_lookup
from api.state import ledger
from ledger.application import Ledger
from ledger.errors import StoreError
from storage.log_index import datastore_of, settings_of
from storage.settings import RETRY_AFTER_SECONDS
from storage.store import IDEMPOTENCY_TABLE, qualified

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("ETag", "Location", "X-Ledger-Position", "Content-Type")
log = logging.getLogger("claims_ledger.api")

#: A kept answer: status, body, headers (JSON).
Answer = tuple[int, str, str]
#: Keys whose release (None) or answer could not be written because the database was gone,
#: with the table to write them to: written at the next chance.
_unwritten: dict[tuple[str, str], tuple[_Table, Answer | None]] = {}
_unwritten_lock = threading.Lock()
_timer: threading.Timer | None = None


class _Table:
    """The kept-answers table, on SQLite or PostgreSQL alike."""

    def __init__(self, app: Ledger | None = None) -> None:
        app = app or ledger()
        self.datastore: Any = datastore_of(app)
        self.postgres = app.settings.is_postgres
        self.name = qualified(settings_of(app), IDEMPOTENCY_TABLE)

    def run(self, sql: str, params: tuple[Any, ...]) -> tuple[int, list[Any]]:
        """Execute one statement in its own transaction: (rows affected, rows returned)."""
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(sql, params)
            rows = list(cursor.fetchall()) if sql.lstrip().upper().startswith("SELECT") else []
            # eventsourcing wraps sqlite3's cursor; psycopg's cursor has rowcount itself.
            raw = getattr(cursor, "sqlite_cursor", cursor)
            return int(raw.rowcount), rows

    def find(self, client: str, key: str) -> Any | None:
        _, rows = self.run(
            f"SELECT request_hash, status, body, headers FROM {self.name} "
            "WHERE client = ? AND key = ?", (client, key))
        return rows[0] if rows else None

    def reserve(self, client: str, key: str, request_hash: str) -> bool:
        """Claim the key for this request; False if any request holds it already."""
        inserted, _ = self.run(
            f"INSERT INTO {self.name} (client, key, request_hash, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (client, key) DO NOTHING",
            (client, key, request_hash, datetime.now(UTC).isoformat()))
        return inserted == 1

    def complete(self, client: str, key: str, answer: Answer) -> None:
        status, body, headers = answer
        self.run(
            f"UPDATE {self.name} SET status = ?, body = ?, headers = ? "
            "WHERE client = ? AND key = ?", (status, body, headers, client, key))

    def release(self, client: str, key: str) -> None:
        self.run(f"DELETE FROM {self.name} WHERE client = ? AND key = ? AND status IS NULL",
                 (client, key))


def forget_answers_naming(app: Ledger, texts: tuple[str, ...]) -> int:
    """Delete the kept answers whose body holds any of ``texts`` (an erased person's NIK and
    id: a kept answer is a copy of what the log no longer lets anyone read); how many."""
    table = _Table(app)
    removed = 0
    for text in (t for t in texts if t):
        count, _ = table.run(f"DELETE FROM {table.name} WHERE body LIKE ?", (f"%{text}%",))
        removed += count
    return removed


def _client() -> str:
    # Keys are scoped to the caller's token: two clients may use the same key independently.
    header = request.headers.get("Authorization", "")
    return hashlib.sha256(header.encode("utf-8")).hexdigest()


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _answer(response: Response) -> Answer:
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    return response.status_code, response.get_data(as_text=True), json.dumps(headers)


def _write(table: _Table, client: str, key: str, answer: Answer | None) -> None:
    """Keep a request's answer (or release its key: None); if the database cannot be reached
    now, keep it in this process and write it at the next chance."""
    try:
        if answer is None:
            table.release(client, key)
        else:
            table.complete(client, key, answer)
    except Exception as error:
        if not (isinstance(error, StoreError) or is_store_trouble(error)):
            raise
        if getattr(getattr(table.datastore, "pool", None), "closed", False):
            return  # the ledger was closed (the process is ending): nothing to write to
        log.warning("the database did not answer; the idempotency key is written when it "
                    "does: %s", type(error).__name__)
        global _timer
        with _unwritten_lock:
            _unwritten[(client, key)] = (table, answer)
            if _timer is None:  # this process may get no other POST soon: try on its own
                _timer = threading.Timer(RETRY_AFTER_SECONDS, _write_pending)
                _timer.daemon = True
                _timer.start()


def _write_pending() -> None:
    """Write what requests could not write while the database was gone (their retries would
    be told "still running" for ever otherwise)."""
    global _timer
    with _unwritten_lock:
        pending = list(_unwritten.items())
        _unwritten.clear()
        _timer = None
    for (client, key), (table, answer) in pending:
        _write(table, client, key, answer)


def before_request() -> Response | None:
    if _unwritten and request.method == "POST":
        _write_pending()
    if request.method != "POST" or HEADER not in request.headers:
        return None
    if is_lookup():
        return None  # a read by NIK: nothing to repeat, and no answer naming a person is kept
    key = request.headers[HEADER].strip()
    if not key or len(key) > 255:
        return problem(400, f"{HEADER} must be 1-255 characters", rule="idempotency-key")
    table = _Table()
    client, fingerprint = _client(), _request_hash()
    if table.reserve(client, key, fingerprint):
        g.idempotency = (table, client, key)
        return None
    kept = table.find(client, key)
    if kept is None:  # released between our two reads: let the client try again
        return problem(409, f"the request with {HEADER} '{key}' is being retried; try again",
                       rule="idempotency-in-progress")
    if kept["request_hash"] != fingerprint:
        return problem(409, f"{HEADER} '{key}' was already used for a different request",
                       rule="idempotency-key-reused")
    if kept["status"] is None:
        return problem(409, f"the first request with {HEADER} '{key}' is still running",
                       rule="idempotency-in-progress")
    replay = Response(kept["body"], status=int(kept["status"]))
    for name, value in json.loads(kept["headers"] or "{}").items():
        replay.headers[name] = value
    replay.headers["Idempotent-Replayed"] = "true"
    return replay


def after_request(response: Response) -> Response:
    pending = g.pop("idempotency", None)
    if pending is not None:
        table, client, key = pending
        _write(table, client, key, None if response.status_code >= 500 else _answer(response))
    return response


def teardown_request(error: BaseException | None) -> None:
    pending = g.pop("idempotency", None)
    if pending is not None:
        table, client, key = pending
        _write(table, client, key, None)


def register(app: Flask) -> None:
    app.before_request(before_request)
    app.after_request(after_request)
    app.teardown_request(teardown_request)
