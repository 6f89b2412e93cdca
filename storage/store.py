"""Creating the store: tables, and the trigger that keeps the event table append-only.

``db init`` is the one step that creates tables (every other process runs with
``CREATE_TABLE=n``, so workers starting together cannot race on DDL). It is idempotent: run it
again and it changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventsourcing.persistence import PersistenceError

from ledger.errors import ConfigurationError, StoreNotInitialisedError
from storage.log_index import open_ledger, unavailable
from storage.master_key import (
    CHECK_TABLE,
    ensure_master_key,
    load_master_key,
    missing_key_message,
)
from storage.personal import personal_statements
from storage.settings import StoreSettings

_GUARD = "ledger_append_only"


def _sqlite_statements(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {_GUARD}_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT,
            'the ledger is append-only: {verb} of a recorded event is refused');
        END"""
        for verb in ("UPDATE", "DELETE")
    ]


def _postgres_statements(schema: str, events_table: str) -> list[str]:
    table = f'"{schema}"."{events_table}"'
    function = f'"{schema}"."{_GUARD}"'
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the ledger is append-only: % of recorded events is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""",
        f"""CREATE OR REPLACE TRIGGER {_GUARD}_rows BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}()""",
        f"""CREATE OR REPLACE TRIGGER {_GUARD}_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
    ]


IDEMPOTENCY_TABLE = "ledger_idempotency"


def _idempotency_statement(qualified: str) -> str:
    # Kept answers of POST requests, so a retry with the same Idempotency-Key gets the first
    # answer (across processes and restarts). Operational data, not part of the record.
    return (
        f"CREATE TABLE IF NOT EXISTS {qualified} ("
        "client TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, "
        "status INTEGER, body TEXT, headers TEXT, created_at TEXT NOT NULL, "
        "PRIMARY KEY (client, key))"
    )


CHECKPOINT_TABLE = "ledger_checkpoints"
#: The C2SP checkpoints witnesses co-signed: one row per witness and checkpoint, the text with
#: that witness's cosignature lines (projections/witnessing.py).
COSIGNED_TABLE = "ledger_cosigned_checkpoints"

CONSOLE_SESSIONS_TABLE = "ledger_console_sessions"
CONSOLE_KEYS_TABLE = "ledger_console_keys"


