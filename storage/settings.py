"""Every ``LEDGER_*`` setting, read from the environment here and nowhere else.

``LEDGER_DATABASE_URL`` (with the read replica's URL and the master key) names the store: unset
(or empty) an embedded SQLite file ``./claims-ledger.sqlite``, ``sqlite:///PATH`` another file,
``postgresql://user:pass@host:5432/db`` PostgreSQL through psycopg 3; how such a URL maps onto
eventsourcing's settings is :mod:`storage.store_url` (whose names are re-exported here).
Nothing else in the code reads the environment for the store: everything asks this module, and
so does every other ``LEDGER_*`` setting (signing and cipher keys, readiness bound, logging,
the rule book, the witnesses).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ledger.errors import ConfigurationError
from ledger.rule_sets import RULE_BOOK, RuleBook, rule_book_with_test_set
from storage.store_url import (
    CACHE,
    DATABASE_PROBE_SECONDS,
    DATABASE_URL_VARIABLE,
    DATABASE_WAIT_SECONDS,
    DEFAULT_SQLITE_FILE,
    IMPORT_PATIENCE_SECONDS,
    READ_DATABASE_URL_VARIABLE,
    RETRY_AFTER_SECONDS,
    StoreSettings,
    settings_from_url,
    with_read_replica,
)

#: Where the store lives is told by :mod:`storage.store_url`; its names are this module's too,
#: as every caller asks this module for its configuration.
__all__ = [
    "CACHE", "DATABASE_PROBE_SECONDS", "DATABASE_URL_VARIABLE", "DATABASE_WAIT_SECONDS",
    "DEFAULT_SQLITE_FILE", "IMPORT_PATIENCE_SECONDS", "READ_DATABASE_URL_VARIABLE",
    "RETRY_AFTER_SECONDS", "StoreSettings", "settings_from_url", "with_read_replica",
]

def settings_from_environment() -> StoreSettings:
    """Read ``LEDGER_DATABASE_URL`` (with ``LEDGER_CIPHER_KEY`` and ``LEDGER_READ_DATABASE_URL``)
    from the process environment."""
    # LEDGER_KEY_FILE is read where the key is looked for (key_file_of): an embedded store's
    # own key file beside it comes first.
    settings = with_master_key(settings_from_url(os.environ.get(DATABASE_URL_VARIABLE, "")),
                               os.environ.get(CIPHER_KEY_VARIABLE))
    return with_read_replica(settings, os.environ.get(READ_DATABASE_URL_VARIABLE))



SIGNING_KEY_VARIABLE = "LEDGER_SIGNING_KEY"


def signing_key_from_environment() -> str | None:
    """The journal's Ed25519 signing key (``claims-ledger journal keygen``), if configured."""
    return os.environ.get(SIGNING_KEY_VARIABLE) or None


CIPHER_KEY_VARIABLE = "LEDGER_CIPHER_KEY"
KEY_FILE_VARIABLE = "LEDGER_KEY_FILE"
#: The master key's file when neither variable is set and the store is PostgreSQL: in the working
#: directory (a service sets LEDGER_KEY_FILE or LEDGER_CIPHER_KEY; docker-compose.yml does).
DEFAULT_KEY_FILE = "claims-ledger.key"


def _checked_key(key: str, where: str) -> str:
    import base64
    import binascii

    try:
        size = len(base64.b64decode(key, validate=True))
    except (binascii.Error, ValueError):
        size = -1
    if size != 32:
        raise ConfigurationError(
            f"{where} must hold a key made by 'claims-ledger db keygen' (base64 of 32 bytes); "
            "the one given is not")
    return key


def with_master_key(settings: StoreSettings, key: str | None,
                    key_file: str | None = None) -> StoreSettings:
    """The same store with its master key given (``key``, base64 of 32 bytes, as ``claims-ledger
    db keygen`` prints) or the file that holds it; a key given wins over a file."""
    key = (key or "").strip()
    key_file = (key_file or "").strip()
    if key:
        return replace(settings, master_key=_checked_key(key, CIPHER_KEY_VARIABLE), key_file=None)
    if key_file:
        return replace(settings, master_key=None, key_file=key_file)
    return settings


