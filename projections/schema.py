"""The projection tables. Dates are ISO text (they compare as dates), money is whole rupiah."""

from __future__ import annotations

import threading
from typing import Any

from projections import erasure as _erasure  # noqa: F401  (registers its handler)
from projections import obligations as _obligations  # noqa: F401  (registers its handler)
from projections.db import Connection, Namespace
from projections.jkk_cases import TABLES as JKK_CASE_TABLES
from projections.reconciliation import TABLES as RECONCILIATION_TABLES
from projections.scholarships import TABLES as SCHOLARSHIP_TABLES
from projections.tallies import PAID_INDEXES, deferred
from projections.tallies import TABLE_NAMES as TALLY_TABLE_NAMES
from projections.tallies import TABLES as TALLY_TABLES

TABLES = (
    """CREATE TABLE IF NOT EXISTS {tracking} (
        name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT, last_error TEXT,
        failed_position BIGINT, failed_at TEXT)""",
    # One row per following worker (``project --follow``): what it is doing, since when, and
    # when it last said so; /readyz and ``status`` read it (projections.lag).
    """CREATE TABLE IF NOT EXISTS {followers} (
        worker TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL,
        seen_at TEXT NOT NULL, detail TEXT)""",
    """CREATE TABLE IF NOT EXISTS {programmes} (
        programme TEXT PRIMARY KEY, programme_id TEXT, name TEXT, funder_name TEXT,
        funder_region TEXT,
        funding_source TEXT, fiscal_year INTEGER, covers TEXT, ceiling BIGINT,
        dpa_reference TEXT, first_month TEXT, months INTEGER, grace_months INTEGER,
        planned_members INTEGER, wage_band BIGINT, revisions INTEGER NOT NULL DEFAULT 0,
        paid BIGINT NOT NULL DEFAULT 0, reversed BIGINT NOT NULL DEFAULT 0, closed_on TEXT,
        position BIGINT, version INTEGER)""",
    """CREATE TABLE IF NOT EXISTS {rates} (
        programme TEXT, cover TEXT, valid_from TEXT, amount BIGINT)""",
    """CREATE TABLE IF NOT EXISTS {revisions} (
        programme TEXT, position BIGINT, ceiling BIGINT, dpa_reference TEXT, reason TEXT)""",
    """CREATE TABLE IF NOT EXISTS {members} (
        enrolment_id TEXT PRIMARY KEY, programme TEXT, nik TEXT, person_id TEXT, name TEXT,
        region TEXT,
        district TEXT, village TEXT, occupation TEXT, branch TEXT, decile INTEGER,
        enrolled_on TEXT, status TEXT, ended_on TEXT, end_reason TEXT, kpj TEXT,
        died_on TEXT, position BIGINT, kk TEXT, ended_position BIGINT, died_position BIGINT,
        identity TEXT, identity_reason TEXT, identity_position BIGINT, version INTEGER)""",
    "CREATE INDEX IF NOT EXISTS {index}members_nik ON {members} (nik)",
    "CREATE INDEX IF NOT EXISTS {index}members_person ON {members} (person_id)",
    "CREATE INDEX IF NOT EXISTS {index}members_programme ON {members} (programme)",
    # The few members whose death or move is recorded (paid after death or move reads them).
    "CREATE INDEX IF NOT EXISTS {index}members_ended ON {members} (enrolment_id)"
    " WHERE end_reason IN ('died', 'moved') OR died_on IS NOT NULL",
    # The members the population register has not matched (identity-not-matched reads them).
    "CREATE INDEX IF NOT EXISTS {index}members_unmatched ON {members} (position)"
    " WHERE identity IS NULL OR identity <> 'matched'",
    """CREATE TABLE IF NOT EXISTS {contributions} (
        contribution_id TEXT PRIMARY KEY, programme TEXT, sp2d TEXT, paid_on TEXT,
        months TEXT, month_count INTEGER, members INTEGER, rate BIGINT, amount BIGINT,
        reversed_on TEXT, position BIGINT, reversed_position BIGINT)""",
    """CREATE TABLE IF NOT EXISTS {paid} (
        contribution_id TEXT NOT NULL, enrolment_id TEXT NOT NULL, month TEXT NOT NULL)""",
    *PAID_INDEXES,  # made by a replay on PostgreSQL only once it has caught up
    """CREATE TABLE IF NOT EXISTS {claims} (
        claim_id TEXT PRIMARY KEY, programme TEXT, benefit TEXT, payer TEXT,
        enrolment_id TEXT, incident_id TEXT, subject_nik TEXT, district TEXT,
        filed_on TEXT, entitlement BIGINT, status TEXT, approved BIGINT NOT NULL DEFAULT 0,
        approved_on TEXT, disbursed BIGINT NOT NULL DEFAULT 0,
        reversed BIGINT NOT NULL DEFAULT 0, position BIGINT, filed_by TEXT,
        approved_by TEXT, sole_approver_reason TEXT, approved_position BIGINT,
        revoked_on TEXT, revoked_position BIGINT, claimant_nik TEXT, account TEXT,
        subject_kk TEXT, occurred_on TEXT, version INTEGER, rule_version TEXT, wage BIGINT,
        enrolled_on TEXT, incapacity_months INTEGER,
        late_interest BIGINT NOT NULL DEFAULT 0, stmb_month INTEGER, disability_row TEXT,
        disability_percent INTEGER, function_lost_percent INTEGER, receipts TEXT,
        started_on TEXT)""",
    "CREATE INDEX IF NOT EXISTS {index}claims_subject ON {claims} (subject_nik)",
    """CREATE TABLE IF NOT EXISTS {incidents} (
        incident_id TEXT PRIMARY KEY, enrolment_id TEXT, programme TEXT, kind TEXT,
        occurred_on TEXT, work_related INTEGER, position BIGINT, version INTEGER)""",
    """CREATE TABLE IF NOT EXISTS {handover_items} (
        handover_id TEXT NOT NULL, claim_id TEXT NOT NULL, amount BIGINT,
        paid_at_ceremony INTEGER, position BIGINT)""",
    """CREATE TABLE IF NOT EXISTS {handovers} (
        handover_id TEXT PRIMARY KEY, held_on TEXT, venue TEXT, region TEXT, occasion TEXT,
        recipients INTEGER, total BIGINT, unpaid INTEGER, unpaid_claims TEXT, position BIGINT)""",
    """CREATE TABLE IF NOT EXISTS {journal_leaves} (
        leaf_index BIGINT PRIMARY KEY, position BIGINT NOT NULL, hash TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {journal_frontier} (
        name TEXT PRIMARY KEY, size BIGINT NOT NULL, hashes TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {payouts} (
        claim_id TEXT, reference TEXT, amount BIGINT, paid_on TEXT, reversed INTEGER NOT NULL
        DEFAULT 0, position BIGINT)""",
    "CREATE INDEX IF NOT EXISTS {index}payouts_claim ON {payouts} (claim_id, reference)",
    *RECONCILIATION_TABLES,
    *SCHOLARSHIP_TABLES,
    *JKK_CASE_TABLES,
    *TALLY_TABLES,
)