def _console_statements(sessions: str, keys: str) -> list[str]:
    # The browser console's sessions (api/console/sessions.py): a row per signed-in browser,
    # found by the SHA-256 of its cookie, holding the token's id (never its secret); and the
    # console's own keys (the CSRF signing key), made once and shared by every worker.
    # Operational data, not part of the record.
    index = CONSOLE_SESSIONS_TABLE + "_token"
    return [
        f"CREATE TABLE IF NOT EXISTS {sessions} ("
        "id_hash TEXT PRIMARY KEY, token_id TEXT, data TEXT NOT NULL, "
        "created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {index} ON {sessions} (token_id)",
        f"CREATE TABLE IF NOT EXISTS {keys} (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]


def _topic_index_statement(table: str, qualified_table: str) -> str:
    # The events of one kind (a member's payment orders, claims filed, identity checks) are
    # searched by topic: without this index every such search reads the whole log (every
    # enrolment) to keep a few hundred rows. A member's timeline read 22,800 members' log in
    # 57 ms without it, 15 ms with it (README "Benchmarks").
    return f"CREATE INDEX IF NOT EXISTS {table}_topic_idx ON {qualified_table} (topic)"


def _checkpoint_statement(qualified_name: str) -> str:
    # Signed journal checkpoints are kept with the log, apart from the projections: a rebuild
    # of the read side must never lose what was once signed.
    return (f"CREATE TABLE IF NOT EXISTS {qualified_name} (size BIGINT NOT NULL, "
            "root TEXT NOT NULL, time TEXT NOT NULL, text TEXT NOT NULL)")


def cosigned_statement(qualified_name: str) -> str:
    """The table of cosigned checkpoints, kept with the log like the signed checkpoints."""
    return (f"CREATE TABLE IF NOT EXISTS {qualified_name} (witness TEXT NOT NULL, "
            "size BIGINT NOT NULL, root TEXT NOT NULL, text TEXT NOT NULL)")


def qualified(settings: StoreSettings, table: str) -> str:
    """A table name as SQL must say it in this store (schema-qualified on PostgreSQL)."""
    if settings.is_postgres:
        return f'"{settings.env.get("POSTGRES_SCHEMA") or "public"}"."{table}"'
    return table


def init_store(settings: StoreSettings) -> None:
    """Create the ledger's tables and the append-only guard, if they are not there yet."""
    try:
        _create(settings)
    except (PersistenceError, OSError) as error:
        raise unavailable(settings, error) from error


def _create(settings: StoreSettings) -> None:
    if settings.is_postgres:
        _ensure_schema(settings)
    ledger = open_ledger(settings.with_table_creation(True))
    try:
        datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
        # The key first: a store initialised under another key, or whose key is lost, is
        # refused before anything is created (and no new key is made for it).
        check = _key_check(settings, datastore)
        master = load_master_key(settings) if check is not None else ensure_master_key(settings)
        if master is None:
            raise ConfigurationError(missing_key_message(settings))
        if check is not None and check != master.check:
            raise ConfigurationError(
                f"the master key given is not the key of {settings.describe()} (its key check "
                "differs): give the key the store was initialised with; nothing was changed")
        statements = (
            _postgres_statements(settings.env.get("POSTGRES_SCHEMA") or "public",
                                 ledger.events_table)
            if settings.is_postgres
            else _sqlite_statements(ledger.events_table)
        )
        statements.append(_topic_index_statement(ledger.events_table,
                                                 qualified(settings, ledger.events_table)))
        statements.append(_idempotency_statement(qualified(settings, IDEMPOTENCY_TABLE)))
        statements.append(_checkpoint_statement(qualified(settings, CHECKPOINT_TABLE)))
        statements.append(cosigned_statement(qualified(settings, COSIGNED_TABLE)))
        from storage.migration_tables import migration_statements  # it names tables of here

        statements.extend(migration_statements(settings))
        statements.extend(_console_statements(qualified(settings, CONSOLE_SESSIONS_TABLE),
                                              qualified(settings, CONSOLE_KEYS_TABLE)))
        statements.extend(personal_statements(settings))
        with datastore.transaction(commit=True) as cursor:
            for statement in statements:
                cursor.execute(statement)
            mark = "%s" if settings.is_postgres else "?"
            cursor.execute(f"INSERT INTO {qualified(settings, CHECK_TABLE)} (name, value) "
                           f"VALUES ('master', {mark}) ON CONFLICT DO NOTHING", [master.check])
    finally:
        ledger.close()


def _key_check(settings: StoreSettings, datastore: Any) -> str | None:
    """The key check the store holds (None: a new store, or one of an older release)."""
    try:
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT value FROM {qualified(settings, CHECK_TABLE)} "
                           "WHERE name = 'master'")
            row = cursor.fetchone()
    except Exception as error:  # sqlite3's or psycopg's own error, by the driver
        if "no such table" in str(error) or "does not exist" in str(error):
            return None
        raise
    return None if row is None else str(row["value"])


def _ensure_schema(settings: StoreSettings) -> None:
    schema = settings.env.get("POSTGRES_SCHEMA")
    if not schema:
        return
    import psycopg  # imported here: the embedded SQLite mode needs no PostgreSQL driver
    from psycopg import sql

    try:
        with psycopg.connect(**postgres_connect_args(settings), autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
            )
    except psycopg.Error as error:
        raise unavailable(settings, error) from error


def require_reachable(settings: StoreSettings) -> None:
    """Refuse at once, in plain words, a store that is not there: a SQLite file that does not
    exist (none is made: only ``db init`` makes one), or a PostgreSQL server or database that
    does not answer, with the server's own reason (one direct attempt, instead of waiting out
    the library's connection pool for a bare 'couldn't get a connection')."""
    if settings.is_postgres:
        import psycopg

        try:
            psycopg.connect(**postgres_connect_args(settings)).close()
        except psycopg.Error as error:
            raise unavailable(settings, error) from None
        return
    path = Path(settings.env["SQLITE_DBNAME"])
    if not path.exists():
        raise StoreNotInitialisedError(
            f"there is no ledger database at {path}; run 'claims-ledger db init' first, or set "
            "LEDGER_DATABASE_URL to the ledger's database")


def postgres_connect_args(settings: StoreSettings) -> dict[str, Any]:
    """psycopg.connect() keyword arguments for the configured PostgreSQL store."""
    env = settings.env
    return {
        "host": env["POSTGRES_HOST"],
        "port": int(env["POSTGRES_PORT"]),
        "dbname": env["POSTGRES_DBNAME"],
        "user": env["POSTGRES_USER"],
        "password": env.get("POSTGRES_PASSWORD") or None,
        "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")),
    }
