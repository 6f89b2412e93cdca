"""A database URL mapped onto eventsourcing's settings: where the event store lives.

Unset (or empty) means an embedded SQLite file ``./claims-ledger.sqlite``; ``sqlite:///PATH``
names another file; ``postgresql://user:pass@host:5432/db`` means PostgreSQL through psycopg 3
(``?schema=NAME`` keeps the tables in a schema of their own), and a streaming replica may be
named for the readers. This module reads no environment: :mod:`storage.settings` reads
``LEDGER_DATABASE_URL`` and the other variables and hands their text here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ledger.errors import ConfigurationError

DATABASE_URL_VARIABLE = "LEDGER_DATABASE_URL"
DEFAULT_SQLITE_FILE = "claims-ledger.sqlite"


@dataclass(frozen=True)
class StoreSettings:
    """Where the event store lives, in eventsourcing's own terms."""

    url: str
    backend: str  # "sqlite" or "postgres"
    env: dict[str, str]
    #: Where readers read the projections (``LEDGER_READ_DATABASE_URL``, a streaming replica);
    #: None: on the primary, as everything else.
    read: StoreSettings | None = None
    #: The store's master key as given (``LEDGER_CIPHER_KEY``, base64 of 32 bytes), or the file
    #: that holds it (``LEDGER_KEY_FILE``); neither: :func:`key_file_of` says where it is.
    master_key: str | None = None
    key_file: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgres"

    def with_table_creation(self, create: bool) -> StoreSettings:
        """The same store, allowed (``db init``) or not (every other command) to create tables."""
        env = dict(self.env, CREATE_TABLE="y" if create else "n")
        return replace(self, env=env)

    def describe(self) -> str:
        """The store for people: a file path or host/database, never a password."""
        if self.is_postgres:
            return (
                f"PostgreSQL {self.env['POSTGRES_HOST']}:{self.env['POSTGRES_PORT']}"
                f"/{self.env['POSTGRES_DBNAME']}"
            )
        return f"SQLite {self.env['SQLITE_DBNAME']}"


READ_DATABASE_URL_VARIABLE = "LEDGER_READ_DATABASE_URL"


def with_read_replica(settings: StoreSettings, url: str | None) -> StoreSettings:
    """The same store, its readers sent to the PostgreSQL streaming replica at ``url`` (unset or
    empty: they read on the primary). The replica holds the primary's very tables, so it keeps
    the primary's schema unless its URL names one."""
    url = (url or "").strip()
    if not url:
        return replace(settings, read=None)
    if not settings.is_postgres:
        raise ConfigurationError(
            f"{READ_DATABASE_URL_VARIABLE} names a PostgreSQL replica; it needs "
            f"{DATABASE_URL_VARIABLE} to be the PostgreSQL primary it streams from")
    if url.split(":", 1)[0].lower() not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise ConfigurationError(
            f"{READ_DATABASE_URL_VARIABLE} must start with postgresql:// (a streaming replica "
            "of the primary), or be unset to read on the primary")
    replica = _postgres(url, READ_DATABASE_URL_VARIABLE)
    env = {**settings.env, **{k: v for k, v in replica.env.items() if k.startswith("POSTGRES_")}}
    if "POSTGRES_SCHEMA" in settings.env and "POSTGRES_SCHEMA" not in replica.env:
        env["POSTGRES_SCHEMA"] = settings.env["POSTGRES_SCHEMA"]
    return replace(settings, read=StoreSettings(url, "postgres", env))


def settings_from_url(url: str) -> StoreSettings:
    """Map a database URL onto the eventsourcing settings (``PERSISTENCE_MODULE`` and friends)."""
    url = url.strip()
    if not url:
        return _sqlite(str(Path.cwd() / DEFAULT_SQLITE_FILE), url)
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.lower().startswith("sqlite:///") else ""
        if not path:
            raise ConfigurationError(
                f"{DATABASE_URL_VARIABLE} for SQLite must look like sqlite:///path/to/file.sqlite"
            )
        return _sqlite(path, url)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return _postgres(url)
    raise ConfigurationError(
        f"{DATABASE_URL_VARIABLE} must start with postgresql:// or sqlite:///, or be unset for "
        f"the embedded file ./{DEFAULT_SQLITE_FILE}"
    )


#: How long a command waits for a connection to PostgreSQL before it says the database is not
#: reachable (HTTP 503 with ``Retry-After``, a plain error on the command line). A restart of
#: the server (well under a second) is absorbed well within it; a client with a 30 s timeout
#: gets its answer long before. Also the limit of one connection attempt (libpq's minimum, 2 s,
#: is below it) and how long the pool tries to replace a lost connection before starting over.
DATABASE_WAIT_SECONDS = 3
#: Once the database was found unreachable, how long each further command waits for it, until a
#: connection is had again: a queue of requests is answered at once, not one wait after another.
DATABASE_PROBE_SECONDS = 0.5
#: What an HTTP client is told to wait before trying again when the database is not reachable.
RETRY_AFTER_SECONDS = 5
#: How long a roster import waits for the database to come back (each batch, reads and write)
#: before it stops and says which batch it recorded last.
IMPORT_PATIENCE_SECONDS = 60

#: Aggregates are cached per process and fast-forwarded from the store on every read, so a
#: contribution naming thousands of members is decoded once, not on every coverage check.
CACHE = {"AGGREGATE_CACHE_MAXSIZE": "5000", "AGGREGATE_CACHE_FASTFORWARD": "y"}


def _sqlite(path: str, url: str) -> StoreSettings:
    env = {
        **CACHE,
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        # Several threads (the HTTP server, tests) write: wait for the file lock, don't fail.
        "SQLITE_LOCK_TIMEOUT": "30",
        "CREATE_TABLE": "n",
    }
    return StoreSettings(url or f"sqlite:///{path}", "sqlite", env)


def _postgres(url: str, variable: str = DATABASE_URL_VARIABLE) -> StoreSettings:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise ConfigurationError(
            f"{variable} for PostgreSQL must name a host and a database, e.g. "
            "postgresql://postgres@127.0.0.1:5432/claims_ledger"
        )
    try:
        port = parts.port or 5432
    except ValueError as error:
        raise ConfigurationError(f"{variable} has a bad port: {error}") from None
    env = {
        **CACHE,
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        # The pool's wait for a connection (storage.database bounds the library's retries by it).
        "POSTGRES_CONNECT_TIMEOUT": str(DATABASE_WAIT_SECONDS),
        "POSTGRES_LOCK_TIMEOUT": "10",
        "CREATE_TABLE": "n",
    }
    schema = parse_qs(parts.query).get("schema")
    if schema:
        # A schema of its own per database user, or per test, keeps the tables apart.
        env["POSTGRES_SCHEMA"] = schema[0]
    return StoreSettings(url, "postgres", env)