#: Columns added to a table after it was first made: (table, column, type). ``create_tables``
#: adds those missing from tables an older version built (CREATE TABLE IF NOT EXISTS does not).
ADDED_COLUMNS = (
    ("tracking", "last_error", "TEXT"),
    ("tracking", "failed_position", "BIGINT"),
    ("tracking", "failed_at", "TEXT"),
    # The list read models (projections.lists): each record's version at the position.
    ("programmes", "version", "INTEGER"),
    ("members", "version", "INTEGER"),
    ("incidents", "version", "INTEGER"),
    ("claims", "version", "INTEGER"),
    # What a decided claim's amount is recomputed from (re-adjudication drift, ledger.drift).
    ("claims", "rule_version", "TEXT"),
    ("claims", "wage", "BIGINT"),
    ("claims", "enrolled_on", "TEXT"),
    ("claims", "incapacity_months", "INTEGER"),
    # What is owed (projections.obligations): a claim's late interest, a child's level.
    ("claims", "late_interest", "BIGINT NOT NULL DEFAULT 0"),
    ("scholarship_children", "level", "TEXT"),
    # What a JKK schedule claim stands on (projections.jkk_cases: open STMB months; drift).
    ("claims", "stmb_month", "INTEGER"),
    ("claims", "disability_row", "TEXT"),
    ("claims", "disability_percent", "INTEGER"),
    ("claims", "function_lost_percent", "INTEGER"),
    ("claims", "receipts", "TEXT"),
    ("claims", "started_on", "TEXT"),
    # Whose a row is, by data subject (erasure finds a person's rows by these; the findings
    # group people by them, never by a NIK an erasure turns into [dihapus]).
    ("claims", "person_id", "TEXT"),
    ("claims", "claimant_id", "TEXT"),
    ("scholarship_children", "subject_id", "TEXT"),
    ("scholarship_years", "child_subject_id", "TEXT"),
    ("jkk_cases", "person_id", "TEXT"),
    # The keyed pseudonyms of the family card and the payee account (HMAC under the index key,
    # in clear in the events): the findings compare families and accounts by them, so an
    # erasure, which turns the numbers into [dihapus], changes no finding.
    ("members", "kk_key", "TEXT"),
    ("claims", "account_key", "TEXT"),
    ("claims", "subject_kk_key", "TEXT"),
)

