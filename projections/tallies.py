"""What the payments add up to, kept per event: how many times each person was paid for each
month, and how many members of each programme were paid for each month.

The audit's "paid twice in a month" and the budget's members paid each month were counted over
every paid member-month on every read (2.4 million rows at 200,000 members: 10 s for the one,
5 s for the other). Kept here as the payment orders are projected, they are a read of the few
rows that matter:

- ``person_months`` (person id, month) -> ``payments``: the paid member-months of the person's
  enrolments in that month (as many as the payment orders that paid each); a person paid twice
  in a month has ``payments > 1`` (a partial index holds only those rows). Keyed by the
  person's id, never by the NIK.
- ``programme_months`` (programme, month) -> ``members``: the members of the programme with at
  least one payment for the month.

Each is changed by SQL over the order's own ``paid`` rows in the projection's transaction (so
exactly once, in log order): a payment order adds, after its rows are in; its reversal
subtracts the same, before its rows are dropped. A member-month counts for its programme only
while no other order pays it (the ``NOT EXISTS`` over the ``paid`` index), so paying a month
again or reversing one of two orders leaves the count as it is. Rows whose count falls to 0
stay (read as 0). The tables are part of the projection set, so ``project --rebuild`` makes
them again from the log; a store projected before they existed is rebuilt once
(:data:`projections.schema.REBUILT_WHEN_TABLE_ADDED`). Importing this module registers the
operations with the payment handlers.
"""

from __future__ import annotations

from typing import Any

from projections.handlers import HANDLERS, Op, Operation

TABLES = (
    """CREATE TABLE IF NOT EXISTS {person_months} (
        person_id TEXT NOT NULL, month TEXT NOT NULL, payments INTEGER NOT NULL,
        PRIMARY KEY (person_id, month))""",
    "CREATE INDEX IF NOT EXISTS {index}person_months_twice ON {person_months} (person_id, month)"
    " WHERE payments > 1",
    """CREATE TABLE IF NOT EXISTS {programme_months} (
        programme TEXT NOT NULL, month TEXT NOT NULL, members INTEGER NOT NULL,
        PRIMARY KEY (programme, month))""",
)
TABLE_NAMES = ("person_months", "programme_months")

_PERSON_MONTHS = (
    "INSERT INTO {{person_months}} AS t (person_id, month, payments)"
    " SELECT m.person_id, p.month, {sign}count(*) FROM {{paid}} p JOIN {{members}} m"
    " ON m.enrolment_id = p.enrolment_id WHERE p.contribution_id = ?"
    " GROUP BY m.person_id, p.month"
    " ON CONFLICT (person_id, month) DO UPDATE SET payments = t.payments + excluded.payments")
_PROGRAMME_MONTHS = (
    "INSERT INTO {{programme_months}} AS t (programme, month, members)"
    " SELECT m.programme, p.month, {sign}count(DISTINCT p.enrolment_id) FROM {{paid}} p"
    " JOIN {{members}} m ON m.enrolment_id = p.enrolment_id WHERE p.contribution_id = ?"
    " AND NOT EXISTS (SELECT 1 FROM {{paid}} q WHERE q.enrolment_id = p.enrolment_id"
    "  AND q.month = p.month AND q.contribution_id <> p.contribution_id)"
    " GROUP BY m.programme, p.month"
    " ON CONFLICT (programme, month) DO UPDATE SET members = t.members + excluded.members")


def counted(contribution_id: str, sign: str) -> list[Operation]:
    """Add (``sign`` ``""``) or take away (``"-"``) one payment order's paid rows."""
    return [Op(_PERSON_MONTHS.format(sign=sign), (contribution_id,)),
            Op(_PROGRAMME_MONTHS.format(sign=sign), (contribution_id,))]


_PAID = HANDLERS["Contribution.Paid"]
_REVERSED = HANDLERS["Contribution.Reversed"]


def contribution_paid(e: Any, position: int) -> list[Operation]:
    """The order's rows, then the tallies counted from them."""
    return [*_PAID(e, position), *counted(str(e.originator_id), "")]


def contribution_reversed(e: Any, position: int) -> list[Operation]:
    """The tallies taken away while the order's rows are still there, then the reversal."""
    return [*counted(str(e.originator_id), "-"), *_REVERSED(e, position)]


HANDLERS.update({"Contribution.Paid": contribution_paid,
                 "Contribution.Reversed": contribution_reversed})