def key_file_of(settings: StoreSettings) -> Path:
    """Where the master key's file is when no key is given: the settings' ``LEDGER_KEY_FILE``;
    else, for the embedded SQLite file, the key file beside it if there is one (``ledger.sqlite``
    -> ``ledger.key``: it travels with the store); else ``LEDGER_KEY_FILE`` of the environment;
    else beside the SQLite file, or ``./claims-ledger.key`` for PostgreSQL."""
    if settings.key_file:
        return Path(settings.key_file)
    beside = (None if settings.is_postgres
              else Path(settings.env["SQLITE_DBNAME"]).with_suffix(".key"))
    if beside is not None and beside.exists():  # an embedded store's own key travels with it
        return beside
    named = os.environ.get(KEY_FILE_VARIABLE, "").strip()
    if named:
        return Path(named)
    return Path.cwd() / DEFAULT_KEY_FILE if beside is None else beside


def master_key_text(settings: StoreSettings) -> str | None:
    """The store's master key (base64 of 32 bytes): given in the settings (a key, or a file),
    else ``LEDGER_CIPHER_KEY``, else read from :func:`key_file_of`; None when there is none."""
    given = settings.master_key or (
        "" if settings.key_file else os.environ.get(CIPHER_KEY_VARIABLE, "").strip())
    if given:
        return _checked_key(given, CIPHER_KEY_VARIABLE)
    path = key_file_of(settings)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read the master key file {path}: {error}") from None
    return _checked_key(text, f"the master key file {path}")


OLD_CIPHER_KEY_VARIABLE = "LEDGER_OLD_CIPHER_KEY"


def old_cipher_key_from_environment() -> str | None:
    """``LEDGER_OLD_CIPHER_KEY``: the whole-store cipher key an earlier release's store was
    written under, for ``claims-ledger migrate`` (``--old-cipher-key`` says it on the line)."""
    return os.environ.get(OLD_CIPHER_KEY_VARIABLE, "").strip() or None


MAX_LAG_VARIABLE = "LEDGER_READY_MAX_LAG_SECONDS"
DEFAULT_MAX_LAG_SECONDS = 30.0