#: Added columns that only a replay of the log can fill, and the projection whose tables they
#: are in: tables an older version built get the column, and that projection starts again at
#: position 0, which makes the next catch-up rebuild the set (runner.catch_up), so a store
#: projected before gains them with the rows of a rebuild.
REBUILT_WHEN_ADDED = {
    ("programmes", "version"): "budget", ("members", "version"): "coverage",
    ("incidents", "version"): "balances", ("claims", "version"): "balances",
    **{("claims", column): "balances"
       for column in ("rule_version", "wage", "enrolled_on", "incapacity_months",
                      "late_interest", "stmb_month", "disability_row", "disability_percent",
                      "function_lost_percent", "receipts", "started_on", "person_id",
                      "claimant_id", "account_key", "subject_kk_key")},
    ("members", "kk_key"): "coverage",
    ("scholarship_children", "level"): "balances",
    ("scholarship_children", "subject_id"): "balances",
    ("scholarship_years", "child_subject_id"): "balances",
    ("jkk_cases", "person_id"): "balances",
}

#: Tables added after stores were first projected, and the projection whose tables they join:
#: a store without one gets it empty, and that projection starts again at position 0, so the
#: next catch-up rebuilds the set (runner.catch_up) and fills it from the log.
REBUILT_WHEN_TABLE_ADDED = {name: "budget" for name in TALLY_TABLE_NAMES}

#: Tracked projections; one added here makes existing tables rebuild (runner.catch_up).
PROJECTIONS = ("coverage", "balances", "budget", "stats", "journal", "findings",
               "reconciliation")


#: The namespaces (of one database each) whose tables this process has made or checked.
_MADE: set[tuple[object, ...]] = set()
_MADE_LOCK = threading.Lock()


def ensure_tables(connection: Connection, namespace: Namespace, *, again: bool = False) -> None:
    """:func:`create_tables` once per namespace and process: later, one read that finds every
    projection's tracking row stands for it (a page opens the read side on each request; the
    forty statements that make sure of the tables need not run each time). A database whose
    tables are gone (dropped, or made again) is made again. ``again``: make sure of them now,
    whatever was done before (a store another release made may lack a column)."""
    env = namespace.settings.env
    key = (env.get("POSTGRES_HOST"), env.get("POSTGRES_PORT"), env.get("POSTGRES_DBNAME"),
           env.get("SQLITE_DBNAME"), namespace.table("tracking"))
    if key in _MADE and not again:
        try:
            names = {row["name"] for row in connection.query(namespace.sql(
                "SELECT name FROM {tracking}"))}
        except Exception:  # the table is gone: made again below
            names = set()
        if names.issuperset(PROJECTIONS):
            return
    create_tables(connection, namespace)
    with _MADE_LOCK:
        _MADE.add(key)


def create_tables(connection: Connection, namespace: Namespace) -> None:
    """Create the namespace's tables (idempotent) and its tracking rows at position 0."""
    with connection.transaction() as cursor:
        if namespace.postgres:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{namespace.schema}"')
        index_prefix = "" if namespace.postgres else namespace.prefix
        new_tables = [name for name in REBUILT_WHEN_TABLE_ADDED
                      if not _exists(cursor, namespace, name)]
        later = deferred(namespace)
        for statement in (t for t in TABLES if t not in later):
            text = statement.replace("{index}", f"{index_prefix}ix_")
            cursor.execute(namespace.sql(text))
        added = _add_missing_columns(cursor, namespace)
        for name in PROJECTIONS:
            cursor.execute(namespace.sql(
                "INSERT INTO {tracking} (name, position) VALUES (?, 0) "
                "ON CONFLICT (name) DO NOTHING"), (name,))
        rebuilt = {REBUILT_WHEN_ADDED[a] for a in added if a in REBUILT_WHEN_ADDED}
        rebuilt |= {REBUILT_WHEN_TABLE_ADDED[name] for name in new_tables}
        for name in rebuilt:
            cursor.execute(namespace.sql("UPDATE {tracking} SET position = 0 WHERE name = ?"),
                           (name,))
        cursor.execute(namespace.sql(
            "INSERT INTO {journal_frontier} (name, size, hashes) VALUES ('journal', 0, '[]') "
            "ON CONFLICT (name) DO NOTHING"))


