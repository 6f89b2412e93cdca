"""What the payments add up to, kept per event: how many times each person was paid for each
month, and how many members of each programme were paid for each month.

The audit's "paid twice in a month" and the budget's members paid each month were counted over
every paid member-month on every read (2.4 million rows at 200,000 members: 10 s for the one,
5 s for the other). Kept here as the payment orders are projected, they are a read of the few
rows that matter:

- ``person_months`` (month, person id) -> ``payments``: the paid member-months of the person's
  enrolments in that month (as many as the payment orders that paid each); a person paid twice
  in a month has ``payments > 1`` (a partial index holds only those rows). Keyed by the
  person's id, never by the NIK.
- ``programme_months`` (programme, month) -> ``members``: the members of the programme with at
  least one payment for the month.

Each is changed by SQL over the order's own ``paid`` rows in the projection's transaction (so
exactly once, in log order): a payment order adds, after its rows are in; its reversal
subtracts the same, before its rows are dropped. A member-month counts for its programme only
while no other order pays it (the ``NOT EXISTS`` over the ``paid`` index), so paying a month
again or reversing one of two orders leaves the count as it is; a count a reversal brings to
0 is deleted. The tables are part of the projection set; a replay from the start (``project
--rebuild``, a snapshot at a cut-off) leaves these operations out (they cost as much again as
the rest of a rebuild of 2.4 million paid member-months) and counts every ``paid`` row once
when it has caught up (:data:`RECOUNT`): the same rows. A store projected before the tables
existed is rebuilt once (:data:`projections.schema.REBUILT_WHEN_TABLE_ADDED`). Importing this
module registers the operations with the payment handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.db import Connection, Namespace, analyzed
from projections.handlers import HANDLERS, Op, Operation

TABLES = (
    """CREATE TABLE IF NOT EXISTS {person_months} (
        month TEXT NOT NULL, person_id TEXT NOT NULL, payments INTEGER NOT NULL,
        PRIMARY KEY (month, person_id))""",
    "CREATE INDEX IF NOT EXISTS {index}person_months_twice ON {person_months} (month, person_id)"
    " WHERE payments > 1",
    """CREATE TABLE IF NOT EXISTS {programme_months} (
        programme TEXT NOT NULL, month TEXT NOT NULL, members INTEGER NOT NULL,
        PRIMARY KEY (programme, month))""",
)
TABLE_NAMES = ("person_months", "programme_months")

_PERSON_MONTHS = (
    "INSERT INTO {{person_months}} AS t (month, person_id, payments)"
    " SELECT p.month, m.person_id, {sign}count(*) FROM {{paid}} p JOIN {{members}} m"
    " ON m.enrolment_id = p.enrolment_id WHERE p.contribution_id = ?"
    " GROUP BY p.month, m.person_id ORDER BY p.month, m.person_id"
    " ON CONFLICT (month, person_id) DO UPDATE SET payments = t.payments + excluded.payments")
_PROGRAMME_MONTHS = (
    "INSERT INTO {{programme_months}} AS t (programme, month, members)"
    " SELECT m.programme, p.month, {sign}count(DISTINCT p.enrolment_id) FROM {{paid}} p"
    " JOIN {{members}} m ON m.enrolment_id = p.enrolment_id WHERE p.contribution_id = ?"
    " AND NOT EXISTS (SELECT 1 FROM {{paid}} q WHERE q.enrolment_id = p.enrolment_id"
    "  AND q.month = p.month AND q.contribution_id <> p.contribution_id)"
    " GROUP BY m.programme, p.month"
    " ON CONFLICT (programme, month) DO UPDATE SET members = t.members + excluded.members")


#: After a reversal: the counts it brought to 0 go (a rebuild's recount never makes them).
_EMPTIED = (
    "DELETE FROM {person_months} WHERE payments = 0"
    " AND month IN (SELECT DISTINCT month FROM {paid} WHERE contribution_id = ?)",
    "DELETE FROM {programme_months} WHERE members = 0",
)


@dataclass(frozen=True)
class Tally(Op):
    """A tally's SQL: applied per event on the live tables; a replay from the start (a
    rebuild, a snapshot at a position) leaves it out and counts once at the end instead
    (:func:`caught_up`)."""


def counted(contribution_id: str, sign: str) -> list[Operation]:
    """Add (``sign`` ``""``) or take away (``"-"``) one payment order's paid rows."""
    return [Tally(_PERSON_MONTHS.format(sign=sign), (contribution_id,)),
            Tally(_PROGRAMME_MONTHS.format(sign=sign), (contribution_id,))]