def max_lag_from_environment() -> float:
    """Seconds the oldest unprojected event may wait before the service is not ready."""
    text = os.environ.get(MAX_LAG_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_LAG_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ConfigurationError(f"{MAX_LAG_VARIABLE} must be a number of seconds (e.g. 30); "
                                 f"got {text!r}")
    return value


RULE_BOOK_VARIABLE = "LEDGER_RULE_BOOK"
#: The benefit rule books a ledger may be opened with: the real rule sets (unset or ``real``),
#: or those followed by the test set dated 1 July 2026 (a fixture with other figures, never a
#: regulation: for tests and the demo, to show the switch by date and re-adjudication drift).
RULE_BOOKS = {"real": lambda: RULE_BOOK, "with-test-set": rule_book_with_test_set}


def rule_book_from_environment() -> RuleBook:
    """``LEDGER_RULE_BOOK``: which benefit rule sets the ledger knows (the real ones when
    unset); any other name is refused."""
    given = os.environ.get(RULE_BOOK_VARIABLE, "").strip()
    name = given.lower() or "real"
    if name not in RULE_BOOKS:
        raise ConfigurationError(
            f"{RULE_BOOK_VARIABLE} must be unset or 'real' (the rule sets of the regulations), "
            f"or 'with-test-set' (those and the test set of 1 July 2026, for tests and the "
            f"demo only); got {given!r}")
    return RULE_BOOKS[name]()


LOG_LEVEL_VARIABLE = "LEDGER_LOG_LEVEL"
LOG_FORMAT_VARIABLE = "LEDGER_LOG_FORMAT"


def log_format_from_environment() -> str:
    """``LEDGER_LOG_FORMAT`` as given, lower case (``auto`` when unset); checked by the caller."""
    return os.environ.get(LOG_FORMAT_VARIABLE, "").strip().lower() or "auto"


def log_level_from_environment() -> str:
    """``LEDGER_LOG_LEVEL`` as given, upper case (``INFO`` when unset)."""
    return os.environ.get(LOG_LEVEL_VARIABLE, "INFO").upper()


# -- Witnesses (issue 20): the ledger's origin and the witnesses it asks to co-sign ------------

ORIGIN_VARIABLE = "LEDGER_ORIGIN"
#: The origin of a ledger that was not given one: fine on one machine, but every deployment
#: sets its own (for example ``jamsos.tangerangkota.go.id/ledger``), since witnesses and
#: verifiers know a log by its origin.
DEFAULT_ORIGIN = "claims-ledger.local/ledger"
WITNESSES_VARIABLE = "LEDGER_WITNESSES"
#: The URL of a witness that accepts no connection: it answers request files (offline mode).
OFFLINE = "offline"


@dataclass(frozen=True)
class ConfiguredWitness:
    """One witness the ledger asks: its name, its URL (or ``offline``), its cosigner
    (verifier) key text."""

    name: str
    url: str
    key: str


def origin_from_environment() -> str:
    """``LEDGER_ORIGIN``, the checkpoints' origin line (``DEFAULT_ORIGIN`` when unset)."""
    origin = os.environ.get(ORIGIN_VARIABLE, "").strip() or DEFAULT_ORIGIN
    if any(c.isspace() or c == "+" for c in origin):
        raise ConfigurationError(f"{ORIGIN_VARIABLE} is one word without spaces or '+', for "
                                 "example jamsos.tangerangkota.go.id/ledger")
    return origin


def witnesses_from_environment() -> tuple[ConfiguredWitness, ...]:
    """The witnesses of the file ``LEDGER_WITNESSES`` names (none when unset): one witness a
    line, ``NAME URL VERIFIER-KEY``; ``#`` starts a comment. The keys are checked by whoever
    uses them (the journal), so this module stays free of the note formats."""
    path = os.environ.get(WITNESSES_VARIABLE, "").strip()
    if not path:
        return ()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read the witnesses file {path} "
                                 f"({WITNESSES_VARIABLE}): {error.strerror}") from None
    witnesses: list[ConfiguredWitness] = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 3 or not (words[1] == OFFLINE
                                   or words[1].startswith(("http://", "https://"))):
            raise ConfigurationError(f"{path} line {number}: write NAME URL VERIFIER-KEY (URL "
                                     f"'{OFFLINE}' for a witness that takes files), for example:"
                                     " bpk https://witness.bpk.go.id bpk.go.id/witness+...")
        if any(w.name == words[0] for w in witnesses):
            raise ConfigurationError(f"{path} line {number}: the witness {words[0]} is named "
                                     "twice")
        witnesses.append(ConfiguredWitness(*words))
    return tuple(witnesses)


POLICY_VARIABLE = "LEDGER_POLICY"


def policy_path_from_environment() -> str | None:
    """``LEDGER_POLICY``: the path of a ``tlog-policy`` file (the log's key, the witnesses'
    keys, the quorum) by which documents and the console say whether the quorum holds; None
    when unset. The file is read by :func:`projections.cosigning.load_policy`."""
    return os.environ.get(POLICY_VARIABLE, "").strip() or None


WITNESS_EVERY_VARIABLE = "LEDGER_WITNESS_EVERY"


def witness_every_from_environment() -> float | None:
    """``LEDGER_WITNESS_EVERY``: how many seconds the projector waits between asking the
    witnesses to co-sign the journal's head; None (never on a schedule) when unset, when it is
    0, or when no witness is configured (``LEDGER_WITNESSES``)."""
    text = os.environ.get(WITNESS_EVERY_VARIABLE, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ConfigurationError(f"{WITNESS_EVERY_VARIABLE} must be a number of seconds (for "
                                 f"example 3600), or 0 for never; got {text!r}")
    if value == 0 or not witnesses_from_environment():
        return None
    return value