def _add_missing_columns(cursor: Any, namespace: Namespace) -> set[tuple[str, str]]:
    """Add the columns missing from tables an older version made; say which were added."""
    added: set[tuple[str, str]] = set()
    known = _all_columns(cursor, namespace) if namespace.postgres else {}
    for table, column, kind in ADDED_COLUMNS:
        if column not in (known.get(table, set()) if namespace.postgres
                          else _columns(cursor, namespace, table)):
            cursor.execute(f"ALTER TABLE {namespace.table(table)} ADD COLUMN {column} {kind}")
            added.add((table, column))
    return added


def _exists(cursor: Any, namespace: Namespace, table: str) -> bool:
    if namespace.postgres:
        cursor.execute("SELECT 1 FROM information_schema.tables"
                       " WHERE table_schema = %s AND table_name = %s", (namespace.schema, table))
    else:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (namespace.table(table),))
    return cursor.fetchone() is not None


def _all_columns(cursor: Any, namespace: Namespace) -> dict[str, set[str]]:
    """The columns of each table of a PostgreSQL namespace, in one read (one per column to
    check was 54 reads of the catalogue, a quarter of a second of every rebuild)."""
    cursor.execute("SELECT table_name, column_name FROM information_schema.columns"
                   " WHERE table_schema = %s", (namespace.schema,))
    found: dict[str, set[str]] = {}
    for row in cursor.fetchall():
        table, column = (row["table_name"], row["column_name"]) if isinstance(row, dict) \
            else (row[0], row[1])
        found.setdefault(table, set()).add(column)
    return found


def _columns(cursor: Any, namespace: Namespace, table: str) -> set[str]:
    if namespace.postgres:
        cursor.execute("SELECT column_name FROM information_schema.columns"
                       " WHERE table_schema = %s AND table_name = %s", (namespace.schema, table))
        return {row["column_name"] if isinstance(row, dict) else row[0]
                for row in cursor.fetchall()}
    cursor.execute(f"PRAGMA table_info({namespace.table(table)})")
    return {row[1] for row in cursor.fetchall()}


def drop_tables(connection: Connection, namespace: Namespace) -> None:
    with connection.transaction() as cursor:
        if namespace.postgres:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{namespace.schema}" CASCADE')
            return
        for name in _logical_names():
            cursor.execute(f"DROP TABLE IF EXISTS {namespace.table(name)}")


def swap_in(connection: Connection, live: Namespace, rebuilt: Namespace) -> None:
    """Replace the live tables by the rebuilt ones in one transaction."""
    with connection.transaction() as cursor:
        if live.postgres:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{live.schema}" CASCADE')
            cursor.execute(f'ALTER SCHEMA "{rebuilt.schema}" RENAME TO "{live.schema}"')
            return
        for name in _logical_names():
            cursor.execute(f"DROP TABLE IF EXISTS {live.table(name)}")
            cursor.execute(f"ALTER TABLE {rebuilt.table(name)} RENAME TO {live.table(name)}")
        # SQLite indexes keep their names through a rename: give them the live names back.
        for statement in (t for t in TABLES if t.startswith("CREATE INDEX")):
            index = statement.split("{index}")[1].split(" ")[0]
            cursor.execute(f"DROP INDEX IF EXISTS rebuild_ix_{index}")
            cursor.execute(live.sql(statement.replace("{index}", "ix_")))


def _logical_names() -> tuple[str, ...]:
    return ("tracking", "programmes", "rates", "revisions", "members", "contributions", "paid",
            "claims", "payouts", "handovers", "journal_leaves", "journal_frontier",
            "incidents", "handover_items", "reconciliation_runs",
            "reconciliation_discrepancies", "followers", "scholarships", "scholarship_children",
            "scholarship_years", "jkk_cases", *TALLY_TABLE_NAMES)