#: Every count made again from the ``paid`` rows (a replay's tables, once it has caught up):
#: the same rows as the counts made event by event (counts of 0 are never kept).
RECOUNT = (
    "DELETE FROM {person_months}",
    "INSERT INTO {person_months} (month, person_id, payments)"
    " SELECT p.month, m.person_id, count(*) FROM {paid} p JOIN {members} m"
    " ON m.enrolment_id = p.enrolment_id GROUP BY p.month, m.person_id"
    " ORDER BY p.month, m.person_id",  # in the key's order: half the time of a random one
    "DELETE FROM {programme_months}",
    "INSERT INTO {programme_months} (programme, month, members)"
    " SELECT m.programme, p.month, count(DISTINCT p.enrolment_id) FROM {paid} p"
    " JOIN {members} m ON m.enrolment_id = p.enrolment_id GROUP BY m.programme, p.month",
)


_PAID = HANDLERS["Contribution.Paid"]
_REVERSED = HANDLERS["Contribution.Reversed"]


def contribution_paid(e: Any, position: int) -> list[Operation]:
    """The order's rows, then the tallies counted from them."""
    return [*_PAID(e, position), *counted(str(e.originator_id), "")]


def contribution_reversed(e: Any, position: int) -> list[Operation]:
    """The tallies taken away while the order's rows are still there, then the reversal."""
    cid = str(e.originator_id)
    return [*counted(cid, "-"), Tally(_EMPTIED[0], (cid,)), Tally(_EMPTIED[1]),
            *_REVERSED(e, position)]


HANDLERS.update({"Contribution.Paid": contribution_paid,
                 "Contribution.Reversed": contribution_reversed})


def replayed(namespace: Namespace) -> bool:
    """A namespace replayed from the start (a rebuild, a snapshot): counted at the end."""
    return namespace.rebuild or namespace.at is not None


#: The ``paid`` rows' indexes (in :data:`projections.schema.TABLES`). A replay on PostgreSQL
#: makes them only once it has caught up (:func:`caught_up`): the payment orders' rows (12 a
#: member a year) went in at less than half the time without them, the indexes then built
#: once, sorted, instead of row by row. Nothing a handler does in a replay reads them (the
#: tallies that do are left out of it) but a reversal's delete.
PAID_INDEXES = (
    "CREATE INDEX IF NOT EXISTS {index}paid_member ON {paid} (enrolment_id, month)",
    "CREATE INDEX IF NOT EXISTS {index}paid_contribution ON {paid} (contribution_id)",
)


def deferred(namespace: Namespace) -> tuple[str, ...]:
    """The indexes :func:`projections.schema.create_tables` leaves to :func:`caught_up`."""
    return PAID_INDEXES if namespace.postgres and replayed(namespace) else ()


def caught_up(connection: Connection, namespace: Namespace, applied: int) -> int:
    """After a catch-up that applied ``applied`` events: a replay's tallies counted and its
    deferred indexes made (in one transaction), the tables analyzed when due
    (:func:`projections.db.analyzed`)."""
    if replayed(namespace):
        with connection.transaction() as cursor:
            if applied > 0:
                for statement in RECOUNT:
                    cursor.execute(namespace.sql(statement))
            for statement in deferred(namespace):
                cursor.execute(namespace.sql(statement.replace("{index}", "ix_")))
    return analyzed(connection, namespace, applied)
